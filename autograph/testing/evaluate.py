"""One drawn example of a check, evaluated: forward and the user's backward, central
differences, autograph's own gradient, the state check; a failure raised as `Found`.

See `check.py` for what a check is; this module is the body of its Hypothesis test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograph.testing.compare import (
    Mismatch,
    NotAFunction,
    compare,
    fmt,
    numerical,
    shape_mismatch,
)
from autograph.testing.infer import Example, dout_elements, draw_example, other_example
from autograph.testing.subjects import (
    FunctionSubject,
    LayerSubject,
    OpProblem,
    OutsideDomain,
)

Subject = LayerSubject | FunctionSubject


@dataclass
class Failure:
    """The minimal failing example and what was wrong with it (worst first)."""

    mismatches: list[Mismatch]
    example: Example
    out: Any = None
    dout: Any = None
    got: dict[str, Any] = field(default_factory=dict)

    @property
    def worst(self) -> Mismatch:
        return self.mismatches[0]


class Found(Exception):
    """A failing example (Hypothesis shrinks it, then raises it for the minimal one)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.worst.message)
        self.failure = failure


@dataclass
class Stats:
    """What the search saw before its first failure."""

    examples: int = 0
    skipped: int = 0
    rejected: int = 0
    failed: bool = False
    warnings: list[str] = field(default_factory=list)
    shapes: set[tuple[tuple[int, ...], ...]] = field(default_factory=set)  # of the inputs


def state_mismatches(
    subject: Subject, got: dict[str, Any], again: dict[str, Any]
) -> list[Mismatch]:
    found = []
    how = (
        "forward on other inputs, then forward and backward on these"
        if isinstance(subject, LayerSubject)
        else "apply on these and on other inputs, backward through the first"
    )
    for name, first in got.items():
        second = np.asarray(again.get(name), dtype=np.float64)
        first = np.asarray(first, dtype=np.float64)
        if second.shape != first.shape or not np.allclose(second, first, rtol=1e-9, atol=1e-12):
            bad = (
                np.argmax(np.abs(second - first))
                if second.shape == first.shape and first.size
                else 0
            )
            index = tuple(int(i) for i in np.unravel_index(bad, first.shape)) if first.size else ()
            gname = subject.grad_names[name]
            found.append(
                Mismatch(
                    name,
                    gname,
                    "state",
                    f"{how}: {gname} changes ({fmt(second)} instead of {fmt(first)}): backward "
                    "uses state kept from an earlier call",
                    index,
                    second,
                    first,
                )
            )
    return found


def evaluate(
    subject: Subject, data: st.DataObject, stats: Stats, atol: float, rtol: float, eps: float
) -> None:
    spec = subject.spec
    ex = draw_example(data, spec)

    def draw_dout(shape: tuple[int, ...]) -> np.ndarray:
        return data.draw(
            hnp.arrays(np.float64, shape, elements=dout_elements(), fill=st.nothing()), label="dout"
        )

    try:
        run = subject.analytic(ex, draw_dout)
    except OutsideDomain:
        stats.rejected += not stats.failed
        reject()
    except OpProblem as problem:
        raise Found(Failure([Mismatch("", "", "error", str(problem))], ex)) from None
    for w in run.warnings:
        if w not in stats.warnings:
            stats.warnings.append(w)
    mismatches: list[Mismatch] = []
    skipped = 0
    arrays, objective = subject.objective(ex, run.dout)
    kinks: dict[str, Any] = {}
    checked: list[str] = []
    for arg in spec.differentiable:
        name = arg.name
        if name not in run.got:
            continue
        try:
            num = numerical(objective, arrays[name], eps)
        except (OpProblem, NotAFunction) as problem:
            raise Found(Failure([Mismatch("", "", "error", str(problem))], ex)) from None
        kinks[name] = num
        got, gname = run.got[name], subject.grad_names[name]
        if np.shape(got) != arrays[name].shape:
            found = shape_mismatch(name, gname, got, arrays[name])
            found.expected = num.central
            mismatches.append(found)
            continue
        wrong, n = compare(name, gname, got, num.central, atol=atol, rtol=rtol, kinks=num)
        skipped += n
        if wrong is not None:
            mismatches.append(wrong)
        else:
            checked.append(name)
    if checked:
        ref = subject.reference(ex, run.dout, run.out) or {}
        for name in checked:
            if name in ref:
                wrong, _ = compare(
                    name,
                    subject.grad_names[name],
                    run.got[name],
                    ref[name],
                    atol=atol,
                    rtol=rtol,
                    kinks=kinks[name],
                    reference="autograph",
                )
                if wrong is not None:
                    mismatches.append(wrong)
    if not mismatches:
        other = other_example(spec, ex)
        try:
            again = subject.repeat(ex, other, run.dout)
        except OpProblem as problem:
            message = f"after a call on other inputs: {problem}"
            raise Found(
                Failure([Mismatch("", "", "state", message)], ex, run.out, run.dout)
            ) from None
        mismatches = state_mismatches(subject, run.got, again)
        if mismatches:  # drawn: what backward gave after the earlier call
            run.got = {k: again.get(k, v) for k, v in run.got.items()}
    if mismatches:
        mismatches.sort(key=lambda m: -m.excess)
        got = {k: np.asarray(v) for k, v in run.got.items()}
        raise Found(Failure(mismatches, ex, run.out, run.dout, got))
    if not stats.failed:
        stats.examples += 1
        stats.skipped += skipped
        stats.shapes.add(tuple(ex.arrays[a.name].shape for a in spec.inputs))


__all__ = ["Failure", "Found", "Stats", "Subject", "evaluate", "state_mismatches"]
