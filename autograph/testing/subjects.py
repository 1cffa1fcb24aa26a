"""The two kinds of op a check runs, behind one interface: a textbook-style layer (class or
object) and a `Function` subclass.

Each subject runs the op on an `Example` the way its author calls it: `analytic` (forward,
then the hand-written backward: the gradients to check), `objective` (forward only, for
central differences; arrays perturbed in place), `reference` (autograph's own gradient, when
the forward is made of autograph ops) and `repeat` (forward on other inputs first: state
kept between calls). Problems in the user's code raise `OpProblem` with a message.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.function import CustomOpError, Function, FunctionCtx
from autograph.engine.layer import ParamSlot, find_parameters, loss_default
from autograph.engine.mode import enable_grad, no_grad
from autograph.engine.node import Node
from autograph.engine.tensor import Tensor
from autograph.testing.infer import (
    Example,
    OpSpec,
    SpecError,
    build_spec,
    is_parameter_name,
    positional_names,
)

DoutSource = Callable[[tuple[int, ...]], np.ndarray]


WRITES_DOUT = (
    "backward writes into dout in place (harmless alone, wrong when the same dout also "
    "feeds another layer: copy it, or use np.where)"
)


class OpProblem(Exception):
    """The op failed to run as its contract says (the message says how)."""


class OutsideDomain(Exception):
    """The forward is not finite at this example: outside the op's domain, skipped."""


@dataclass
class Run:
    """One forward-backward: the output, the upstream gradient, the gradients by name."""

    out: Any
    dout: Any
    got: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _call(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args)
    except (OpProblem, OutsideDomain, SpecError):
        raise
    except CustomOpError as error:
        raise OpProblem(str(error)) from error
    except Exception as error:  # the user's code: any error is a finding
        raise OpProblem(f"{what} raised {type(error).__name__}: {error}") from error


def _finite(out: Any) -> None:
    if not np.all(np.isfinite(np.asarray(out, dtype=np.float64))):
        raise OutsideDomain


def _objective(out: Any, dout: Any) -> float:
    data = out.data if isinstance(out, Node) else out
    weights = 1.0 if dout is None else dout
    return float(np.sum(np.asarray(data, dtype=np.float64) * weights))


class _Forward:
    """forward's arguments: the required ones in order (`order`), some given as `constants`
    (passed as they are), the others drawn (`spec.inputs`)."""

    name: str
    spec: OpSpec

    def _split(self, method: Any, constants: dict[str, Any] | None) -> list[str]:
        self.order = positional_names(method, skip=1, required=True)
        self.constants = dict(constants or {})
        unknown = [n for n in self.constants if n not in self.order]
        if unknown:
            raise SpecError(
                f"{self.name}: constants names {unknown[0]!r}, which is not a required "
                f"argument of forward ({', '.join(self.order) or 'none'})"
            )
        return [n for n in self.order if n not in self.constants]

    def arguments(self, inputs: Sequence[Any]) -> list[Any]:
        """forward's arguments: `inputs` (one per drawn input, in order) and the constants."""
        drawn = dict(zip((a.name for a in self.spec.inputs), inputs, strict=True))
        return [self.constants[n] if n in self.constants else drawn[n] for n in self.order]

    def without_gradient(self, returned: tuple[Any, ...]) -> list[str]:
        """The drawn inputs backward returned no gradient for (by forward's positions)."""
        return [
            n
            for k, n in enumerate(self.order)
            if n not in self.constants and (k >= len(returned) or returned[k] is None)
        ]


