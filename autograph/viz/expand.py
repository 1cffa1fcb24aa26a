"""Fused and expanded views: draw a composite op as one node or as its decomposition.

`EXPANSIONS` maps an op to a function that builds the same result from simpler ops, e.g.
sigmoid as the textbook draws it: `1 / (1 + exp(x × -1))` (×−1, exp, +1, ÷). `expand(root)`
rebuilds the graph with those ops expanded (fresh nodes: the original graph is untouched)
and, when the original has been through `backward()`, runs backward on the copy with the
same seed, so both pictures show the same input gradients (for sigmoid: y(1 − y)).

Adding a composite op is one entry: `EXPANSIONS["softplus"] = lambda x: (1 + x.exp()).log()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from autograph.engine.node import RECORDING, Node, walk
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value, dot, sum_values


def _tanh(x: Any) -> Any:
    e = (x * 2).exp()
    return (e - 1) / (e + 1)


EXPANSIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda x: 1 / (1 + (x * -1).exp()),
    "tanh": _tanh,
}


def _replay(node: Node, ps: list[Any]) -> Any:
    """The op of `node` applied again to new inputs `ps`."""
    op, params = node.op, node.params
    binary = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "**": lambda a, b: a**b,
        "@": lambda a, b: a @ b,
    }
    unary = {
        "neg": lambda a: -a,
        "abs": abs,
        "exp": lambda a: a.exp(),
        "log": lambda a: a.log(),
        "tanh": lambda a: a.tanh(),
        "sigmoid": lambda a: a.sigmoid(),
        "relu": lambda a: a.relu(),
    }
    if op in binary and len(ps) == 2:
        return binary[op](ps[0], ps[1])
    if op in unary and len(ps) == 1:
        return unary[op](ps[0])
    if isinstance(node, Value):
        if op == "sum":
            return sum_values(ps)
        if op == "dot":
            n = params
            return dot(ps[:n], ps[n : 2 * n], ps[2 * n] if len(ps) > 2 * n else None)
    if isinstance(node, Tensor):
        if op in ("sum", "mean", "max"):
            return getattr(ps[0], op)(params[0], params[1])
        if op in ("softmax", "log_softmax"):
            return getattr(ps[0], op)(params)
        if op == "reshape":
            return ps[0].reshape(params)
        if op == "transpose":
            return ps[0].transpose(params)
        if op == "getitem":
            return ps[0][params]
    raise NotImplementedError(f"expand(): cannot rebuild a {op!r} node")


def _copy_leaf(node: Node) -> Node:
    if isinstance(node, Tensor):
        return Tensor(node.data, requires_grad=node.requires_grad, label=node.label)
    return Value(node.data, node.label, requires_grad=node.requires_grad)


def expand(root: Node, ops: Iterable[str] | None = None) -> Node:
    """A copy of the graph of `root` with the composite `ops` (default: all registered)
    drawn as their decompositions.

    >>> x = Value(0.0, label="x")
    >>> y = x.sigmoid(); y.backward()
    >>> y2 = expand(y)
    >>> [n.op for n in walk(y2) if n.op]
    ['*', 'exp', '+', '/']
    >>> x.grad, [n.grad for n in walk(y2) if n.label == "x"]
    (0.25, [0.25])
    """
    wanted = set(EXPANSIONS if ops is None else ops)
    unknown = wanted - set(EXPANSIONS)
    if unknown:
        raise ValueError(
            f"no expansion registered for {sorted(unknown)}; known: {', '.join(sorted(EXPANSIONS))}"
        )
    new: dict[Node, Node] = {}
    saved = RECORDING.scope
    try:
        for node in walk(root):
            # rebuild in the node's own scope, so clusters survive the expansion
            RECORDING.scope = getattr(node, "scope", None)
            if node.is_leaf:
                copy = _copy_leaf(node)
            else:
                ps = [new[p] for p in node.parents]
                copy = EXPANSIONS[node.op](*ps) if node.op in wanted else _replay(node, ps)
                copy.label = node.label
            new[node] = copy
    finally:
        RECORDING.scope = saved
    result = new[root]
    seed = root.grad
    if (
        isinstance(root, Value)
        and result.requires_grad
        and not (isinstance(seed, int | float) and seed == 0)
    ):
        result.backward(seed)
    return result
