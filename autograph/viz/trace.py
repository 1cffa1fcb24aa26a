"""Step-through backward: a text trace, and frames (the graph after each step).

Everything here reads the model's steps (`Graph.steps`, in the order the backward pass ran
them). For autograph nodes the adapter records them with the engine's own backward pass in
a mode that stores nothing, so tracing never changes `.grad`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograph.viz.adapter import as_graph
from autograph.viz.dot import render_dot
from autograph.viz.fmt import DEFAULT_PRECISION, format_data
from autograph.viz.labels import Naming
from autograph.viz.model import Graph, Step
from autograph.viz.options import DrawOptions, make_options
from autograph.viz.view import GradView


def record_steps(root: Any, gradient: Any = None) -> Graph:
    """The model of `root`'s graph with its backward pass recorded (`.steps`, `.seed`);
    `gradient` is the seed (default 1 for a one-number output). `.grad` is not changed."""
    graph = as_graph(root, show_grads=False, gradient=gradient)
    if graph.steps is None:
        raise ValueError(
            "this graph has no recorded backward pass: its output needs no gradient, or is "
            "a many-element tensor and needs gradient=..."
        )
    return graph


def describe_step(
    graph: Graph,
    step: Step,
    total: int | None = None,
    precision: int | None = DEFAULT_PRECISION,
    naming: Naming | None = None,
) -> str:
    """One step as one line: the node, its upstream gradient, what each input receives."""
    name = naming or Naming(graph, True, precision)

    def f(x: Any) -> str:  # one line per step, even for arrays
        return " ".join(format_data(x, precision).split())

    head = f"step {step.number}" + (f"/{total}" if total else "")
    parts = []
    for sent in step.inputs:
        if sent.local is None:
            parts.append(f"{name(sent.source)} gets {f(sent.grad)}")
        else:
            parts.append(
                f"{name(sent.source)} gets {f(step.upstream)} × {f(sent.local)} = {f(sent.grad)}"
            )
    said = "; ".join(parts) if parts else "no input needs a gradient"
    return f"{head}: {name.step(step.node)} with upstream {f(step.upstream)}: {said}"


def trace(root: Any, gradient: Any = None, *, precision: int | None = DEFAULT_PRECISION) -> str:
    """The backward pass as text, one line per step in the order backward runs them.

    Nodes are named by their label, or as their circle shows them with their value apart
    (`× (= 200)`, `+1 (= 2)`, `**2 (= 49)`), as a learner finds them in the picture. Each
    input receives upstream × local derivative. `.grad` is not changed.

    >>> from autograph import Value
    >>> apple, num, tax = Value(100, "apple"), Value(2, "apple_num"), Value(1.1, "tax")
    >>> price = apple * num * tax
    >>> print(trace(price))
    step 1/2: × (= 220) with upstream 1: × (= 200) gets 1 × 1.1 = 1.1; tax gets 1 × 200 = 200
    step 2/2: × (= 200) with upstream 1.1: apple gets 1.1 × 2 = 2.2; apple_num gets 1.1 × 100 = 110
    """
    graph = record_steps(root, gradient)
    steps = graph.steps or []
    naming = Naming(graph, True, precision)
    return "\n".join(describe_step(graph, s, len(steps), precision, naming) for s in steps)


MAX_STEPS = 200


def frame_dots(
    root: Any,
    gradient: Any = None,
    *,
    captions: bool = True,
    max_steps: int | None = MAX_STEPS,
    options: DrawOptions | None = None,
    **keywords: Any,
) -> list[str]:
    """DOT text of each frame: frame 0 holds the forward values and the seed, frame k the
    gradients known after backward step k (numbers still to come are drawn invisibly, so
    every frame has the same layout). `keywords` are `to_dot`'s options.

    A frame per step is for graphs small enough to follow by eye: more than `max_steps`
    steps raises ValueError (None: no limit).
    """
    opts = make_options(options, keywords)
    graph = as_graph(root, roles=opts.roles, show_grads=False, gradient=gradient)
    steps = graph.steps
    if steps is None:
        raise ValueError("this graph has no recorded backward pass to step through")
    if max_steps is not None and len(steps) > max_steps:
        raise ValueError(
            f"the backward pass has {len(steps):,} steps, more than max_steps={max_steps}: "
            "one frame per step is for small graphs; use the text trace (trace(), or --trace), "
            "or draw a smaller graph"
        )
    naming = Naming(graph, opts.fold_constants, opts.precision)  # shared by every frame
    final = GradView(graph, len(steps))
    dots = []
    for n in range(len(steps) + 1):
        title = None
        if captions:
            title = (
                "forward pass done; backward starts with the seed gradient "
                f"{format_data(graph.seed, opts.precision)}"
                if n == 0
                else describe_step(graph, steps[n - 1], len(steps), opts.precision, naming)
            )
        view = GradView(graph, n, final=final if n < len(steps) else None)
        dots.append(render_dot(graph, opts, view, title, naming))
    return dots


def write_frames(
    root: Any, directory: str | Path, gradient: Any = None, *, format: str = "svg", **options: Any
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


def steps_summary(graph: Graph, precision: int | None = DEFAULT_PRECISION) -> list[dict[str, Any]]:
    """The steps as plain data, numbers formatted (for the HTML player)."""
    f = lambda x: format_data(x, precision)  # noqa: E731
    steps = graph.steps or []
    name = Naming(graph, True, precision)
    result = []
    for s in steps:
        result.append(
            {
                "step": s.number,
                "node": f"n{s.node}",
                "name": name(s.node),
                "op": graph.nodes[s.node].op,
                "upstream": f(s.upstream),
                "text": describe_step(graph, s, len(steps), precision, name),
                "inputs": [
                    {
                        "input": sent.input,
                        "node": f"n{sent.source}",
                        "name": name(sent.source),
                        "local": None if sent.local is None else f(sent.local),
                        "gradient": f(sent.grad),
                        "product": None
                        if sent.local is None
                        else f"{f(s.upstream)} × {f(sent.local)} = {f(sent.grad)}",
                    }
                    for sent in s.inputs
                ],
            }
        )
    return result


__all__ = ["describe_step", "frame_dots", "record_steps", "steps_summary", "trace", "write_frames"]
