"""Collapse planning: which nodes are drawn as one box per scope (graph analysis, no DOT).

A graph larger than `max_nodes` is refused (`GraphTooLarge`) unless scopes are collapsed:
`collapse="auto"` finds the finest scope depth that fits, a depth `d` cuts every scope path
to `d` names, a list of paths collapses just those. Unscoped leaves that only feed boxes (a
data set's inputs) share one box per role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograph.viz.clusters import Scope, natural_key
from autograph.viz.model import Graph
from autograph.viz.options import Collapse


class GraphTooLarge(ValueError):
    """The graph has more nodes than `max_nodes`: drawing it would hang Graphviz."""


@dataclass(frozen=True)
class Box:
    """A collapsed group: a scope path, or (with `role`) the unscoped leaves of one role."""

    path: Scope
    role: str = ""

    @property
    def cluster(self) -> Scope:
        """The cluster the box is drawn in: its scope's parent (role boxes: none)."""
        return self.path[:-1] if not self.role else ()

    @property
    def name(self) -> str:
        return f"({self.role}s)" if self.role else self.path[-1]


@dataclass
class Plan:
    """`box[k]`: the index in `boxes` of the box node k is drawn in, or None."""

    boxes: list[Box]
    box: list[int | None]
    members: list[list[int]]


Key = tuple[str, ...] | str  # a box's scope path, or the role of a box of unscoped leaves


def _box_keys(graph: Graph, names: Sequence[Scope], depth: int | None) -> list[Key | None]:
    keys: list[Key | None] = []
    for node in graph.nodes:
        s = node.scope
        key = None
        if s:
            if depth is not None:
                key = s[:depth]  # every scoped node: its scope cut to `depth` names
            else:
                for name in names:
                    if s[: len(name)] == name:
                        key = name
                        break
        keys.append(key)
    # Unscoped leaves that only feed boxes (a data set's inputs) share one box per role.
    for k, node in enumerate(graph.nodes):
        uses = graph.uses[k]
        if (
            keys[k] is None
            and node.is_leaf
            and uses
            and all(keys[graph.edges[e].target] is not None for e in uses)
        ):
            keys[k] = node.role
    return keys


def _unit_count(keys: list[Key | None]) -> int:
    return len({key for key in keys if key is not None}) + sum(1 for key in keys if key is None)


def _plan(keys: list[Key | None]) -> Plan:
    """Boxes in natural order of their paths (neuron2 before neuron10)."""
    found = {key for key in keys if key is not None}
    boxes = sorted(
        (Box((), key) if isinstance(key, str) else Box(key) for key in found),
        key=lambda b: (natural_key(b.path), b.role),
    )
    number: dict[Key, int] = {(b.role or b.path): m for m, b in enumerate(boxes)}
    box = [None if key is None else number[key] for key in keys]
    members: list[list[int]] = [[] for _ in boxes]
    for k, m in enumerate(box):
        if m is not None:
            members[m].append(k)
    return Plan(boxes, box, members)


def plan_collapse(graph: Graph, collapse: Collapse, max_nodes: int | None) -> Plan | None:
    """Which nodes go into which box (None: draw every node), or GraphTooLarge."""
    n = len(graph.nodes)
    hint = (
        "pass collapse='auto' (command line: --collapse auto) to draw each scope as one "
        "box, collapse=1 to draw each top-level scope as one box, or a larger max_nodes"
    )
    depth_max = max((len(node.scope) for node in graph.nodes), default=0)
    if collapse is None:
        if max_nodes is not None and n > max_nodes:
            raise GraphTooLarge(
                f"the graph has {n:,} nodes, more than max_nodes={max_nodes:,}: Graphviz "
                f"would take very long and the picture would be unreadable; {hint}"
            )
        return None
    if collapse == "auto":
        if max_nodes is None or n <= max_nodes:
            return None
        for depth in range(depth_max, 0, -1):
            keys = _box_keys(graph, (), depth)
            if _unit_count(keys) <= max_nodes:
                return _plan(keys)
        keys = _box_keys(graph, (), 1) if depth_max else [None] * n
        raise GraphTooLarge(
            f"the graph has {n:,} nodes and even with every scope collapsed "
            f"{_unit_count(keys):,} boxes and nodes remain, more than max_nodes={max_nodes:,}; "
            "build it inside `with autograph.scope(name):` blocks so that it can be grouped, "
            "or raise max_nodes"
        )
    if isinstance(collapse, int):
        keys = _box_keys(graph, (), collapse)
    else:
        sep = graph.scope_separator
        names = [tuple(p for p in str(name).split(sep) if p) for name in collapse]
        keys = _box_keys(graph, [name for name in names if name], None)
    count = _unit_count(keys)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLarge(
            f"after collapsing, {count:,} boxes and nodes remain (the graph has {n:,}), more "
            f"than max_nodes={max_nodes:,}; collapse at a shallower depth or raise max_nodes"
        )
    return _plan(keys)
