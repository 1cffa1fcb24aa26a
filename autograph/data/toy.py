"""Small generated datasets for quick demos: two moons and spirals."""

from __future__ import annotations

import numpy as np


def make_moons(
    n_samples: int = 100, *, noise: float = 0.1, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X of shape (n, 2), labels y in {0, 1}.

    The upper moon is the half circle of radius 1 around (0, 0); the lower one is the lower
    half circle around (1, 0.5). Gaussian noise of std `noise` is added to every point.
    """
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    a = np.linspace(0, np.pi, n_upper)
    b = np.linspace(0, np.pi, n_lower)
    upper = np.stack([np.cos(a), np.sin(a)], axis=1)
    lower = np.stack([1 - np.cos(b), 0.5 - np.sin(b)], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: X of shape (n·k, 2), integer labels.

    Arm j: radius r from 0 to 1, angle 4j .. 4(j+1) radians plus Gaussian noise.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.empty(n_per_class * n_classes, dtype=np.int64)
    r = np.linspace(0.0, 1.0, n_per_class)
    for j in range(n_classes):
        theta = np.linspace(4.0 * j, 4.0 * (j + 1), n_per_class)
        theta = theta + rng.normal(scale=noise, size=n_per_class)
        rows = slice(j * n_per_class, (j + 1) * n_per_class)
        X[rows] = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
        y[rows] = j
    return X, y
