"""`Optimizer`, the base of every optimizer: parameter checks, hooks, state, `param_groups`.

`opt.step()` (alias `update()`) runs the hooks on the gradients (clipping, or any
`fn(params)`), adds the L2 weight decay `g ← g + weight_decay·W` (PyTorch's order: clip first,
then decay, as part of the step), then `update_one(p)` for every parameter that has a
gradient. A Tensor whose `grad` is None is skipped; a scalar `Value` always has one (its
`grad` of 0 is a zero gradient, so momentum still coasts and weight decay still shrinks it).

`params` is a list (or other iterable) of leaf parameters that require gradients, such as
`model.parameters()`; a single Tensor or Value is refused rather than iterated row by row, and
so are PyTorch's parameter groups (dicts) and a parameter listed twice.

Every hyper-parameter is checked when it is set (`lr` also when a scheduler or
`opt.lr = ...` changes it, `param_groups[0][name] = ...` and `load_state_dict` too): a
non-finite, negative or out-of-range value raises ValueError naming the optimizer and the
value, before anything is updated.

Updates happen in place on `p.data` under `no_grad`, keeping the parameter's dtype; scalar
`Value` parameters work too (their data is a number, so `-=` rebinds it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograph.engine.node import Node, no_grad
from autograph.engine.value import Value

Hook = Callable[[list[Any]], None]


@dataclass(frozen=True)
class Range:
    """The meaningful values of a hyper-parameter: a finite number in [low, high] (an end
    is excluded when `*_open`), or a boolean flag."""

    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    flag: bool = False

    def describe(self) -> str:
        if self.flag:
            return "True or False"
        if self.high == math.inf:
            return f"a finite number {'>' if self.low_open else '>='} {self.low:g}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"a number in {left}{self.low:g}, {self.high:g}{right}"

    def check(self, owner: str, name: str, value: Any) -> Any:
        if self.flag:
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
            return bool(value)
        if isinstance(value, bool | np.bool_) or not _is_real(value):
            raise TypeError(f"{owner}: {name} must be {self.describe()}, got {value!r}")
        x = float(value)
        ok = (
            math.isfinite(x)
            and (x > self.low if self.low_open else x >= self.low)
            and (x < self.high if self.high_open else x <= self.high)
        )
        if not ok:
            raise ValueError(f"{owner}: {name} must be {self.describe()}, got {value!r}")
        return x


def _is_real(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return np.ndim(value) == 0 and not isinstance(value, complex | np.complexfloating | str)


NONNEGATIVE = Range()
POSITIVE = Range(low_open=True)
UNIT = Range(high=1.0)  # [0, 1]
BETA = Range(high=1.0, high_open=True)  # [0, 1): PyTorch's check on Adam's betas
FLAG = Range(flag=True)


class Optimizer:
    """Base class: subclasses define `update_one(p)` and list their hyper-parameters.

    - `hyper`: name -> `Range` of the hyper-parameters besides `lr` and `weight_decay`
      (saved by `state_dict`, shown by `param_groups`).
    - `slots`: the per-parameter state arrays `update_one` keeps (shaped like the parameter);
      `counters`: per-parameter step counts.
    """

    hyper: dict[str, Range] = {}
    slots: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    # L2 decay added to the gradient by `step` (AdamW decays the weights itself instead)
    _coupled_decay = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        *,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
        hooks: Iterable[Hook] = (),
    ) -> None:
        self.params = _check_params(type(self).__name__, params)
        self.lr = lr
        self.weight_decay = NONNEGATIVE.check(type(self).__name__, "weight_decay", weight_decay)
        self.hooks: list[Hook] = []
        if clip_norm is not None:
            self.hooks.append(ClipGradNorm(clip_norm))
        self.hooks.extend(hooks)
        self.state: dict[int, dict[str, Any]] = {}
        self.steps = 0

    def _set_hypers(self, **values: Any) -> None:
        owner = type(self).__name__
        for name, value in values.items():
            setattr(self, name, self.hyper[name].check(owner, name, value))

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = NONNEGATIVE.check(type(self).__name__, "lr", value)

    def add_hook(self, hook: Hook) -> None:
        self.hooks.append(hook)

    def step(self) -> None:
        params = [p for p in self.params if _has_grad(p)]
        for hook in self.hooks:
            hook(params)
        if self.weight_decay and self._coupled_decay:
            rate = self.weight_decay
            for p in params:
                p.grad = p.grad + rate * p.data  # out of place: never mutate a shared array
        self.steps += 1
        with no_grad():
            for p in params:
                self.update_one(p)

    update = step

    def update_one(self, p: Any) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        for p in self.params:
            p.reset_grad()

    def _state(self, p: Any) -> dict[str, Any]:
        state = self.state.get(id(p))
        if state is None:
            state = self.state[id(p)] = {}
        return state

    # -- PyTorch's views and files --------------------------------------------------------

    @property
    def param_groups(self) -> list[ParamGroup]:
        """PyTorch's `optimizer.param_groups`: one group, whose items read and write this
        optimizer's hyper-parameters (`opt.param_groups[0]["lr"] = 0.01` changes `opt.lr`)."""
        return [ParamGroup(self)]

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "weight_decay": self.weight_decay,
            **{name: getattr(self, name) for name in self.hyper},
        }

    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything needed to resume, as named arrays (so `np.savez(path, **state)` keeps it):
        the hyper-parameters, `steps`, and `state/<index>/<name>` per parameter (copies)."""
        out = {name: np.asarray(value) for name, value in self.hyperparameters().items()}
        out["steps"] = np.asarray(self.steps)
        for i, p in enumerate(self.params):
            for key, value in self.state.get(id(p), {}).items():
                out[f"state/{i}/{key}"] = np.array(value)
        return out

    def load_state_dict(self, state: MutableMapping[str, Any] | dict[str, Any]) -> None:
        """Restore what `state_dict` gave (an `np.load`ed `.npz` works too). Every key, shape
        and value is checked before anything changes; a mismatch raises KeyError (keys) or
        ValueError (shapes, values) naming it."""
        owner = f"{type(self).__name__}.load_state_dict"
        state = {str(k): state[k] for k in state}
        names = list(self.hyperparameters())
        missing = [k for k in [*names, "steps"] if k not in state]
        per_param: dict[int, dict[str, Any]] = {}
        unexpected = []
        for key, value in state.items():
            if key in names or key == "steps":
                continue
            parts = key.split("/")
            known = (
                len(parts) == 3 and parts[0] == "state" and parts[2] in self.slots + self.counters
            )
            if not known or not parts[1].isdigit() or int(parts[1]) >= len(self.params):
                unexpected.append(key)
                continue
            per_param.setdefault(int(parts[1]), {})[parts[2]] = value
        if missing or unexpected:
            raise KeyError(
                f"{owner}: the state does not fit this optimizer ({len(self.params)} "
                f"parameters): missing keys {missing or 'none'}, unexpected keys "
                f"{unexpected or 'none'}"
            )
        hypers = {}
        for name in names:
            value = np.asarray(state[name])
            spec = Range() if name in ("lr", "weight_decay") else self.hyper[name]
            hypers[name] = spec.check(owner, name, value[()] if value.ndim == 0 else value)
        steps = np.asarray(state["steps"])
        if steps.ndim or steps.dtype.kind not in "iu" or steps < 0:
            raise ValueError(f"{owner}: steps must be a count >= 0, got {steps!r}")
        restored: dict[int, dict[str, Any]] = {}
        for i, entries in per_param.items():
            p = self.params[i]
            restored[id(p)] = {}
            for key, value in entries.items():
                array = np.asarray(value)
                expected = () if key in self.counters else np.shape(p.data)
                if array.shape != expected or array.dtype.kind not in "biuf":
                    raise ValueError(
                        f"{owner}: state/{i}/{key} has shape {array.shape} ({array.dtype}), "
                        f"expected {expected} numbers"
                    )
                if not np.all(np.isfinite(array)):
                    raise ValueError(f"{owner}: state/{i}/{key} holds non-finite values")
                if key in self.counters:
                    restored[id(p)][key] = int(array)
                elif isinstance(p, Value):
                    restored[id(p)][key] = float(array)
                else:
                    restored[id(p)][key] = array.astype(p.data.dtype, copy=True)
        # only after every check passed: no half-loaded optimizer
        self.lr = hypers.pop("lr")
        self.weight_decay = hypers.pop("weight_decay")
        for name, value in hypers.items():
            setattr(self, name, value)
        self.steps = int(steps)
        self.state = restored

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {inner})"


class ParamGroup(MutableMapping[str, Any]):
    """The one parameter group of an optimizer, read and written through to it."""

    def __init__(self, optimizer: Optimizer) -> None:
        self._opt = optimizer

    def _keys(self) -> list[str]:
        return ["params", *self._opt.hyperparameters()]

    def __getitem__(self, key: str) -> Any:
        if key == "params":
            return self._opt.params
        if key not in self._keys():
            raise KeyError(f"{key!r}: {type(self._opt).__name__} has {', '.join(self._keys())}")
        return getattr(self._opt, key)

    def __setitem__(self, key: str, value: Any) -> None:
        owner = type(self._opt).__name__
        if key == "params":
            raise TypeError(f"{owner}: the parameters are fixed; make a new optimizer")
        if key == "lr":
            self._opt.lr = value
        elif key == "weight_decay":
            self._opt.weight_decay = NONNEGATIVE.check(owner, key, value)
        elif key in self._opt.hyper:
            self._opt._set_hypers(**{key: value})
        else:
            raise KeyError(f"{key!r}: {owner} has {', '.join(self._keys())}")

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"cannot delete {key!r} from an optimizer's parameter group")

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


def _check_params(name: str, params: Any) -> list[Any]:
    if isinstance(params, Node):
        raise TypeError(
            f"{name}: params must be a list of parameters, got a single "
            f"{type(params).__name__}; pass a list of parameters, e.g. "
            f"model.parameters() or [p]"
        )
    if isinstance(params, dict):
        raise TypeError(f"{name}: params must be a list of parameters, got a dict")
    params = list(params)
    if not params:
        raise ValueError(f"{name}: no parameters to optimize")
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        if isinstance(p, dict):
            raise TypeError(
                f"{name}: params[{i}] is a dict: parameter groups with their own options are "
                f"not supported; make one optimizer per group"
            )
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
        if id(p) in seen:
            raise ValueError(
                f"{name}: params[{i}] is params[{seen[id(p)]}] again; each parameter may be "
                f"listed once (it would be updated twice per step)"
            )
        seen[id(p)] = i
    return params


def _has_grad(p: Any) -> bool:
    # A Tensor's grad is None until a backward pass reaches it; a Value's is a number, and
    # 0 means a zero gradient (still an update: momentum coasts, weight decay shrinks).
    return p.grad is not None


def sqrt(x: Any) -> Any:
    return math.sqrt(x) if isinstance(x, float | int) else np.sqrt(x)


# -- hooks: run on the list of parameters that have gradients, before the update ------------


class WeightDecay:
    """L2 regularization as a gradient hook: g ← g + rate·W."""

    def __init__(self, rate: float) -> None:
        self.rate = NONNEGATIVE.check("WeightDecay", "rate", rate)

    def __call__(self, params: list[Any]) -> None:
        for p in params:
            p.grad = p.grad + self.rate * p.data  # out of place: never mutate a shared array


class ClipGradNorm:
    """Scale all gradients together so their global L2 norm is at most `max_norm`."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = POSITIVE.check("ClipGradNorm", "max_norm", max_norm)

    def __call__(self, params: list[Any]) -> None:
        total = math.sqrt(sum(float(np.sum(np.square(p.grad))) for p in params))
        rate = self.max_norm / (total + 1e-6)
        if rate < 1:
            for p in params:
                p.grad = p.grad * rate
