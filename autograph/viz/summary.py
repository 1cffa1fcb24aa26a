"""Collapsed scopes in either style: one box per scope, and the arrows between the boxes and
the nodes still drawn.

A box shows the scope's name, its node and parameter counts, its most frequent operations
and its largest |gradient|. The edges between two units (a box or a node) become one arrow
with their count (the style draws the single edge between a node and a box its own way).
Arrows between boxes in two different clusters (a layer's neurons to the next layer's)
become one arrow between the clusters, with the count; the individual pairs stay as
invisible edges where Graphviz needs them to rank the boxes. The boxes of a cluster that
has no edge inside (a layer's neurons) share one rank, held in natural order (neuron0 on
top) by an invisible chain. An arrow to or from a box inside a cluster ends at the
cluster's border, so it never crosses a title.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograph.viz.clusters import Scope, Statements
from autograph.viz.collapse import Plan
from autograph.viz.fmt import format_number
from autograph.viz.labels import (
    BOX_FILL,
    CURRENT_FILL,
    GRAD_COLOR,
    OP_SYMBOLS,
    escape_html,
    font,
    heat_color,
    magnitude,
    quote,
)
from autograph.viz.model import Graph
from autograph.viz.options import DrawOptions
from autograph.viz.view import GradView

Unit = tuple[str, int]  # ("b", box index) or ("n", node index)
End = tuple[str, Any]  # a unit, or ("c", scope): a cluster's border


def box_statements(
    graph: Graph, plan: Plan, view: GradView, out: Statements, opts: DrawOptions
) -> None:
    """One statement per box, in the cluster of its scope's parent."""
    nodes = graph.nodes
    for m, (box, ks) in enumerate(zip(plan.boxes, plan.members, strict=True)):
        ops: dict[str, int] = {}
        n_params = 0
        biggest = None
        for k in ks:
            node = nodes[k]
            if not node.is_leaf:
                sym = OP_SYMBOLS.get(node.op, node.op)
                ops[sym] = ops.get(sym, 0) + 1
            if node.role == "parameter":
                n_params += 1
            g = magnitude(view.node(k)) if node.requires_grad else None
            if g is not None and not math.isnan(g):
                biggest = g if biggest is None else max(biggest, g)
        top = sorted(ops.items(), key=lambda item: (-item[1], item[0]))[:4]
        rows = [
            font(escape_html(box.name), bold=True),
            escape_html(
                counted(len(ks), "node")
                + (f", {counted(n_params, 'parameter')}" if n_params else "")
            ),
        ]
        if top:
            rows.append(escape_html(", ".join(f"{sym} {count:,}" for sym, count in top)))
        if biggest is not None:
            rows.append(font(escape_html(f"max |grad| {format_number(biggest, 4)}"), GRAD_COLOR))
        fill = heat_color(biggest) if opts.heatmap and biggest is not None else BOX_FILL
        if view.current is not None and view.current in ks:
            fill = CURRENT_FILL  # a frame whose step happens inside the box
        path = graph.scope_separator.join(box.path) if box.path else box.name
        out.node(
            f'b{m} [shape=box style="rounded,filled" fillcolor="{fill}" margin="0.12,0.06" '
            f"label=<{'<BR/>'.join(rows)}> tooltip={quote(path)}]",
            box.cluster,
        )


def crossing_groups(
    graph: Graph, plan: Plan, folded: list[bool]
) -> dict[tuple[Unit, Unit], list[int]]:
    """The edges between two different units of which at least one is a box, by unit pair,
    in the order of their units (boxes in natural order, then nodes)."""
    groups: dict[tuple[Unit, Unit], list[int]] = {}
    box = plan.box
    for e, edge in enumerate(graph.edges):  # most edges of a big graph are inside a box
        s, t = edge.source, edge.target
        ms, mt = box[s], box[t]
        if ms == mt or folded[s]:  # inside one box, or between two nodes
            continue
        a = ("n", s) if ms is None else ("b", ms)
        b = ("n", t) if mt is None else ("b", mt)
        groups.setdefault((a, b), []).append(e)
    return dict(sorted(groups.items()))


def _end(graph: Graph, plan: Plan, unit: Unit, other: Unit, clusters: bool) -> End:
    """Where an arrow from/to `unit` ends: at the border of the cluster a box is drawn in
    (`("c", scope)`) when the other end lies outside that cluster, else at the unit."""
    if clusters and unit[0] == "b":
        mine = plan.boxes[unit[1]].cluster
        theirs = plan.boxes[other[1]].cluster if other[0] == "b" else graph.nodes[other[1]].scope
        nested = (
            bool(theirs)
            and (  # one cluster inside the other: no border to stop at
                theirs[: len(mine)] == mine or mine[: len(theirs)] == theirs
            )
        )
        if mine and not nested:
            return ("c", mine)
    return unit


