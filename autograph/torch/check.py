"""`check(rec)`: which recorded node's backward sent a wrong gradient, drawn on the graph.

Each backward step of the recorded pass is checked on its own: the node's forward is run
again on the values it was recorded with, in float64 (the ATen op that made it; for a
`torch.autograd.Function`, the ops its forward ran), and central differences of
<output, upstream> give what the node should have sent each input: J^T · upstream, with the
upstream PyTorch actually gave it. A wrong node therefore shows up alone, not as every
node downstream of it. The first wrong node in PyTorch's backward order has its wrong edges
marked (`Edge.notes["expected"]`): the picture shows "got" against "expected".

Inputs with more than `max_elements` elements are checked along three random directions
(no "expected" array then). Random ops (dropout) cannot be run again and are skipped, as
are ops whose inputs changed in place since. Ops at a kink (relu at exactly 0) may be
reported wrongly, as with any numerical check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from autograph.torch.convert import Converted, Input, convert, numpy_of
from autograph.torch.events import Event, Fired, operand_slots, tensors_of
from autograph.torch.recorder import Recording
from autograph.viz.fmt import format_data
from autograph.viz.labels import node_name
from autograph.viz.model import Graph


@dataclass
class InputCheck:
    """One input of a checked step: what the node sent it, and what it should have."""

    input: int  # argument position, as drawn
    source: int  # the model node that received it
    name: str  # that node as the picture names it
    got: Any
    expected: Any  # None when checked along random directions only
    error: float  # the largest |got - expected| (along the directions: of the projections)
    ok: bool
    note: str = ""


@dataclass
class NodeCheck:
    """One backward step: the node and its inputs' checks (or why it was skipped)."""

    step: int
    node: int
    name: str
    inputs: list[InputCheck] = field(default_factory=list)
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.inputs)


@dataclass
class CheckReport:
    """Every step's check; `graph` is the model with the first wrong node's edges marked
    (draw the report itself: `autograph.viz.draw(report)`)."""

    graph: Graph
    nodes: list[NodeCheck]

    @property
    def ok(self) -> bool:
        return all(n.ok for n in self.nodes)

    @property
    def wrong(self) -> list[NodeCheck]:
        return [n for n in self.nodes if not n.ok]

    @property
    def first_wrong(self) -> NodeCheck | None:
        wrong = self.wrong
        return wrong[0] if wrong else None

    def __autograph_graph__(self) -> Graph:
        return self.graph

    def __str__(self) -> str:
        checked = sum(1 for n in self.nodes if not n.skipped)
        lines = [
            f"checked {checked} of {len(self.nodes)} backward steps: "
            + ("all gradients agree" if self.ok else f"{len(self.wrong)} sent wrong gradients")
        ]
        for n in self.nodes:
            if n.skipped:
                lines.append(f"step {n.step}: {n.name}: not checked ({n.skipped})")
            for c in n.inputs:
                if c.ok:
                    continue
                if c.expected is not None:
                    said = f"got {_text(c.got)}, expected {_text(c.expected)}"
                else:
                    said = "wrong along random directions"
                lines.append(
                    f"step {n.step}: {n.name} sent {c.name} (input {c.input}) a wrong "
                    f"gradient: {said} (error {c.error:.3g}){f'; {c.note}' if c.note else ''}"
                )
        return "\n".join(lines)


def _text(x: Any) -> str:
    return " ".join(format_data(x, 6).split())


# -- running one node's forward again ---------------------------------------------------


def _fresh(t: torch.Tensor) -> torch.Tensor:
    t = t.detach()
    return t.to(torch.float64) if t.is_floating_point() else t.clone()


