"""Tensor ops that move elements without computing new values: reshape, transpose,
broadcast_to, sum_to, indexing and scatter; and the checks of their arguments (axes, shapes,
indices) that every Tensor op shares.

`ShapeOps` is a mixin of `Tensor`: each method makes its result with `self._derive`.
"""

from __future__ import annotations

import numbers
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


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """`axis` (None, an int or a sequence of ints) as sorted non-negative axes."""
    if axis is None:
        return None
    axes: tuple[Any, ...] = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)  # type: ignore[arg-type]
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims")
        normalized.append(int(a) % ndim if ndim else 0)
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(normalized))


def shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """`reshape(2, 3)` and `reshape((2, 3))` alike: the sizes as a tuple."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class ShapeOps:
    """The shape and indexing methods of `Tensor`."""

    __slots__ = ()

    if TYPE_CHECKING:
        data: NDArray[Any]

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def ndim(self) -> int: ...
        @property
        def size(self) -> int: ...
        def _derive(self, data: Any, op: str, params: Any = None) -> Tensor: ...

    def reshape(self, *shape: Any) -> Tensor:
        new_shape = shape_arg(shape)
        try:
            data = self.data.reshape(new_shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape shape {self.shape} ({self.size} "
                f"elements) into {new_shape}"
            ) from None
        return self._derive(data, "reshape", new_shape)

    def transpose(self, *axes: Any) -> Tensor:
        perm = tuple(reversed(range(self.ndim))) if not axes else shape_arg(axes)
        if sorted(a % max(self.ndim, 1) for a in perm) != list(range(self.ndim)):
            raise ShapeError(
                f"transpose: {perm} is not a permutation of the "
                f"{self.ndim} axes of shape {self.shape}"
            )
        perm = tuple(a % self.ndim for a in perm)
        return self._derive(np.transpose(self.data, perm), "transpose", perm)

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
        return self._derive(np.broadcast_to(self.data, shape), "broadcast_to", shape)

    def sum_to(self, shape: Sequence[int]) -> Tensor:
        """Sum over broadcast axes down to `shape` (what broadcasting's gradient does)."""
        shape = tuple(shape)
        axes = reduced_axes(self.shape, shape, "sum_to")
        data = np.sum(self.data, axis=axes).reshape(shape) if axes else self.data.reshape(shape)
        return self._derive(data, "sum_to", shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = plain_index(index)
        try:
            data = self.data[index]
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {self.shape})") from None
        return self._derive(data, "getitem", index)

    def scatter(self, index: Any, shape: Sequence[int]) -> Tensor:
        """Zeros of `shape` with this tensor added at `index` (getitem's gradient)."""
        index = plain_index(index)
        shape = tuple(shape)
        return self._derive(ARRAY.scatter(self.data, index, shape), "scatter", (index, shape))


def plain_index(index: Any) -> Any:
    """Tensors inside an index become their arrays; a boolean mask becomes the integer arrays
    of its True positions (spliced in place when it sits inside a tuple index)."""
    if isinstance(index, tuple):
        parts: list[Any] = []
        for item in index:
            plain = plain_index(item)
            if _is_mask(item):
                parts.extend(plain)  # a k-dim mask indexes k axes
            else:
                parts.append(plain)
        return tuple(parts)
    if isinstance(index, Node):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray):
        if index.dtype == bool:
            return np.nonzero(index)
        if index.dtype.kind not in "iu":
            raise IndexError(
                f"getitem: index arrays must hold integers or booleans, got dtype {index.dtype}"
            )
    return index


def _is_mask(item: Any) -> bool:
    data = item.data if isinstance(item, Node) else item
    return (isinstance(data, np.ndarray) and data.dtype == bool) or (
        isinstance(data, list) and np.asarray(data).dtype == bool
    )
