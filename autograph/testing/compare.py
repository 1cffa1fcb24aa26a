"""Comparing a gradient with central differences, element by element, skipping the points
where the function has no derivative.

A non-differentiable point is found the way Chainer's `detect_nondifferentiable` finds one:
the one-sided differences (f(x + eps) - f(x)) / eps and (f(x) - f(x - eps)) / eps disagree.
It is consulted only for elements whose gradient disagrees with the central difference, and
with the same tolerance, so a smooth function is never excused (its one-sided slopes differ
by about eps · f'', far below the tolerance) while relu's kink at 0, a max with a tie, or a
pole within eps are skipped and counted rather than failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Objective = Callable[[], float]


@dataclass
class Mismatch:
    """Where one gradient is wrong, and by how much."""

    input: str  # the input or parameter ("x", "W")
    gradient: str  # how the op names its gradient ("dx", "dW", "grads[0]")
    kind: str  # "value", "shape", "error" or "state"
    message: str  # one line, e.g. "dx[1, 2] got 0.105 expected 0.25"
    index: tuple[int, ...] | None = None  # the worst element
    got: Any = None  # the whole gradient the op gave (value and shape mismatches)
    expected: Any = None  # the whole gradient it should be
    reference: str = "central differences"  # or "autograph"
    excess: float = float("inf")  # how far beyond the tolerance the worst element is


@dataclass
class Numerical:
    """d objective / d array by central differences, with what is needed to tell a kink."""

    central: np.ndarray
    up: np.ndarray
    down: np.ndarray
    objective: Objective
    array: np.ndarray
    eps: float
    _base: float | None = field(default=None, repr=False)

    def base(self) -> float:
        if self._base is None:
            self._base = self.objective()
        return self._base

    def kink(self, k: int, tolerance: float) -> bool:
        """Whether element k is a non-differentiable point (one-sided slopes disagree)."""
        b = self.base()
        right = (self.up[k] - b) / self.eps
        left = (b - self.down[k]) / self.eps
        return not abs(right - left) <= tolerance


class NotAFunction(ValueError):
    """The objective gave two values for the same inputs (state kept by the forward, or
    inputs written into): differences of it mean nothing."""


def numerical(objective: Objective, array: np.ndarray, eps: float) -> Numerical:
    """Perturb each element of `array` in place by ±eps (restored afterwards, even if the
    objective raises) and difference the objective. The objective is evaluated at the
    unperturbed point before and after: if the two differ, `NotAFunction` (garbage
    differences would otherwise pass for non-differentiable points)."""
    flat = array.reshape(-1)
    if array.size and not np.shares_memory(flat, array):
        raise ValueError("numerical: the array must be contiguous to be perturbed in place")
    before = objective()
    up, down = np.empty(flat.size), np.empty(flat.size)
    for k in range(flat.size):
        saved = flat[k]
        try:
            flat[k] = saved + eps
            up[k] = objective()
            flat[k] = saved - eps
            down[k] = objective()
        finally:
            flat[k] = saved
    after = objective()
    if not (before == after or (np.isnan(before) and np.isnan(after))):
        raise NotAFunction(
            f"forward gives {before!r} and then {after!r} for the same inputs: it keeps state "
            "between calls, or writes into its inputs or parameters"
        )
    central = ((up - down) / (2 * eps)).reshape(array.shape)
    return Numerical(central, up, down, objective, array, eps, before)


def fmt(x: Any) -> str:
    """A number or a small array, short."""
    if isinstance(x, np.ndarray) and x.ndim:
        return np.array2string(x, precision=4, separator=", ", suppress_small=True).replace(
            "\n", ""
        )
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError):
        return repr(x)


def element(index: tuple[int, ...]) -> str:
    return f"[{', '.join(map(str, index))}]" if index else ""


def shape_mismatch(name: str, gradient: str, got: Any, want: np.ndarray) -> Mismatch:
    shape = np.shape(got)
    hint = ""
    if len(shape) == want.ndim + 1 and shape[1:] == want.shape:
        hint = ": not summed over the batch (axis 0)?"
    elif shape == want.shape[::-1] and want.ndim == 2:
        hint = ": transposed?"
    return Mismatch(
        name,
        gradient,
        "shape",
        f"{gradient} has shape {shape}, expected {want.shape} like {name}{hint}",
        got=np.asarray(got),
        expected=None,
    )


def compare(
    name: str,
    gradient: str,
    got: Any,
    expected: np.ndarray,
    *,
    atol: float,
    rtol: float,
    kinks: Numerical | None,
    reference: str = "central differences",
) -> tuple[Mismatch | None, int]:
    """(the worst wrong element, or None; how many elements were skipped as kinks or as
    points where the expected gradient is not finite)."""
    got_array = np.asarray(got, dtype=np.float64)
    tolerance = atol + rtol * np.abs(expected)
    error = np.abs(got_array - expected)
    bad = ~(error <= tolerance)  # NaN on either side counts as bad
    skipped = 0
    worst: tuple[float, int] | None = None
    for k in (int(i) for i in np.flatnonzero(bad)):
        want = float(expected.flat[k])
        if not np.isfinite(want) or (kinks is not None and kinks.kink(k, float(tolerance.flat[k]))):
            skipped += 1
            continue
        excess = float(error.flat[k] - tolerance.flat[k])
        excess = float("inf") if np.isnan(excess) else excess
        if worst is None or excess > worst[0]:
            worst = (excess, k)
    if worst is None:
        return None, skipped
    excess, worst_k = worst
    index = tuple(int(i) for i in np.unravel_index(worst_k, expected.shape))
    message = (
        f"{gradient}{element(index)} got {fmt(got_array.flat[worst_k])} expected "
        f"{fmt(expected.flat[worst_k])}"
    )
    if reference != "central differences":
        message += f" ({reference})"
    return (
        Mismatch(name, gradient, "value", message, index, got_array, expected, reference, excess),
        skipped,
    )


__all__ = [
    "Mismatch",
    "NotAFunction",
    "Numerical",
    "compare",
    "element",
    "fmt",
    "numerical",
    "shape_mismatch",
]
