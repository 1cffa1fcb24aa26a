"""Argument checks that Value's and Tensor's elementwise functions share (leaky_relu's slope,
clip's bounds), so that both kinds of node accept and refuse the same things."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_slope(negative_slope: Any) -> Any:
    """leaky_relu's slope, checked: a real number (a bool is refused, as a likely mistake)."""
    if isinstance(negative_slope, bool | np.bool_) or not isinstance(negative_slope, numbers.Real):
        raise TypeError(
            f"leaky_relu: negative_slope must be a number, got {type(negative_slope).__name__} "
            f"{negative_slope!r}"
        )
    return negative_slope


def clip_positions(has_min: bool, has_max: bool) -> tuple[int | None, int | None]:
    """Where the bounds of a "clip" node are among its inputs (x is input 0): its params."""
    if not (has_min or has_max):
        raise ValueError("clip: at least one of min and max must be given (not None)")
    return (1 if has_min else None), ((2 if has_min else 1) if has_max else None)
