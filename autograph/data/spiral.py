"""The sequel's spiral data set (Deep Learning from Scratch 2, `dataset/spiral.py`).

`load_data(seed=1984)` gives the book's 300 points, in the book's order (100 per class, arm
by arm), and one-hot labels, the same arrays as the book's code for the same seed. Like the
book's, it seeds NumPy's global generator with `seed` and draws from it, so the weights a
script draws next (`TwoLayerNet(...)` from the book) are the book's too.

(`autograph.data.make_spiral` is a different, generator-based spiral for quick demos.)
"""

from __future__ import annotations

import numpy as np

N = 100  # points per class
DIM = 2  # coordinates per point
CLS_NUM = 3  # classes (arms)


def load_data(seed: int = 1984) -> tuple[np.ndarray, np.ndarray]:
    """(x, t): x of shape (300, 2), float64; t one-hot of shape (300, 3), integers.

    Arm j, point i: radius r = i/100, angle θ = 4j + 4r + 0.2·z with z ~ N(0, 1) drawn from the
    global generator one point at a time; x = (r·sin θ, r·cos θ).
    """
    np.random.seed(seed)
    x = np.zeros((N * CLS_NUM, DIM))
    t = np.zeros((N * CLS_NUM, CLS_NUM), dtype=np.int64)
    for j in range(CLS_NUM):
        for i in range(N):
            rate = i / N
            radius = 1.0 * rate
            # one draw per point, in this order: the book's stream of random numbers
            theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            ix = N * j + i
            x[ix] = radius * np.sin(theta), radius * np.cos(theta)
            t[ix, j] = 1
    return x, t
