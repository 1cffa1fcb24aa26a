"""Graph -> DOT text: a pure function, no Graphviz needed (`render.py` draws the text).

The textbook style (the default) draws the figures of "Deep Learning from Scratch":

- an operation is a circle labelled `×`, `+`, `−`, `÷`, `exp`, `**2`, `σ`, ...; a number mixed
  into an operation (`x ** 2`, `x * -1`, `1 + x`) is written into the circle;
- values travel on the edges: the forward value (and the producing node's name, if it has
  one) above the edge's line, the gradient it carries backwards below it, in red;
- leaves (named on the left) enter from the left; the output leaves on the right carrying
  its seed gradient (1);
- with `local_derivatives=True` each edge also shows, in blue, the local derivative
  d(consumer)/d(this input) and the chain-rule product upstream × local = downstream;
- with `colors=True` leaves are filled by role (input, parameter, constant, output) and
  with `heatmap=True` operations are filled by |gradient| (blue: vanishing, red:
  exploding); either adds a legend.

The record style draws micrograd's boxes `{ label | data | grad }` with op nodes between.

Node `k` of `walk(root)` is always `n{k}` (never `id()`), the edge into input `i` of node
`c` is `e{c}_{i}` and the output edge is `e_out`, so the same graph gives byte-identical
DOT in every process. Every piece of user text is escaped. Nodes are grouped into clusters
by their `scope`; a graph larger than `max_nodes` is refused unless scopes are collapsed
into boxes (`collapse=`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from autograph.engine.node import Node
from autograph.viz.fmt import DEFAULT_PRECISION, describe_array, format_data, format_number
from autograph.viz.graph import (
    FOLDABLE_OPS,
    Gradients,
    Graph,
    StoredGradients,
    analyze,
    is_scalar,
    local_derivative,
)

# Latin text in DejaVu Sans (Korean fonts draw "\\" as the won sign "₩"); fontconfig falls
# back per glyph to the next family, so NanumGothic draws the Hangul in PNGs.
FONT = "DejaVu Sans,NanumGothic,Noto Sans CJK KR,sans-serif"

OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "**": "**",
    "neg": "−",
    "abs": "|·|",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "ReLU",
    "sum": "Σ",
    "dot": "w·x",
    "@": "@",
    "affine": "x·W + b",
    "mean": "mean",
    "max": "max",
    "reshape": "reshape",
    "transpose": "T",
    "getitem": "[ ]",
    "scatter": "scatter",
    "broadcast_to": "broadcast",
    "astype": "astype",
    "where": "where",
    "sum_to": "sum_to",
    "softmax": "softmax",
    "log_softmax": "log softmax",
    "softmax_cross_entropy": "softmax + CE",
}

ROLE_COLORS = {
    "input": "#cfe3ff",
    "parameter": "#cdeccd",
    "constant": "#e6e6e6",
    "output": "#ffe08a",
    "op": "#ffffff",
}
GRAD_COLOR = "#d62728"  # red, as in the textbook
LOCAL_COLOR = "#1f5fbf"
NAME_COLOR = "#555555"
CURRENT_FILL = "#fff1a8"  # the node whose backward step a frame shows
HIDDEN = "transparent"  # frames draw not-yet-known numbers invisibly: the layout stays put

# |gradient| heatmap: blue (vanishing) through white (about 1) to red (exploding).
HEAT_STOPS = (1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4)

Style = Literal["textbook", "record"]
Collapse = None | int | str | Sequence[str]


class GraphTooLarge(ValueError):
    """The graph has more nodes than `max_nodes`: drawing it would hang Graphviz."""


# -- escaping --------------------------------------------------------------------------


def escape_html(text: Any) -> str:
    """User text for a Graphviz HTML-like label: entities for & < > " ', <BR/> for newlines.

    Other control characters are dropped (Graphviz rejects them). Backslashes need nothing:
    HTML-like labels have no backslash escapes.
    """
    return str(text).translate(_HTML_ESCAPES)


# other control characters map to None: dropped
_HTML_ESCAPES = {c: None for c in [*range(32), 127]} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#39;",
    ord("\n"): "<BR/>",
}


def quote(text: Any) -> str:
    """User text as a DOT double-quoted string (backslashes, quotes and newlines escaped)."""
    s = str(text).replace("\\", "\\\\").replace('"', '\\"')
    s = s.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return '"' + "".join(ch for ch in s if ch >= " " and ch != "\x7f") + '"'


def font(text: str, color: str | None = None, size: int | None = None, bold: bool = False) -> str:
    """Already-escaped `text` in a FONT element."""
    if bold:
        text = f"<B>{text}</B>"
    attrs = ""
    if color:
        attrs += f' COLOR="{color}"'
    if size:
        attrs += f' POINT-SIZE="{size}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


# -- colours ---------------------------------------------------------------------------


def _magnitude(g: Any) -> float | None:
    if g is None:
        return None
    try:
        a = np.abs(np.asarray(g, dtype=float))
    except (TypeError, ValueError):
        return None
    if a.size == 0:
        return None
    return float(np.max(a))


def _mix(c1: tuple[int, int, int], c2: tuple[int, int, int], t: float) -> str:
    r, g, b = (round(a + (b - a) * t) for a, b in zip(c1, c2, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_color(g: Any) -> str | None:
    """Fill colour for |g|: blue at 1e-6 and below, white at 1, red at 1e4 and above."""
    m = _magnitude(g)
    if m is None or math.isnan(m):
        return None
    if m == 0:
        return "#9ecae1"
    t = min(max((math.log10(m) + 6) / 10, 0.0), 1.0)
    blue, white, red = (66, 113, 214), (255, 255, 255), (222, 45, 38)
    return _mix(blue, white, t / 0.6) if t <= 0.6 else _mix(white, red, (t - 0.6) / 0.4)


def legend_statement(roles: bool, heatmap: bool) -> str:
    """One table: a row of role colours and/or a row of |gradient| colours."""
    rows = []
    if roles:
        cells = "".join(
            f'<TD BGCOLOR="{ROLE_COLORS[role]}">{role}</TD>'
            for role in ("input", "parameter", "constant", "output")
        )
        rows.append(f"<TR><TD>role</TD>{cells}</TR>")
    if heatmap:
        cells = "".join(
            f'<TD BGCOLOR="{heat_color(stop)}">{format_number(stop)}</TD>'
            for stop in (0, *HEAT_STOPS)
        )
        rows.append(f"<TR><TD>|gradient|</TD>{cells}</TR>")
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>"
    )
    return f"legend [shape=plain fontsize=10 label=<{table}>]"


# -- labels ----------------------------------------------------------------------------


def _fold_text(node: Node, precision: int | None) -> str:
    text = format_data(node.data if is_scalar(node) else node.data.reshape(()), precision)
    return f"({text})" if text.startswith("-") else text


def op_text(node: Node, fold: tuple[int, str] | None = None) -> str:
    """The text in an operation's circle, with a folded constant (`**2`, `×(-1)`, `+1`)."""
    op = node.op
    sym = OP_SYMBOLS.get(op, op)
    if fold is not None:
        i, c = fold
        if op == "**":
            return f"**{c}" if i == 1 else f"{c}**"
        if op in ("*", "+"):
            return f"{sym}{c}"
        return f"{sym}{c}" if i == 1 else f"{c}{sym}"
    params = node.params
    if (
        op in ("sum", "mean", "max")
        and isinstance(params, tuple)
        and params
        and params[0] is not None
    ):
        return f"{sym} axis={','.join(str(a) for a in params[0])}"
    return sym


