"""The graph itself: `Node` (what every Value and Tensor is), recording switches, and `walk`.

A node holds what a picture needs: its data, its gradient, the tuple of nodes it was
computed from (`parents`, in argument order), the name of the operation (`op`, a key of
`rules.RULES`; "" for a leaf), the operation's constant arguments (`params`) and a `label`.
Nothing here holds a closure, so creating nodes makes no reference cycles for the garbage
collector to chase.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


class _Recording:
    """Process-wide switches read by every op (plain attributes: the hot path reads them)."""

    __slots__ = ("enabled", "scope")

    def __init__(self) -> None:
        self.enabled = True
        self.scope: str | None = None


RECORDING = _Recording()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording them: results are leaves that need no gradient.

    For optimizer steps, evaluation and numerical-gradient loops.
    """
    previous = RECORDING.enabled
    RECORDING.enabled = False
    try:
        yield
    finally:
        RECORDING.enabled = previous


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Record ops again inside a `no_grad` block."""
    previous = RECORDING.enabled
    RECORDING.enabled = True
    try:
        yield
    finally:
        RECORDING.enabled = previous


def is_grad_enabled() -> bool:
    return RECORDING.enabled


@contextlib.contextmanager
def scope(name: str) -> Iterator[str]:
    """Tag every node created inside with a `/`-joined scope path (e.g. "layer1/neuron3").

    The renderer groups nodes into clusters by scope; `autograph.nn` opens one per module.
    """
    previous = RECORDING.scope
    RECORDING.scope = name if previous is None else f"{previous}/{name}"
    try:
        yield RECORDING.scope
    finally:
        RECORDING.scope = previous


class Node:
    """A vertex of the computational graph. `Value` and `Tensor` are the concrete kinds."""

    # The inputs are kept in two slots, not a tuple: a tuple per node doubles the objects
    # the garbage collector tracks, and measured, tripled its cost on a micrograd-size graph.
    # `_p0` is the first input (None for a leaf); `_p1` the second, or for n-ary ops the
    # tuple of all inputs.
    __slots__ = (
        "data",
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
    )

    data: Any
    grad: Any
    op: str
    params: Any
    label: str
    requires_grad: bool
    retains_grad: bool

    # Set by subclasses: the math namespace that rules use on raw data, and whether
    # gradients may need summing back to an input's shape (arrays broadcast; floats don't).
    _math: Any = None
    _broadcasts: bool = False

    def _init_leaf(self, grad: Any, label: str, requires_grad: bool) -> None:
        """Everything but `data` for a node the user creates (op results skip this path)."""
        self.grad = grad
        self._p0 = self._p1 = None
        self.op = ""
        self.params = None
        self.label = str(label)
        self.requires_grad = bool(requires_grad)
        self.retains_grad = False
        self._mark = None
        if RECORDING.scope is not None:
            self.scope = RECORDING.scope

    @property
    def parents(self) -> tuple[Node, ...]:
        """The inputs this node was computed from, in argument order (() for a leaf)."""
        p1 = self._p1
        if p1 is None:
            p0 = self._p0
            return () if p0 is None else (p0,)
        if p1.__class__ is tuple:
            return p1
        return (self._p0, p1)

    def _set_parents(self, parents: tuple[Node, ...]) -> None:
        if len(parents) > 2:
            self._p0, self._p1 = parents[0], parents
        else:
            self._p0, self._p1 = (parents + (None, None))[:2]

    @property
    def is_leaf(self) -> bool:
        """True for nodes made by the user (or under no_grad), False for recorded op results."""
        return self._p0 is None

    def backward(
        self,
        gradient: Any = None,
        *,
        retain_grad: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Reverse-mode autodiff from this node: add d(self)/d(leaf) to every leaf's `.grad`.

        - `gradient`: the seed; may be omitted only when this node holds a single number.
        - Leaves *accumulate* across calls (as in PyTorch); `zero_grad()` resets them.
          Intermediate nodes get the gradient of the latest call, not a sum, so calling
          `backward()` twice gives leaves exactly twice the gradient (never micrograd's
          `x*x*x` -> 27, 45).
        - `retain_grad`: also store intermediate nodes' gradients on them (pictures need every
          node's upstream gradient). Default: True for `Value`, False for `Tensor`, where
          `t.retain_grad()` asks for one node.
        - `create_graph`: record the backward pass itself, so `.grad` holds nodes that can be
          differentiated again (higher-order derivatives).
        """
        _backward_pass()(self, gradient, retain_grad=retain_grad, create_graph=create_graph)

    def retain_grad(self) -> Node:
        """Keep this (non-leaf) node's gradient after `backward()`."""
        self.retains_grad = True
        return self

    def zero_grad(self) -> None:
        """Reset the gradient of every leaf this node depends on (and of itself)."""
        for node in walk(self):
            node.grad = node._zero_grad()

    def _zero_grad(self) -> Any:
        raise NotImplementedError

    def detach(self) -> Node:
        """The same data as a new leaf that needs no gradient (the graph stops here)."""
        raise NotImplementedError

    # micrograd's names, so code written for micrograd's Value (and its draw_dot) runs unchanged.
    @property
    def _prev(self) -> set[Node]:
        return set(self.parents)

    @property
    def _op(self) -> str:
        return self.op


def _backward_pass() -> Any:
    """`backward.backward`, imported on first use (it imports this module)."""
    global _BACKWARD
    if _BACKWARD is None:
        from autograph.engine.backward import backward

        _BACKWARD = backward
    return _BACKWARD


_BACKWARD: Any = None


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
