"""Step-through backward: a text trace, and frames (the graph after each step).

The steps come from the engine's own backward pass (`propagate(..., on_step=hook)`), run in
a mode that stores nothing on the nodes, so tracing never changes `.grad`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.backward import default_seed, propagate
from autograph.engine.node import Node
from autograph.viz.dot import OP_SYMBOLS, to_dot
from autograph.viz.fmt import DEFAULT_PRECISION, format_data
from autograph.viz.graph import Graph, Step, StepGradients, analyze, local_derivative


def record_steps(
    root: Node, gradient: Any = None, graph: Graph | None = None
) -> tuple[Graph, Any, list[Step]]:
    """Run the backward pass from `root` without storing gradients; return its steps."""
    graph = graph if graph is not None else analyze(root)
    seed = default_seed(root, gradient, False)
    steps: list[Step] = []
    index = graph.index

    def hook(node: Node, g: Any, sent: list[tuple[int, Node, Any]]) -> None:
        inputs = [(i, index[parent], local_derivative(node, i), gx) for i, parent, gx in sent]
        steps.append(Step(len(steps) + 1, index[node], g, inputs))

    # `wanted={}`: the engine stores no gradient anywhere (not even on leaves).
    propagate(root, seed, wanted={}, on_step=hook)
    return graph, seed, steps


def _who(graph: Graph, k: int, precision: int | None = DEFAULT_PRECISION) -> str:
    """How a learner finds node k in the picture: its label, or (having none) the op's symbol
    with the value it puts on its outgoing edge, e.g. `×(200)`; ids like n2 are not drawn."""
    node = graph.nodes[k]
    if node.label:
        return node.label
    data = node.data
    if isinstance(data, np.ndarray) and data.size > 1:
        value = "×".join(map(str, data.shape))  # a tensor: its shape, as the picture shows
    else:
        value = " ".join(format_data(data, precision).split())
    if node.op:
        return f"{OP_SYMBOLS.get(node.op, node.op)}({value})"
    return f"({value})"


def describe_step(
    graph: Graph, step: Step, total: int | None = None, precision: int | None = DEFAULT_PRECISION
) -> str:
    """One step as one line: the node, its upstream gradient, what each input receives."""
    node = graph.nodes[step.node]

    def f(x: Any) -> str:  # one line per step, even for arrays
        return " ".join(format_data(x, precision).split())

    head = f"step {step.number}" + (f"/{total}" if total else "")
    symbol = OP_SYMBOLS.get(node.op, node.op)
    what = f"{node.label} = {symbol}" if node.label else _who(graph, step.node, precision)
    parts = []
    for _i, p, local, g in step.inputs:
        who = _who(graph, p, precision)
        if local is None:
            parts.append(f"{who} gets {f(g)}")
        else:
            parts.append(f"{who} gets {f(step.upstream)} × {f(local)} = {f(g)}")
    sent = "; ".join(parts) if parts else "no input needs a gradient"
    return f"{head}: {what} with upstream {f(step.upstream)}: {sent}"


def trace(root: Node, gradient: Any = None, *, precision: int | None = DEFAULT_PRECISION) -> str:
    """The backward pass as text, one line per step in the order backward runs them.

    Nodes are named by their label, or by their op and the value on their outgoing edge
    (`×(200)`), as a learner finds them in the picture. Each input receives upstream ×
    local derivative. `.grad` is not changed.

    >>> from autograph import Value
    >>> apple, num, tax = Value(100, "apple"), Value(2, "apple_num"), Value(1.1, "tax")
    >>> price = apple * num * tax
    >>> print(trace(price))
    step 1/2: ×(220) with upstream 1: ×(200) gets 1 × 1.1 = 1.1; tax gets 1 × 200 = 200
    step 2/2: ×(200) with upstream 1.1: apple gets 1.1 × 2 = 2.2; apple_num gets 1.1 × 100 = 110
    """
    graph, _seed, steps = record_steps(root, gradient)
    return "\n".join(describe_step(graph, s, len(steps), precision) for s in steps)


MAX_STEPS = 200


def frame_dots(
    root: Node,
    gradient: Any = None,
    *,
    captions: bool = True,
    max_steps: int | None = MAX_STEPS,
    recorded: tuple[Graph, Any, list[Step]] | None = None,
    **options: Any,
) -> list[str]:
    """DOT text of each frame: frame 0 holds the forward values and the seed, frame k the
    gradients known after backward step k (numbers still to come are drawn invisibly, so
    every frame has the same layout).

    A frame per step is for graphs small enough to follow by eye: more than `max_steps`
    steps raises ValueError (None: no limit).
    """
    if recorded is None:
        recorded = record_steps(root, gradient, options.pop("graph", None))
    graph, seed, steps = recorded
    if max_steps is not None and len(steps) > max_steps:
        raise ValueError(
            f"the backward pass has {len(steps):,} steps, more than max_steps={max_steps}: "
            "one frame per step is for small graphs; use the text trace (trace(), or --trace), "
            "or draw a smaller graph"
        )
    final = StepGradients(graph, seed, steps, len(steps))
    dots = []
    for n in range(len(steps) + 1):
        grads = StepGradients(graph, seed, steps, n)
        grads.final = final  # type: ignore[attr-defined]
        title = None
        if captions:
            title = (
                f"forward pass done; backward starts with the seed gradient {format_data(seed)}"
                if n == 0
                else describe_step(graph, steps[n - 1], len(steps))
            )
        dots.append(to_dot(root, graph=graph, gradients=grads, title=title, **options))
    return dots


def write_frames(
    root: Node, directory: str | Path, gradient: Any = None, *, format: str = "svg", **options: Any
) -> list[Path]:
    """Render every frame to `directory/frame_000.svg`, `frame_001.svg`, ... (or .dot)."""
    from autograph.viz.render import render_source

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, source in enumerate(frame_dots(root, gradient, **options)):
        path = directory / f"frame_{n:03d}.{format}"
        if format in ("dot", "gv"):
            path.write_text(source, encoding="utf-8")
        else:
            path.write_bytes(render_source(source, format))
        paths.append(path)
    return paths


def steps_summary(
    root: Node,
    gradient: Any = None,
    precision: int | None = DEFAULT_PRECISION,
    recorded: tuple[Graph, Any, list[Step]] | None = None,
) -> list[dict[str, Any]]:
    """The steps as plain data (for the HTML player); `recorded`: from `record_steps`."""
    graph, _seed, steps = recorded if recorded is not None else record_steps(root, gradient)
    f = lambda x: format_data(x, precision)  # noqa: E731
    result = []
    for s in steps:
        result.append(
            {
                "step": s.number,
                "node": f"n{s.node}",
                "name": _who(graph, s.node, precision),
                "op": graph.nodes[s.node].op,
                "upstream": f(s.upstream),
                "text": describe_step(graph, s, len(steps), precision),
                "inputs": [
                    {
                        "input": i,
                        "node": f"n{p}",
                        "name": _who(graph, p, precision),
                        "local": None if local is None else f(local),
                        "gradient": f(g),
                        "product": None
                        if local is None
                        else f"{f(s.upstream)} × {f(local)} = {f(g)}",
                    }
                    for i, p, local, g in s.inputs
                ],
            }
        )
    return result


__all__ = ["describe_step", "frame_dots", "record_steps", "steps_summary", "trace", "write_frames"]