def value_lines(node: Node, precision: int | None) -> str:
    """A node's data for a label (escaped): a number, or shape, dtype and values."""
    if is_scalar(node):
        return escape_html(format_data(node.data, precision))
    return (
        font(escape_html(describe_array(node.data)), NAME_COLOR, 9)
        + "<BR/>"
        + escape_html(format_data(node.data, precision))
    )


def grad_text(g: Any, precision: int | None) -> str:
    return escape_html(format_data(g, precision))


# -- layout helpers --------------------------------------------------------------------


def _common_scope(a: str, b: str) -> str:
    if a == b:
        return a
    pa, pb = a.split("/") if a else [], b.split("/") if b else []
    common = []
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        common.append(x)
    return "/".join(common)


class _Out:
    """Statements grouped by scope, written as nested clusters at the end."""

    def __init__(self, clusters: bool) -> None:
        self.clusters = clusters
        self.by_scope: dict[str, list[str]] = {"": []}
        self.edges: list[str] = []

    def node(self, statement: str, scope: str = "") -> None:
        if not self.clusters:
            scope = ""
        if scope not in self.by_scope:
            # register ancestors first so that they come first in the output
            parts = scope.split("/")
            for depth in range(1, len(parts) + 1):
                self.by_scope.setdefault("/".join(parts[:depth]), [])
        self.by_scope[scope].append(statement)

    def edge(self, statement: str) -> None:
        self.edges.append(statement)

    def lines(self) -> list[str]:
        children: dict[str, list[str]] = {}
        for path in self.by_scope:
            if path:
                children.setdefault(path.rpartition("/")[0], []).append(path)
        number = {path: m for m, path in enumerate(p for p in self.by_scope if p)}
        lines: list[str] = []
        # iterative depth-first walk over the scope tree (scopes may nest deeply)
        stack: list[tuple[str, bool]] = [("", False)]
        while stack:
            path, closing = stack.pop()
            depth = path.count("/") + 1 if path else 0
            pad = "  " * (depth + 1)
            if closing:
                lines.append("  " * depth + "}")
                continue
            if path:
                name = path.rpartition("/")[2]
                lines.append("  " * depth + f"subgraph cluster_{number[path]} {{")
                lines.append(
                    f"{pad}label=<{font(escape_html(name), NAME_COLOR)}>; "
                    f'tooltip={quote(path)}; style="rounded,dashed"; '
                    f'color="#999999";'
                )
                stack.append((path, True))
            lines.extend(pad + s for s in self.by_scope[path])
            ordered = sorted(children.get(path, []), key=_natural_key)  # neuron2 < neuron10
            stack.extend((child, False) for child in reversed(ordered))
        lines.extend("  " + e for e in self.edges)
        return lines


