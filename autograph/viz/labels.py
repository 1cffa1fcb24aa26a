"""What the pictures write and how: escaping, fonts, colours, the legend, op symbols, and the
name a person uses for a node (`+1`, `**2`, `log`: what its circle shows).

Every piece of user text reaches DOT through `escape_html` (HTML-like labels) or `quote`
(double-quoted strings); nothing a user wrote is ever a DOT identifier.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograph.viz.fmt import describe_array, format_data, format_number
from autograph.viz.model import Graph, Node

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
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sqrt": "√",
    "square": "x²",
    "log1p": "log1p",
    "expm1": "expm1",
    "leaky_relu": "LeakyReLU",
    "maximum": "maximum",
    "minimum": "minimum",
    "clip": "clip",
    "custom": "custom",  # (the adapter names a custom op's node by the op's own name)
}

# Binary ops whose constant operand is written into the operation's circle (`**2`, `+1`).
FOLDABLE_OPS = frozenset({"+", "-", "*", "/", "**"})

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
NOTE_COLOR = "#7f7f7f"  # what floating point would give, beside an exact number
EXPECTED_COLOR = "#e07b00"  # an edge whose gradient differs from the expected one
BOX_FILL = "#eef2fb"  # a collapsed scope
CURRENT_FILL = "#fff1a8"  # the node whose backward step a frame shows
HIDDEN = "transparent"  # frames draw not-yet-known numbers invisibly: the layout stays put

# |gradient| heatmap: blue (vanishing) through white (about 1) to red (exploding).
HEAT_STOPS = (1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4)


# -- escaping --------------------------------------------------------------------------


def escape_html(text: Any) -> str:
    """User text for a Graphviz HTML-like label: entities for & < > " ', <BR/> for newlines,
    each backslash doubled.

    Graphviz applies its escapes inside HTML-like labels too: `\\\\` is drawn as one
    backslash and `\\N` as the node's name, so every backslash is doubled. A line that is
    nothing but `]` is written as entities (Graphviz 2.43 rejects `<B>]</B>` and
    `<B>]]</B>` as syntax errors). Other control characters are dropped (Graphviz rejects
    them). Wherever the result could be empty, callers write a space instead (`label=<>`
    and `<B></B>` are syntax errors too).
    """
    s = str(text).translate(_HTML_ESCAPES)
    if "]" in s:
        lines = s.split("<BR/>")
        s = "<BR/>".join("&#93;" * len(t) if t and not t.strip("]") else t for t in lines)
    return s


# other control characters map to None: dropped
_HTML_ESCAPES = {c: None for c in [*range(32), 127]} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#39;",
    ord("\\"): "\\\\",
    ord("\n"): "<BR/>",
}


def html_text(text: Any) -> str:
    """`escape_html(text)`, or a space where that is empty: a whole HTML-like label."""
    return escape_html(text) or " "


def quote(text: Any) -> str:
    """User text as a DOT double-quoted string (backslashes, quotes and newlines escaped,
    other control characters dropped)."""
    return '"' + str(text).replace("\r\n", "\n").translate(_QUOTE_ESCAPES) + '"'


_QUOTE_ESCAPES = {c: None for c in [*range(32), 127]} | {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\n",
}


def font(text: str, color: str | None = None, size: int | None = None, bold: bool = False) -> str:
    """Already-escaped `text` in a FONT element (never empty: Graphviz rejects `<B></B>`)."""
    text = text or " "
    if bold:
        text = f"<B>{text}</B>"
    attrs = ""
    if color:
        attrs += f' COLOR="{color}"'
    if size:
        attrs += f' POINT-SIZE="{size}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def row(content: str, port: str | None = None) -> str:
    """One table row of one cell (`content` already escaped)."""
    return f"<TR><TD{f' PORT={chr(34)}{port}{chr(34)}' if port else ''}>{content or ' '}</TD></TR>"


def table(rows: str, border: int = 0, cellborder: int = 0, padding: int = 1) -> str:
    return (
        f'<TABLE BORDER="{border}" CELLBORDER="{cellborder}" CELLSPACING="0" '
        f'CELLPADDING="{padding}">{rows}</TABLE>'
    )


# -- colours ---------------------------------------------------------------------------


def magnitude(g: Any) -> float | None:
    """The largest |element| of a gradient, or None."""
    if g is None:
        return None
    if isinstance(g, int | float):  # most gradients of a scalar graph: no NumPy call
        return abs(float(g))
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
    m = magnitude(g)
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
    return f"legend [shape=plain fontsize=10 label=<{table(''.join(rows), 0, 1, 3)}>]"


# -- numbers ---------------------------------------------------------------------------


def value_lines(node: Node, data: Any, precision: int | None) -> str:
    """A node's data for a label (escaped): a number, or shape, dtype and values."""
    if node.kind == "value" or not isinstance(data, np.ndarray):
        return escape_html(format_data(data, precision)) if data is not None else "?"
    return (
        font(escape_html(describe_array(data)), NAME_COLOR, 9)
        + "<BR/>"
        + escape_html(format_data(data, precision))
    )