class LayerSubject(_Forward):
    """A textbook-style layer: a class (built per example from drawn constructor arrays) or
    an object (deep-copied per example, its parameter arrays redrawn in place)."""

    def __init__(
        self,
        layer: Any,
        *,
        init: dict[str, Any] | None = None,
        constants: dict[str, Any] | None = None,
        **spec: Any,
    ) -> None:
        cls: Any = layer if isinstance(layer, type) else type(layer)
        self.cls = cls
        self.instance = None if isinstance(layer, type) else layer
        self.name = spec.pop("name", None) or self.cls.__name__
        self.init = dict(init or {})
        inputs = self._split(cls.forward, constants)
        shapes = spec.get("shapes") or {}
        fixed: dict[str, tuple[int, ...]] = {}
        if self.instance is None:
            names = positional_names(cls.__init__, skip=1, required=True)
            self.param_names = [n for n in names if n not in self.init]
            unknown = [n for n in self.param_names if not is_parameter_name(n) and n not in shapes]
            if unknown:
                raise SpecError(
                    f"{self.name}: its constructor takes {', '.join(unknown)}, which the check "
                    f"cannot draw (not named like a weight W or a bias b): pass "
                    f"init={{{unknown[0]!r}: value}} or shapes={{{unknown[0]!r}: (...)}}"
                )
        else:
            slots = find_parameters(self.instance, self._sequel_names())
            self.param_names = [s.name for s in slots]
            fixed = {s.name: np.shape(s.array(self.instance)) for s in slots}
        self.spec: OpSpec = build_spec(self.name, inputs, self.param_names, fixed=fixed, **spec)
        self.grad_names = {a.name: "d" + a.name for a in self.spec.inputs}

    def _sequel_names(self) -> tuple[str, ...] | None:
        names = positional_names(self.cls.__init__, skip=1, required=True)
        params = getattr(self.instance, "params", None)
        return tuple(names) if isinstance(params, list) and len(params) == len(names) else None

    # -- building --------------------------------------------------------------------------

    def build(self, ex: Example) -> tuple[Any, dict[str, ParamSlot]]:
        """A fresh layer holding copies of the example's parameters, and its slots by name."""
        given = {n: np.array(ex.arrays[n]) for n in self.param_names}
        if self.instance is None:
            args = [given[n] if n in given else self.init[n] for n in self._constructor()]
            layer = _call(f"{self.name}(...)", self.cls, *args)
        else:
            layer = copy.deepcopy(self.instance)
        slots = {}
        for slot in find_parameters(layer, tuple(self.param_names)):
            name = self._name_of(slot, layer, given)
            if name is not None:
                slots[name] = slot
        if self.instance is not None:
            for name, slot in slots.items():
                slot.array(layer)[...] = given[name]
        missing = [n for n in self.param_names if n not in slots]
        if missing and self.instance is None:
            raise SpecError(
                f"{self.name}: cannot find where the layer keeps {', '.join(missing)} with a "
                f"gradient (an attribute {missing[0]} with self.d{missing[0]}, or params/grads "
                "lists): pass init={...} for constructor arguments that are not parameters"
            )
        return layer, slots

    def _constructor(self) -> list[str]:
        return positional_names(self.cls.__init__, skip=1, required=True)

    def _name_of(self, slot: ParamSlot, layer: Any, given: dict[str, np.ndarray]) -> str | None:
        array = slot.array(layer)
        for name, value in given.items():
            if array is value:
                return name
        return slot.name if slot.name in given else None

    # -- running ---------------------------------------------------------------------------

    def _inputs(self, ex: Example) -> list[np.ndarray]:
        return [np.array(ex.arrays[a.name]) for a in self.spec.inputs]

    def _backward(self, layer: Any, dout: Any, run: Run, slots: dict[str, ParamSlot]) -> None:
        if self.spec.loss:
            result = _call(f"{self.name}.backward", layer.backward)
        else:
            mine = np.array(dout)
            result = _call(f"{self.name}.backward", layer.backward, mine)
            if not np.array_equal(mine, dout):
                run.warnings.append(WRITES_DOUT)
        returned = tuple(result) if isinstance(result, tuple | list) else (result,)
        if len(returned) > len(self.order):
            raise OpProblem(
                f"backward returned {len(returned)} gradients for {len(self.order)} input(s)"
            )
        missing = self.without_gradient(returned)
        for arg in self.spec.inputs:
            if arg.target:
                continue
            if arg.name in missing:
                raise OpProblem(f"backward returned no gradient for input {arg.name}")
            run.got[arg.name] = returned[self.order.index(arg.name)]
        for name, slot in slots.items():
            stored = slot.grad(layer)
            if stored is None:
                raise OpProblem(f"backward did not store a gradient for {name} ({slot.grad_name})")
            run.got[name] = np.array(stored)
            self.grad_names[name] = slot.grad_name

    def analytic(self, ex: Example, draw_dout: DoutSource) -> Run:
        layer, slots = self.build(ex)
        inputs = self._inputs(ex)
        before = [x.copy() for x in inputs]
        out = _call(f"{self.name}.forward", layer.forward, *self.arguments(inputs))
        _finite(out)
        run = Run(out, None if self.spec.loss else draw_dout(np.shape(out)), {})
        if any(not np.array_equal(a, b) for a, b in zip(before, inputs, strict=True)):
            run.warnings.append("forward writes into its input in place")
        self._backward(layer, run.dout, run, slots)
        return run

    def objective(
        self, ex: Example, dout: Any
    ) -> tuple[dict[str, np.ndarray], Callable[[], float]]:
        """The arrays to perturb (the layer's own parameter arrays, copies of the inputs) and
        the objective sum(dout · forward) that reads them."""
        layer, slots = self.build(ex)
        inputs = self._inputs(ex)
        arrays = {a.name: x for a, x in zip(self.spec.inputs, inputs, strict=True)}
        arrays.update({name: slot.array(layer) for name, slot in slots.items()})

        def evaluate() -> float:  # (copies: a forward that writes into x spoils nothing)
            args = self.arguments([x.copy() for x in inputs])
            return _objective(_call(f"{self.name}.forward", layer.forward, *args), dout)

        return arrays, evaluate

    def reference(self, ex: Example, dout: Any, out: Any) -> dict[str, np.ndarray] | None:
        """autograph's gradient for the inputs, when forward runs on Tensors."""
        layer, _ = self.build(ex)
        leaves = [
            Tensor(ex.arrays[a.name].copy(), requires_grad=not a.target) for a in self.spec.inputs
        ]
        try:
            with enable_grad(), warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                args = self.arguments([t if t.requires_grad else t.data for t in leaves])
                result = layer.forward(*args)
                if not (isinstance(result, Tensor) and result.requires_grad):
                    return None
                if not np.allclose(result.data, out, rtol=1e-9, atol=1e-12):
                    return None
                seed = np.ones(result.shape) if dout is None else dout
                wanted = [t for t in leaves if t.requires_grad]
                grads = gradients(result, wanted, seed)
        except Exception:  # not made of autograph ops
            return None
        names = [a.name for a in self.spec.inputs if not a.target]
        return dict(zip(names, (np.asarray(g, dtype=np.float64) for g in grads), strict=True))

    def repeat(self, ex: Example, other: Example, dout: Any) -> dict[str, Any]:
        """forward(other), forward(ex), backward(dout) on one layer: the gradients."""
        layer, slots = self.build(ex)
        _call(f"{self.name}.forward", layer.forward, *self.arguments(self._inputs(other)))
        _call(f"{self.name}.forward", layer.forward, *self.arguments(self._inputs(ex)))
        run = Run(None, dout, {})
        self._backward(layer, dout, run, slots)
        return run.got


