"""The graph model as JSON for other front-ends: nodes, edges, values, gradients and the steps
of the backward pass.

Schema (version 2)::

    {"format": "autograph-graph", "version": 2, "root": "n4", "scope_separator": "/",
     "nodes": [{"id": "n0", "kind": "value"|"tensor", "op": "" | "*" | ..., "label": str,
                "scope": str, "role": "input"|"parameter"|"constant"|"output"|"op",
                "requires_grad": bool, "data": number | nested list, "grad": ... | null,
                "text": {"data": "220", "grad": "1"},      # formatted as in the pictures
                "shape": [2, 3], "dtype": "float64",       # tensors only
                "attrs": {"axis": [0]}}],                  # ops with arguments only
     "edges": [{"source": "n0", "target": "n2", "input": 0, "grad": ... | null}],
     "seed": 1 | null,
     "steps": [{"step": 1, "node": "n4", "upstream": 1,
                "inputs": [{"input": 0, "node": "n2", "local": 3 | null, "grad": 3}]}] | null}

Numbers are JSON numbers; exact Fractions are also given as text ("33/10" in `exact`);
nan and infinities, which JSON lacks, are the strings "nan", "inf", "-inf". Version 1 had
no `seed`/`steps`, and gave op arguments as `params` (a Python repr for tuples).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from autograph.viz.adapter import as_graph
from autograph.viz.fmt import DEFAULT_PRECISION, format_data, nonfinite_text
from autograph.viz.model import Graph
from autograph.viz.notices import warn_about
from autograph.viz.options import DrawOptions


def _plain(x: Any) -> Any:
    """A number or array as JSON-ready data."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()] if x.ndim else _plain(x.item())
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, bool | str):
        return x
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, Fraction):
        x = float(x)
    if isinstance(x, float | np.floating):
        x = float(x)
        special = nonfinite_text(x)
        return x if special is None else special  # JSON has no nan/inf
    return str(x)


def graph_dict(
    graph: Graph, precision: int | None = DEFAULT_PRECISION, *, grads: bool = True
) -> dict[str, Any]:
    """A model as plain data (see the module docstring); `grads=False` leaves them out."""
    nodes = []
    for k, node in enumerate(graph.nodes):
        g = node.grad if grads else None
        entry: dict[str, Any] = {
            "id": f"n{k}",
            "kind": node.kind,
            "op": node.op,
            "label": node.label,
            "scope": graph.path(k),
            "role": node.role,
            "requires_grad": bool(node.requires_grad),
            "data": _plain(node.data),
            "grad": _plain(g),
            "text": {
                "data": format_data(node.data, precision),
                "grad": None if g is None else format_data(g, precision),
            },
        }
        if node.kind == "tensor":
            entry["shape"] = None if node.shape is None else list(node.shape)
            entry["dtype"] = node.dtype
        if node.attrs:
            entry["attrs"] = {key: _plain(value) for key, value in node.attrs.items()}
        if isinstance(node.data, Fraction) or isinstance(g, Fraction):
            entry["exact"] = {"data": str(node.data), "grad": None if g is None else str(g)}
        nodes.append(entry)
    edges = []
    for edge in graph.edges:
        item = {
            "source": f"n{edge.source}",
            "target": f"n{edge.target}",
            "input": edge.input,
            "grad": _plain(edge.grad) if grads else None,
        }
        if "expected" in edge.notes:
            item["expected"] = _plain(edge.notes["expected"])
        edges.append(item)
    steps = None
    if graph.steps is not None:
        steps = [
            {
                "step": s.number,
                "node": f"n{s.node}",
                "upstream": _plain(s.upstream),
                "inputs": [
                    {
                        "input": sent.input,
                        "node": f"n{sent.source}",
                        "local": _plain(sent.local),
                        "grad": _plain(sent.grad),
                    }
                    for sent in s.inputs
                ],
            }
            for s in graph.steps
        ]
    return {
        "format": "autograph-graph",
        "version": 2,
        "root": f"n{graph.root}",
        "scope_separator": graph.scope_separator,
        "nodes": nodes,
        "edges": edges,
        "seed": _plain(graph.seed),
        "steps": steps,
    }


def to_dict(
    root: Any, *, precision: int | None = DEFAULT_PRECISION, show_grads: bool | None = None
) -> dict[str, Any]:
    """The graph as plain data (see the module docstring); warns like `to_dot`."""
    graph = as_graph(root, show_grads=show_grads)
    warn_about(graph, DrawOptions(show_grads=show_grads, precision=precision))
    return graph_dict(graph, precision, grads=show_grads is not False)


def to_json(
    root: Any,
    *,
    precision: int | None = DEFAULT_PRECISION,
    show_grads: bool | None = None,
    indent: int | None = 1,
) -> str:
    """`to_dict` as JSON text (keys in a fixed order: the same graph gives the same text)."""
    return dumps(to_dict(root, precision=precision, show_grads=show_grads), indent)


def dumps(data: dict[str, Any], indent: int | None = 1) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