def _flat_clusters(
    graph: Graph, plan: Plan, groups: dict[tuple[Unit, Unit], list[int]]
) -> dict[Scope, list[int]]:
    """Clusters whose boxes are parallel (a layer's neurons): at least two boxes, and no edge
    between two units inside the cluster. Such boxes share a rank, in natural order."""
    boxes: dict[Scope, list[int]] = {}
    for m, box in enumerate(plan.boxes):
        if box.cluster:
            boxes.setdefault(box.cluster, []).append(m)

    def inside(unit: Unit, cluster: Scope) -> bool:
        scope = plan.boxes[unit[1]].cluster if unit[0] == "b" else graph.nodes[unit[1]].scope
        return scope[: len(cluster)] == cluster

    flat = {c: ms for c, ms in boxes.items() if len(ms) > 1}
    for a, b in groups:
        for cluster in [c for c in flat if inside(a, c) and inside(b, c)]:
            del flat[cluster]
    return flat


def unit_edges(
    graph: Graph,
    plan: Plan,
    folded: list[bool],
    out: Statements,
    opts: DrawOptions,
    tail: Callable[[int], str],
    head: Callable[[int], str],
    single: Callable[[int], bool] | None = None,
) -> None:
    """The arrows between units. `tail(k)`/`head(k)`: a node's DOT name as an arrow's start
    or end; `single(e)` draws the one edge between a node and a box in the style's own way
    (returning False leaves it to a plain arrow)."""

    def name(unit: Unit, as_head: bool) -> str:
        if unit[0] == "b":
            return f"b{unit[1]}"
        return head(unit[1]) if as_head else tail(unit[1])

    groups = crossing_groups(graph, plan, folded)
    flat = _flat_clusters(graph, plan, groups) if opts.clusters else {}
    for cluster, ms in flat.items():
        # one rank, and an invisible chain that keeps them in order: neuron0 on top (a
        # chain runs bottom to top when the ranks run left to right)
        out.node(f"{{rank=same; {'; '.join(f'b{m}' for m in ms)}}}", cluster)
        chain = ms[::-1] if opts.rankdir == "LR" else ms
        out.edge(f"{' -> '.join(f'b{m}' for m in chain)} [style=invis]")
    bundles: dict[tuple[End, End], list[tuple[Unit, Unit, int]]] = {}
    sources: dict[tuple[End, End], set[int]] = {}  # the nodes whose values the arrow carries
    for (a, b), es in groups.items():
        nodes_end = a[0] == "n" or b[0] == "n"  # between two boxes: always a plain arrow
        if len(es) == 1 and nodes_end and single is not None and single(es[0]):
            continue
        key = (_end(graph, plan, a, b, opts.clusters), _end(graph, plan, b, a, opts.clusters))
        bundles.setdefault(key, []).append((a, b, len(es)))
        sources.setdefault(key, set()).update(graph.edges[e].source for e in es)
    labelled = len(bundles) <= 40  # counts as labels only while there are few arrows
    for (t_end, h_end), pairs in bundles.items():
        count = sum(c for _, _, c in pairs)
        text = f"{count:,} edges"
        attrs = []
        shape = None
        if opts.shapes and labelled:
            shape = _carried_shape(graph, sources[(t_end, h_end)])
        if count > 1:
            width = 1 + min(2.0, 0.5 * math.log10(count))
            attrs += [f'tooltip="{text}"', f"penwidth={width:.2f}"]
        if shape is not None:  # one tensor: its shape says more than a count
            attrs.append(f'label="{shape}"')
        elif labelled and count > 1:
            attrs.append(f'label="{text}"')
        tails = sorted({a for a, _, _ in pairs})
        heads = sorted({b for _, b, _ in pairs})
        t_unit, h_unit = tails[len(tails) // 2], heads[len(heads) // 2]
        loose = [
            len(units) > 1 and end[0] == "c" and end[1] not in flat
            for end, units in ((t_end, tails), (h_end, heads))
        ]
        if any(loose):
            for a, b, _ in pairs:  # several boxes not held in one rank: rank each pair
                if (a, b) != (t_unit, h_unit):
                    out.edge(f"{name(a, False)} -> {name(b, True)} [style=invis]")
        if t_end[0] == "c":
            attrs.append(f"ltail={out.cluster_id(t_end[1])}")
        if h_end[0] == "c":
            attrs.append(f"lhead={out.cluster_id(h_end[1])}")
        suffix = f" [{' '.join(attrs)}]" if attrs else ""
        out.edge(f"{name(t_unit, False)} -> {name(h_unit, True)}{suffix}")


def _carried_shape(graph: Graph, sources: set[int]) -> str | None:
    """`100×30×24×24` when an arrow carries one tensor (a CNN drawn by layer shows how the
    activations change shape), else None."""
    if len(sources) != 1:
        return None
    node = graph.nodes[next(iter(sources))]
    if node.kind != "tensor" or not node.shape:
        return None
    return "×".join(str(size) for size in node.shape)


def counted(n: int, noun: str) -> str:
    """`n` and `noun`, plural unless n is 1: "1 node", "2,954 nodes"."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
