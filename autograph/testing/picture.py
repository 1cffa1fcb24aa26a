"""Pictures of wrong gradients: the ordinary renderer, with the wrong edges marked.

`mark_edge` puts the gradient an edge should carry in the model (`Edge.notes["expected"]`),
which the renderer draws as "got" against "expected" on a marked edge (docs/viz.md); it
works on any `autograph.viz.model.Graph`, whatever engine it came from.

`failure_graph` builds the picture of a failed `check_layer`/`check_op`: a small autograph
graph that uses the op on the minimal example (its inputs and parameters as leaves, the op
as one node with its own name, then `sum(out · dout)` so there is one number to
differentiate; a loss layer's own output is that number). The op node replays the gradients
the user's backward gave on that example (the check has run it already), so the picture
shows exactly what was found; a gradient of the wrong shape is drawn as it was given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from autograph.engine.function import CUSTOM, CustomOp
from autograph.engine.namespaces import Math
from autograph.engine.node import Node, new_result, walk
from autograph.engine.tensor import Tensor
from autograph.viz.adapter import from_autograph
from autograph.viz.model import Graph
from autograph.viz.render import GraphvizNotFound, save

if TYPE_CHECKING:
    from autograph.testing.check import CheckResult


def mark_edge(graph: Graph, node: int, i: int, expected: Any, got: Any = None) -> None:
    """Mark input `i` of model node `node` as carrying a wrong gradient: `expected` is what
    it should carry; `got`, if given, replaces what the model says it carried (and what its
    step sent), for a gradient the engine could not carry as it was (a wrong shape)."""
    e = graph.inputs[node][i]
    edge = graph.edges[e]
    edge.notes["expected"] = expected
    if got is None:
        return
    edge.grad = got
    for step in graph.steps or ():
        if step.node == node:
            step.inputs = [s._replace(grad=got) if s.input == i else s for s in step.inputs]
    source = graph.nodes[edge.source]
    if source.is_leaf and len(graph.uses[edge.source]) == 1:
        source.grad = got


class Recorded(CustomOp):
    """A picture's op node: sends back the gradients a check recorded, never running the
    user's code again."""

    __slots__ = ("grads",)

    def __init__(self, name: str, grads: tuple[Any, ...]) -> None:
        super().__init__(name, tuple(True for _ in grads))
        self.grads = grads

    def vjp_all(self, m: Math, g: Any, out: Any, xs: tuple[Any, ...]) -> tuple[Any, ...]:
        return self.grads

    def replay(self, inputs: list[Any]) -> Node:
        raise NotImplementedError(f"{self.name}: a picture's recorded op cannot be rebuilt")


def failure_graph(result: CheckResult) -> tuple[Node, Graph] | None:
    """(the small graph's output, its model with the wrong edges marked), or None when the
    failure has no gradients to draw (the op raised, or returned too few)."""
    failure = result.failure
    if failure is None or not failure.got:
        return None
    spec, ex = result.spec, failure.example
    args = [*spec.inputs, *spec.params]
    leaves = [
        Tensor(np.array(ex.arrays[a.name]), requires_grad=not a.target, label=a.name) for a in args
    ]
    marked: dict[str, tuple[Any, Any]] = {}  # name -> (expected, got drawn as it was)
    for m in failure.mismatches:
        if m.kind in ("value", "shape", "state") and m.expected is not None:
            marked.setdefault(m.input, (m.expected, m.got if m.kind == "shape" else None))
    grads = []
    for arg, leaf in zip(args, leaves, strict=True):
        got = failure.got.get(arg.name)
        if got is None or np.shape(got) != leaf.shape:  # sent as expected, drawn as got
            got = marked.get(arg.name, (np.zeros(leaf.shape), None))[0]
        grads.append(np.asarray(got, dtype=np.float64).reshape(leaf.shape))
    op = new_result(
        Tensor,
        np.asarray(failure.out, dtype=np.float64),
        leaves,
        CUSTOM,
        Recorded(result.name, tuple(grads)),
    )
    root = op if failure.dout is None else (op * Tensor(failure.dout, label="dout")).sum()
    root.label = "L"
    root.backward()
    graph = from_autograph(root)
    k = walk(root).index(op)
    for i, arg in enumerate(args):
        if arg.name in marked:
            expected, got = marked[arg.name]
            mark_edge(graph, k, i, expected, got)
    return root, graph


def write(graph: Graph, base: Path) -> list[Path]:
    """`base`.svg and `base`.png, or `base`.dot without Graphviz."""
    try:
        return [save(graph, base.with_suffix(f".{fmt}")) for fmt in ("svg", "png")]
    except GraphvizNotFound:
        return [save(graph, base.with_suffix(".dot"))]


def save_failure(result: CheckResult, path: Path) -> list[Path]:
    drawn = failure_graph(result)
    if drawn is None:
        return []
    if path.is_dir() or not path.suffix:
        path.mkdir(parents=True, exist_ok=True)
        path = path / result.name
    return write(drawn[1], path)


__all__ = ["Recorded", "failure_graph", "mark_edge", "save_failure", "write"]
