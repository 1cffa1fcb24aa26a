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


def reduced_axes(
    grad_shape: tuple[int, ...], shape: tuple[int, ...], op: str, *, forward: bool = False
) -> tuple[int, ...]:
    """The axes to sum so that a gradient of `grad_shape` becomes one of `shape`.

    Raises ShapeError when `grad_shape` is not a broadcast of `shape`, describing the
    backward step of `op`, or with `forward` the op's own call (`t.sum_to(shape)`).
    """
    lead = len(grad_shape) - len(shape)
    if lead == 1 and grad_shape[1:] == shape:  # the common case: a bias over a batch
        return (0,)
    if lead < 0 or any(size != 1 and size != grad_shape[lead + k] for k, size in enumerate(shape)):
        if forward:
            raise ShapeError(
                f"{op}: cannot sum a tensor of shape {tuple(grad_shape)} to shape "
                f"{tuple(shape)}: {op} sums only the axes that broadcasting adds or stretches, "
                f"so {tuple(shape)} must broadcast to {tuple(grad_shape)}"
            )
        raise ShapeError(
            f"gradient of {op!r}: shape {tuple(grad_shape)} is not a broadcast of the "
            f"input's shape {tuple(shape)}"
        )
    return tuple(range(lead)) + tuple(
        lead + k for k, size in enumerate(shape) if size == 1 and grad_shape[lead + k] != 1
    )


def sum_to(grad: np.ndarray, shape: tuple[int, ...], op: str = "sum_to") -> np.ndarray:
    """Sum the leading axes, then the size-1 axes, so that `grad` has `shape`."""
    shape = tuple(shape)
    if np.shape(grad) == shape:
        return grad
    return sum_broadcast_axes(grad, shape, op)


def sum_broadcast_axes(grad: np.ndarray, shape: tuple[int, ...], op: str) -> np.ndarray:
    """`sum_to` for a gradient known to differ in shape (the backward pass's hot path)."""
    axes = reduced_axes(grad.shape, shape, op)
    # ufunc.reduce, not np.sum: this runs for every broadcast bias in every step, and
    # np.sum's Python wrapper costs more than the sum itself on small arrays
    if not axes:
        return np.reshape(grad, shape)
    summed: np.ndarray = np.add.reduce(grad, axis=axes)
    return summed if summed.shape == shape else summed.reshape(shape)
