"""What a picture needs to know about a graph: node ids, roles, uses and gradients.

Everything here is computed from `walk(root)` (inputs first, deterministic), so node `k`
of the walk is drawn as `n{k}` in every picture, trace and export of the same graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograph.engine.broadcast import sum_to
from autograph.engine.node import Node, walk
from autograph.engine.rules import ARRAY, RULES, SCALAR
from autograph.engine.tensor import Tensor

ROLES = ("input", "parameter", "constant", "output", "op")

# Binary ops whose constant operand is written into the operation's circle (`**2`, `+1`).
FOLDABLE_OPS = frozenset({"+", "-", "*", "/", "**"})


@dataclass
class Graph:
    """A graph prepared for drawing: `nodes[k]` is drawn as `n{k}`."""

    root: Node
    nodes: list[Node]
    index: dict[Node, int]
    uses: list[list[tuple[int, int]]]  # uses[k]: (consumer, argument position) pairs
    roles: list[str]
    parents: list[list[int]] = field(default_factory=list)
    home: dict[int, str] = field(default_factory=dict)  # unscoped parameters' clusters

    def scope(self, k: int) -> str:
        """The node's scope, or for an unscoped parameter the scope it feeds."""
        return getattr(self.nodes[k], "scope", None) or self.home.get(k, "")

    def name(self, k: int) -> str:
        """The node's label, or its id when it has none."""
        return self.nodes[k].label or f"n{k}"


def default_role(node: Node, is_root: bool) -> str:
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


def _feeds_one_scope(graph: Graph, k: int) -> str:
    """The scope all consumers of node k share, or "" (none, or several)."""
    scopes = {graph.scope(c) for c, _ in graph.uses[k]}
    return scopes.pop() if len(scopes) == 1 else ""


def analyze(root: Node, roles: Mapping[Node, str] | None = None) -> Graph:
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
    graph = Graph(root, nodes, index, uses, role_list, parents)
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
            home = _feeds_one_scope(graph, k)
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


def is_scalar(node: Node) -> bool:
    return not isinstance(node, Tensor)


def local_derivative(node: Node, i: int) -> Any:
    """d(node)/d(input i) for a scalar op node: its rule applied to an upstream gradient of 1.

    None for tensors (their local derivative is a Jacobian, not one number).
    """
    if not is_scalar(node) or node.is_leaf:
        return None
    xs = tuple(p.data for p in node.parents)
    try:  # an int 1 keeps exact data (int, Fraction) exact
        return RULES[node.op](SCALAR, 1, node.data, xs, i, node.params)
    except (ArithmeticError, KeyError, ValueError, TypeError):
        return None


def vjp(node: Node, g: Any, i: int) -> Any:
    """What `node` sends to its input `i` when it has upstream gradient `g` (as backward does)."""
    parent = node.parents[i]
    xs = tuple(p.data for p in node.parents)
    if is_scalar(node):
        return RULES[node.op](SCALAR, g, node.data, xs, i, node.params)
    gx = RULES[node.op](ARRAY, g, node.data, xs, i, node.params)
    if np.shape(gx) != parent.data.shape:
        gx = sum_to(gx, parent.data.shape, node.op)
    return gx


@dataclass
class Step:
    """One step of the backward pass: `node` passes `upstream` on to its inputs."""

    number: int  # 1-based, in backward processing order
    node: int
    upstream: Any
    inputs: list[tuple[int, int, Any, Any]]  # (argument position, parent, local, downstream)


class Gradients:
    """The gradients a picture shows. Subclasses say where they come from."""

    current: int | None = None  # the node of the step being shown, if any

    def known(self) -> bool:
        return True

    def node(self, k: int) -> Any:
        raise NotImplementedError

    def edge(self, consumer: int, i: int) -> Any:
        raise NotImplementedError

    def output(self) -> Any:
        raise NotImplementedError


class StoredGradients(Gradients):
    """The gradients stored on the nodes by `backward()`.

    The gradient on an edge is what the consumer sent along it (its upstream gradient times
    the local derivative), so an input used twice shows each contribution on its own edge.
    """

    def __init__(self, graph: Graph, show: bool | None = None) -> None:
        self.graph = graph
        self._cache: dict[tuple[int, int], Any] = {}
        if show is None:
            root = graph.root
            if is_scalar(root):
                show = not (isinstance(root.grad, int | float) and root.grad == 0)
            else:
                show = any(n.grad is not None for n in graph.nodes)
        self.show = show

    def known(self) -> bool:
        return self.show

    def node(self, k: int) -> Any:
        if not self.show:
            return None
        node = self.graph.nodes[k]
        if not node.requires_grad:
            return None
        return node.grad

    def edge(self, consumer: int, i: int) -> Any:
        if not self.show:
            return None
        key = (consumer, i)
        if key in self._cache:
            return self._cache[key]
        graph = self.graph
        node = graph.nodes[consumer]
        p = graph.parents[consumer][i]
        result = None
        if graph.nodes[p].requires_grad:
            g = self.node(consumer)
            if g is not None:
                try:
                    result = vjp(node, g, i)
                except (ArithmeticError, ValueError, TypeError):
                    result = None
            elif len(graph.uses[p]) == 1:
                result = self.node(p)  # a tensor op that kept no gradient: use the input's
        self._cache[key] = result
        return result

    def output(self) -> Any:
        g = self.node(len(self.graph.nodes) - 1)
        root = self.graph.root
        if g is None and self.show and not is_scalar(root) and root.data.size == 1:
            g = 1.0  # a tensor root keeps no gradient; backward() seeded it with 1
        return g


class StepGradients(Gradients):
    """The gradients known after the first `n` steps of the backward pass (for frames)."""

    def __init__(self, graph: Graph, seed: Any, steps: Sequence[Step], n: int) -> None:
        self.graph = graph
        self.seed = seed
        self.edges: dict[tuple[int, int], Any] = {}
        self.received: dict[int, Any] = {len(graph.nodes) - 1: seed}
        for step in steps[:n]:
            for i, p, _local, g in step.inputs:
                self.edges[(step.node, i)] = g
                old = self.received.get(p)
                self.received[p] = g if old is None else old + g
        self.current = steps[n - 1].node if n > 0 else None

    def node(self, k: int) -> Any:
        return self.received.get(k)

    def edge(self, consumer: int, i: int) -> Any:
        return self.edges.get((consumer, i))

    def output(self) -> Any:
        return self.seed
