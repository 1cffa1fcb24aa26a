"""Tensor ops that move elements without computing new values: reshape, transpose,
broadcast_to, sum_to, indexing and scatter; and the checks of their arguments (axes, shapes,
indices) that every Tensor op shares.

`ShapeOps` is a mixin of `Tensor`: each method makes its result with `self._derive`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError, broadcast_shapes, reduced_axes
from autograph.engine.namespaces import ARRAY
from autograph.engine.node import Node

if TYPE_CHECKING:
    from autograph.engine.tensor.core import Tensor

Axis = int | Sequence[int] | None


def _integer(value: Any, op: str, what: str) -> int:
    """`value` as an int, refusing what NumPy refuses (floats, strings; bools too)."""
    if not isinstance(value, bool | np.bool_):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{op}: {what}, got {type(value).__name__} {value!r}")


def _check_axis(axis: int, ndim: int, op: str) -> int:
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dims")
    return axis % ndim if ndim else 0


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """`axis` (None, an int or a sequence of ints) as sorted non-negative axes."""
    if axis is None:
        return None
    items = axis if isinstance(axis, tuple | list) else (axis,)
    what = "axis must be an int or a tuple of ints"
    normalized = [_check_axis(_integer(a, op, what), ndim, op) for a in items]
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(normalized))


def single_axis(axis: Any, ndim: int, op: str) -> int:
    """One axis, as PyTorch's `dim` (softmax and log_softmax take no tuple and no None)."""
    if axis is None or isinstance(axis, tuple | list):
        raise TypeError(
            f"{op}: axis must be one int, got {axis!r} (as PyTorch's dim; to use several "
            "axes, reshape them into one first)"
        )
    return _check_axis(_integer(axis, op, "axis must be one int"), ndim, op)


def shape_arg(shape: tuple[Any, ...], op: str, what: str = "shape") -> tuple[int, ...]:
    """`reshape(2, 3)` and `reshape((2, 3))` alike: the sizes as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list | np.ndarray):
        shape = tuple(shape[0])
    return tuple(_integer(s, op, f"{what} must be integers") for s in shape)


class ShapeOps:
    """The shape and indexing methods of `Tensor`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: NDArray[Any]

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def ndim(self) -> int: ...
        @property
        def size(self) -> int: ...
        def _derive(self, data: Any, op: str, params: Any = None) -> Tensor: ...

    def reshape(self, *shape: Any) -> Tensor:
        new_shape = shape_arg(shape, "reshape")
        try:
            data = self._data.reshape(new_shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape shape {self.shape} ({self.size} "
                f"elements) into {new_shape}"
            ) from None
        return self._derive(data, "reshape", new_shape)

    def transpose(self, *axes: Any) -> Tensor:
        ndim = self.ndim
        if not axes:
            perm = tuple(reversed(range(ndim)))
        else:
            given = shape_arg(axes, "transpose", "axes")
            perm = tuple(_check_axis(a, ndim, "transpose") for a in given)
            if len(set(perm)) != len(perm):
                raise ShapeError(f"transpose: repeated axis in {given}")
            if len(perm) != ndim:
                raise ShapeError(
                    f"transpose: {given} is not a permutation of the {ndim} axes of shape "
                    f"{self.shape}"
                )
        return self._derive(np.transpose(self._data, perm), "transpose", perm)

    @property
    def T(self) -> Tensor:
        return self.transpose()

    @property
    def mT(self) -> Tensor:
        """Swap the last two axes (the matrix transpose of a batch of matrices)."""
        if self.ndim < 2:
            raise ShapeError(f"mT needs at least 2 dims, got shape {self.shape}")
        perm = list(range(self.ndim))
        perm[-1], perm[-2] = perm[-2], perm[-1]
        return self.transpose(*perm)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        shape = tuple(shape)
        broadcast_shapes("broadcast_to", self.shape, shape)
        return self._derive(np.broadcast_to(self._data, shape), "broadcast_to", shape)

    def sum_to(self, shape: Sequence[int]) -> Tensor:
        """Sum over broadcast axes down to `shape` (what broadcasting's gradient does)."""
        shape = tuple(shape)
        axes = reduced_axes(self.shape, shape, "sum_to", forward=True)
        data = np.sum(self._data, axis=axes).reshape(shape) if axes else self._data.reshape(shape)
        return self._derive(data, "sum_to", shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = array_index(index, "getitem")
        data = _pick(self._data, index, "getitem")  # NumPy checks the index, masks included
        return self._derive(data, "getitem", mask_positions(index))

    def scatter(self, index: Any, shape: Sequence[int]) -> Tensor:
        """Zeros of `shape` with this tensor added at `index` (getitem's gradient)."""
        shape = shape_arg((shape,), "scatter")
        index = array_index(index, "scatter")
        picked = _pick(np.broadcast_to(np.zeros((), self._data.dtype), shape), index, "scatter")
        if picked.shape != self.shape:
            raise ShapeError(
                f"scatter: a tensor of shape {self.shape} does not fit: the index picks "
                f"shape {picked.shape} from {shape}"
            )
        index = mask_positions(index)
        return self._derive(ARRAY.scatter(self._data, index, shape), "scatter", (index, shape))


def _pick(data: NDArray[Any], index: Any, op: str) -> Any:
    try:
        return data[index]
    except IndexError as error:
        raise IndexError(f"{op}: {error} (tensor shape {data.shape})") from None


def array_index(index: Any, op: str) -> Any:
    """An index with Tensors and lists made arrays, checked for what this engine supports:
    ints, slices, None, Ellipsis, integer arrays and boolean masks."""
    if isinstance(index, tuple):
        return tuple(array_index(item, op) for item in index)
    if isinstance(index, Node):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, bool | np.bool_) or (
        isinstance(index, np.ndarray) and index.dtype == bool and index.ndim == 0
    ):
        raise IndexError(
            f"{op}: a boolean scalar index (True/False, or a 0-d mask) is not supported; "
            "index with None to add an axis"
        )
    if isinstance(index, np.ndarray) and index.dtype.kind not in "iub":
        raise IndexError(
            f"{op}: index arrays must hold integers or booleans, got dtype {index.dtype}"
        )
    return index


def mask_positions(index: Any) -> Any:
    """The index with each boolean mask replaced by the integer arrays of its True positions
    (a k-dim mask indexes k axes), which is what the gradient's `np.add.at` needs."""
    if isinstance(index, np.ndarray) and index.dtype == bool:
        return np.nonzero(index)
    if not isinstance(index, tuple):
        return index
    parts: list[Any] = []
    for item in index:
        if isinstance(item, np.ndarray) and item.dtype == bool:
            parts.extend(np.nonzero(item))
        else:
            parts.append(item)
    return tuple(parts)
