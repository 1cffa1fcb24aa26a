"""Textbook-style layer objects as autograph ops, the learner's class unchanged.

A layer object, as the notes write them (chapter 5 and the sequel), has `forward(x)` or
`forward(x, y)` returning the output and `backward(dout)` returning dx (or (dx, dy)), and
may own parameters. `LayerOp(layer)` makes it an op: `LayerOp(Affine(W, b))(x)` records one
node named "Affine" whose inputs are x and the layer's parameters, so `backward()` gives
x.grad, and the parameters' gradients the layer stores land on `op.parameters` (Tensors
sharing the layer's own arrays: update them in place, as the book's optimizers do).

How a layer is read (no annotations needed):

- parameters and their gradients: the sequel's `params` / `grads` lists (`grads[i]` belongs
  to `params[i]`), or else every float array attribute `W` for which the layer has, or its
  backward assigns, `self.dW` (the book's `Affine(W, b)` with `dW`, `db`);
- forward gets the inputs' data (arrays, or numbers for Values); arguments that are not
  nodes (a target `t`) are passed through as constants;
- backward's gradients cover forward's arguments in order: an argument beyond them (the `t`
  of `SoftmaxWithLoss.forward(x, t)`) gets none, and must not need one;
- a loss layer, one whose forward returns a single number and whose backward has a default
  `dout` (`backward(self, dout=1)`, which the book's ignores), is called with that default
  and its gradients multiplied by the upstream gradient;
- each call keeps the layer's attributes as forward left them (a shallow copy), and puts
  them back before that call's backward, so one layer object may be used several times in
  a graph (the book's `self.x`, `self.mask` would otherwise belong to the last call);
- backward gets its own copy of dout: the book's `Relu.backward` writes into it
  (`dout[self.mask] = 0`), harmless here (`mutates_dout` records that it happened;
  `autograph.testing.check_layer` warns about it).

Gradients must have exactly their input's (or parameter's) shape, as the notes require of dX
and dW: a `db` not summed over the batch is an error that names the layer. Under
`create_graph=True` the gradients are right but cannot be differentiated again (NumPy code).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograph.engine.function import (
    CUSTOM,
    CustomOp,
    CustomOpError,
    arg_names,
    changed,
    check_shape,
    describe,
    node_kind,
    once_differentiable,
    output_data,
    snapshot,
)
from autograph.engine.namespaces import GRAPH, Math
from autograph.engine.node import Node, new_result
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value

_NO_DEFAULT = inspect.Parameter.empty
_INPUT = object()  # where a node stood among forward's arguments (the rest are constants)


@dataclass(frozen=True)
class ParamSlot:
    """Where one parameter of a layer lives and where backward stores its gradient."""

    name: str  # "W", or "params[0]" for the sequel's lists (unless named)
    attribute: str | None  # "W" (gradient in "dW"), or None for params[index]/grads[index]
    index: int = -1

    def array(self, layer: Any) -> Any:
        return getattr(layer, self.attribute) if self.attribute else layer.params[self.index]

    def put(self, layer: Any, array: Any) -> None:
        if self.attribute:
            setattr(layer, self.attribute, array)
        else:
            layer.params[self.index] = array

    def grad(self, layer: Any) -> Any:
        if self.attribute:
            return getattr(layer, "d" + self.attribute, None)
        return layer.grads[self.index]

    @property
    def grad_name(self) -> str:
        return "d" + self.attribute if self.attribute else f"grads[{self.index}]"


def is_layer(obj: Any) -> bool:
    """Whether `obj` (a class or an instance) has callable forward and backward."""
    return callable(getattr(obj, "forward", None)) and callable(getattr(obj, "backward", None))


@functools.lru_cache(maxsize=256)
def _assigned_in_backward(backward: Any) -> frozenset[str]:
    """Names `X` for which `backward`'s source assigns `self.dX` (when the source is known)."""
    try:
        source = inspect.getsource(backward)
    except (OSError, TypeError):
        return frozenset()
    return frozenset(re.findall(r"self\.d(\w+)\s*=(?!=)", source))


