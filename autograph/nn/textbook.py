"""The notes' hand-written layers, each with `forward` and `backward` by hand (NumPy only).

These are the layers autograph automates; they are here to be read beside the graph
pictures and to check autograph's gradients against (tests/test_nn_textbook.py). Written
from the formulas of the notes (chapter 5), with one deliberate change: `Relu.backward`
does not write into the caller's `dout` (the book's `dout[self.mask] = 0` does, which
corrupts the gradient of any node with two consumers).

The sequel's layers with `params`/`grads` lists are in `autograph.nn.sequel`; the NumPy functions
both books share (softmax, cross_entropy_error) in `autograph.nn.functions`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.nn.functions import cross_entropy_error, softmax


class MulLayer:
    """out = x·y; backward swaps the inputs: dx = dout·y, dy = dout·x."""

    def __init__(self) -> None:
        self.x: Any = None
        self.y: Any = None

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        return dout * self.y, dout * self.x


class AddLayer:
    """out = x + y; backward passes dout through to both inputs."""

    def forward(self, x: Any, y: Any) -> Any:
        return x + y

    def backward(self, dout: Any) -> tuple[Any, Any]:
        return dout * 1, dout * 1


class Relu:
    """y = max(x, 0); backward lets dout through where x > 0 (the mask kept from forward)."""

    def __init__(self) -> None:
        self.mask: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, 0, x).astype(np.result_type(x), copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        # Out of place: the caller's dout may feed other nodes too.
        return np.where(self.mask, 0, dout).astype(np.result_type(dout), copy=False)


class Sigmoid:
    """y = 1/(1+exp(-x)); dx = dout·y·(1-y) (the four-node graph collapsed into one)."""

    def __init__(self) -> None:
        self.out: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out) * self.out


class Affine:
    """Y = X·W + B;  dX = dY·Wᵀ,  dW = Xᵀ·dY,  dB = Σ dY over the batch (axis 0).

    Inputs with more than two axes (images) are flattened to (N, -1), and dX given back in
    the input's shape.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x: Any = None
        self.x_shape: Any = None
        self.dW: np.ndarray | None = None
        self.db: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1) if x.ndim > 2 else x
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return (dout @ self.W.T).reshape(self.x_shape)


class SoftmaxWithLoss:
    """Softmax then cross-entropy; backward is (y - t) / batch_size."""

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = np.asarray(t)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        batch = self.y.shape[0]
        if self.t.shape == self.y.shape:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(batch), self.t] -= 1
        return dx * (dout / batch)
