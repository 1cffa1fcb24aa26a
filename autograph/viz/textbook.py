"""The textbook style: the figures of "Deep Learning from Scratch", chapter 5.

An operation is a circle (`×`, `+`, `**2`, `σ`, ...); each edge passes through a junction,
a small table with the forward value above a black line and the gradient below it, in red;
the output leaves on the right carrying its seed. With `local_derivatives` each
junction also shows the local derivative and upstream × local = downstream, in blue. An edge
with an "expected" note whose gradient differs is drawn marked: got (red) and expected.

A leaf's total gradient (what `.grad` holds) is written under its name when it differs from
what its edges show: a leaf used twice, or gradients accumulated over several backward
passes. Collapsed scopes are boxes (`summary.py`); the one edge between a box and a node
still gets its junction, so values and gradients stay on the edges.
"""

from __future__ import annotations

from typing import Any

from autograph.viz.clusters import Scope, Statements
from autograph.viz.collapse import Plan
from autograph.viz.fmt import format_data
from autograph.viz.labels import (
    CURRENT_FILL,
    EXPECTED_COLOR,
    GRAD_COLOR,
    HIDDEN,
    LOCAL_COLOR,
    NAME_COLOR,
    ROLE_COLORS,
    Naming,
    escape_html,
    float_note,
    font,
    grad_text,
    heat_color,
    html_text,
    row,
    table,
    value_lines,
)
from autograph.viz.model import Graph, same_number
from autograph.viz.options import DrawOptions
from autograph.viz.summary import box_statements, unit_edges
from autograph.viz.view import GradView


def _common_scope(a: Scope, b: Scope) -> Scope:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def _total_row(g: Any, later: Any, precision: int | None) -> str:
    """A leaf's `grad <total>` row; when not known yet, the final one drawn invisibly."""
    if g is not None:
        return row(font(escape_html(f"grad {format_data(g, precision)}"), GRAD_COLOR, 10))
    if later is not None:
        return row(font(escape_html(f"grad {format_data(later, precision)}"), HIDDEN, 10))
    return ""


def shows_total(graph: Graph, view: GradView, k: int) -> bool:
    """Whether leaf k's total gradient differs from what its edges show (judged on the
    final gradients, so that every frame has the same layout)."""
    ref = view.final or view
    total = ref.node(k)
    uses = graph.uses[k]
    if total is None or not graph.nodes[k].requires_grad or not uses:
        return False
    return len(uses) > 1 or not same_number(total, ref.edge(uses[0]))