def find_parameters(layer: Any, names: tuple[str, ...] | None = None) -> list[ParamSlot]:
    """The layer's parameters, by the rules of the module doc. `names` labels the sequel's
    `params` entries (e.g. the constructor's ("W", "b"))."""
    params, grads = getattr(layer, "params", None), getattr(layer, "grads", None)
    if isinstance(params, list | tuple) and isinstance(grads, list | tuple):
        if len(params) != len(grads):
            raise TypeError(
                f"{type(layer).__name__}: params has {len(params)} entries but grads has "
                f"{len(grads)}; grads[i] is the gradient of params[i]"
            )
        return [
            ParamSlot(names[j] if names and j < len(names) else f"params[{j}]", None, j)
            for j in range(len(params))
        ]
    attributes = vars(layer) if hasattr(layer, "__dict__") else {}
    assigned = _assigned_in_backward(getattr(type(layer), "backward", None))
    return [
        ParamSlot(name, name)
        for name, value in attributes.items()
        if isinstance(value, np.ndarray)
        and value.dtype.kind == "f"
        and ("d" + name in attributes or name in assigned)
    ]


def loss_default(layer: Any) -> tuple[bool, Any]:
    """(True, default) when backward's first parameter has a default (`dout=1`)."""
    try:
        params = list(inspect.signature(layer.backward).parameters.values())
    except (TypeError, ValueError):
        return False, None
    if params and params[0].default is not _NO_DEFAULT:
        return True, params[0].default
    return False, None


class LayerOp:
    """A textbook-style layer object as an op: `LayerOp(layer)(x, ...)` (see the module doc).

    `parameters`: one Tensor leaf per parameter, sharing the layer's array, which receives
    the gradient the layer stores. `mutates_dout`: whether backward has written into dout.
    """

    def __init__(self, layer: Any, *, name: str | None = None, params: tuple[str, ...] = ()):
        if isinstance(layer, type) or not is_layer(layer):
            raise TypeError(
                "LayerOp takes a layer object with forward() and backward() methods (an "
                f"instance, e.g. LayerOp(Relu())), got {layer!r}"
            )
        self.layer = layer
        self.name = name or type(layer).__name__
        self.slots = find_parameters(layer, params or None)
        self.parameters: list[Tensor] = []
        for slot in self.slots:
            array = slot.array(layer)
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                raise TypeError(
                    f"{self.name}: parameter {slot.name} must be a float array (it is shared "
                    f"with the layer), got {type(array).__name__}"
                )
            self.parameters.append(Tensor(array, requires_grad=True, label=slot.name))
        self.is_loss, self.default_dout = loss_default(layer)
        self.input_names = arg_names(layer.forward, 0)
        self.mutates_dout = False

    def __call__(self, *args: Any) -> Node:
        return self.call(args, self.parameters)

    def call(self, args: tuple[Any, ...], parameters: list[Any]) -> Node:
        """The op on `args`, with `parameters` (nodes, one per slot) as the parameter inputs:
        the layer's own by default; others (a replay of the node) are swapped in for the
        call."""
        nodes = [a for a in args if isinstance(a, Node)]
        if not nodes:
            raise TypeError(f"{self.name}: give at least one Value or Tensor input")
        kind = node_kind(nodes + list(parameters), self.name)
        arrays = [p.data for p in parameters]
        with self.arrays(arrays):
            out = self.layer.forward(*(a.data if isinstance(a, Node) else a for a in args))
            state = dict(vars(self.layer)) if hasattr(self.layer, "__dict__") else None
        data = output_data(out, kind, self.name)
        parents = nodes + list(parameters)
        record = LayerCall(
            self,
            state,
            arrays,
            tuple(_INPUT if isinstance(a, Node) else a for a in args),
            self.is_loss and np.ndim(data) == 0,
            tuple(p.requires_grad for p in parents),
        )
        result = new_result(kind, data, parents, CUSTOM, record)
        if not result.op:
            result.params = None
        return result

    @contextlib.contextmanager
    def arrays(self, arrays: list[Any]) -> Iterator[None]:
        """The layer holding `arrays` as its parameters for a while (put back afterwards)."""
        layer, slots = self.layer, self.slots
        own = [slot.array(layer) for slot in slots]
        swap = [k for k, (a, b) in enumerate(zip(arrays, own, strict=True)) if a is not b]
        for k in swap:
            slots[k].put(layer, arrays[k])
        try:
            yield
        finally:
            for k in swap:
                slots[k].put(layer, own[k])

    def __repr__(self) -> str:
        return f"LayerOp({self.name})"


