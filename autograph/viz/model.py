"""The graph model: the plain data every picture, trace, frame, player and export reads.

The renderer never looks at an engine's nodes. An adapter (`adapter.from_autograph` for
autograph's `Value`/`Tensor`; a PyTorch one can be written the same way) fills in:

- `nodes`, in a topological order (every edge goes from a lower index to a higher one), the
  output last. `nodes[k]` is drawn as `n{k}`. A leaf has `op == ""` and no inputs; an
  operation names its op (autograph's names, `"*"`, `"sigmoid"`, `"@"`, ... are drawn as
  symbols; any other name is drawn as written).
- `edges`: one per argument of every operation, with the value it carried forward and the
  gradient the operation sent back along it (None: not known).
- `steps` and `seed`: the backward pass, one `Step` per operation in the order it ran, each
  with its upstream gradient and what it sent to each input (and the local derivative, for
  one-number ops). The trace, the frames and the player read only these.

Numbers stay numbers (ints, floats, Fractions, NumPy arrays): formatting is the renderer's
job. `notes` dicts carry optional annotations the renderer knows how to draw:

- `Node.notes["float"]` / `["float_grad"]`: the value / total gradient the same
  computation gives in floating point (drawn by an exact number where the digits differ);
  `Edge.notes["float"]`: likewise for the gradient sent along the edge;
- `Edge.notes["expected"]`: the gradient the edge should carry; the edge is drawn marked,
  with its gradient as "got" against "expected".
"""

from __future__ import annotations

import math
import sys
from dataclasses import InitVar, dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

KINDS = ("value", "tensor")
ROLES = ("input", "parameter", "constant", "output", "op")


class ModelError(ValueError):
    """A graph model that breaks one of the rules above (the message names which)."""


@dataclass(slots=True, eq=False)
class Node:
    """One vertex: a leaf (`op == ""`) or the result of an operation."""

    op: str = ""
    label: str = ""
    data: Any = None  # a number, or a NumPy array for a tensor; None: not recorded
    kind: str = "value"  # "value" (one number) or "tensor" (an array)
    shape: tuple[int, ...] | None = None  # tensors
    dtype: str | None = None  # tensors, e.g. "float32"
    scope: tuple[str, ...] = ()  # the path of the module/scope that made it
    role: str = "op"  # one of ROLES: colours, and which leaves count as parameters
    requires_grad: bool = False
    grad: Any = None  # the total gradient this node holds (a leaf's .grad); None: unknown
    attrs: dict[str, Any] = field(default_factory=dict)  # op arguments shown, e.g. "axis"
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.op


@dataclass(slots=True, eq=False)
class Edge:
    """Argument `input` of node `target` is node `source`."""

    source: int
    target: int
    input: int
    value: Any = None  # the value carried forward (the source's data when it was used)
    grad: Any = None  # the gradient sent back along this edge; None: unknown
    notes: dict[str, Any] = field(default_factory=dict)


class Sent(NamedTuple):
    """What one backward step sent to one input."""

    input: int  # argument position
    source: int  # the node that receives it
    local: Any  # d(step's node)/d(input) for a one-number op, else None
    grad: Any  # upstream × local: the gradient sent along the edge


@dataclass(slots=True, eq=False)
class Step:
    """One step of the backward pass: `node` passes `upstream` on to its inputs."""

    number: int  # 1-based, in the order the backward pass ran
    node: int
    upstream: Any
    inputs: list[Sent]  # only inputs that need a gradient


@dataclass(eq=False)
class Graph:
    """A whole graph: nodes, edges and (optionally) its backward pass."""

    nodes: list[Node]
    edges: list[Edge]
    steps: list[Step] | None = None  # None: no backward pass recorded
    seed: Any = None  # d(output)/d(output) that started the backward pass
    scope_separator: str = "/"  # how scope paths are written ("encoder.layers.0" uses ".")
    warnings: list[str] = field(default_factory=list)  # what whoever draws it should know
    validate: InitVar[bool] = True  # False: an adapter that checks its own output in tests
    inputs: list[list[int]] = field(init=False, repr=False)  # edge indices, by argument
    uses: list[list[int]] = field(init=False, repr=False)  # edge indices leaving each node

    def __post_init__(self, validate: bool) -> None:
        if validate:
            self.inputs, self.uses = check(self)
        else:
            self.inputs, self.uses = _indexes(self)

    @property
    def root(self) -> int:
        return len(self.nodes) - 1

    def path(self, k: int) -> str:
        """Node k's scope as the user wrote it ("layer1/neuron3")."""
        return self.scope_separator.join(self.nodes[k].scope)

    def edge_into(self, target: int, i: int) -> Edge:
        return self.edges[self.inputs[target][i]]

    def carried(self, e: int) -> Any:
        """The value edge e carried forward (its source's data unless recorded apart)."""
        edge = self.edges[e]
        return self.nodes[edge.source].data if edge.value is None else edge.value