def _natural_key(path: str) -> list[tuple[int, int | str]]:
    """Sort key that orders the numbers inside names by value ("layer2" < "layer10")."""
    return [
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", path) if part
    ]


# -- collapsing ------------------------------------------------------------------------


def _box_keys(graph: Graph, collapse: Collapse, depth: int | None) -> list[str | None]:
    """For each node the box (a scope path, or "(inputs)" ...) it is drawn in, or None."""
    names: list[str] = []
    if depth is None and collapse is not None and not isinstance(collapse, int | str):
        names = [str(n).strip("/") for n in collapse]
    keys: list[str | None] = []
    for k in range(len(graph.nodes)):
        s = graph.scope(k)
        key = None
        if s:
            if depth is not None:
                # every scoped node goes into the box of its scope cut to `depth` parts
                key = "/".join(s.split("/")[:depth])
            else:
                for name in names:
                    if s == name or s.startswith(name + "/"):
                        key = name
                        break
        keys.append(key)
    # Unscoped leaves that only feed boxes (a data set's inputs) share one box per role.
    for k, node in enumerate(graph.nodes):
        if (
            keys[k] is None
            and node.is_leaf
            and graph.uses[k]
            and all(keys[c] is not None for c, _ in graph.uses[k])
        ):
            keys[k] = f"({graph.roles[k]}s)"
    return keys


def _unit_count(keys: list[str | None]) -> int:
    boxes = {key for key in keys if key is not None}
    return len(boxes) + sum(1 for key in keys if key is None)


def _max_depth(graph: Graph) -> int:
    return max(
        (graph.scope(k).count("/") + 1 for k in range(len(graph.nodes)) if graph.scope(k)),
        default=0,
    )


