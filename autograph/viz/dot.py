"""Graph -> DOT text: a pure function, no Graphviz needed (`render.py` draws the text).

The textbook style (the default, `textbook.py`) draws the figures of "Deep Learning from
Scratch":

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

The record style (`record.py`) draws micrograd's boxes `{ label | data | grad }` with op
nodes between. Collapsed scopes (`collapse.py` plans them, `summary.py` draws them) are
boxes in either style.

Node `k` of the model (for autograph: of `walk(root)`) is always `n{k}` (never `id()`), the
edge into input `i` of node `c` is `e{c}_{i}` and the output edge is `e_out`, so the same
graph gives byte-identical DOT in every process. Every piece of user text is escaped
(`labels.py`). Nodes are grouped into clusters by their scope; a graph larger than
`max_nodes` is refused unless scopes are collapsed into boxes (`collapse=`).
"""

from __future__ import annotations

import gc
from typing import Any

from autograph.viz.adapter import as_graph
from autograph.viz.clusters import Statements
from autograph.viz.collapse import GraphTooLarge, plan_collapse
from autograph.viz.labels import FONT, Naming, html_text, legend_statement
from autograph.viz.model import Graph
from autograph.viz.notices import warn_about
from autograph.viz.options import DrawOptions, make_options
from autograph.viz.record import draw_record
from autograph.viz.textbook import Textbook
from autograph.viz.view import GradView

__all__ = ["DrawOptions", "GraphTooLarge", "render_dot", "to_dot"]


def to_dot(root: Any, options: DrawOptions | None = None, **keywords: Any) -> str:
    """The DOT text of the graph that computed `root` (see the module docstring for marks).

    `root` is an autograph `Value`/`Tensor`, a model `Graph`, or anything with
    `__autograph_graph__()`. Options come as a `DrawOptions` and/or these keywords:

    - `style`: "textbook" (values on edges) or "record" (micrograd's boxes).
    - `local_derivatives`: write each edge's local derivative and upstream × local.
    - `show_grads`: None shows gradients once `backward()` has run (and warns when it has
      not); True shows them anyway (computed without storing), False never.
    - `precision`: significant digits of floats (None: every digit, e.g. 715.0000000000001).
    - `roles`: node -> "input" | "parameter" | "constant" | "output" | "op", overriding the
      default roles (see `adapter.default_role`); used by `colors`.
    - `colors`, `heatmap`: fill leaves by role, operations by |gradient|; adds a legend.
    - `clusters`: draw scopes as dashed clusters (default True).
    - `collapse`: None, "auto" (collapse scopes just enough to fit `max_nodes`), a depth
      (1: one box per top-level scope) or a list of scope paths to draw as boxes.
    - `max_nodes`: refuse (GraphTooLarge) rather than hand Graphviz a huge graph; None: no
      limit.
    - `fold_constants`: write `x ** 2`'s 2 into the circle (default True).
    - `title`: a caption above the picture. `rankdir`: "LR", or "TB" for the record style.
    - `shapes`: with `collapse`, an arrow between boxes that carries one tensor is labelled
      with its shape (`100×30×24×24`) instead of an edge count: a CNN drawn by layer.

    >>> from autograph import Value
    >>> x = Value(3.0, label="x")
    >>> print(to_dot(x ** 2, show_grads=False).splitlines()[0])
    digraph autograph {
    """
    opts = make_options(options, keywords)
    graph = as_graph(
        root,
        roles=opts.roles,
        show_grads=opts.show_grads,
        local_derivatives=opts.local_derivatives,
    )
    warn_about(graph, opts)
    return render_dot(graph, opts)


def render_dot(
    graph: Graph,
    opts: DrawOptions,
    view: GradView | None = None,
    title: str | None = None,
    naming: Naming | None = None,
) -> str:
    """The DOT text of a model: everything `to_dot` does after the adapter (no warnings).
    `view` picks the gradients shown (a frame's), `title` overrides `opts.title`, `naming`
    is shared by the frames of one graph."""
    enabled = gc.isenabled()
    gc.disable()  # many short-lived tuples and strings, no cycles: the collector only costs
    try:
        return _render(graph, opts, view, title, naming)
    finally:
        if enabled:
            gc.enable()


def _render(
    graph: Graph,
    opts: DrawOptions,
    view: GradView | None,
    title: str | None,
    naming: Naming | None,
) -> str:
    if view is None:
        view = GradView(graph, None, show=opts.show_grads is not False)
    plan = plan_collapse(graph, opts.collapse, opts.max_nodes)
    if plan is not None and not plan.boxes:
        plan = None  # nothing to collapse (no scopes): the picture is the uncollapsed one
    compound = " compound=true" if plan is not None and opts.clusters else ""
    lines = [
        "digraph autograph {",
        f'  graph [rankdir={opts.rankdir} fontname="{FONT}" nodesep=0.25 ranksep=0.3 '
        f'bgcolor="white" newrank=true{compound}];',
        f'  node [fontname="{FONT}" fontsize=12];',
        f'  edge [fontname="{FONT}" fontsize=11 arrowsize=0.7];',
    ]
    title = title if title is not None else opts.title
    if title:
        lines.append(f"  labelloc=t; label=<{html_text(title)}>;")
    out = Statements(opts.clusters, graph.scope_separator)
    if opts.style == "textbook":
        Textbook(graph, view, out, opts, plan, naming).draw()
    else:
        draw_record(graph, view, out, opts, plan)
    if opts.colors or opts.heatmap:
        out.node(legend_statement(opts.colors, opts.heatmap))
    lines.extend(out.lines())
    lines.append("}")
    return "\n".join(lines) + "\n"
