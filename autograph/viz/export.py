"""The graph as JSON for other front-ends: nodes, edges, ops, values and gradients.

Schema (version 1)::

    {"format": "autograph-graph", "version": 1, "root": "n4",
     "nodes": [{"id": "n0", "kind": "value"|"tensor", "op": "" | "*" | ..., "label": str,
                "scope": str, "role": "input"|"parameter"|"constant"|"output"|"op",
                "requires_grad": bool, "data": number | nested list, "grad": ... | null,
                "text": {"data": "220", "grad": "1"},      # formatted as in the pictures
                "shape": [2, 3], "dtype": "float64"}],     # tensors only
     "edges": [{"source": "n0", "target": "n2", "input": 0, "grad": ... | null}]}

Numbers are JSON numbers; exact Fractions are also given as text ("33/10" in `exact`);
nan and infinities, which JSON lacks, are the strings "nan", "inf", "-inf".
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from autograph.engine.node import Node
from autograph.viz.fmt import DEFAULT_PRECISION, format_data, nonfinite_text
from autograph.viz.graph import StoredGradients, analyze, is_scalar


def _plain(x: Any) -> Any:
    """A number or array as JSON-ready data."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()] if x.ndim else _plain(x.item())
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, bool):
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


def to_dict(
    root: Node, *, precision: int | None = DEFAULT_PRECISION, show_grads: bool | None = None
) -> dict[str, Any]:
    """The graph as plain data (see the module docstring)."""
    graph = analyze(root)
    grads = StoredGradients(graph, show_grads)
    nodes = []
    for k, node in enumerate(graph.nodes):
        g = grads.node(k)
        entry: dict[str, Any] = {
            "id": f"n{k}",
            "kind": "value" if is_scalar(node) else "tensor",
            "op": node.op,
            "label": node.label,
            "scope": graph.scope(k),
            "role": graph.roles[k],
            "requires_grad": bool(node.requires_grad),
            "data": _plain(node.data),
            "grad": _plain(g),
            "text": {
                "data": format_data(node.data, precision),
                "grad": None if g is None else format_data(g, precision),
            },
        }
        if node.params is not None:
            entry["params"] = (
                _plain(node.params) if not isinstance(node.params, tuple) else repr(node.params)
            )
        if isinstance(node.data, Fraction) or isinstance(g, Fraction):
            entry["exact"] = {"data": str(node.data), "grad": None if g is None else str(g)}
        if not is_scalar(node):
            entry["shape"] = list(node.data.shape)
            entry["dtype"] = str(node.data.dtype)
        nodes.append(entry)
    edges = []
    for c, ps in enumerate(graph.parents):
        for i, p in enumerate(ps):
            edges.append(
                {"source": f"n{p}", "target": f"n{c}", "input": i, "grad": _plain(grads.edge(c, i))}
            )
    return {
        "format": "autograph-graph",
        "version": 1,
        "root": f"n{len(graph.nodes) - 1}",
        "nodes": nodes,
        "edges": edges,
    }


def to_json(
    root: Node,
    *,
    precision: int | None = DEFAULT_PRECISION,
    show_grads: bool | None = None,
    indent: int | None = 1,
) -> str:
    """`to_dict` as JSON text (keys in a fixed order: the same graph gives the same text)."""
    return (
        json.dumps(
            to_dict(root, precision=precision, show_grads=show_grads),
            ensure_ascii=False,
            indent=indent,
            allow_nan=False,
        )
        + "\n"
    )
