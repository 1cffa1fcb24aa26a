"""The graph itself: `Node` (what every Value and Tensor is), the one constructor of op
results, and `walk`.

A node holds what a picture needs: its data, its gradient, the tuple of nodes it was
computed from (`parents`, in argument order), the name of the operation (`op`, a key of
`rules.RULES`; "" for a leaf), the operation's constant arguments (`params`) and a `label`.
Nothing here holds a closure, so creating nodes makes no reference cycles for the garbage
collector to chase.

How a node stores its inputs (the `_p0`/`_p1` slots) is private to this module: other code
reads `parents` and `is_leaf`, and makes nodes with `new_result` / `Node._init_leaf`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from autograph.engine.backward import StepHook, backward, check_retain_graph
from autograph.engine.mode import (
    ALTERED,
    LOCAL,
    RECORDING,
    WRITES,
    ScopeToken,
    current_scope,
    enable_grad,
    enter_scope,
    exit_scope,
    is_grad_enabled,
    no_grad,
    scope,
    set_scope,
)
from autograph.engine.writes import DataWrites

if TYPE_CHECKING:
    from typing import Self

    from autograph.engine.namespaces import Math

N = TypeVar("N", bound="Node")

_new = object.__new__


class Node(DataWrites):
    """A vertex of the computational graph. `Value` and `Tensor` are the concrete kinds.

    Every kind provides the class attributes and methods declared here without a body
    (they raise NotImplementedError on `Node` itself): the backward pass, `zero_grad`,
    `gradients` and `autograph.grad` use nothing else.
    """

    # The inputs are kept in two slots, not a tuple: a tuple per node doubles the objects
    # the garbage collector tracks, and measured, tripled its cost on a micrograd-size graph.
    # `_p0` is the first input (None for a leaf); `_p1` the second, or for n-ary ops the
    # tuple of all inputs. `_mark`, `_pending`, `_upstream` and `_inputs` are the backward
    # pass's bookkeeping (backward.py), kept in slots because that loop runs once per edge.
    # `_data` and `_stamp` (the data and its write clock) are in DataWrites (writes.py).
    __slots__ = (
        "grad",
        "_p0",
        "_p1",
        "op",
        "params",
        "label",
        "requires_grad",
        "retains_grad",
        "scope",
        "_mark",
        "_pending",
        "_upstream",
        "_inputs",
    )

    grad: Any
    _p0: Node | None
    _p1: Node | tuple[Node, ...] | None
    op: str
    params: Any
    label: str
    requires_grad: bool
    retains_grad: bool
    scope: str | None
    _mark: object | None
    _pending: int
    _upstream: Any
    _inputs: tuple[Node, ...] | None

    # -- what every kind of node declares ---------------------------------------------------

    # the namespace rules use on this kind's raw data (`namespaces.SCALAR` / `ARRAY`)
    _math: ClassVar[Math]
    # whether gradients may need summing back to an input's shape (arrays broadcast)
    _broadcasts: ClassVar[bool]
    # whether backward() stores every node's gradient by default, not only leaves'
    _retains_by_default: ClassVar[bool]
    # what `.grad` holds before any backward pass and after `reset_grad()`
    _empty_grad: ClassVar[Any]

    @classmethod
    def constant(cls, data: Any, label: str = "") -> Self:
        """A leaf that needs no gradient (how plain numbers and arrays enter the graph)."""
        raise NotImplementedError

    def detach(self) -> Self:
        """The same data as a new leaf that needs no gradient (the graph stops here)."""
        raise NotImplementedError

    def _seed(self, gradient: Any) -> Any:
        """The raw d(self)/d(self) that backward starts from; `gradient` is the user's
        (None: the implied 1 of a single number). Checks it and gives it this node's type."""
        raise NotImplementedError

    def _accumulate(self, g: Any) -> None:
        """Add the gradient `g` (raw data, or a node under create_graph) to a leaf's `.grad`,
        out of place."""
        raise NotImplementedError

    def _zeros(self) -> Any:
        """Raw zeros shaped like this node's gradient (for inputs a result does not use)."""
        raise NotImplementedError

    def _own_gradient(self, g: Any) -> Any:
        """`g` (raw data, or a node under create_graph) as this node's gradient: in its dtype,
        as PyTorch casts every gradient to its input's dtype (a float32 leaf fed by a
        float64 op still gets a float32 gradient)."""
        raise NotImplementedError

    # -- the common part ------------------------------------------------------------------

    def _initial_gradient(self, gradient: Any, create_graph: bool) -> Any:
        """The seed of a backward pass from this node (see `backward.default_seed`)."""
        if not isinstance(gradient, Node):
            seed = self._seed(gradient)
            return self.constant(seed) if create_graph else seed
        if gradient._broadcasts != self._broadcasts:
            raise TypeError(
                f"backward(gradient): the gradient of a {type(self).__name__} must be a "
                f"number, an array or a {type(self).__name__}, not a {type(gradient).__name__}"
            )
        seed = self._seed(gradient.data)  # checks its shape
        return self._own_gradient(gradient) if create_graph else seed

    def _init_leaf(self, data: Any, label: str, requires_grad: bool) -> None:
        """Set every slot of a node the user creates (op results come from `new_result`)."""
        self._data = data
        self.grad = self._empty_grad
        self._p0 = self._p1 = None
        self.op = ""
        self.params = None
        self.label = str(label)
        self.requires_grad = bool(requires_grad)
        self.retains_grad = False
        self.scope = LOCAL.mode.scope if ALTERED else None
        self._mark = None
        self._pending = 0
        self._upstream = self._inputs = None
        self._stamp = WRITES[0]

    @property
    def parents(self) -> tuple[Node, ...]:
        """The inputs this node was computed from, in argument order (() for a leaf)."""
        p1 = self._p1
        if p1 is None:
            p0 = self._p0
            return () if p0 is None else (p0,)
        if p1.__class__ is tuple:  # (not isinstance: this runs once per node in backward)
            return p1
        return (self._p0, p1)  # type: ignore[return-value]

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by the user (or under no_grad), False for recorded op results."""
        return not self.op

    def backward(
        self,
        gradient: Any = None,
        *,
        retain_grad: bool | None = None,
        create_graph: bool = False,
        retain_graph: bool | None = None,
        on_step: StepHook | None = None,
    ) -> None:
        """Reverse-mode autodiff from this node: add d(self)/d(leaf) to every leaf's `.grad`.

        - `gradient`: the seed; may be omitted only when this node holds a single number.
        - Leaves *accumulate* across calls (as in PyTorch); `zero_grad()` resets them.
          Intermediate nodes get the gradient of the latest call, not a sum, so calling
          `backward()` twice gives leaves exactly twice the gradient (micrograd 0.1.0 gives
          27, then 72 for `x*x*x` at 3).
        - `retain_graph`: accepted for PyTorch code and ignored: the graph is always kept
          (it is what pictures show); dropping the output frees it.
        - `retain_grad`: also store intermediate nodes' gradients on them (pictures need every
          node's upstream gradient). Default: True for `Value`, False for `Tensor`, where
          `t.retain_grad()` asks for one node.
        - `create_graph`: record the backward pass itself, so `.grad` holds nodes that can be
          differentiated again (higher-order derivatives).
        - `on_step`: called once per op node as the pass leaves it (see `propagate`).
        """
        check_retain_graph(retain_graph)
        backward(
            self, gradient, retain_grad=retain_grad, create_graph=create_graph, on_step=on_step
        )

    def retain_grad(self) -> Self:
        """Keep this (non-leaf) node's gradient after `backward()`."""
        self.retains_grad = True
        return self

    def reset_grad(self) -> None:
        """Forget this node's gradient: `.grad` becomes 0 for a Value (micrograd's start) and
        None for a Tensor (PyTorch's). What an optimizer's or module's `zero_grad` calls."""
        self.grad = self._empty_grad

    def zero_grad(self) -> None:
        """Reset the gradient of every node this one depends on (and of itself)."""
        for node in walk(self):
            node.reset_grad()

    # micrograd's names, so code written for micrograd's Value (and its draw_dot) runs unchanged.
    @property
    def _prev(self) -> set[Node]:
        return set(self.parents)

    @property
    def _op(self) -> str:
        return self.op


