"""The textbook's `TwoLayerNet`, on autograph's Tensors.

It keeps the notes' interface: `params` is a dict of the NumPy arrays `W1 b1 W2 b2` (the
same arrays the Parameters hold, so the notes' loop `params[key] -= lr * grad[key]` trains
it), `predict`, `loss`, `accuracy`, `numerical_gradient` (central differences) and
`gradient`, which here is autograph's backward pass instead of hand-written layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.node import no_grad
from autograph.engine.tensor import Tensor, affine, softmax_cross_entropy
from autograph.nn.module import Module, Parameter

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class TwoLayerNet(Module):
    """input -> Affine -> ReLU -> Affine -> (softmax cross-entropy).

    >>> net = TwoLayerNet(784, 100, 10)
    >>> {k: v.shape for k, v in net.params.items()}
    {'W1': (784, 100), 'b1': (100,), 'W2': (100, 10), 'b2': (10,)}
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01, *, rng: np.random.Generator | None = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        std = weight_init_std
        self.W1 = Parameter((std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
                            label="W1")
        self.b1 = Parameter(np.zeros(hidden_size, dtype=dtype), label="b1")
        self.W2 = Parameter((std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
                            label="W2")
        self.b2 = Parameter(np.zeros(output_size, dtype=dtype), label="b2")

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays themselves (not copies): updating them in place trains the net."""
        return {name: getattr(self, name).data for name in PARAM_NAMES}

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)  # a constant: no gradient for the input
        h = affine(x, self.W1, self.b1).relu()  # the textbook's Affine: one node each
        return affine(h, self.W2, self.b2)

    def predict(self, x: Any) -> np.ndarray:
        """Scores (logits) for each row of x, as an array."""
        with no_grad():
            return self.forward(x).data

    def loss_node(self, x: Any, t: Any) -> Tensor:
        """The loss as a graph node (for `backward()`)."""
        return softmax_cross_entropy(self.forward(x), _labels(t))

    def loss(self, x: Any, t: Any) -> float:
        with no_grad():
            return self.loss_node(x, t).item()

    def accuracy(self, x: Any, t: Any) -> float:
        y = np.argmax(self.predict(x), axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t)) / float(len(y))

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """d(loss)/d(param) for each of W1 b1 W2 b2, by autograph's backward pass.

        Leaves `.grad` untouched (uses `gradients`), so calling it twice gives the same result.
        """
        loss = self.loss_node(x, t)
        grads = gradients(loss, [getattr(self, name) for name in PARAM_NAMES])
        return dict(zip(PARAM_NAMES, grads, strict=True))

    def numerical_gradient(self, x: Any, t: Any, h: float = 1e-4) -> dict[str, np.ndarray]:
        """Central differences (f(w+h) - f(w-h)) / 2h, one weight at a time: slow, for checks."""
        grads = {}
        for name, w in self.params.items():
            grads[name] = numerical_gradient(lambda: self.loss(x, t), w, h)
        return grads


def numerical_gradient(f: Any, w: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """d f() / d w by central differences, perturbing `w` in place and restoring it."""
    grad = np.zeros(w.shape, dtype=np.float64)
    flat = w.reshape(-1)  # a view: writing it perturbs w
    if flat.base is not w and not np.shares_memory(flat, w):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place")
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = f()
        flat[i] = old - h
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * h)
    return grad.astype(w.dtype, copy=False)


def _labels(t: Any) -> Any:
    return t.data if isinstance(t, Tensor) else t
