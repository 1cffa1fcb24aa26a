"""Small generated datasets for quick demos: two moons and spirals.

Arguments are checked (a count below its minimum, a NaN, infinite or negative noise is a
ValueError), and so are the points made: noise so large that a coordinate overflows to
infinity is refused rather than handed to a net as data it cannot learn from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _count(where: str, name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{where}: {name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def _noise(where: str, noise: Any) -> float:
    try:
        x = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: noise must be a finite number >= 0, got {noise!r}") from None
    if not (math.isfinite(x) and x >= 0):
        raise ValueError(f"{where}: noise must be a finite number >= 0, got {noise!r}")
    return x


def _finite_points(where: str, X: np.ndarray, noise: float) -> np.ndarray:
    if not np.isfinite(X).all():
        raise ValueError(
            f"{where}: noise {noise:g} makes points that are not finite numbers "
            f"(they overflow); use a noise of a sensible size, such as 0.1"
        )
    return X


def make_moons(
    n_samples: int = 100, *, noise: float = 0.1, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X of shape (n, 2), labels y in {0, 1}.

    The upper moon is the half circle of radius 1 around (0, 0); the lower one is the lower
    half circle around (1, 0.5). Gaussian noise of std `noise` is added to every point.
    """
    n_samples = _count("make_moons", "n_samples", n_samples, 2)
    noise = _noise("make_moons", noise)
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
        with np.errstate(over="ignore"):  # an overflow is reported below, by name
            X = X + rng.normal(scale=noise, size=X.shape)
        _finite_points("make_moons", X, noise)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, *, noise: float = 0.2, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: X of shape (n·k, 2), integer labels.

    Arm j: radius r from 0 to 1, angle 4j .. 4(j+1) radians plus Gaussian noise.
    """
    n_per_class = _count("make_spiral", "n_per_class", n_per_class, 1)
    n_classes = _count("make_spiral", "n_classes", n_classes, 1)
    noise = _noise("make_spiral", noise)
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
    return _finite_points("make_spiral", X, noise), y