def grad_text(g: Any, precision: int | None) -> str:
    return escape_html(format_data(g, precision))


def float_note(exact: Any, approx: Any) -> str | None:
    """Escaped "float 3.3000000000000003" when floating point gives other digits than the
    exact number shows, else None."""
    if approx is None:
        return None
    text = format_data(approx, None)
    if text == format_data(exact, None):
        return None
    return font(escape_html(f"float {text}"), NOTE_COLOR, 9)


# -- names -----------------------------------------------------------------------------


def foldable(graph: Graph, fold_constants: bool) -> list[bool]:
    """Unlabelled one-number constants used only as one operand of + - × ÷ **: each is
    written into its operation's circle rather than drawn as a leaf."""
    nodes = graph.nodes
    if not fold_constants:
        return [False] * len(nodes)
    candidate = [
        n.is_leaf
        and not n.requires_grad
        and not n.label
        and (n.kind == "value" or np.size(n.data) == 1)
        and n.data is not None
        for n in nodes
    ]
    folded = []
    for k in range(len(nodes)):
        ok = candidate[k] and bool(graph.uses[k])
        for e in graph.uses[k] if ok else ():
            edge = graph.edges[e]
            c = edge.target
            ins = graph.inputs[c]
            other = graph.edges[ins[1 - edge.input]].source if len(ins) == 2 else None
            if nodes[c].op not in FOLDABLE_OPS or other is None or candidate[other]:
                ok = False
                break
        folded.append(ok)
    return folded


def folds(graph: Graph, folded: list[bool], precision: int | None) -> dict[int, tuple[int, str]]:
    """For each operation with a folded constant: (its argument position, its text)."""
    result: dict[int, tuple[int, str]] = {}
    for k, is_folded in enumerate(folded):
        if is_folded:
            data = graph.nodes[k].data
            text = format_data(np.asarray(data).reshape(()) if np.ndim(data) else data, precision)
            text = f"({text})" if text.startswith("-") else text
            for e in graph.uses[k]:
                result[graph.edges[e].target] = (graph.edges[e].input, text)
    return result


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
    axis = node.attrs.get("axis")
    if op in ("sum", "mean", "max") and axis is not None:
        return f"{sym} axis={','.join(str(a) for a in axis)}"
    return sym


def node_name(
    graph: Graph,
    k: int,
    fold_of: dict[int, tuple[int, str]] | None = None,
    precision: int | None = None,
) -> str:
    """How a person finds node k in the picture, with its value apart: a label as written;
    else the text of its circle and the value it puts on its outgoing edge (`+1 (= 2)`,
    `log (= 0)`; a tensor's shape: `ReLU (2×3)`); else a leaf's role and value
    (`constant (= 2)`). Never an internal id such as n3."""
    node = graph.nodes[k]
    if node.label:
        return node.label
    data = node.data
    if isinstance(data, np.ndarray) and data.size > 1:
        value = "×".join(map(str, data.shape))
    else:
        value = "= " + " ".join(format_data(data, precision).split())
    if node.op:
        return f"{op_text(node, (fold_of or {}).get(k))} ({value})"
    return f"{node.role} ({value})"


class Naming:
    """Folded constants and the names people read, for one graph at one precision: made once
    and shared (by the frames of a step-through), names computed on first use."""

    def __init__(self, graph: Graph, fold_constants: bool, precision: int | None) -> None:
        self.graph, self.precision = graph, precision
        self.folded = foldable(graph, fold_constants)
        self.fold_of = folds(graph, self.folded, precision)
        self._names: dict[int, str] = {}
        self._tips: dict[tuple[int, int], str] = {}

    def tooltip(self, k: int, to: int = -1) -> str:
        """Node k's name as a quoted tooltip, or with `to`, the edge's: `x → +1 (= 2)`."""
        key = (k, to)
        tip = self._tips.get(key)
        if tip is None:
            tip = self(k) if to < 0 else f"{self(k)} → {self(to)}"
            tip = self._tips[key] = quote(tip)
        return tip

    def __call__(self, k: int) -> str:
        """Node k as `node_name` says, e.g. `+1 (= 2)`."""
        name = self._names.get(k)
        if name is None:
            name = self._names[k] = node_name(self.graph, k, self.fold_of, self.precision)
        return name

    def circle(self, k: int) -> str:
        """The text in op node k's circle (`**2`)."""
        return op_text(self.graph.nodes[k], self.fold_of.get(k))

    def step(self, k: int) -> str:
        """A backward step's node: `z = **2` (label and circle) when labelled, else as
        `__call__`."""
        label = self.graph.nodes[k].label
        return f"{label} = {self.circle(k)}" if label else self(k)