def plan_collapse(
    graph: Graph, collapse: Collapse, max_nodes: int | None
) -> list[str | None] | None:
    """Which nodes go into which box (None: draw every node), or GraphTooLarge."""
    n = len(graph.nodes)
    hint = (
        "pass collapse='auto' (command line: --collapse auto) to draw each scope as one "
        "box, collapse=1 to draw each top-level scope as one box, or a larger max_nodes"
    )
    if collapse is None or collapse is False:
        if max_nodes is not None and n > max_nodes:
            raise GraphTooLarge(
                f"the graph has {n:,} nodes, more than max_nodes={max_nodes:,}: Graphviz "
                f"would take very long and the picture would be unreadable; {hint}"
            )
        return None
    if collapse == "auto":
        if max_nodes is None or n <= max_nodes:
            return None
        for depth in range(_max_depth(graph), 0, -1):
            keys = _box_keys(graph, None, depth)
            if _unit_count(keys) <= max_nodes:
                return keys
        keys = _box_keys(graph, None, 1) if _max_depth(graph) else [None] * n
        raise GraphTooLarge(
            f"the graph has {n:,} nodes and even with every scope collapsed "
            f"{_unit_count(keys):,} boxes and nodes remain, more than max_nodes={max_nodes:,}; "
            "build it inside `with autograph.scope(name):` blocks so that it can be grouped, "
            "or raise max_nodes"
        )
    if isinstance(collapse, str):
        collapse = [collapse]
    if isinstance(collapse, bool):
        collapse = 1
    if isinstance(collapse, int):
        if collapse < 1:
            raise ValueError("collapse depth must be at least 1")
        keys = _box_keys(graph, None, collapse)
    else:
        keys = _box_keys(graph, collapse, None)
    count = _unit_count(keys)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLarge(
            f"after collapsing, {count:,} boxes and nodes remain (the graph has {n:,}), more "
            f"than max_nodes={max_nodes:,}; collapse at a shallower depth or raise max_nodes"
        )
    return keys


# -- the drawing -----------------------------------------------------------------------


def to_dot(
    root: Node,
    *,
    style: Style = "textbook",
    local_derivatives: bool = False,
    show_grads: bool | None = None,
    precision: int | None = DEFAULT_PRECISION,
    roles: Mapping[Node, str] | None = None,
    colors: bool = False,
    heatmap: bool = False,
    clusters: bool = True,
    collapse: Collapse = None,
    max_nodes: int | None = 500,
    fold_constants: bool = True,
    title: str | None = None,
    gradients: Gradients | None = None,
    graph: Graph | None = None,
) -> str:
    """The DOT text of the graph that computed `root` (see the module docstring for marks).

    - `style`: "textbook" (values on edges) or "record" (micrograd's boxes).
    - `show_grads`: None shows gradients once `backward()` has run; `gradients` overrides
      where they come from (the frames of a step-through use this).
    - `precision`: significant digits of floats (None: every digit, e.g. 715.0000000000001).
    - `roles`: node -> "input" | "parameter" | "constant" | "output" | "op", overriding the
      default roles (see `graph.default_role`); used by `colors`.
    - `collapse`: None, "auto" (collapse scopes just enough to fit `max_nodes`), a depth
      (1: one box per top-level scope) or a list of scope paths to draw as boxes.
    - `max_nodes`: refuse (GraphTooLarge) rather than hand Graphviz a huge graph; None: no
      limit.

    >>> from autograph import Value
    >>> x = Value(3.0, label="x")
    >>> print(to_dot(x ** 2).splitlines()[0])
    digraph autograph {
    """
    if style not in ("textbook", "record"):
        raise ValueError(f"unknown style {style!r}; expected 'textbook' or 'record'")
    graph = graph if graph is not None else analyze(root, roles)
    grads = gradients if gradients is not None else StoredGradients(graph, show_grads)
    keys = plan_collapse(graph, collapse, max_nodes)

    lines = [
        "digraph autograph {",
        f'  graph [rankdir=LR fontname="{FONT}" nodesep=0.25 ranksep=0.3 '
        'bgcolor="white" newrank=true];',
        f'  node [fontname="{FONT}" fontsize=12];',
        f'  edge [fontname="{FONT}" fontsize=11 arrowsize=0.7];',
    ]
    if title:
        lines.append(f"  labelloc=t; label=<{escape_html(title)}>;")
    out = _Out(clusters)
    if keys is not None:
        _summary(graph, grads, keys, out, precision, colors, heatmap)
    elif style == "textbook":
        _textbook(graph, grads, out, precision, local_derivatives, colors, heatmap, fold_constants)
    else:
        _record(graph, grads, out, precision, local_derivatives, colors, heatmap)
    if colors or heatmap:
        out.node(legend_statement(colors, heatmap))
    lines.extend(out.lines())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _foldable(graph: Graph, fold_constants: bool) -> list[bool]:
    """Unlabelled one-number constants used only as one operand of + - × ÷ **."""
    if not fold_constants:
        return [False] * len(graph.nodes)
    candidate = []
    for node in graph.nodes:
        ok = (
            node.is_leaf
            and not node.requires_grad
            and not node.label
            and (is_scalar(node) or node.data.size == 1)
        )
        candidate.append(ok)
    folded = []
    for k in range(len(graph.nodes)):
        ok = candidate[k] and bool(graph.uses[k])
        if ok:
            for c, i in graph.uses[k]:
                ps = graph.parents[c]
                if graph.nodes[c].op not in FOLDABLE_OPS or len(ps) != 2 or candidate[ps[1 - i]]:
                    ok = False
                    break
        folded.append(ok)
    return folded