def new_result(kind: type[N], data: Any, parents: Sequence[Node], op: str, params: Any = None) -> N:
    """THE constructor of op results: a `kind` node holding `data`, computed by `op` from
    `parents` (in argument order) with constant arguments `params`.

    It is recorded (has parents, needs a gradient) when any input needs a gradient and
    grad mode is on; otherwise it is a leaf that needs none. Every slot is set.
    """
    out = _new(kind)
    out._data = data
    out.grad = kind._empty_grad
    out.label = ""
    out.params = params
    out.retains_grad = False
    out._mark = None
    out._pending = 0
    out._upstream = out._inputs = None
    out._stamp = WRITES[0]
    if ALTERED:  # some thread is in no_grad or a scope: look this one's mode up
        mode = LOCAL.mode
        out.scope = mode.scope
        recording = mode.enabled
    else:
        out.scope = None
        recording = True
    needs = False
    if recording:
        for parent in parents:
            if parent.requires_grad:
                needs = True
                break
    if needs:
        n = len(parents)
        if n > 2:
            out._p0, out._p1 = parents[0], tuple(parents)
        else:
            out._p0 = parents[0]
            out._p1 = parents[1] if n == 2 else None
        out.op = op
        out.requires_grad = True
    else:
        out._p0 = out._p1 = None
        out.op = ""
        out.requires_grad = False
    return out


