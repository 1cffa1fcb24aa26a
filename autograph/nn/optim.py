"""Optimizers: the textbook's chapter-6 set, each a small `update_one`.

`opt.step()` (alias `update()`) runs the hooks on the gradients (weight decay, clipping),
then `update_one(p)` for every parameter that has a gradient: a Tensor whose `grad` is None
is skipped; a scalar `Value` always has one (its `grad` of 0 is a zero gradient, so momentum
still coasts and weight decay still shrinks it).

`params` is a list (or other iterable) of leaf parameters that require gradients, such as
`model.parameters()`; a single Tensor or Value is refused rather than iterated row by row.

Updates happen in place on `p.data` under `no_grad`, keeping the parameter's dtype; scalar
`Value` parameters work too (their data is a number, so `-=` rebinds it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograph.engine.node import Node, no_grad
from autograph.engine.value import Value

Hook = Callable[[list[Any]], None]


class Optimizer:
    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
        hooks: Iterable[Hook] = (),
    ) -> None:
        name = type(self).__name__
        if isinstance(params, Node):
            raise TypeError(
                f"{name}: params must be a list of parameters, got a single "
                f"{type(params).__name__}; pass a list of parameters, e.g. "
                f"model.parameters() or [p]"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: no parameters to optimize")
        for i, p in enumerate(self.params):
            if not isinstance(p, Node):
                raise TypeError(
                    f"{name}: params[{i}] is a {type(p).__name__}, not a Parameter, Tensor or Value"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: params[{i}] is the result of an operation "
                    f"({p.op!r}), not a leaf parameter; optimize the leaves it "
                    f"was computed from"
                )
            if not p.requires_grad:
                raise ValueError(
                    f"{name}: params[{i}] does not require grad, so it never "
                    f"gets a gradient (make it a Parameter, or pass "
                    f"requires_grad=True)"
                )
        self.lr = lr
        self.hooks: list[Hook] = []
        if weight_decay:
            self.hooks.append(WeightDecay(weight_decay))
        if clip_norm is not None:
            self.hooks.append(ClipGradNorm(clip_norm))
        self.hooks.extend(hooks)
        self.state: dict[int, dict[str, Any]] = {}
        self.steps = 0

    def add_hook(self, hook: Hook) -> None:
        self.hooks.append(hook)

    def step(self) -> None:
        params = [p for p in self.params if _has_grad(p)]
        for hook in self.hooks:
            hook(params)
        self.steps += 1
        with no_grad():
            for p in params:
                self.update_one(p)

    update = step

    def update_one(self, p: Any) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0 if isinstance(p, Value) else None

    def _state(self, p: Any) -> dict[str, Any]:
        state = self.state.get(id(p))
        if state is None:
            state = self.state[id(p)] = {}
        return state


def _has_grad(p: Any) -> bool:
    # A Tensor's grad is None until a backward pass reaches it; a Value's is a number, and
    # 0 means a zero gradient (still an update: momentum coasts, weight decay shrinks).
    return p.grad is not None


def _zeros_like(p: Any) -> Any:
    return 0.0 if isinstance(p, Value) else np.zeros_like(p.data)


class SGD(Optimizer):
    """W ← W − lr·∂L/∂W."""

    def step(self) -> None:
        if self.hooks:
            return super().step()
        # The common case, once per training step: no hooks, no state, so skip the generic
        # bookkeeping (plain in-place array/number updates record nothing).
        self.steps += 1
        lr = self.lr
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
        p.data -= self.lr * p.grad


class Momentum(Optimizer):
    """v ← μ·v − lr·g;  W ← W + v."""

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self.momentum = momentum

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        v = state.get("v", 0.0)
        v = self.momentum * v - self.lr * p.grad
        state["v"] = v
        p.data += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient (Bengio et al.'s reformulation, which steps from the
    look-ahead point: W ← W + μ²·v_old − (1+μ)·lr·g)."""

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self.momentum = momentum

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        mu, g = self.momentum, p.grad
        v = mu * state.get("v", 0.0) - self.lr * g
        state["v"] = v
        p.data += mu * v - self.lr * g


class AdaGrad(Optimizer):
    """h ← h + g²;  W ← W − lr·g/(√h + ε): each weight's step shrinks with its history."""

    def __init__(
        self, params: Iterable[Any], lr: float = 0.01, eps: float = 1e-7, **kwargs: Any
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self.eps = eps

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g = p.grad
        h = state.get("h", 0.0) + g * g
        state["h"] = h
        p.data -= self.lr * g / (_sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """h ← ρ·h + (1−ρ)·g²;  W ← W − lr·g/(√h + ε): AdaGrad that forgets the distant past."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.01,
        decay_rate: float = 0.99,
        eps: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self.decay_rate, self.eps = decay_rate, eps

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g, rho = p.grad, self.decay_rate
        h = rho * state.get("h", 0.0) + (1 - rho) * g * g
        state["h"] = h
        p.data -= self.lr * g / (_sqrt(h) + self.eps)


class Adam(Optimizer):
    """Momentum plus RMSprop with bias correction (Kingma & Ba)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, lr, **kwargs)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update_one(self, p: Any) -> None:
        state = self._state(p)
        g, b1, b2 = p.grad, self.beta1, self.beta2
        m = b1 * state.get("m", 0.0) + (1 - b1) * g
        v = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        state["m"], state["v"] = m, v
        t = self.steps
        lr_t = self.lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        p.data -= lr_t * m / (_sqrt(v) + self.eps)


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float | int) else np.sqrt(x)


# -- hooks: run on the list of parameters that have gradients, before the update ------------


class WeightDecay:
    """L2 regularization as a gradient hook: g ← g + rate·W."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, params: list[Any]) -> None:
        for p in params:
            p.grad = p.grad + self.rate * p.data  # out of place: never mutate a shared array


class ClipGradNorm:
    """Scale all gradients together so their global L2 norm is at most `max_norm`."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = max_norm

    def __call__(self, params: list[Any]) -> None:
        total = math.sqrt(sum(float(np.sum(np.square(p.grad))) for p in params))
        rate = self.max_norm / (total + 1e-6)
        if rate < 1:
            for p in params:
                p.grad = p.grad * rate


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str, params: Iterable[Any], lr: float, **kwargs: Any) -> Optimizer:
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        ) from None
    return cls(params, lr, **kwargs)
