"""The sequel's layers (Deep Learning from Scratch 2, ch. 1): `params` and `grads` lists.

Each layer keeps its parameters in `params` and same-shaped gradient arrays in `grads`;
backward writes into `grads[i][...]` in place, so an optimizer holding those lists sees the
new gradients. The optimizers (`SGD`, `Momentum`, `Nesterov`, `AdaGrad`, `RMSprop`, `Adam`)
take the book's `update(params, grads)` and change every parameter in place, with the book's
formulas and defaults (eps 1e-7 everywhere). `TwoLayerNet` is the book's chapter-1 net
(Affine, Sigmoid, Affine, SoftmaxWithLoss); `autograph.training.Trainer` trains such models
and `autograph.data.spiral.load_data` is the book's spiral data set.

These are written from the book's formulas, NumPy only, to be read beside autograph's
automatic gradients (tests/test_nn_sequel.py checks each against them). Hyper-parameters are
checked as autograph.optim checks them (a NaN or negative lr is refused).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.nn.functions import cross_entropy_error, sigmoid, softmax
from autograph.optim.optimizer import BETA, NONNEGATIVE, UNIT


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


class Softmax:
    """out = softmax(x) along the last axis; dx = out·dout − out·Σ(out·dout)."""

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.out: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = softmax(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = self.out * dout
        return dx - self.out * np.sum(dx, axis=-1, keepdims=True)


class SoftmaxWithLoss:
    """Softmax then cross-entropy (labels as class indices or one-hot rows);
    backward is (y − t)·dout / batch."""

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.y = softmax(x)
        t = np.asarray(t)
        self.t = t.argmax(axis=-1) if t.size == self.y.size else t  # one-hot -> indices
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout: float = 1) -> np.ndarray:
        y = self.y.reshape(-1, self.y.shape[-1])
        t = np.asarray(self.t).reshape(-1)
        dx = y.copy()
        dx[np.arange(len(t)), t] -= 1
        return (dx * dout / len(t)).reshape(self.y.shape)


class SigmoidWithLoss:
    """Sigmoid then binary cross-entropy against labels 0/1; backward is (y − t)·dout / batch."""

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.y: Any = None
        self.t: Any = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = np.asarray(t)
        self.y = sigmoid(x)
        return cross_entropy_error(np.c_[1 - self.y, self.y], self.t)

    def backward(self, dout: float = 1) -> np.ndarray:
        return (self.y - self.t) * dout / self.t.shape[0]


class TwoLayerNet:
    """The sequel's chapter-1 net: Affine -> Sigmoid -> Affine, SoftmaxWithLoss on top.
    Weights are `0.01 * np.random.randn(...)` from NumPy's global generator, as in the book."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        I, H, O = input_size, hidden_size, output_size
        W1, b1 = 0.01 * np.random.randn(I, H), np.zeros(H)
        W2, b2 = 0.01 * np.random.randn(H, O), np.zeros(O)
        self.layers: list[Any] = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout: float = 1) -> np.ndarray:
        d = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            d = layer.backward(d)
        return d


# -- optimizers: update(params, grads), in place ---------------------------------------------


class _Update:
    """Shared checks: the lists pair up, and stay the same parameters between calls."""

    def __init__(self, lr: float) -> None:
        self.lr = NONNEGATIVE.check(type(self).__name__, "lr", lr)
        self._count: int | None = None

    def _pairs(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[Any]:
        name = type(self).__name__
        if len(params) != len(grads):
            raise ValueError(f"{name}.update: {len(params)} params but {len(grads)} grads")
        if self._count is not None and self._count != len(params):
            raise ValueError(
                f"{name}.update: {len(params)} params, but its state is for {self._count}; "
                f"use one optimizer per model"
            )
        self._count = len(params)
        return list(zip(params, grads, strict=True))

    def _zeros(self, params: list[np.ndarray]) -> list[np.ndarray]:
        return [np.zeros_like(p) for p in params]


class SGD(_Update):
    """params[i] -= lr * grads[i], in place."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for param, grad in self._pairs(params, grads):
            param -= self.lr * grad


class Momentum(_Update):
    """v ← μ·v − lr·g;  W ← W + v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = NONNEGATIVE.check("Momentum", "momentum", momentum)
        self.v: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pairs = self._pairs(params, grads)
        if self.v is None:
            self.v = self._zeros(params)
        for (param, grad), v in zip(pairs, self.v, strict=True):
            v *= self.momentum
            v -= self.lr * grad
            param += v


class Nesterov(Momentum):
    """The book's Nesterov: v ← μ·v − lr·g;  W ← W + μ²·v − (1+μ)·lr·g (with the new v)."""

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pairs = self._pairs(params, grads)
        if self.v is None:
            self.v = self._zeros(params)
        mu = self.momentum
        for (param, grad), v in zip(pairs, self.v, strict=True):
            v *= mu
            v -= self.lr * grad
            param += mu * mu * v
            param -= (1 + mu) * self.lr * grad


class AdaGrad(_Update):
    """h ← h + g²;  W ← W − lr·g/(√h + 1e-7)."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)
        self.h: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pairs = self._pairs(params, grads)
        if self.h is None:
            self.h = self._zeros(params)
        for (param, grad), h in zip(pairs, self.h, strict=True):
            h += grad * grad
            param -= self.lr * grad / (np.sqrt(h) + 1e-7)


class RMSprop(_Update):
    """h ← ρ·h + (1−ρ)·g²;  W ← W − lr·g/(√h + 1e-7)."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        super().__init__(lr)
        self.decay_rate = UNIT.check("RMSprop", "decay_rate", decay_rate)
        self.h: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pairs = self._pairs(params, grads)
        if self.h is None:
            self.h = self._zeros(params)
        for (param, grad), h in zip(pairs, self.h, strict=True):
            h *= self.decay_rate
            h += (1 - self.decay_rate) * grad * grad
            param -= self.lr * grad / (np.sqrt(h) + 1e-7)


class Adam(_Update):
    """The book's Adam: m ← m + (1−β₁)(g − m), v ← v + (1−β₂)(g² − v),
    W ← W − lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + 1e-7)."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        super().__init__(lr)
        self.beta1 = BETA.check("Adam", "beta1", beta1)
        self.beta2 = BETA.check("Adam", "beta2", beta2)
        self.iter = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        pairs = self._pairs(params, grads)
        if self.m is None or self.v is None:
            self.m, self.v = self._zeros(params), self._zeros(params)
        self.iter += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * np.sqrt(1.0 - b2**self.iter) / (1.0 - b1**self.iter)
        for (param, grad), m, v in zip(pairs, self.m, self.v, strict=True):
            m += (1 - b1) * (grad - m)
            v += (1 - b2) * (grad**2 - v)
            param -= lr_t * m / (np.sqrt(v) + 1e-7)