def _row(content: str, port: str | None = None) -> str:
    return f"<TR><TD{f' PORT={chr(34)}{port}{chr(34)}' if port else ''}>{content}</TD></TR>"


def _number_row(
    g: Any, placeholder: Any, color: str, precision: int | None, size: int | None = None
) -> str:
    """A gradient-like number; when unknown, the final number drawn invisibly (frames)."""
    if g is not None:
        return _row(font(grad_text(g, precision), color, size))
    if placeholder is not None:
        return _row(font(grad_text(placeholder, precision), HIDDEN, size))
    return ""


def _junction(
    name: str, value: str, g: Any, g_final: Any, precision: int | None, local_rows: str = ""
) -> str:
    rows = ""
    if name:
        rows += _row(font(escape_html(name), NAME_COLOR, 10))
    rows += _row(value)
    rows += '<TR><TD PORT="m" HEIGHT="1" BGCOLOR="black"></TD></TR>'
    if g is not None:
        rows += _row(font(grad_text(g, precision), GRAD_COLOR))
    elif g_final is not None:
        rows += _row(font(grad_text(g_final, precision), HIDDEN))
    else:
        rows += _row(" ")
    rows += local_rows
    return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + rows + "</TABLE>"


def _final(grads: Gradients) -> Gradients | None:
    return getattr(grads, "final", None)


def _local_rows(graph: Graph, grads: Gradients, c: int, i: int, precision: int | None) -> str:
    node = graph.nodes[c]
    local = local_derivative(node, i)
    if local is None:
        return ""
    final = _final(grads)
    text = escape_html(f"local {format_data(local, precision)}")
    rows = _row(font(text, LOCAL_COLOR, 10))
    up, down = grads.node(c), grads.edge(c, i)
    shown = up is not None and down is not None
    if not shown and final is not None:
        up, down = final.node(c), final.edge(c, i)
    if up is not None and down is not None:
        product = (
            f"{format_data(up, precision)} × {format_data(local, precision)} = "
            f"{format_data(down, precision)}"
        )
        rows += _row(font(escape_html(product), LOCAL_COLOR if shown else HIDDEN, 10))
    return rows


