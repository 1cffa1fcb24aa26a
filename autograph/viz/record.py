"""The record style: micrograd's boxes `label | data | grad`, each operation an oval between
its inputs and its result. With `local_derivatives`, an input's arrow is labelled with the
local derivative d(op)/d(input) (inputs that need no gradient, such as the constant exponent
of `x ** 2`, have none). Collapsed scopes are boxes (`summary.py`).
"""

from __future__ import annotations

from autograph.viz.clusters import Statements
from autograph.viz.collapse import Plan
from autograph.viz.fmt import format_data
from autograph.viz.labels import (
    CURRENT_FILL,
    GRAD_COLOR,
    HIDDEN,
    LOCAL_COLOR,
    ROLE_COLORS,
    escape_html,
    float_note,
    font,
    heat_color,
    html_text,
    node_name,
    op_text,
    quote,
    value_lines,
)
from autograph.viz.model import Graph
from autograph.viz.options import DrawOptions
from autograph.viz.summary import box_statements, unit_edges
from autograph.viz.view import GradView


def _cell(content: str, fill: str | None = None) -> str:
    return f"<TD{f' BGCOLOR={chr(34)}{fill}{chr(34)}' if fill else ''}>{content or ' '}</TD>"


def draw_record(
    graph: Graph, view: GradView, out: Statements, opts: DrawOptions, plan: Plan | None = None
) -> None:
    nodes, p = graph.nodes, opts.precision
    for k, node in enumerate(nodes):
        if plan is not None and plan.box[k] is not None:
            continue
        g = view.node(k)
        if g is not None:
            grad_cell = font(escape_html("grad " + format_data(g, p)), GRAD_COLOR)
            note = float_note(g, node.notes.get("float_grad"))
            grad_cell += "<BR/>" + note if note else ""
        elif view.node_final(k) is not None:
            grad_cell = font(escape_html("grad " + format_data(view.node_final(k), p)), HIDDEN)
        else:
            grad_cell = "grad"
        data_cell = "data " + value_lines(node, node.data, p)
        note = float_note(node.data, node.notes.get("float"))
        if note:
            data_cell += "<BR/>" + note
        cells = [
            _cell(escape_html(node.label), ROLE_COLORS[node.role] if opts.colors else None),
            _cell(data_cell),
            _cell(grad_cell, heat_color(g) if opts.heatmap else None),
        ]
        table = (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"><TR>'
            + "".join(cells)
            + "</TR></TABLE>"
        )
        tip = quote(node_name(graph, k, None, p))
        out.node(f"n{k} [shape=plain label=<{table}> tooltip={tip}]", node.scope)
        if node.is_leaf:
            continue
        style = ""
        if view.current == k:
            style = f' style=filled fillcolor="{CURRENT_FILL}" penwidth=2.5'
        out.node(
            f"n{k}_op [shape=ellipse label=<{html_text(op_text(node))}> tooltip={tip}{style}]",
            node.scope,
        )
        out.edge(f"n{k}_op -> n{k}")
        for e in graph.inputs[k]:
            source = graph.edges[e].source
            if plan is not None and plan.box[source] is not None:
                continue  # from a box: drawn with the other arrows between units
            label = ""
            local = view.local(e) if opts.local_derivatives else None
            if local is not None:
                text = escape_html(f"local {format_data(local, p)}")
                label = f" [label=<{font(text, LOCAL_COLOR, 10)}>]"
            out.edge(f"n{source} -> n{k}_op{label}")
    if plan is not None:
        box_statements(graph, plan, view, out, opts)
        no_folds = [False] * len(nodes)
        unit_edges(graph, plan, no_folds, out, opts, lambda k: f"n{k}", lambda k: f"n{k}_op")
