"""autograph's nodes -> the graph model (`model.py`): the only viz module that reads them.

`from_autograph(root)` walks the graph (`walk`: inputs first, deterministic), works out each
node's role and cluster, and records the backward pass with the engine's own step hook
(`steps.record_pass`: nothing is stored on the nodes, `.grad` is never touched). Edge
gradients and the steps of the trace come from that pass, never from a second derivative
computation here. A graph over exact numbers also gets the float computation's results as
notes, where they differ.

`as_graph(x)` accepts a node, a model `Graph`, or any object with an `__autograph_graph__()`
method returning one (how other recorders, e.g. a PyTorch one, plug in).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from autograph.engine.function import op_name
from autograph.engine.node import Node as EngineNode
from autograph.engine.node import walk
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value
from autograph.viz.expand import replay
from autograph.viz.model import ROLES, Edge, Graph, Node, one_pass_totals
from autograph.viz.steps import backward_ran, backward_seed, record_pass


@dataclass
class Analysis:
    """An autograph graph prepared for the model: `nodes[k]` becomes model node k."""

    root: EngineNode
    nodes: list[EngineNode]
    index: dict[EngineNode, int]
    uses: list[list[tuple[int, int]]]  # uses[k]: (consumer, argument position) pairs
    roles: list[str]
    parents: list[list[int]] = field(default_factory=list)
    home: dict[int, str] = field(default_factory=dict)  # unscoped parameters' clusters

    def scope(self, k: int) -> str:
        """The node's scope, or for an unscoped parameter the scope it feeds."""
        return getattr(self.nodes[k], "scope", None) or self.home.get(k, "")


def default_role(node: EngineNode, is_root: bool) -> str:
    """The role used for colour when the caller gives none (documented in docs/viz.md).

    - the root is the `output`, every other op result an `op`;
    - a leaf that needs no gradient is a `constant` when it is an unlabelled number (or
      a one-element array), otherwise an `input` (data such as a batch of images);
    - a leaf that needs a gradient is a `parameter` when it is an `autograph.nn`
      `Parameter`, was created inside a `scope`, or is labelled and only feeds nodes made
      inside a scope (a module's weight, created before the module's forward pass opened
      its scope); otherwise it is an `input`.
    """
    if is_root:
        return "output"
    if not node.is_leaf:
        return "op"
    if not node.requires_grad:
        small = not isinstance(node.data, np.ndarray) or node.data.size == 1
        return "constant" if small and not node.label else "input"
    if type(node).__name__ == "Parameter" or getattr(node, "scope", None):
        return "parameter"
    return "input"


def analyze(root: EngineNode, roles: Mapping[EngineNode, str] | None = None) -> Analysis:
    nodes = walk(root)
    index = {node: k for k, node in enumerate(nodes)}
    uses: list[list[tuple[int, int]]] = [[] for _ in nodes]
    parents: list[list[int]] = []
    for k, node in enumerate(nodes):
        ps = [index[p] for p in node.parents]
        parents.append(ps)
        for i, p in enumerate(ps):
            uses[p].append((k, i))
    last = len(nodes) - 1
    role_list = [default_role(node, k == last) for k, node in enumerate(nodes)]
    graph = Analysis(root, nodes, index, uses, role_list, parents)
    # Unscoped, labelled leaves needing gradients that feed a single scope are that
    # scope's parameters (see default_role), and are drawn inside its cluster.
    for k, node in enumerate(nodes):
        if (
            node.is_leaf
            and node.requires_grad
            and k != last
            and not getattr(node, "scope", None)
            and (role_list[k] == "parameter" or node.label)
        ):
            scopes = {graph.scope(c) for c, _ in uses[k]}
            home = scopes.pop() if len(scopes) == 1 else ""
            if home:
                role_list[k] = "parameter"
                graph.home[k] = home
    if roles:
        for node, role in roles.items():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
            if node in index:
                role_list[index[node]] = role
    return graph


# -- the model ----------------------------------------------------------------------------


def _attrs(node: EngineNode) -> dict[str, Any]:
    """The op's constant arguments, by name (what pictures and the JSON export show)."""
    op, p = node.op, node.params
    if p is None:
        return {}
    if op in ("sum", "mean", "max") and isinstance(p, tuple):
        return {"axis": p[0], "keepdims": p[1]}
    if op in ("softmax", "log_softmax"):
        return {"axis": p}
    if op in ("reshape", "broadcast_to", "sum_to"):
        return {"shape": tuple(p)}
    if op == "transpose":
        return {"axes": tuple(p)}
    if op == "dot":
        return {"n": p}
    if op in ("getitem", "scatter"):
        return {"index": repr(p[0] if op == "scatter" else p)}
    return {}


def from_autograph(
    root: EngineNode,
    *,
    roles: Mapping[EngineNode, str] | None = None,
    show_grads: bool | None = None,
    gradient: Any = None,
    local_derivatives: bool = True,
) -> Graph:
    """The model of the graph that computed `root`.

    Gradients are filled in once `backward()` has run (or with `show_grads=True`); the
    steps of the backward pass are always recorded when the root needs a gradient (the
    trace and the frames use them), with `gradient` as the seed if given, and with the
    local derivatives of one-number ops unless `local_derivatives` is False (they cost
    one more rule call per edge, which a summary of a big graph does not need).
    """
    if not isinstance(root, EngineNode):
        raise TypeError(f"expected an autograph Value or Tensor, got {type(root).__name__}")
    enabled = gc.isenabled()
    gc.disable()  # many small objects, no cycles: the collector would only cost time
    try:
        return _build(root, roles, show_grads, gradient, local_derivatives)
    finally:
        if enabled:
            gc.enable()