class Textbook:
    """Writes one graph in the textbook style into `out` (with `plan`: some scopes as boxes)."""

    def __init__(
        self,
        graph: Graph,
        view: GradView,
        out: Statements,
        opts: DrawOptions,
        plan: Plan | None = None,
        naming: Naming | None = None,
    ) -> None:
        self.graph, self.view, self.out, self.opts, self.plan = graph, view, out, opts, plan
        self.naming = naming or Naming(graph, opts.fold_constants, opts.precision)
        self.folded = self.naming.folded

    def draw(self) -> None:
        graph, plan = self.graph, self.plan
        for k in range(len(graph.nodes)):
            if not self.folded[k] and (plan is None or plan.box[k] is None):
                self.node(k)
        if plan is not None:
            box_statements(graph, plan, self.view, self.out, self.opts)
        for e, edge in enumerate(graph.edges):
            if self.folded[edge.source]:
                continue
            if plan is None or (plan.box[edge.source] is None and plan.box[edge.target] is None):
                self.junction_edge(e)
        if plan is not None:
            name = lambda k: f"n{k}"  # noqa: E731
            unit_edges(graph, plan, self.folded, self.out, self.opts, name, name, self.single)
        self.output()

    def unit(self, k: int) -> str:
        """The DOT name node k is drawn as: itself, or its box."""
        m = self.plan.box[k] if self.plan is not None else None
        return f"n{k}" if m is None else f"b{m}"

    def node(self, k: int) -> None:
        graph, view, opts = self.graph, self.view, self.opts
        node = graph.nodes[k]
        tip = self.naming.tooltip(k)
        if node.is_leaf:
            total = ""
            if shows_total(graph, view, k):
                g = view.node(k)
                total = _total_row(g, view.node_final(k) if g is None else None, opts.precision)
                note = float_note(g, node.notes.get("float_grad")) if g is not None else None
                total += row(note) if note else ""
            name = html_text(node.label or (node.role if opts.colors else ""))
            if opts.colors:
                label = table(row(name) + total) if total else name
                self.out.node(
                    f'n{k} [shape=box style="rounded,filled" '
                    f'fillcolor="{ROLE_COLORS[node.role]}" label=<{label}> tooltip={tip}]',
                    node.scope,
                )
            elif node.label or total:
                label = table(row(name) + total) if total else name
                self.out.node(f"n{k} [shape=plaintext label=<{label}> tooltip={tip}]", node.scope)
            else:
                self.out.node(f"n{k} [shape=point width=0.06 tooltip={tip}]", node.scope)
            return
        text = self.naming.circle(k)
        shape = "circle" if len(text) <= 4 else "ellipse"
        size = 16 if len(text) <= 2 else 12
        # ordering=in keeps the inputs top to bottom in argument order, so `b - a` never
        # reads as a - b (and orange sits above orange_num, as in the textbook)
        attrs = [
            f"shape={shape}",
            f"label=<{font(escape_html(text), size=size)}>",
            f"tooltip={tip}",
            "margin=0.02",
            'ordering="in"',
        ]
        fill = heat_color(view.node(k)) if opts.heatmap else None
        if view.current == k:
            fill, attrs = CURRENT_FILL, attrs + ["penwidth=2.5"]
        if fill:
            attrs.append(f'style=filled fillcolor="{fill}"')
        self.out.node(f"n{k} [{' '.join(attrs)}]", node.scope)

    def junction(
        self, e: int | None, name: str, producer: int, value: Any, g: Any, later: Any, extra: str
    ) -> str:
        """The table on an edge: a name, the value, the line, the gradient, notes."""
        graph, p = self.graph, self.opts.precision
        node = graph.nodes[producer]
        rows = row(font(escape_html(name), NAME_COLOR, 10)) if name else ""
        rows += row(value_lines(node, value, p))
        note = float_note(value, node.notes.get("float"))
        if note:
            rows += row(note)
        rows += '<TR><TD PORT="m" HEIGHT="1" BGCOLOR="black"></TD></TR>'
        expected = graph.edges[e].notes.get("expected") if e is not None else None
        wrong = expected is not None and g is not None and not same_number(g, expected)
        if g is not None:
            text = grad_text(g, p)
            rows += row(font(f"got {text}" if wrong else text, GRAD_COLOR, bold=wrong))
        elif later is not None:
            rows += row(font(grad_text(later, p), HIDDEN))
        else:
            rows += row(" ")
        if wrong:
            rows += row(font(f"expected {grad_text(expected, p)}", EXPECTED_COLOR, bold=True))
        if g is not None and e is not None:
            note = float_note(g, graph.edges[e].notes.get("float"))
            if note:
                rows += row(note)
        return table(rows + extra)

    def local_rows(self, e: int) -> str:
        view, p = self.view, self.opts.precision
        local = view.local(e)
        if local is None:
            return ""
        target = self.graph.edges[e].target
        rows = row(font(escape_html(f"local {format_data(local, p)}"), LOCAL_COLOR, 10))
        up, down = view.node(target), view.edge(e)
        shown = up is not None and down is not None
        if not shown and view.final is not None:
            up, down = view.final.node(target), view.final.edge(e)
        if up is not None and down is not None:
            product = f"{format_data(up, p)} × {format_data(local, p)} = {format_data(down, p)}"
            rows += row(font(escape_html(product), LOCAL_COLOR if shown else HIDDEN, 10))
        return rows

    def junction_edge(self, e: int) -> None:
        graph, view = self.graph, self.view
        edge = graph.edges[e]
        p, c = edge.source, edge.target
        g = view.edge(e)
        later = view.edge_final(e) if g is None else None
        src = graph.nodes[p]
        name = src.label if not src.is_leaf else ""
        local = self.local_rows(e) if self.opts.local_derivatives else ""
        label = self.junction(e, name, p, graph.carried(e), g, later, local)
        j = f"e{c}_{edge.input}"
        dst = graph.nodes[c]
        expected = edge.notes.get("expected")
        wrong = expected is not None and g is not None and not same_number(g, expected)
        color = f' color="{EXPECTED_COLOR}" penwidth=2.5' if wrong else ""
        tip = self.naming.tooltip(p, c)
        self.out.node(
            f"{j} [shape=plain label=<{label}> tooltip={tip}]",
            _common_scope(src.scope, dst.scope),
        )
        self.out.edge(f"{self.unit(p)} -> {j}:m:w [arrowhead=none{color}]")
        self.out.edge(f"{j}:m:e -> {self.unit(c)}{f' [{color.strip()}]' if color else ''}")

    def single(self, e: int) -> bool:
        """The one edge between a node and a box: a junction, as between nodes."""
        self.junction_edge(e)
        return True

    def output(self) -> None:
        graph, view, opts = self.graph, self.view, self.opts
        last = graph.root
        root = graph.nodes[last]
        g = view.output()
        local = ""
        if opts.local_derivatives and root.kind == "value" and g is not None:
            local = row(font("seed", LOCAL_COLOR, 10))
        label = self.junction(None, root.label, last, root.data, g, None, local)
        self.out.node(f'e_out [shape=plain label=<{label}> tooltip="output"]')
        if opts.colors:
            self.out.node(
                f'out [shape=box style="rounded,filled" fillcolor="{ROLE_COLORS["output"]}" '
                f'label=<{html_text(root.label or "output")}> tooltip="output"]'
            )
        else:
            self.out.node('out [shape=plaintext label="" tooltip="output"]')
        self.out.edge(f"{self.unit(last)} -> e_out:m:w [arrowhead=none]")
        self.out.edge("e_out:m:e -> out")