class LayerCall(CustomOp):
    """One call of a layer op: the layer's attributes after this forward, and its backward."""

    __slots__ = ("op", "state", "arrays", "template", "loss")

    def __init__(
        self,
        op: LayerOp,
        state: dict[str, Any] | None,
        arrays: list[Any],
        template: tuple[Any, ...],
        loss: bool,
        needs: tuple[bool, ...],
    ) -> None:
        super().__init__(op.name, needs)
        self.op, self.state, self.arrays = op, state, arrays
        self.template, self.loss = template, loss

    @property
    def positions(self) -> tuple[int, ...]:
        return tuple(k for k, a in enumerate(self.template) if a is _INPUT)

    def replay(self, inputs: list[Any]) -> Node:
        n = len(self.positions)
        nodes = iter(inputs[:n])
        args = tuple(next(nodes) if a is _INPUT else a for a in self.template)
        return self.op.call(args, list(inputs[n:]))

    def run_backward(self, dout: Any) -> tuple[tuple[Any, ...], list[Any]]:
        """The layer's backward for upstream `dout` (raw data), with this call's state:
        (the gradients it returned, as a tuple; the gradients it stored, one per parameter)."""
        op, layer = self.op, self.op.layer
        with op.arrays(self.arrays):
            if self.state is not None:
                vars(layer).update(self.state)
            if self.loss:
                result = layer.backward()
            else:
                mine = snapshot(dout)
                result = layer.backward(mine)
                if changed(dout, mine):
                    op.mutates_dout = True
            stored = [snapshot(slot.grad(layer)) for slot in op.slots]
        returned = tuple(result) if isinstance(result, tuple | list) else (result,)
        return returned, stored

    def vjp_all(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        graph = m is GRAPH
        name, op = self.name, self.op
        raw_g = g.data if graph else g
        returned, stored = self.run_backward(raw_g)
        if len(returned) > len(self.template):
            raise CustomOpError(
                f"{name}.backward returned {len(returned)} gradients but forward takes "
                f"{len(self.template)} input(s)"
            )
        xs_data = [x.data if graph else x for x in xs]
        grads: list[Any] = []
        for i, k in enumerate(self.positions):
            gk = returned[k] if k < len(returned) else None
            what = describe(op.input_names, k)
            if gk is None:
                if self.needs[i]:
                    raise CustomOpError(
                        f"{name}.backward returned no gradient for {what}, which needs one"
                    )
                gk = np.zeros_like(xs_data[i]) if isinstance(xs_data[i], np.ndarray) else 0
            check_shape(name, gk, xs_data[i], what, broadcast=False)
            grads.append(gk)
        for slot, gk, x in zip(op.slots, stored, xs_data[len(self.positions) :], strict=True):
            if gk is None:
                raise CustomOpError(
                    f"{name}.backward did not store a gradient for parameter {slot.name} "
                    f"(self.{slot.grad_name})"
                )
            check_shape(
                name, gk, x, f"parameter {slot.name} (stored {slot.grad_name})", broadcast=False
            )
            grads.append(gk)
        scale = raw_g if self.loss else None
        results = []
        for gk, x in zip(grads, xs_data, strict=True):
            if scale is not None and not (np.ndim(scale) == 0 and scale == 1):
                gk = gk * scale
            kind = Value if not isinstance(x, np.ndarray) else Tensor
            data = output_data(gk, kind, name) if kind is Value else np.array(gk, dtype=x.dtype)
            results.append(once_differentiable(name, data, g, xs) if graph else data)
        return tuple(results)


__all__ = ["LayerCall", "LayerOp", "ParamSlot", "find_parameters", "is_layer", "loss_default"]