def _textbook(
    graph: Graph,
    grads: Gradients,
    out: _Out,
    precision: int | None,
    local_derivatives: bool,
    colors: bool,
    heatmap: bool,
    fold_constants: bool,
) -> None:
    nodes = graph.nodes
    folded = _foldable(graph, fold_constants)
    fold_of: dict[int, tuple[int, str]] = {}
    for k, is_folded in enumerate(folded):
        if is_folded:
            for c, i in graph.uses[k]:
                fold_of[c] = (i, _fold_text(nodes[k], precision))
    final = _final(grads)
    last = len(nodes) - 1
    for k, node in enumerate(nodes):
        if folded[k]:
            continue
        scope = graph.scope(k)
        tip = quote(f"n{k}: {node.label}" if node.label else f"n{k}")
        if node.is_leaf:
            if colors:
                text = escape_html(node.label or graph.roles[k])
                out.node(
                    f'n{k} [shape=box style="rounded,filled" '
                    f'fillcolor="{ROLE_COLORS[graph.roles[k]]}" label=<{text}> '
                    f"tooltip={tip}]",
                    scope,
                )
            elif node.label:
                out.node(
                    f"n{k} [shape=plaintext label=<{escape_html(node.label)}> tooltip={tip}]", scope
                )
            else:
                out.node(f"n{k} [shape=point width=0.06 tooltip={tip}]", scope)
            continue
        text = op_text(node, fold_of.get(k))
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
        fill = None
        if heatmap:
            fill = heat_color(grads.node(k))
        if grads.current == k:
            fill, attrs = CURRENT_FILL, attrs + ["penwidth=2.5"]
        if fill:
            attrs.append(f'style=filled fillcolor="{fill}"')
        out.node(f"n{k} [{' '.join(attrs)}]", scope)

    for c in range(len(nodes)):
        for i, p in enumerate(graph.parents[c]):
            if folded[p]:
                continue
            parent = nodes[p]
            name = parent.label if not parent.is_leaf else ""
            g = grads.edge(c, i)
            g_final = final.edge(c, i) if final is not None and g is None else None
            local = _local_rows(graph, grads, c, i, precision) if local_derivatives else ""
            # (no bold for the current step: frames must keep the same layout)
            table = _junction(name, value_lines(parent, precision), g, g_final, precision, local)
            j = f"e{c}_{i}"
            out.node(
                f"{j} [shape=plain label=<{table}>]", _common_scope(graph.scope(p), graph.scope(c))
            )
            out.edge(f"n{p} -> {j}:m:w [arrowhead=none]")
            out.edge(f"{j}:m:e -> n{c}")

    root = nodes[last]
    local = ""
    if local_derivatives and is_scalar(root) and grads.output() is not None:
        local = _row(font("seed", LOCAL_COLOR, 10))
    g = grads.output()
    table = _junction(root.label, value_lines(root, precision), g, None, precision, local)
    out.node(f"e_out [shape=plain label=<{table}>]")
    if colors:
        out.node(
            f'out [shape=box style="rounded,filled" fillcolor="{ROLE_COLORS["output"]}" '
            f"label=<{escape_html(root.label or 'output')}>]"
        )
    else:
        out.node('out [shape=plaintext label=""]')
    out.edge(f"n{last} -> e_out:m:w [arrowhead=none]")
    out.edge("e_out:m:e -> out")


def _record(
    graph: Graph,
    grads: Gradients,
    out: _Out,
    precision: int | None,
    local_derivatives: bool,
    colors: bool,
    heatmap: bool,
) -> None:
    nodes = graph.nodes
    final = _final(grads)
    for k, node in enumerate(nodes):
        scope = graph.scope(k)
        g = grads.node(k)
        if g is None and final is not None:
            grad_cell = (
                font(escape_html("grad " + format_data(final.node(k), precision)), HIDDEN)
                if final.node(k) is not None
                else "grad"
            )
        elif g is None:
            grad_cell = "grad"
        else:
            grad_cell = font(escape_html("grad " + format_data(g, precision)), GRAD_COLOR)
        data_cell = "data " + value_lines(node, precision)
        fill = ROLE_COLORS[graph.roles[k]] if colors else None
        grad_fill = heat_color(g) if heatmap else None
        label_cell = escape_html(node.label) if node.label else " "
        cells = [
            f"<TD{f' BGCOLOR={chr(34)}{fill}{chr(34)}' if fill else ''}>{label_cell}</TD>",
            f"<TD>{data_cell}</TD>",
            f"<TD{f' BGCOLOR={chr(34)}{grad_fill}{chr(34)}' if grad_fill else ''}>{grad_cell}</TD>",
        ]
        table = (
            '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"><TR>'
            + "".join(cells)
            + "</TR></TABLE>"
        )
        tip = quote(f"n{k}: {node.label}" if node.label else f"n{k}")
        out.node(f"n{k} [shape=plain label=<{table}> tooltip={tip}]", scope)
        if node.is_leaf:
            continue
        style = ""
        if grads.current == k:
            style = f' style=filled fillcolor="{CURRENT_FILL}" penwidth=2.5'
        out.node(f"n{k}_op [shape=ellipse label=<{escape_html(op_text(node))}>{style}]", scope)
        out.edge(f"n{k}_op -> n{k}")
        for i, p in enumerate(graph.parents[k]):
            label = ""
            if local_derivatives:
                local = local_derivative(node, i)
                if local is not None:
                    text = escape_html(f"local {format_data(local, precision)}")
                    label = f" [label=<{font(text, LOCAL_COLOR, 10)}>]"
            out.edge(f"n{p} -> n{k}_op{label}")


