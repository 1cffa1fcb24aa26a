"""Ops with a hand-written backward: `Function` (PyTorch's shape) and what every custom op
shares (`CustomOp`, `op_name`, `CustomOpError`). Textbook-style layer objects are wrapped by
`layer.LayerOp` on the same machinery.

A custom op is recorded like any built-in one: its node has `op == "custom"` and holds, in
`params`, a `CustomOp`, which knows the op's name and runs the user's backward. The
derivative table has one entry for all of them (`RULES["custom"]` calls `params.vjp`), so
`backward()`, `gradients()`, `create_graph=True` and the pictures treat custom ops like
built-in ones; pictures name the node by `op_name(node)`, the user's class name.

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x                  # autograph ops (run without recording) or NumPy
        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x           # autograph ops: differentiable again

    y = Square.apply(Tensor([1.0, 2.0], requires_grad=True))

The contract, as PyTorch's `torch.autograd.Function` (checked on every call, errors name the
op): `forward(ctx, *args)` gets the arguments as given (Values/Tensors are the graph's
inputs, anything else is passed through as a constant) and returns one output;
`backward(ctx, grad)` gets d(loss)/d(output) as a node and returns one gradient per
argument of forward (a single one for a single argument; None for an argument that needs
none or for a zero gradient). A gradient must have its input's shape, or a shape the input
broadcasts to (it is then summed back, as PyTorch does); a Value's is a number. backward
must not modify `grad` in place. Under `create_graph=True` backward runs recorded, so a
backward written with autograph ops can be differentiated again; one that returns NumPy
arrays gives gradients whose own gradient raises `CustomOpError` (PyTorch's
`once_differentiable`). Save the inputs and the output with `save_for_backward`: anything
else backward reads is a constant to it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograph.engine.mode import enable_grad, no_grad
from autograph.engine.namespaces import GRAPH, Math
from autograph.engine.node import Node, new_result
from autograph.engine.tensor import Tensor
from autograph.engine.tensor.core import as_array
from autograph.engine.value import Value, as_number

CUSTOM = "custom"  # the op name of every custom node (its rule is RULES["custom"])


class CustomOpError(RuntimeError):
    """A custom op broke its contract (wrong number or shape of gradients, a modified input
    gradient, a second derivative of NumPy code); the message names the op."""


class CustomOp:
    """What a custom node holds in `params`: the op's `name` and its backward.

    `vjp` is what the derivative table calls, once per input that needs a gradient; it runs
    the user's backward once per upstream gradient (`vjp_all`, all inputs at once) and hands
    out the results input by input. Subclasses implement `vjp_all` and `replay`.
    """

    __slots__ = ("name", "needs", "_last", "_g", "_xs", "_grads")

    def __init__(self, name: str, needs: tuple[bool, ...]) -> None:
        self.name = name
        self.needs = needs  # which inputs needed a gradient when the node was made
        self._last = max((i for i, n in enumerate(needs) if n), default=-1)
        self._g: Any = None
        self._xs: Any = None
        self._grads: tuple[Any, ...] | None = None

    def vjp(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int) -> Any:
        """The gradient for input `i` (the rule of `RULES["custom"]`). The backward pass asks
        input by input with the same `g` and `xs` objects (a new `xs` tuple per visit): the
        user's backward runs once per visit."""
        grads = self._grads
        if grads is None or self._g is not g or self._xs is not xs:
            grads = self._grads = self.vjp_all(m, g, out, xs)
            self._g, self._xs = g, xs
        if i >= self._last:  # the last input a pass asks for: hold nothing after it
            self._g = self._xs = self._grads = None
        return grads[i]

    def vjp_all(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        """One gradient per input (parent) for upstream gradient `g`, as `vjp` returns them:
        raw data with the input's shape (or one it broadcasts to), or nodes in `GRAPH`."""
        raise NotImplementedError

    def replay(self, inputs: list[Any]) -> Node:
        """The same op applied again to new input nodes (pictures, per-node checks)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<custom op {self.name}>"


def op_name(node: Node) -> str:
    """The name a picture gives node's operation: its op, or a custom op's own name (a name
    that is also a built-in op's is marked, so the two are never confused)."""
    op = node.op
    if op != CUSTOM or not isinstance(node.params, CustomOp):
        return op
    from autograph.engine.rules import RULES

    name = node.params.name
    return f"{name} (custom)" if name in RULES else name


# -- what Function and layer ops share ----------------------------------------------------


def node_kind(nodes: list[Node], name: str) -> type[Node]:
    """Value or Tensor: the kind of the op's result (inputs may not mix the two)."""
    kinds = {Value if isinstance(n, Value) else Tensor for n in nodes}
    if len(kinds) > 1:
        raise TypeError(f"{name}: inputs mix Values and Tensors; use one kind")
    return kinds.pop()


def output_data(out: Any, kind: type[Node], name: str) -> Any:
    """What a forward returned, as the data of a `kind` node (one output only)."""
    if isinstance(out, tuple | list):
        raise CustomOpError(
            f"{name}.forward returned {len(out)} outputs; a custom op has one output"
        )
    data = out.data if isinstance(out, Node) else out
    if kind is Value:
        if isinstance(data, np.ndarray) and data.shape == ():
            data = data.item()
        if isinstance(data, np.ndarray):
            raise CustomOpError(
                f"{name}.forward returned an array of shape {data.shape} from Values; "
                "return a number (or give it Tensors)"
            )
        return as_number(data, f"{name}.forward's output")
    return as_array(data)


def arg_names(method: Callable[..., Any], skip: int) -> list[str]:
    """The parameter names of `method` after the first `skip` (for messages)."""
    try:
        params = list(inspect.signature(method).parameters.values())[skip:]
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def describe(names: list[str], k: int) -> str:
    return f"input {k} ({names[k]})" if k < len(names) else f"input {k}"


def snapshot(data: Any) -> Any:
    """A copy of a gradient's data, to tell afterwards whether someone wrote into it."""
    return np.array(data, copy=True) if isinstance(data, np.ndarray) else data


def changed(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return not np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    return False  # numbers cannot be modified in place


class OnceDifferentiable(CustomOp):
    """The op of a gradient that NumPy code computed under `create_graph=True`: its value is
    right, its own derivative is unknown, and asking for it raises (PyTorch's
    `once_differentiable`)."""

    __slots__ = ()

    def vjp_all(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        raise CustomOpError(
            f"{self.name} computed this gradient outside autograph (NumPy), so it cannot be "
            "differentiated again (create_graph=True); write the op as an autograph Function "
            "whose backward uses autograph ops"
        )

    def replay(self, inputs: list[Any]) -> Node:
        raise CustomOpError(f"{self.name}: a gradient computed by NumPy code cannot be rebuilt")


def once_differentiable(name: str, data: Any, g: Node, xs: tuple[Any, ...]) -> Node:
    """`data` as a node that depends on `g` and the inputs `xs` but has no derivative."""
    parents = [g, *(x for x in xs if isinstance(x, Node) and x.requires_grad)]
    record = OnceDifferentiable(f"{name}.backward", tuple(p.requires_grad for p in parents))
    kind = type(g) if isinstance(g, Value) else Tensor
    result = new_result(kind, output_data(data, kind, name), parents, CUSTOM, record)
    if not result.op:
        result.params = None
    return result


# -- Function -----------------------------------------------------------------------------


class _Output:
    """Stands in `ctx`'s saved values for the op's own output until backward runs (the output
    node is not held by its own ctx: no reference cycle)."""

    def __repr__(self) -> str:
        return "<the op's output>"


_OUTPUT = _Output()


class FunctionCtx:
    """What `forward` and `backward` of one call share (PyTorch's `ctx`): values saved with
    `save_for_backward`, read back as `saved_tensors`; `needs_input_grad`, one bool per
    argument of forward; and any attribute the op sets (`ctx.mask = ...`)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[Any, ...] = ()
        self._output: Any = None

    def save_for_backward(self, *values: Any) -> None:
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        return tuple(self._output if v is _OUTPUT else v for v in self._saved)


class Function:
    """A custom op in PyTorch's shape: subclass, write `forward(ctx, ...)` and
    `backward(ctx, grad)` as static methods, call `MyOp.apply(...)` (see the module doc)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass defines forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Any) -> Any:
        raise NotImplementedError("a Function subclass defines backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run forward on `args` and record the result as one node named after the class."""
        name = cls.__name__
        nodes = [a for a in args if isinstance(a, Node)]
        if not nodes:
            raise TypeError(f"{name}.apply needs at least one Value or Tensor argument")
        kind = node_kind(nodes, name)
        ctx = FunctionCtx(tuple(isinstance(a, Node) and a.requires_grad for a in args))
        with no_grad():
            out = cls.forward(ctx, *args)
        data = output_data(out, kind, name)
        positions = tuple(k for k, a in enumerate(args) if isinstance(a, Node))
        template = tuple(None if isinstance(a, Node) else a for a in args)
        needs = tuple(n.requires_grad for n in nodes)
        record = FunctionCall(cls, ctx, template, positions, kind, needs)
        if isinstance(out, Node):
            ctx._saved = tuple(_OUTPUT if v is out else v for v in ctx._saved)
        result = new_result(kind, data, nodes, CUSTOM, record)
        if not result.op:  # not recorded (no_grad, or no input needs a gradient)
            result.params = None
        return result


_MODIFIED = (
    "{}.backward modified its input gradient in place; compute a new one instead "
    "(grad * mask, not grad[mask] = 0): the same gradient may feed other nodes"
)


class FunctionCall(CustomOp):
    """One call of a `Function`: its ctx and how to run its backward."""

    __slots__ = ("fn", "ctx", "template", "positions", "kind")

    def __init__(
        self,
        fn: type[Function],
        ctx: FunctionCtx,
        template: tuple[Any, ...],
        positions: tuple[int, ...],
        kind: type[Node],
        needs: tuple[bool, ...],
    ) -> None:
        super().__init__(fn.__name__, needs)
        self.fn, self.ctx, self.template = fn, ctx, template
        self.positions, self.kind = positions, kind

    def replay(self, inputs: list[Any]) -> Node:
        nodes = iter(inputs)
        args = [next(nodes) if k in self.positions else a for k, a in enumerate(self.template)]
        result: Node = self.fn.apply(*args)
        return result

    def vjp_all(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        graph = m is GRAPH
        name, ctx = self.name, self.ctx
        g_node = g if graph else self.kind.constant(g)
        before = snapshot(g_node.data)
        ctx._output = out if graph else self.kind.constant(out)
        try:
            with enable_grad() if graph else no_grad():
                result = self.fn.backward(ctx, g_node)
        except ValueError as error:  # NumPy refusing to write into a broadcast gradient
            if "read-only" in str(error):
                raise CustomOpError(_MODIFIED.format(name)) from error
            raise
        finally:
            ctx._output = None
        if changed(before, g_node.data):
            raise CustomOpError(_MODIFIED.format(name))
        grads = tuple(result) if isinstance(result, tuple | list) else (result,)
        n_args = len(self.template)
        names = arg_names(self.fn.forward, 1)
        if len(grads) < n_args or any(gk is not None for gk in grads[n_args:]):
            raise CustomOpError(
                f"{name}.backward returned {len(grads)} gradient(s); expected {n_args}, one "
                "per argument of forward (None for one that needs no gradient)"
            )
        for k, gk in enumerate(grads[:n_args]):
            if gk is not None and k not in self.positions:
                raise CustomOpError(
                    f"{name}.backward returned a gradient for {describe(names, k)}, which is "
                    "not a Value or Tensor (a constant): return None for it"
                )
        return tuple(
            self._gradient(grads[k], xs[i], g, xs, describe(names, k), graph)
            for i, k in enumerate(self.positions)
        )

    def _gradient(
        self, gk: Any, x: Any, g: Any, xs: tuple[Any, ...], what: str, graph: bool
    ) -> Any:
        """One returned gradient checked and made what the backward pass expects."""
        x_data = x.data if graph else x
        if gk is None:
            zeros = np.zeros_like(x_data) if self.kind is Tensor else 0
            return x.constant(zeros) if graph else zeros
        if isinstance(gk, Node) and not isinstance(gk, self.kind):
            raise CustomOpError(
                f"{self.name}.backward returned a {type(gk).__name__} for {what}, a "
                f"{self.kind.__name__}"
            )
        data = gk.data if isinstance(gk, Node) else gk
        check_shape(self.name, data, x_data, what, broadcast=True)
        if graph:
            return gk if isinstance(gk, Node) else once_differentiable(self.name, data, g, xs)
        if self.kind is Value:
            return output_data(data, Value, self.name)
        return np.asarray(data, dtype=x_data.dtype)


def check_shape(name: str, grad: Any, x: Any, what: str, *, broadcast: bool) -> None:
    """A gradient fits its input: a number for a number; for an array the same shape, or
    with `broadcast` a shape the input broadcasts to (PyTorch's rule: summed back)."""
    if isinstance(x, np.ndarray):
        shape, want = np.shape(grad), x.shape
        if shape == want:
            return
        if broadcast:
            try:
                fits = np.broadcast_shapes(want, shape) == shape
            except ValueError:
                fits = False
            if fits:
                return
        raise CustomOpError(
            f"{name}.backward returned a gradient of shape {shape} for {what}, which has "
            f"shape {want}"
        )
    if np.ndim(grad) != 0:
        raise CustomOpError(
            f"{name}.backward returned a gradient of shape {np.shape(grad)} for {what}, "
            "a single number"
        )


__all__ = [
    "CUSTOM",
    "CustomOp",
    "CustomOpError",
    "Function",
    "FunctionCall",
    "FunctionCtx",
    "OnceDifferentiable",
    "check_shape",
    "once_differentiable",
    "op_name",
]