class FunctionSubject(_Forward):
    """A `Function` subclass, run through autograph (so its contract is checked too)."""

    def __init__(
        self, fn: type[Function], *, constants: dict[str, Any] | None = None, **spec: Any
    ) -> None:
        self.fn = fn
        self.name = spec.pop("name", None) or fn.__name__
        inputs = self._split(fn.forward, constants)
        self.spec: OpSpec = build_spec(self.name, inputs, [], **spec)
        self.grad_names = {a.name: "d" + a.name for a in self.spec.inputs}

    def _leaves(self, ex: Example, requires_grad: bool) -> list[Tensor]:
        return [
            Tensor(np.array(ex.arrays[a.name]), requires_grad=requires_grad and not a.target)
            for a in self.spec.inputs
        ]

    def _grads(self, out: Node, leaves: list[Tensor], dout: Any) -> dict[str, Any]:
        wanted = [t for t in leaves if t.requires_grad]
        grads = _call(f"{self.name}.backward", gradients, out, wanted, dout)
        names = [a.name for a in self.spec.inputs if not a.target]
        return dict(zip(names, grads, strict=True))

    def analytic(self, ex: Example, draw_dout: DoutSource) -> Run:
        leaves = self._leaves(ex, True)
        out = _call(f"{self.name}.forward", self.fn.apply, *self.arguments(leaves))
        _finite(out.data)
        dout = draw_dout(np.shape(out.data))
        return Run(out.data, dout, self._grads(out, leaves, dout))

    def objective(
        self, ex: Example, dout: Any
    ) -> tuple[dict[str, np.ndarray], Callable[[], float]]:
        leaves = self._leaves(ex, False)

        def evaluate() -> float:
            with no_grad():
                return _objective(
                    _call(f"{self.name}.forward", self.fn.apply, *self.arguments(leaves)), dout
                )

        return {a.name: t.data for a, t in zip(self.spec.inputs, leaves, strict=True)}, evaluate

    def reference(self, ex: Example, dout: Any, out: Any) -> dict[str, np.ndarray] | None:
        leaves = self._leaves(ex, True)
        args = self.arguments(leaves)
        ctx = FunctionCtx(tuple(isinstance(a, Node) and a.requires_grad for a in args))
        try:
            with enable_grad(), warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = self.fn.forward(ctx, *args)
                if not (isinstance(result, Tensor) and result.requires_grad and not result.is_leaf):
                    return None
                grads = self._grads(result, leaves, dout)
        except Exception:  # not made of autograph ops
            return None
        return {n: np.asarray(g, dtype=np.float64) for n, g in grads.items()}

    def repeat(self, ex: Example, other: Example, dout: Any) -> dict[str, Any]:
        """Two calls, then backward through the first: each call keeps its own ctx."""
        leaves = self._leaves(ex, True)
        first = _call(f"{self.name}.forward", self.fn.apply, *self.arguments(leaves))
        other_args = self.arguments(self._leaves(other, True))
        _call(f"{self.name}.forward", self.fn.apply, *other_args)
        return self._grads(first, leaves, dout)


