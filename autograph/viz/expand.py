"""Fused and expanded views: draw a composite op as one node or as its decomposition.

`EXPANSIONS` maps an op to a function that builds the same result from simpler ops, e.g.
sigmoid as the textbook draws it: `1 / (1 + exp(x × -1))` (×−1, exp, +1, ÷). `expand(root)`
rebuilds the graph with those ops expanded (fresh nodes: the original graph is untouched;
every other op is replayed through `REPLAY`, which has an entry for every op of the
derivative table) and, when the original has been through `backward()`, runs backward on
the copy with the same seed, so both pictures show the same input gradients (for sigmoid:
y(1 − y)). Value and Tensor graphs alike.

Adding a composite op is one entry: `EXPANSIONS["softplus"] = lambda x: (1 + x.exp()).log()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from autograph.engine.mode import exit_scope, set_scope
from autograph.engine.node import Node, walk
from autograph.engine.tensor import Tensor, affine, softmax_cross_entropy
from autograph.engine.value import Value, dot, sum_values
from autograph.viz.steps import backward_ran, backward_seed


def _tanh(x: Any) -> Any:
    e = (x * 2).exp()
    return (e - 1) / (e + 1)


def _affine(x: Any, w: Any, b: Any = None) -> Any:
    return x @ w if b is None else x @ w + b


EXPANSIONS: dict[str, Callable[..., Any]] = {
    "sigmoid": lambda x: 1 / (1 + (x * -1).exp()),
    "tanh": _tanh,
    "affine": _affine,
}


def _sum(ps: list[Any], p: Any) -> Any:
    return sum_values(ps) if p is None else ps[0].sum(p[0], p[1])


def _dot(ps: list[Any], n: int) -> Any:
    return dot(ps[:n], ps[n : 2 * n], ps[2 * n] if len(ps) > 2 * n else None)


def _clip(ps: list[Any], p: Any) -> Any:
    lo_at, hi_at = p  # where the bounds are among the inputs (None: not given)
    return ps[0].clip(None if lo_at is None else ps[lo_at], None if hi_at is None else ps[hi_at])


# op -> how to apply it again to new inputs `ps`, with the node's params `p`
REPLAY: dict[str, Callable[[list[Any], Any], Any]] = {
    "+": lambda ps, p: ps[0] + ps[1],
    "-": lambda ps, p: ps[0] - ps[1],
    "*": lambda ps, p: ps[0] * ps[1],
    "/": lambda ps, p: ps[0] / ps[1],
    "**": lambda ps, p: ps[0] ** ps[1],
    "neg": lambda ps, p: -ps[0],
    "abs": lambda ps, p: abs(ps[0]),
    "exp": lambda ps, p: ps[0].exp(),
    "log": lambda ps, p: ps[0].log(),
    "tanh": lambda ps, p: ps[0].tanh(),
    "sigmoid": lambda ps, p: ps[0].sigmoid(),
    "relu": lambda ps, p: ps[0].relu(),
    "sum": _sum,
    "dot": _dot,
    "@": lambda ps, p: ps[0] @ ps[1],
    "affine": lambda ps, p: affine(*ps),
    "mean": lambda ps, p: ps[0].mean(p[0], p[1]),
    "max": lambda ps, p: ps[0].max(p[0], p[1]),
    "reshape": lambda ps, p: ps[0].reshape(p),
    "transpose": lambda ps, p: ps[0].transpose(p),
    "getitem": lambda ps, p: ps[0][p],
    "scatter": lambda ps, p: ps[0].scatter(p[0], p[1]),
    "broadcast_to": lambda ps, p: ps[0].broadcast_to(p),
    "sum_to": lambda ps, p: ps[0].sum_to(p),
    "astype": lambda ps, p: ps[0].astype(p),
    "where": lambda ps, p: ps[0].where(p, ps[1]),  # p is the condition
    "softmax": lambda ps, p: ps[0].softmax(p),
    "log_softmax": lambda ps, p: ps[0].log_softmax(p),
    "softmax_cross_entropy": lambda ps, p: softmax_cross_entropy(ps[0], p[0]),
    "sin": lambda ps, p: ps[0].sin(),
    "cos": lambda ps, p: ps[0].cos(),
    "tan": lambda ps, p: ps[0].tan(),
    "sqrt": lambda ps, p: ps[0].sqrt(),
    "square": lambda ps, p: ps[0].square(),
    "log1p": lambda ps, p: ps[0].log1p(),
    "expm1": lambda ps, p: ps[0].expm1(),
    "leaky_relu": lambda ps, p: ps[0].leaky_relu(p),  # p is the slope
    "maximum": lambda ps, p: ps[0].maximum(ps[1]),
    "minimum": lambda ps, p: ps[0].minimum(ps[1]),
    "clip": _clip,
    "custom": lambda ps, p: p.replay(ps),  # the op (engine/function.py) applies itself again
}


def _replay(node: Node, ps: list[Any]) -> Any:
    """The op of `node` applied again to new inputs `ps`."""
    try:
        rebuild = REPLAY[node.op]
    except KeyError:
        raise NotImplementedError(
            f"expand(): cannot rebuild a {node.op!r} node; add it to autograph.viz.expand.REPLAY"
        ) from None
    return rebuild(ps, node.params)


def _copy_leaf(node: Node) -> Node:
    if isinstance(node, Tensor):
        return Tensor(node.data, requires_grad=node.requires_grad, label=node.label)
    return Value(node.data, node.label, requires_grad=node.requires_grad)


def replay(
    root: Node, ops: Iterable[str] = (), leaf: Callable[[Node], Node] = _copy_leaf
) -> tuple[Node, dict[Node, Node]]:
    """A fresh copy of the graph of `root` (leaves made by `leaf`), with `ops` expanded;
    also the map from each original node to its copy (for an expanded op: its result)."""
    wanted = set(ops)
    new: dict[Node, Node] = {}
    for node in walk(root):
        # rebuild in the node's own scope, so clusters survive the expansion
        token = set_scope(node.scope)
        try:
            if node.is_leaf:
                copy = leaf(node)
            else:
                ps = [new[p] for p in node.parents]
                copy = EXPANSIONS[node.op](*ps) if node.op in wanted else _replay(node, ps)
                copy.label = node.label
        finally:
            exit_scope(token)
        new[node] = copy
    return new[root], new


N = TypeVar("N", bound=Node)


def expand(root: N, ops: Iterable[str] | None = None) -> N:
    """A copy of the graph of `root` with the composite `ops` (default: all registered)
    drawn as their decompositions; backward is run on the copy with the seed the original's
    backward used, if it has run.

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
    copy, _ = replay(root, wanted)
    result = cast(N, copy)  # a Value graph replays as Values, a Tensor graph as Tensors
    if result.requires_grad and backward_ran(walk(root), root):
        seed = backward_seed(root, None, True)
        if seed is not None:
            result.backward(seed)
    return result
