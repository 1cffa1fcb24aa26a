"""The NumPy functions both "Deep Learning from Scratch" books define and their layers share
(vol. 1 `common/functions.py`, vol. 2 `common/functions.py`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def sigmoid(x: Any) -> Any:
    """1 / (1 + exp(-x))."""
    return 1 / (1 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row max so exp cannot overflow."""
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean over the batch of -log y[correct class]; δ = 1e-7 keeps log away from log(0)."""
    t = np.asarray(t)
    if y.ndim == 1:  # one sample
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.shape == y.shape:  # one-hot rows -> class indices
        t = np.argmax(t, axis=1)
    batch = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(batch), t] + 1e-7)) / batch)