def trial(subject: LayerSubject | FunctionSubject, ex: Example) -> tuple[list[str], bool]:
    """Rules 3 and 5: (the inputs backward gives no gradient, whether it is a loss layer)."""
    name = subject.name
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return _trial(subject, ex)
    except SpecError:
        raise
    except Exception as error:
        shapes = ", ".join(f"{k}: {np.shape(v)}" for k, v in ex.arrays.items())
        raise SpecError(
            f"{name}: cannot run it on the inferred shapes ({shapes}): "
            f"{type(error).__name__}: {error}; pass shapes={{...}} (and targets=, init=)"
        ) from error


def _trial(subject: LayerSubject | FunctionSubject, ex: Example) -> tuple[list[str], bool]:
    loss = False
    if isinstance(subject, LayerSubject):
        layer, _ = subject.build(ex)
        out = layer.forward(*subject.arguments(subject._inputs(ex)))
        has_default, _ = loss_default(layer)
        loss = has_default and np.ndim(out) == 0
        result = layer.backward() if loss else layer.backward(np.ones(np.shape(out)))
    else:
        leaves = subject._leaves(ex, True)
        args = subject.arguments(leaves)
        ctx = FunctionCtx(tuple(isinstance(a, Node) for a in args))
        with no_grad():
            out = subject.fn.forward(ctx, *args)
            seed = Tensor(np.ones(np.shape(out.data if isinstance(out, Node) else out)))
            result = subject.fn.backward(ctx, seed)
    returned = tuple(result) if isinstance(result, tuple | list) else (result,)
    return subject.without_gradient(returned), loss


__all__ = ["FunctionSubject", "LayerSubject", "OpProblem", "OutsideDomain", "Run", "trial"]