class Replay:
    """A node's forward as a function of one input: the recorded ATen events run again on
    float64 copies. The input varied is an operand position of the node's own op (so that
    `x * x` varies one factor), or, for a `torch.autograd.Function`'s ops, a tensor
    substituted wherever its forward used it."""

    def __init__(self, events: list[Event], outputs: list[tuple[int, torch.Tensor]]) -> None:
        self.events = events
        self.outputs = outputs  # (output_nr, the tensor the node recorded)

    def __call__(self, x: torch.Tensor, inp: Input, value: torch.Tensor) -> dict[int, Any]:
        values: dict[int, torch.Tensor] = {}
        position = inp.operand if len(self.events) == 1 else None
        if position is None:
            values[id(x)] = value

        def swap(v: Any) -> Any:
            if isinstance(v, torch.Tensor):
                if id(v) not in values:
                    values[id(v)] = _fresh(v)
                return values[id(v)]
            if isinstance(v, list | tuple):
                return type(v)(swap(item) for item in v)
            return v

        for event in self.events:
            args = [swap(a) for a in event.args]
            if position is not None:
                for k, (i, j, _) in enumerate(operand_slots(event.func, event.args)):
                    if k == position:
                        if j is None:
                            args[i] = value
                        else:
                            args[i] = list(args[i])
                            args[i][j] = value
            kwargs = {k: swap(v) for k, v in event.kwargs.items()}
            out = event.func(*args, **kwargs)
            for old, new in zip(tensors_of(event.out), tensors_of(out), strict=False):
                values[id(old)] = new
        return {nr: values[id(t)] for nr, t in self.outputs if id(t) in values}


def _replay(rec: Recording, i: int) -> Replay | str:
    """How to run op i again, or why it cannot be."""
    op = rec.ops[i]
    if op.event is not None:
        events = [rec.events[op.event]]
    else:  # a torch.autograd.Function: the ops its forward ran (with grad disabled)
        start = end = op.origin
        while start > 0 and not rec.events[start - 1].grad_enabled:
            start -= 1
        while end + 1 < len(rec.events) and not rec.events[end + 1].grad_enabled:
            end += 1
        events = rec.events[start : end + 1]
    for event in events:
        if torch.Tag.nondeterministic_seeded in event.func.tags:
            return f"{event.func} is random: it cannot be run again"
    for t, version in op.outputs.values():
        if t._version != version:
            return "its output was changed in place since"
    return Replay(events, [(nr, t) for nr, (t, _) in op.outputs.items()])


def _source_tensor(rec: Recording, inp: Input) -> torch.Tensor | None:
    """The tensor the input was (the object the op was given), if still unchanged."""
    ref = inp.value
    if ref is None and inp.key[0] == "op":
        ref = rec.ops[inp.key[1]].outputs.get(inp.nr)
    if not isinstance(ref, tuple):
        return None
    t, version = ref
    return t if isinstance(t, torch.Tensor) and t._version == version else None


def _projection(
    replay: Replay, x: torch.Tensor, inp: Input, value: torch.Tensor, upstream: dict[int, Any]
) -> float:
    outs = replay(x, inp, value)
    total = 0.0
    for nr, g in upstream.items():
        if nr in outs:
            total += float((outs[nr].to(torch.float64) * g).sum())
    return total


def _check_input(
    replay: Replay,
    x: torch.Tensor,
    inp: Input,
    got: Any,
    upstream: dict[int, torch.Tensor],
    eps: float,
    tolerance: tuple[float, float],
    max_elements: int,
) -> tuple[Any, float, bool, str]:
    """(expected or None, error, ok, note) for one input."""
    atol, rtol = tolerance
    base = _fresh(x)
    got_array = np.asarray(got, dtype=np.float64)
    if got_array.shape != tuple(base.shape):
        note = f"the gradient has shape {got_array.shape}, the input {tuple(base.shape)}"
        return None, float("inf"), False, note

    def phi(t: torch.Tensor) -> float:
        return _projection(replay, x, inp, t, upstream)

    if base.numel() <= max_elements:
        expected = np.zeros(base.numel())
        flat = base.reshape(-1)
        for e in range(base.numel()):
            plus, minus = flat.clone(), flat.clone()
            plus[e] += eps
            minus[e] -= eps
            expected[e] = (phi(plus.view_as(base)) - phi(minus.view_as(base))) / (2 * eps)
        expected = expected.reshape(base.shape)
        diff = np.abs(got_array - expected)
        ok = bool(np.all(diff <= atol + rtol * np.abs(expected)))
        shown = expected[()] if expected.ndim == 0 else expected
        return shown, float(diff.max(initial=0.0)), ok, ""
    generator = torch.Generator().manual_seed(0)
    worst, ok = 0.0, True
    for _ in range(3):
        v = torch.randn(base.shape, generator=generator, dtype=torch.float64)
        want = (phi(base + eps * v) - phi(base - eps * v)) / (2 * eps)
        have = float((torch.from_numpy(got_array) * v).sum())
        worst = max(worst, abs(have - want))
        ok = ok and abs(have - want) <= atol * float(v.abs().sum()) + rtol * abs(want)
    return None, worst, ok, f"{base.numel():,} elements: checked along 3 random directions"


