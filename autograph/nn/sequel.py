"""The sequel's layers (Deep Learning from Scratch 2, ch. 1): `params` and `grads` lists.

Each layer keeps its parameters in `params` and same-shaped gradient arrays in `grads`;
backward writes into `grads[i][...]` in place, so an optimizer holding those lists sees the
new gradients. `SGD(lr).update(params, grads)` updates every parameter in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.nn.functions import sigmoid


class MatMul:
    """out = x·W;  dx = dout·Wᵀ,  dW = xᵀ·dout."""

    def __init__(self, W: np.ndarray) -> None:
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.params[0]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        (W,) = self.params
        self.grads[0][...] = self.x.T @ dout
        return dout @ W.T


class Affine:
    """out = x·W + b;  dx = dout·Wᵀ,  dW = xᵀ·dout,  db = Σ dout over the batch."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, b = self.params
        self.x = x
        return x @ W + b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W, _ = self.params
        self.grads[0][...] = self.x.T @ dout
        self.grads[1][...] = np.sum(dout, axis=0)
        return dout @ W.T


class Sigmoid:
    """out = 1/(1+exp(-x)); dx = dout·out·(1-out). No parameters: empty params and grads."""

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.out: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self.out is not None, "backward() before forward()"
        return dout * (1.0 - self.out) * self.out


class SGD:
    """params[i] -= lr * grads[i], in place."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for param, grad in zip(params, grads, strict=True):
            param -= self.lr * grad
