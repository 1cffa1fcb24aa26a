"""A collapsed graph: one box per collapsed scope, the remaining nodes drawn compactly.

A box shows the scope's name, its node and parameter counts, its most frequent operations
and its largest |gradient|; the edges between two units (a box or a node) become one arrow,
counted.
"""

from __future__ import annotations

import math

from autograph.viz.clusters import Statements
from autograph.viz.collapse import Plan
from autograph.viz.fmt import format_number
from autograph.viz.labels import (
    BOX_FILL,
    GRAD_COLOR,
    OP_SYMBOLS,
    ROLE_COLORS,
    escape_html,
    font,
    grad_text,
    heat_color,
    magnitude,
    op_text,
    quote,
    value_lines,
)
from autograph.viz.model import Graph
from autograph.viz.options import DrawOptions
from autograph.viz.view import GradView


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
            escape_html(f"{len(ks):,} nodes" + (f", {n_params:,} parameters" if n_params else "")),
        ]
        if top:
            rows.append(escape_html(", ".join(f"{sym} {count:,}" for sym, count in top)))
        if biggest is not None:
            rows.append(font(escape_html(f"max |grad| {format_number(biggest, 4)}"), GRAD_COLOR))
        fill = heat_color(biggest) if opts.heatmap and biggest is not None else BOX_FILL
        path = graph.scope_separator.join(box.path) if box.path else box.name
        out.node(
            f'b{m} [shape=box style="rounded,filled" fillcolor="{fill}" '
            f"label=<{'<BR/>'.join(rows)}> tooltip={quote(path)}]",
            box.cluster,
        )


def draw_summary(
    graph: Graph, plan: Plan, view: GradView, out: Statements, opts: DrawOptions
) -> None:
    """A collapsed graph: the boxes, the remaining nodes drawn compactly, and the edges
    between them (counted)."""
    box_statements(graph, plan, view, out, opts)
    p = opts.precision
    for k, node in enumerate(graph.nodes):
        if plan.box[k] is not None:
            continue
        head = (
            escape_html(node.label)
            if node.label
            else (escape_html(op_text(node)) if not node.is_leaf else f"n{k}")
        )
        rows = [font(head, bold=True), value_lines(node, node.data, p)]
        g = view.node(k)
        if g is not None:
            rows.append(font(grad_text(g, p), GRAD_COLOR))
        fill = ROLE_COLORS[node.role] if opts.colors else (heat_color(g) if opts.heatmap else None)
        shape = "box" if node.is_leaf else "ellipse"
        style = f' style="rounded,filled" fillcolor="{fill}"' if fill else ' style="rounded"'
        out.node(f"n{k} [shape={shape}{style} label=<{'<BR/>'.join(rows)}>]", node.scope)
    unit = [f"n{k}" if m is None else f"b{m}" for k, m in enumerate(plan.box)]
    counts: dict[tuple[str, str], int] = {}
    for edge in graph.edges:
        a, b = unit[edge.source], unit[edge.target]
        if a != b:
            counts[(a, b)] = counts.get((a, b), 0) + 1
    # Counts as labels only while there are few arrows; otherwise they would bury the
    # picture (a dense layer has n×m arrows), so they go in the tooltip.
    labelled = len(counts) <= 40
    for (a, b), count in counts.items():
        if count == 1:
            out.edge(f"{a} -> {b}")
            continue
        width = 1 + min(2.0, 0.5 * math.log10(count))
        text = f"{count:,} edges"
        label = f' label="{text}"' if labelled else ""
        out.edge(f'{a} -> {b} [tooltip="{text}"{label} penwidth={width:.2f}]')