def _tolerance(got: Any, atol: float | None, rtol: float | None) -> tuple[float, float]:
    low = np.asarray(got).dtype.itemsize < 8
    return (
        atol if atol is not None else (1e-4 if low else 1e-5),
        rtol if rtol is not None else (1e-2 if low else 1e-3),
    )


def check(
    recording: Recording,
    output: torch.Tensor | None = None,
    *,
    eps: float = 1e-6,
    atol: float | None = None,
    rtol: float | None = None,
    max_elements: int = 1000,
) -> CheckReport:
    """Check every backward step of the recorded pass against central differences of its
    node alone (module docstring); `atol`/`rtol` default to 1e-5/1e-3 for float64
    gradients and 1e-4/1e-2 for float32. Needs `backward()` to have run."""
    done = convert(recording, output)
    graph = done.graph
    if not graph.steps:
        raise ValueError("check() needs the backward pass: call backward() on the output first")
    index = {key: k for k, key in enumerate(done.order)}
    fired = [f for f in recording.sink.passes[-1] if ("op", f.op) in index]
    nodes = []
    with torch.no_grad():
        for step, f in zip(graph.steps, fired, strict=True):
            nodes.append(
                _check_step(recording, done, index, step.number, f, eps, atol, rtol, max_elements)
            )
    first = next((n for n in nodes if not n.ok), None)
    if first is not None:
        for c in first.inputs:
            if not c.ok and c.expected is not None:
                graph.edge_into(first.node, c.input).notes["expected"] = c.expected
    return CheckReport(graph, nodes)


def _check_step(
    rec: Recording,
    done: Converted,
    index: dict[Any, int],
    number: int,
    fired: Fired,
    eps: float,
    atol: float | None,
    rtol: float | None,
    max_elements: int,
) -> NodeCheck:
    graph = done.graph
    key = ("op", fired.op)
    k = index[key]
    result = NodeCheck(number, k, node_name(graph, k))
    replay = _replay(rec, fired.op)
    if isinstance(replay, str):
        result.skipped = replay
        return result
    upstream = {
        nr: g.detach().to(torch.float64)
        for nr, g in enumerate(fired.grad_outputs)
        if g is not None and nr in dict(replay.outputs)
    }
    for i, inp in enumerate(done.inputs[key]):
        slot = inp.slot
        if slot is None or slot >= len(fired.grad_inputs) or fired.grad_inputs[slot] is None:
            continue
        x = _source_tensor(rec, inp)
        name = node_name(graph, graph.edge_into(k, i).source)
        g = fired.grad_inputs[slot]
        if x is None or not x.is_floating_point() or g._version != fired.versions[slot]:
            result.skipped = f"input {i} ({name}) changed in place since, or is not a float"
            continue
        got = numpy_of(g)
        expected, error, ok, note = _check_input(
            replay, x, inp, got, upstream, eps, _tolerance(got, atol, rtol), max_elements
        )
        source = graph.edge_into(k, i).source
        result.inputs.append(InputCheck(i, source, name, got, expected, error, ok, note))
    return result
