"""Which node of a graph has a wrong local gradient.

`check_nodes(root)` runs the backward pass once (recording what each op node received and
sent, as the pictures do) and checks every op node on its own: what it sent to input i, its
vector-Jacobian product for the upstream gradient it really received, against central
differences of that node alone (the node's op applied again to float64 copies of its
inputs, one element perturbed at a time, summed against the same upstream gradient).
Non-differentiable points are skipped as in `check_layer`. Built-in and custom ops alike:
a custom op is applied again through its own `replay`.

`gradcheck` calls `first_wrong_node` when it fails, to say which node to blame; pictures
mark the wrong edges (`mark_wrong_nodes`, `save_wrong_nodes`), with "got" the gradient the
edge carried and "expected" what the node alone says it should carry.

For a root with more than one element and no `gradient`, the seed is a fixed random array
(a seed of ones could hide errors that cancel).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.backward import default_seed, propagate
from autograph.engine.function import op_name
from autograph.engine.mode import no_grad
from autograph.engine.node import Node, walk
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value
from autograph.testing.compare import NotAFunction, Numerical, compare, fmt, numerical
from autograph.testing.picture import mark_edge, write
from autograph.viz.adapter import from_autograph
from autograph.viz.expand import REPLAY
from autograph.viz.model import Graph

DIRECTION_FIRST = 64  # inputs with more elements are checked along one direction first


@dataclass
class NodeMismatch:
    """One op node whose gradient for one input disagrees with the node alone."""

    node: int  # its position in `walk(root)`, which is its index in the graph model
    op: str  # its op's name (a custom op's own name)
    input: int  # the argument position
    label: str  # the input's label ("" if none)
    index: tuple[int, ...]  # the worst element of that input
    got: Any  # the whole gradient the node sent along the edge
    expected: Any  # the whole gradient central differences give
    message: str


def seed_for(root: Node, gradient: Any = None) -> Any:
    """The upstream gradient of the root: the caller's, 1 for one number, else a fixed
    random array."""
    if gradient is None and np.size(root.data) != 1:
        gradient = np.random.default_rng(0).standard_normal(np.shape(root.data))
    return default_seed(root, gradient, False)


def _leaf(parent: Node, array: np.ndarray) -> Node:
    if isinstance(parent, Value):
        return Value(float(array[()]), requires_grad=False)
    return Tensor(array)  # shares the array: the perturbation is seen


def _expected(node: Node, i: int, g: np.ndarray, eps: float) -> Numerical:
    """Central differences of `node` alone with respect to its input i."""
    arrays = [np.array(p.data, dtype=np.float64) for p in node.parents]
    rebuild = REPLAY[node.op]

    def objective() -> float:
        with no_grad(), np.errstate(all="ignore"):
            out = rebuild(
                [_leaf(p, a) for p, a in zip(node.parents, arrays, strict=True)], node.params
            )
        return float(np.sum(np.asarray(out.data, dtype=np.float64) * g))

    return numerical(objective, arrays[i], eps)


def _direction_agrees(
    node: Node, i: int, g: np.ndarray, gx: np.ndarray, eps: float, atol: float, rtol: float
) -> bool:
    arrays = [np.array(p.data, dtype=np.float64) for p in node.parents]
    rebuild = REPLAY[node.op]
    v = np.random.default_rng(1).standard_normal(arrays[i].shape)
    base = arrays[i].copy()

    def at(step: float) -> float:
        arrays[i][...] = base + step * v
        with no_grad(), np.errstate(all="ignore"):
            out = rebuild(
                [_leaf(p, a) for p, a in zip(node.parents, arrays, strict=True)], node.params
            )
        return float(np.sum(np.asarray(out.data, dtype=np.float64) * g))

    slope = (at(eps) - at(-eps)) / (2 * eps)
    return abs(float(np.sum(gx * v)) - slope) <= atol * np.abs(v).sum() + rtol * abs(slope)


def check_nodes(
    root: Node,
    gradient: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> list[NodeMismatch]:
    """Every op node whose gradient for some input disagrees with the node alone, in
    topological order (inputs first); [] when every local gradient is right."""
    nodes = walk(root)
    received: dict[Node, tuple[Any, list[tuple[int, Node, Any]]]] = {}

    def hook(node: Node, g: Any, sent: list[tuple[int, Node, Any]]) -> None:
        received[node] = (g, sent)

    propagate(root, seed_for(root, gradient), wanted={}, on_step=hook)
    found = []
    for k, node in enumerate(nodes):
        if node not in received or node.op not in REPLAY:
            continue
        g_raw, sent = received[node]
        g = np.asarray(g_raw, dtype=np.float64)
        for i, parent, gx_raw in sent:
            gx = np.asarray(gx_raw, dtype=np.float64)
            if gx.size > DIRECTION_FIRST and _direction_agrees(node, i, g, gx, eps, atol, rtol):
                continue
            try:
                num = _expected(node, i, g, eps)
            except NotAFunction:  # an op whose replay is not a function of its inputs
                continue
            expected = num.central
            if gx.shape != expected.shape:
                continue  # the engine itself refuses such a gradient before this point
            wrong, _ = compare(str(i), "", gx, expected, atol=atol, rtol=rtol, kinks=num)
            if wrong is None:
                continue
            index = wrong.index or ()
            label = parent.label
            name = op_name(node)
            what = f"input {i}" + (f" ({label})" if label else "")
            what += f", element {list(index)}" if index else ""
            found.append(
                NodeMismatch(
                    k,
                    name,
                    i,
                    label,
                    index,
                    gx_raw,
                    expected,
                    f"{name} (node {k}) sends {what}: got {fmt(gx[index])}, expected "
                    f"{fmt(expected[index])}",
                )
            )
    return found


def first_wrong_node(root: Node, gradient: Any = None, **tolerances: float) -> NodeMismatch | None:
    """The first op node (topological order, inputs first) whose local gradient is wrong."""
    found = check_nodes(root, gradient, **tolerances)
    return found[0] if found else None


def mark_wrong_nodes(graph: Graph, mismatches: list[NodeMismatch]) -> Graph:
    """Mark the edges of `mismatches` in the model of the same graph (node indices are
    `walk` positions, which the adapter keeps)."""
    for m in mismatches:
        mark_edge(graph, m.node, m.input, m.expected)
    return graph


def save_wrong_nodes(
    root: Node, path: str | Path, gradient: Any = None, **tolerances: float
) -> tuple[list[NodeMismatch], list[Path]]:
    """Check every node and draw the graph with the wrong edges marked into `path` (its
    extension is replaced: SVG and PNG, or DOT without Graphviz)."""
    found = check_nodes(root, gradient, **tolerances)
    graph = from_autograph(root, gradient=seed_for(root, gradient), show_grads=True)
    mark_wrong_nodes(graph, found)
    return found, write(graph, Path(path))


__all__ = [
    "NodeMismatch",
    "check_nodes",
    "first_wrong_node",
    "mark_wrong_nodes",
    "save_wrong_nodes",
]