def check(graph: Graph) -> tuple[list[list[int]], list[list[int]]]:
    """Validate the model (ModelError naming the first problem); return the edge indexes."""
    nodes, n = graph.nodes, len(graph.nodes)
    if n == 0:
        raise ModelError("a graph needs at least one node (the output, last)")
    for k, node in enumerate(nodes):
        if node.kind not in KINDS:
            raise ModelError(f"node {k}: kind {node.kind!r}; expected one of {KINDS}")
        if node.role not in ROLES:
            raise ModelError(f"node {k}: role {node.role!r}; expected one of {ROLES}")
        if not isinstance(node.scope, tuple) or not all(isinstance(s, str) for s in node.scope):
            raise ModelError(f"node {k}: scope must be a tuple of names, got {node.scope!r}")
    inputs: list[list[int]] = [[] for _ in range(n)]
    uses: list[list[int]] = [[] for _ in range(n)]
    for e, edge in enumerate(graph.edges):
        s, t = edge.source, edge.target
        if not (0 <= s < n and 0 <= t < n):
            raise ModelError(f"edge {e}: {s} -> {t} names a node outside 0..{n - 1}")
        if s >= t:
            raise ModelError(
                f"edge {e}: {s} -> {t}: nodes must be in topological order (inputs first)"
            )
        inputs[t].append(e)
        uses[s].append(e)
    for k, es in enumerate(inputs):
        es.sort(key=lambda e: graph.edges[e].input)
        if [graph.edges[e].input for e in es] != list(range(len(es))):
            raise ModelError(f"node {k}: its input positions must be 0..{len(es) - 1}, once each")
        if bool(es) == nodes[k].is_leaf:
            what = "has inputs but no op" if es else f"is an op ({nodes[k].op!r}) without inputs"
            raise ModelError(f"node {k} {what}")
    for number, step in enumerate(graph.steps or (), 1):
        if step.number != number:
            raise ModelError(f"step {number} is numbered {step.number}")
        if not 0 <= step.node < n or nodes[step.node].is_leaf:
            raise ModelError(f"step {number}: node {step.node} is not an operation")
        for sent in step.inputs:
            es = inputs[step.node]
            if not (
                0 <= sent.input < len(es) and graph.edges[es[sent.input]].source == sent.source
            ):
                raise ModelError(
                    f"step {number}: input {sent.input} of node {step.node} is not node "
                    f"{sent.source}"
                )
    return inputs, uses


def _indexes(graph: Graph) -> tuple[list[list[int]], list[list[int]]]:
    """The edge indexes, for edges listed by target and then argument position."""
    n = len(graph.nodes)
    inputs: list[list[int]] = [[] for _ in range(n)]
    uses: list[list[int]] = [[] for _ in range(n)]
    for e, edge in enumerate(graph.edges):
        inputs[edge.target].append(e)
        uses[edge.source].append(e)
    return inputs, uses


def fill_from_steps(graph: Graph) -> None:
    """Set every edge's gradient, every operation's total (its upstream) and every leaf's
    total (the sum of what it received) from the recorded steps. For adapters whose
    engine reports steps but keeps no per-edge gradients."""
    if graph.steps is None:
        raise ModelError("fill_from_steps: the graph has no recorded backward pass")
    graph.nodes[graph.root].grad = graph.seed
    for node, total in one_pass_totals(graph).items():
        if graph.nodes[node].is_leaf:
            graph.nodes[node].grad = total
    for step in graph.steps:
        graph.nodes[step.node].grad = step.upstream
        for sent in step.inputs:
            graph.edge_into(step.node, sent.input).grad = sent.grad


def one_pass_totals(graph: Graph, upto: int | None = None) -> dict[int, Any]:
    """What each node has received after the first `upto` steps (all by default), summed in
    the order the backward pass sent it: the output holds the seed."""
    totals: dict[int, Any] = {graph.root: graph.seed}
    for step in (graph.steps or [])[:upto]:
        for sent in step.inputs:
            old = totals.get(sent.source)
            totals[sent.source] = sent.grad if old is None else old + sent.grad
    return totals


_SCALARS = (int, float, Fraction)


def same_number(a: Any, b: Any) -> bool:
    """a == b for numbers and arrays, allowing float rounding (64 ulps of the coarser type:
    float32 keeps about 7 digits)."""
    if type(a) in _SCALARS and type(b) in _SCALARS:  # a scalar graph: no NumPy per leaf
        if a == b or (a != a and b != b):
            return True
        floats = isinstance(a, float) or isinstance(b, float)
        return floats and math.isclose(a, b, rel_tol=64 * sys.float_info.epsilon, abs_tol=0)
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape:
            return False
        if x.dtype.kind not in "fc" and y.dtype.kind not in "fc":
            return bool(np.all(x == y))
        coarse = max(np.finfo(d).eps for d in (x.dtype, y.dtype) if d.kind in "fc")
        return bool(np.allclose(x, y, rtol=64 * float(coarse), atol=0, equal_nan=True))
    except (TypeError, ValueError):
        return bool(a == b)


def accumulated_leaves(graph: Graph) -> list[int]:
    """Leaves whose total gradient differs from what one backward pass sends them (summed
    in the order the pass sent it, so a float total is reproduced to the last bit): they
    hold gradients accumulated over several passes (no zero_grad() in between)."""
    steps = graph.steps
    if steps is None:
        return []
    nodes, edges = graph.nodes, graph.edges
    leaves = [k for k, n in enumerate(nodes) if n.is_leaf and n.grad is not None and graph.uses[k]]
    if not leaves:
        return []
    order = [len(steps)] * len(nodes)  # when each op node's step ran
    for j, step in enumerate(steps):
        order[step.node] = j
    stale = []
    for k in leaves:
        uses = sorted(graph.uses[k], key=lambda e: (order[edges[e].target], edges[e].input))
        sent = [edges[e].grad for e in uses if order[edges[e].target] < len(steps)]
        if not sent or any(g is None for g in sent):
            continue  # nothing sent to it, or edges without gradients: nothing to compare
        one = sent[0]
        for g in sent[1:]:
            one = one + g
        if not same_number(nodes[k].grad, one):
            stale.append(k)
    return stale