def scalar_constructors(
    kind: type[N],
) -> tuple[Callable[[Any, Node, Node | None, str], N], Callable[[Any], N]]:
    """For the scalar hot path, where one call less per op shows: `(result, constant)` with

    - `result(data, a, b, op)`: `new_result(kind, data, (a,) or (a, b), op)` written out
      (`b` is None for a one-input op; tests check that both build identical nodes);
    - `constant(data)`: a leaf holding `data` (already checked) that needs no gradient.
    """
    empty_grad = kind._empty_grad  # read once: a class attribute lookup per node shows

    def result(data: Any, a: Node, b: Node | None, op: str) -> N:
        out = _new(kind)
        out._data = data
        out.grad = empty_grad
        out.label = ""
        out.params = None
        out.retains_grad = False
        out._mark = None
        out._pending = 0
        out._upstream = out._inputs = None
        out._stamp = WRITES[0]
        if ALTERED:  # as in new_result
            mode = LOCAL.mode
            out.scope = mode.scope
            recording = mode.enabled
        else:
            out.scope = None
            recording = True
        if recording and (a.requires_grad or (b is not None and b.requires_grad)):
            out._p0 = a
            out._p1 = b
            out.op = op
            out.requires_grad = True
        else:
            out._p0 = out._p1 = None
            out.op = ""
            out.requires_grad = False
        return out

    def constant(data: Any) -> N:
        out = _new(kind)
        out._data = data
        out.grad = empty_grad
        out._p0 = out._p1 = None
        out.op = out.label = ""
        out.params = None
        out.requires_grad = out.retains_grad = False
        out.scope = LOCAL.mode.scope if ALTERED else None
        out._mark = None
        out._pending = 0
        out._upstream = out._inputs = None
        out._stamp = WRITES[0]
        return out

    return result, constant


def walk(root: Node, *, needs_grad_only: bool = False) -> list[Node]:
    """Every node `root` depends on, inputs first (a topological order); `root` is last.

    Deterministic: the order depends only on the graph's structure (parents in argument
    order), never on `id()` or hashing. Iterative, so graphs of any depth are fine.
    With `needs_grad_only`, stops at nodes that need no gradient (what backward visits).
    """
    consumers = count_consumers(root, needs_grad_only=needs_grad_only)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node.parents:
            if needs_grad_only and not parent.requires_grad:
                continue
            remaining = consumers[parent] - 1
            consumers[parent] = remaining
            if remaining == 0:
                ready.append(parent)
    order.reverse()
    return order


def count_consumers(root: Node, *, needs_grad_only: bool = False) -> dict[Node, int]:
    """How many edges lead into each node from the nodes above it (`a * a` counts `a` twice).

    Insertion order is a deterministic depth-first discovery order.
    """
    consumers = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if needs_grad_only and not parent.requires_grad:
                continue
            if parent in consumers:
                consumers[parent] += 1
            else:
                consumers[parent] = 1
                stack.append(parent)
    return consumers


# Grad mode and scopes live in mode.py; these names are also importable from here.
__all__ = [
    "RECORDING",
    "Node",
    "ScopeToken",
    "StepHook",
    "count_consumers",
    "current_scope",
    "enable_grad",
    "enter_scope",
    "exit_scope",
    "is_grad_enabled",
    "new_result",
    "no_grad",
    "scalar_constructors",
    "scope",
    "set_scope",
    "walk",
]