def _summary(
    graph: Graph,
    grads: Gradients,
    keys: list[str | None],
    out: _Out,
    precision: int | None,
    colors: bool,
    heatmap: bool,
) -> None:
    """A collapsed graph: one box per collapsed scope, the remaining nodes drawn compactly."""
    nodes = graph.nodes
    box_id: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    for k, key in enumerate(keys):
        if key is not None:
            members.setdefault(key, []).append(k)
    # boxes in natural order of their scope names (neuron2 before neuron10), which is also
    # the order Graphviz starts from when it places them
    members = dict(sorted(members.items(), key=lambda item: _natural_key(item[0])))
    box_id = {key: f"b{m}" for m, key in enumerate(members)}
    unit = [box_id[key] if key is not None else f"n{k}" for k, key in enumerate(keys)]

    for key, ks in members.items():
        ops: dict[str, int] = {}
        n_params = 0
        biggest = None
        for k in ks:
            node = nodes[k]
            if not node.is_leaf:
                sym = OP_SYMBOLS.get(node.op, node.op)
                ops[sym] = ops.get(sym, 0) + 1
            if graph.roles[k] == "parameter":
                n_params += 1
            m = _magnitude(grads.node(k)) if node.requires_grad else None
            if m is not None and not math.isnan(m):
                biggest = m if biggest is None else max(biggest, m)
        top = sorted(ops.items(), key=lambda item: (-item[1], item[0]))[:4]
        rows = [
            font(escape_html(key.rpartition("/")[2]), bold=True),
            escape_html(f"{len(ks):,} nodes" + (f", {n_params:,} parameters" if n_params else "")),
        ]
        if top:
            rows.append(escape_html(", ".join(f"{sym} {count:,}" for sym, count in top)))
        if biggest is not None:
            rows.append(font(escape_html(f"max |grad| {format_number(biggest, 4)}"), GRAD_COLOR))
        fill = heat_color(biggest) if heatmap and biggest is not None else "#eef2fb"
        scope = key.rpartition("/")[0] if not key.startswith("(") else ""
        out.node(
            f'{box_id[key]} [shape=box style="rounded,filled" fillcolor="{fill}" '
            f"label=<{'<BR/>'.join(rows)}> tooltip={quote(key)}]",
            scope,
        )

    for k, key in enumerate(keys):
        if key is not None:
            continue
        node = nodes[k]
        head = (
            escape_html(node.label)
            if node.label
            else (escape_html(op_text(node)) if not node.is_leaf else f"n{k}")
        )
        rows = [font(head, bold=True), value_lines(node, precision)]
        g = grads.node(k)
        if g is not None:
            rows.append(font(grad_text(g, precision), GRAD_COLOR))
        fill = ROLE_COLORS[graph.roles[k]] if colors else (heat_color(g) if heatmap else None)
        shape = "box" if node.is_leaf else "ellipse"
        style = f' style="rounded,filled" fillcolor="{fill}"' if fill else ' style="rounded"'
        out.node(f"n{k} [shape={shape}{style} label=<{'<BR/>'.join(rows)}>]", graph.scope(k))

    counts: dict[tuple[str, str], int] = {}
    for c in range(len(nodes)):
        for p in graph.parents[c]:
            a, b = unit[p], unit[c]
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
