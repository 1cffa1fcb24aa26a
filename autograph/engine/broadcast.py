"""Summing a gradient back to its input's shape: the one place broadcasting is undone."""

from __future__ import annotations

import numpy as np


class ShapeError(ValueError):
    """Shapes that do not fit an operation; the message names the op and the shapes."""


def broadcast_shapes(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " and ".join(str(tuple(s)) for s in shapes)
        raise ShapeError(f"{op}: cannot broadcast shapes {listed}") from None


def reduced_axes(grad_shape: tuple[int, ...], shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    """The axes to sum so that a gradient of `grad_shape` becomes one of `shape`.

    Raises ShapeError when `grad_shape` is not a broadcast of `shape`.
    """
    lead = len(grad_shape) - len(shape)
    if lead < 0 or any(
        size != 1 and size != grad_shape[lead + k] for k, size in enumerate(shape)
    ):
        raise ShapeError(
            f"gradient of {op!r}: shape {tuple(grad_shape)} is not a broadcast of the "
            f"input's shape {tuple(shape)}"
        )
    return tuple(range(lead)) + tuple(
        lead + k for k, size in enumerate(shape) if size == 1 and grad_shape[lead + k] != 1
    )


def sum_to(grad: np.ndarray, shape: tuple[int, ...], op: str = "sum_to") -> np.ndarray:
    """Sum the leading axes, then the size-1 axes, so that `grad` has `shape`."""
    grad_shape = np.shape(grad)
    if grad_shape == tuple(shape):
        return grad
    axes = reduced_axes(grad_shape, shape, op)
    return np.sum(grad, axis=axes).reshape(shape) if axes else np.reshape(grad, shape)
