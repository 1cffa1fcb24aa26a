"""The live panel's graph: one Graphviz layout of a collapsed graph, recoloured per step.

Running `dot` for every refresh of a training panel would cost tens of milliseconds to
seconds each time, so `PanelGraph` lays the collapsed graph out once (`draw(graph,
collapse=1, heatmap=True)`) and marks the SVG elements that change while the net learns:
each unit (a collapsed box `b{m}`, or a node still drawn `n{k}`) gets ids on its fill, its
gradient text (red) and, for a one-number node such as the loss, its value text. A step's
`UnitState`s (computed from that step's graph model, which has the same structure) then
recolour the same picture: in Python (`PanelGraph.render`, the notebook) or in the page's
script (the live page and the replay file, which set the ids' attributes).

>>> from autograph import Value
>>> from autograph.viz.adapter import as_graph
>>> x = Value(2.0, label="x")
>>> y = x * 3
>>> y.backward()
>>> graph = as_graph(y)
>>> [state.grad for state in unit_states(graph, plan_units(graph, None)[1])]
['3', None, '1']
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograph.viz.collapse import Plan, plan_collapse
from autograph.viz.fmt import DEFAULT_PRECISION, format_data, format_number
from autograph.viz.labels import BOX_FILL, GRAD_COLOR, heat_color, magnitude
from autograph.viz.model import Graph
from autograph.viz.options import Collapse

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
_TAG = f"{{{SVG_NS}}}"
_SHAPES = {f"{_TAG}path", f"{_TAG}polygon", f"{_TAG}ellipse", f"{_TAG}rect"}
_KEPT = re.compile(r"[\d,]+ edges?$|\(.*\) \w+$")  # a count, a shape and dtype
NO_FILL = "#ffffff"  # a node without a gradient: drawn unfilled, white on the page


@dataclass(frozen=True)
class Unit:
    """One thing drawn: a collapsed box (`name` "b3") or a node drawn on its own ("n8")."""

    name: str
    members: tuple[int, ...]  # the model's node indices it stands for
    box: bool


@dataclass(frozen=True)
class UnitState:
    """How one unit looks at one step: its fill, its gradient text and (one-number nodes)
    its value text; None: unchanged from the layout."""

    fill: str
    grad: str | None
    value: str | None

    def as_list(self) -> list[str | None]:
        return [self.fill, self.grad, self.value]


def plan_units(graph: Graph, collapse: Collapse) -> tuple[Plan | None, list[Unit]]:
    """The units of `graph` collapsed at `collapse` (the renderer's own plan): boxes in
    the plan's order, then the nodes drawn on their own."""
    plan = plan_collapse(graph, collapse, None) if collapse is not None else None
    if plan is None:
        return None, [Unit(f"n{k}", (k,), False) for k in range(len(graph.nodes))]
    units = [Unit(f"b{m}", tuple(ks), True) for m, ks in enumerate(plan.members)]
    units += [Unit(f"n{k}", (k,), False) for k, m in enumerate(plan.box) if m is None]
    if plan.box[graph.root] is not None:  # an output inside a box: its value may be drawn
        units.append(Unit(f"r{graph.root}", (graph.root,), False))  # on an arrow of its own
    return plan, units


def signature(graph: Graph) -> tuple[Any, ...]:
    """What must not change for a layout to fit another step's graph: ops, scopes, roles,
    shapes and edges."""
    nodes = tuple((n.op, n.scope, n.role, n.shape) for n in graph.nodes)
    return nodes, tuple((e.source, e.target) for e in graph.edges)


def _largest(g: Any) -> float | None:
    """The largest |element| of a gradient (as `labels.magnitude`), without copying a float
    array: two reductions instead of an absolute value and a float64 copy."""
    if isinstance(g, np.ndarray) and g.dtype.kind == "f" and g.size:
        return float(max(g.max(), -g.min()))
    return magnitude(g)


def _one_number(data: Any) -> bool:
    return isinstance(data, int | float) or (isinstance(data, np.ndarray) and data.size == 1)


def unit_states(
    graph: Graph, units: Sequence[Unit], precision: int | None = DEFAULT_PRECISION
) -> list[UnitState]:
    """Each unit's look for this graph's gradients: a box is coloured by the largest
    |gradient| among its nodes (as the renderer colours it), a node by its own."""
    states = []
    nodes = graph.nodes
    for unit in units:
        if unit.box:
            biggest = None
            for k in unit.members:
                g = _largest(nodes[k].grad) if nodes[k].requires_grad else None
                if g is not None and not math.isnan(g):
                    biggest = g if biggest is None else max(biggest, g)
            fill = heat_color(biggest) if biggest is not None else BOX_FILL
            text = format_number(biggest, 4) if biggest is not None else None
            states.append(UnitState(fill or BOX_FILL, text, None))
            continue
        node = nodes[unit.members[0]]
        g = node.grad if node.requires_grad else None
        value = format_data(node.data, precision) if _one_number(node.data) else None
        grad = format_data(g, precision) if g is not None and _one_number(g) else None
        states.append(UnitState(heat_color(g) or NO_FILL, grad, value))
    return states


class PanelGraph:
    """One layout of `graph` collapsed at `collapse`, with ids `{prefix}fill-j`,
    `{prefix}grad-j` and `{prefix}value-j` on what changes per step (j: the unit's index).

    Laying out runs Graphviz once (GraphvizNotFound or GraphTooLarge as `draw` raises).
    """

    def __init__(
        self,
        graph: Graph,
        *,
        collapse: Collapse = 1,
        prefix: str = "L0-",
        precision: int | None = DEFAULT_PRECISION,
    ) -> None:
        from autograph.viz.render import draw

        self.collapse, self.prefix, self.precision = collapse, prefix, precision
        self.signature = signature(graph)
        self.plan, self.units = plan_units(graph, collapse)
        first = unit_states(graph, self.units, precision)
        svg = draw(graph, collapse=collapse, heatmap=True, precision=precision).svg()
        self._root = ET.fromstring(svg)
        self._root.set("style", "max-width:100%;height:auto")  # fits a notebook's column
        self._elements: list[dict[str, ET.Element]] = [{} for _ in self.units]
        self._prefixes: list[str] = ["" for _ in self.units]
        self._mark(first)
        self.svg = ET.tostring(self._root, encoding="unicode")

    def fits(self, graph: Graph) -> bool:
        """Whether another step's graph has the same structure (so this layout shows it)."""
        return signature(graph) == self.signature

    def states(self, graph: Graph) -> list[UnitState]:
        return unit_states(graph, self.units, self.precision)

    def _mark(self, first: list[UnitState]) -> None:
        index = {unit.name: j for j, unit in enumerate(self.units)}
        others: list[ET.Element] = []  # drawn beside the units (e.g. the output's edge)
        for g in self._root.iter(f"{_TAG}g"):
            title = g.find(f"{_TAG}title")
            if g.get("class") != "node" or title is None:
                continue
            if title.text not in index:
                others.append(g)
                continue
            j = index[title.text]
            state, found = first[j], self._elements[j]
            for element in g.iter():
                fill = element.get("fill")
                if element.tag in _SHAPES and "fill" not in found and fill not in (None, "none"):
                    found["fill"] = element
                elif element.tag == f"{_TAG}text":
                    self._match_text(j, element, state, found)
            if "fill" not in found:  # an unfilled node: give it one to recolour
                shape = next((e for e in g.iter() if e.tag in _SHAPES), None)
                if shape is not None:
                    found["fill"] = shape
        # a style may write a node's value and gradient outside its shape (the textbook
        # style draws the output's above and below an arrow of its own)
        for j, (unit, state) in enumerate(zip(self.units, first, strict=True)):
            found = self._elements[j]
            if unit.box or ("value" in found or state.value is None):
                continue
            for g in others:
                for element in g.iter(f"{_TAG}text"):
                    self._match_text(j, element, state, found, exact=True)
        # numbers on the arrows (values carried forward, drawn by an edge or by a label node
        # of its own) belong to the layout's step and would go stale: only the arrows'
        # counts, shapes and dtypes stay, and the texts the frames update
        marked = {id(e) for found in self._elements for e in found.values()}
        for g in self._root.iter(f"{_TAG}g"):
            title = g.find(f"{_TAG}title")
            if g.get("class") not in ("edge", "node") or title is None:
                continue
            if g.get("class") == "node" and (title.text in index or title.text == "legend"):
                continue
            for parent in list(g.iter()):
                for element in list(parent):
                    words = element.text or ""
                    if (
                        element.tag == f"{_TAG}text"
                        and id(element) not in marked
                        and not _KEPT.match(words)
                    ):
                        parent.remove(element)
        for j, found in enumerate(self._elements):
            for key, element in found.items():
                element.set("id", f"{self.prefix}{key}-{j}")
                if key == "grad":
                    element.set("data-prefix", self._prefixes[j])

    def _match_text(
        self,
        j: int,
        element: ET.Element,
        state: UnitState,
        found: dict[str, ET.Element],
        exact: bool = False,
    ) -> None:
        """Mark `element` as unit j's gradient text (red) or value text, if it is one."""
        text = element.text or ""
        if element.get("fill") == GRAD_COLOR and "grad" not in found:
            if exact and text != state.grad:
                return
            found["grad"] = element
            # "max |grad| 2.739": keep the words, change the number
            number = state.grad or ""
            cut = text.endswith(number) and number
            self._prefixes[j] = text[: -len(number)] if cut else ""
        elif state.value is not None and text == state.value and "value" not in found:
            found["value"] = element

    def render(self, states: Sequence[UnitState]) -> str:
        """The SVG with one step's colours and numbers (the layout itself stays)."""
        for j, state in enumerate(states):
            found = self._elements[j]
            if "fill" in found:
                found["fill"].set("fill", state.fill)
            if "grad" in found and state.grad is not None:
                found["grad"].text = self._prefixes[j] + state.grad
            if "value" in found and state.value is not None:
                found["value"].text = state.value
        return ET.tostring(self._root, encoding="unicode")
