"""autograph's nodes -> the graph model (`model.py`): the only viz module that reads them.

`from_autograph(root)` walks the graph (`walk`: inputs first, deterministic), works out each
node's role and cluster, and records the backward pass with the engine's own step hook
(`propagate(..., wanted={}, on_step=hook)`: nothing is stored on the nodes, `.grad` is never
touched). Edge gradients and the steps of the trace come from that pass, never from a second
derivative computation here.

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

from autograph.engine.backward import default_seed, propagate
from autograph.engine.node import Node as EngineNode
from autograph.engine.node import walk
from autograph.engine.rules import RULES, SCALAR
from autograph.engine.tensor import Tensor
from autograph.viz.model import ROLES, Edge, Graph, Node, Sent, Step, one_pass_totals


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


# -- the local derivative ---------------------------------------------------------------
# TEMPORARY (issue 7): the engine is to offer the local derivative as an engine function;
# until it lands, this is the one place where viz applies the derivative table itself. Swap
# the body of `local_derivatives` for the engine's call; nothing else in viz computes one.


def local_derivatives(node: EngineNode, inputs: list[int]) -> list[Any]:
    """d(node)/d(input i) for each i of `inputs`, for a one-number op node: its rule applied
    to an upstream gradient of 1 (an int, which keeps ints and Fractions exact). None for
    tensors (their local derivative is a Jacobian, not one number) and where the rule fails.
    """
    if isinstance(node, Tensor) or node.is_leaf:
        return [None] * len(inputs)
    rule, out, params = RULES.get(node.op), node.data, node.params
    xs = tuple([p.data for p in node.parents])
    result = []
    for i in inputs:
        try:
            result.append(rule(SCALAR, 1, out, xs, i, params) if rule is not None else None)
        except (ArithmeticError, ValueError, TypeError):
            result.append(None)
    return result


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


def backward_ran(nodes: list[EngineNode], root: EngineNode) -> bool:
    """Whether any backward() has reached this graph (`nodes`: its walk): some gradient on
    the root or a leaf is no longer 0/None."""
    for node in reversed(nodes):  # the root first: it holds the seed
        if node.requires_grad and (node.is_leaf or node is root):
            g = node.grad
            if g is not None and not (isinstance(g, int | float | Fraction) and g == 0):
                return True
    return False


def backward_seed(root: EngineNode, gradient: Any, ran: bool) -> Any:
    """The seed of the pass to record: the caller's, else the one backward() used (kept
    on the root), else the default (1 for a one-element output); None when there is none."""
    if not root.requires_grad:
        return None
    if gradient is None and ran and root.grad is not None:
        g = root.grad
        if not (isinstance(g, int | float | Fraction) and g == 0):
            return g
    try:
        return default_seed(root, gradient, False)
    except RuntimeError:  # a many-element output without a gradient: no pass to record
        return None


def record_pass(analysis: Analysis, seed: Any, local: bool = True) -> list[Step]:
    """The engine's backward pass from the root, as steps (with the local derivatives of
    one-number ops unless `local` is False); stores nothing on the nodes."""
    index = analysis.index
    steps: list[Step] = []

    new = tuple.__new__  # a Sent without NamedTuple's Python-level __new__ (per edge)

    def hook(node: EngineNode, g: Any, sent: list[tuple[int, EngineNode, Any]]) -> None:
        if local:
            locals_ = local_derivatives(node, [i for i, _, _ in sent])
            inputs = [
                new(Sent, (i, index[parent], d, gx))
                for (i, parent, gx), d in zip(sent, locals_, strict=True)
            ]
        else:
            inputs = [new(Sent, (i, index[parent], None, gx)) for i, parent, gx in sent]
        steps.append(Step(len(steps) + 1, index[node], g, inputs))

    propagate(analysis.root, seed, wanted={}, on_step=hook)
    return steps


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
                node.op,
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
        graph.steps = record_pass(analysis, seed, local)
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
    return graph


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
