"""The optimizers: the textbook's chapter-6 set plus PyTorch's SGD options and AdamW, each a
small `update_one`.

Defaults and formulas are the textbook's where it has the optimizer (`Momentum`, `AdaGrad`,
`RMSprop`, `Adam` step size with the bias correction folded in) and PyTorch's where only
PyTorch has it (`SGD(momentum=, dampening=, nesterov=)`, `AdamW`); docs/nn.md lists the
differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograph.engine.node import Node, no_grad
from autograph.optim.optimizer import (
    BETA,
    FLAG,
    NONNEGATIVE,
    UNIT,
    Optimizer,
    Range,
    sqrt,
)


def _copy(x: Any) -> Any:
    return x.copy() if hasattr(x, "copy") else x


class SGD(Optimizer):
    """W ← W − lr·g. With `momentum=μ`, PyTorch's form: buf ← μ·buf + (1 − dampening)·g
    (buf = g at the first step), W ← W − lr·buf; `nesterov=True` steps with g + μ·buf."""

    hyper = {"momentum": NONNEGATIVE, "dampening": UNIT, "nesterov": FLAG}
    slots = ("momentum_buffer",)
    momentum: float
    dampening: float
    nesterov: bool

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.01,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self._set_hypers(momentum=momentum, dampening=dampening, nesterov=nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs a momentum > 0 and dampening 0")

    def step(self) -> None:
        if self.hooks or self.weight_decay or self.momentum:
            return super().step()
        # The common case, once per training step: no hooks, no state, so skip the generic
        # bookkeeping (plain in-place array/number updates record nothing).
        self.steps += 1
        lr = self._lr
        for p in self.params:
            g = p.grad
            if g is not None and not isinstance(g, Node):
                p.data -= lr * g
            elif g is not None:
                with no_grad():
                    self.update_one(p)
        return None

    update = step

    def update_one(self, p: Any) -> None:
        g = p.grad
        if self.momentum:
            state = self._state(p)
            buf = state.get("momentum_buffer")
            # the first step starts the buffer at g, as PyTorch's does
            buf = _copy(g) if buf is None else self.momentum * buf + (1 - self.dampening) * g
            state["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        p.data -= self.lr * g


class Momentum(Optimizer):
    """The textbook's momentum SGD: v ← μ·v − lr·g;  W ← W + v."""

    hyper = {"momentum": NONNEGATIVE}
    slots = ("v",)
    momentum: float

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self._set_hypers(momentum=momentum)

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        v = state.get("v", 0.0)
        v = self.momentum * v - self.lr * p.grad
        state["v"] = v
        p.data += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (Bengio et al.'s reformulation, which steps from the
    look-ahead point: W ← W + μ²·v_old − (1+μ)·lr·g)."""

    hyper = {"momentum": NONNEGATIVE}
    slots = ("v",)
    momentum: float

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self._set_hypers(momentum=momentum)

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        mu, g = self.momentum, p.grad
        v = mu * state.get("v", 0.0) - self.lr * g
        state["v"] = v
        p.data += mu * v - self.lr * g


class AdaGrad(Optimizer):
    """h ← h + g²;  W ← W − lr·g/(√h + ε): each weight's step shrinks with its history."""

    hyper = {"eps": NONNEGATIVE}
    slots = ("h",)
    eps: float

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, eps: float = 1e-7, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self._set_hypers(eps=eps)

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g = p.grad
        h = state.get("h", 0.0) + g * g
        state["h"] = h
        p.data -= self.lr * g / (sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """h ← ρ·h + (1−ρ)·g²;  W ← W − lr·g/(√h + ε): AdaGrad that forgets the distant past.

    ρ is `decay_rate` (the textbook's name) or `alpha` (PyTorch's)."""

    hyper = {"decay_rate": UNIT, "eps": NONNEGATIVE}
    slots = ("h",)
    decay_rate: float
    eps: float

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.01,
        decay_rate: float = 0.99,
        eps: float = 1e-7,
        *,
        alpha: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, **kwargs)
        if alpha is not None:
            if decay_rate != 0.99:
                raise TypeError("RMSprop: give decay_rate or alpha (the same thing), not both")
            decay_rate = alpha
        self._set_hypers(decay_rate=decay_rate, eps=eps)

    @property
    def alpha(self) -> float:
        return self.decay_rate

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g, rho = p.grad, self.decay_rate
        h = rho * state.get("h", 0.0) + (1 - rho) * g * g
        state["h"] = h
        p.data -= self.lr * g / (sqrt(h) + self.eps)


class Adam(Optimizer):
    """Momentum plus RMSprop with bias correction (Kingma & Ba), the textbook's form: the
    correction is folded into the step size, lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ), and
    W ← W − lr_t·m/(√v + ε). `betas=(β₁, β₂)` is accepted as in PyTorch."""

    hyper = {"beta1": BETA, "beta2": BETA, "eps": NONNEGATIVE}
    slots = ("m", "v")
    counters = ("step",)
    beta1: float
    beta2: float
    eps: float

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        betas: tuple[float, float] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, **kwargs)
        if betas is not None:
            if (beta1, beta2) != (0.9, 0.999):
                raise TypeError(f"{type(self).__name__}: give betas or beta1/beta2, not both")
            if len(betas) != 2:
                raise ValueError(f"{type(self).__name__}: betas must be two numbers")
            beta1, beta2 = betas
        self._set_hypers(beta1=beta1, beta2=beta2, eps=eps)

    @property
    def betas(self) -> tuple[float, float]:
        return (self.beta1, self.beta2)

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g, b1, b2 = p.grad, self.beta1, self.beta2
        m = b1 * state.get("m", 0.0) + (1 - b1) * g
        v = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        t = state.get("step", 0) + 1  # per parameter, as PyTorch counts
        state["m"], state["v"], state["step"] = m, v, t
        lr_t = self.lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        p.data -= lr_t * m / (sqrt(v) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, PyTorch's AdamW): each step
    first shrinks the weights, W ← W·(1 − lr·weight_decay), then takes Adam's step on the
    plain gradient. `weight_decay` defaults to PyTorch's 0.01."""

    _coupled_decay = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        weight_decay: float = 0.01,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, beta1, beta2, eps, weight_decay=weight_decay, **kwargs)

    def update_one(self, p: Any) -> None:
        if self.weight_decay:
            p.data *= 1 - self.lr * self.weight_decay
        super().update_one(p)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def make_optimizer(name: str, params: Iterable[Any], lr: float, **kwargs: Any) -> Optimizer:
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        ) from None
    return cls(params, lr, **kwargs)


__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "Range",
    "make_optimizer",
]