def _build(
    root: EngineNode,
    roles: Mapping[EngineNode, str] | None,
    show_grads: bool | None,
    gradient: Any,
    local: bool,
) -> Graph:
    analysis = analyze(root, roles)
    ran = backward_ran(analysis.nodes, root)
    nodes: list[Node] = []
    edges: list[Edge] = []
    first: list[int] = []  # the index of node k's first input edge
    scopes: dict[str, tuple[str, ...]] = {"": ()}
    for k, node in enumerate(analysis.nodes):
        data = node.data
        tensor = isinstance(node, Tensor)
        scope = analysis.scope(k)
        path = scopes.get(scope)
        if path is None:
            path = scopes[scope] = tuple(scope.split("/"))
        nodes.append(
            Node(
                op_name(node),  # a custom op is drawn by its own name
                node.label,
                data,
                "tensor" if tensor else "value",
                tuple(data.shape) if tensor else None,
                str(data.dtype) if tensor else None,
                path,
                analysis.roles[k],
                node.requires_grad,
                None,
                _attrs(node) if node.params is not None else {},
            )
        )
        first.append(len(edges))
        for i, p in enumerate(analysis.parents[k]):
            edges.append(Edge(p, k, i, analysis.nodes[p].data))
    graph = Graph(nodes, edges, validate=False)  # tests check() what this builds
    seed = backward_seed(root, gradient, ran)
    if seed is not None:
        graph.seed = seed
        graph.steps = record_pass(root, analysis.index, seed, local)
    show = ran if show_grads is None else show_grads
    if show and graph.steps is not None:
        # edges and operations: this pass (leaves too, unless .grad says otherwise below)
        nodes[-1].grad = seed
        for step in graph.steps:
            nodes[step.node].grad = step.upstream
            base = first[step.node]
            for sent in step.inputs:
                edges[base + sent.input].grad = sent.grad
        if not ran:
            for k, total in one_pass_totals(graph).items():
                if nodes[k].is_leaf:
                    nodes[k].grad = total
    if show_grads is None and not ran and root.requires_grad:
        graph.warnings.append(
            "no gradients to draw: backward() has not run on this graph (every .grad is "
            "still zero); call root.backward() before drawing it, or pass show_grads=False "
            "to draw the forward pass only"
        )
    if show and ran:
        for k, node in enumerate(analysis.nodes):
            # leaves: what .grad holds (perhaps accumulated over several passes); an op
            # the pass did not reach (no seed known) keeps a retained gradient, if any
            if node.requires_grad and (node.is_leaf or nodes[k].grad is None):
                nodes[k].grad = node.grad
    if any(type(n.data) is Fraction for n in analysis.nodes):
        add_float_notes(graph, root, seed if show else None)
    return graph


# -- exact graphs beside floating point ----------------------------------------------------
# Where a graph over exact numbers (Fractions) gives other digits than the same computation
# in floats, the picture notes the float result: for apple-orange built with exact=True,
# "float 715.0000000000001" by the price and "float 3.3000000000000003" by dOrange, which
# is what the textbook's float code prints.


def _float_leaf(node: EngineNode) -> EngineNode:
    if isinstance(node, Tensor):
        return Tensor(node.data.astype(float), requires_grad=node.requires_grad, label=node.label)
    return Value(float(node.data), node.label, requires_grad=node.requires_grad)


def add_float_notes(graph: Graph, root: EngineNode, seed: Any) -> None:
    """Put the float computation's value on each node (`notes["float"]`) and, given the
    `seed` of the pass shown, its gradient on each edge (`Edge.notes["float"]`) and each
    node's total gradient (`notes["float_grad"]`)."""
    try:
        copy, _ = replay(root, (), _float_leaf)
        analysis = analyze(copy)
        steps = record_pass(copy, analysis.index, float(seed)) if seed is not None else []
    except (ArithmeticError, ValueError, TypeError, NotImplementedError):
        return  # no float counterpart to show (e.g. an overflow exact numbers avoided)
    if len(analysis.nodes) != len(graph.nodes):
        return
    for node, twin in zip(graph.nodes, analysis.nodes, strict=True):
        node.notes["float"] = twin.data
    totals: dict[int, Any] = {graph.root: float(seed)} if seed is not None else {}
    for step in steps:
        for sent in step.inputs:
            graph.edge_into(step.node, sent.input).notes["float"] = sent.grad
            old = totals.get(sent.source)
            totals[sent.source] = sent.grad if old is None else old + sent.grad
    for k, total in totals.items():
        graph.nodes[k].notes["float_grad"] = total


def as_graph(
    obj: Any,
    *,
    roles: Mapping[EngineNode, str] | None = None,
    show_grads: bool | None = None,
    gradient: Any = None,
    local_derivatives: bool = True,
) -> Graph:
    """The model for anything drawable: an autograph node (see `from_autograph`), a
    `Graph`, or an object with `__autograph_graph__()`."""
    if isinstance(obj, EngineNode):
        return from_autograph(
            obj,
            roles=roles,
            show_grads=show_grads,
            gradient=gradient,
            local_derivatives=local_derivatives,
        )
    if not isinstance(obj, Graph):
        method = getattr(obj, "__autograph_graph__", None)
        if method is None:
            raise TypeError(
                "expected an autograph Value or Tensor, an autograph.viz.model.Graph, or an "
                f"object with __autograph_graph__(); got {type(obj).__name__}"
            )
        obj = method()
        if not isinstance(obj, Graph):
            raise TypeError(f"__autograph_graph__() returned {type(obj).__name__}, not a Graph")
    if roles:
        raise ValueError("roles= maps autograph nodes; in a model, set each Node.role")
    if gradient is not None:
        raise ValueError("gradient= seeds autograph's backward pass; a model has its steps")
    return obj
