"""PyTorch's Tensor habits: `t.size()` / `t.size(dim)`, `numel`, `dim`, `view`, `unsqueeze`,
`squeeze`, `flatten`, `argmax` / `argmin`, `float(t)` / `int(t)`.

`TorchOps` is a mixin of `Tensor`. The shape methods record a "reshape" node (they only
move elements); `argmax`/`argmin` give NumPy integer arrays, which have no gradient (a
Tensor holds floats only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError
from autograph.engine.tensor.shape import shape_arg, single_axis

if TYPE_CHECKING:
    from autograph.engine.tensor.core import Tensor


class ElementCount(int):
    """A tensor's `size`: NumPy's element count (an int, `t.size == 6`) that can also be
    called as PyTorch's method: `t.size()` is the shape, `t.size(dim)` one axis's length."""

    shape: tuple[int, ...]

    def __new__(cls, shape: tuple[int, ...]) -> ElementCount:
        count = super().__new__(cls, int(np.prod(shape, dtype=np.int64)))
        count.shape = shape
        return count

    def __call__(self, dim: Any = None) -> Any:
        if dim is None:
            return self.shape
        ndim = len(self.shape)
        return self.shape[_dim(dim, ndim, ndim, "size")]

    def __reduce__(self) -> Any:  # pickles (and copies) as the plain int it is
        return (int, (int(self),))


def _dim(dim: Any, count: int, ndim: int, op: str) -> int:
    """`dim` as an index among `count` positions (negative dims count from the end, as in
    PyTorch); `count` is ndim, or ndim + 1 where a new axis may go (unsqueeze)."""
    if isinstance(dim, bool | np.bool_) or not isinstance(dim, int | np.integer):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    if not -count <= dim < count:
        expected = f"a dim in [{-count}, {count - 1}]" if count else "no dim"
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} dims (expected {expected})"
        )
    return int(dim) % count


class TorchOps:
    """PyTorch's names for shapes and conversions, on `Tensor`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: NDArray[Any]

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def ndim(self) -> int: ...
        def reshape(self, *shape: Any) -> Tensor: ...

    def numel(self) -> int:
        """The number of elements (PyTorch's `numel`; NumPy's `size`)."""
        return int(self._data.size)

    def dim(self) -> int:
        """The number of axes (PyTorch's `dim`; NumPy's `ndim`)."""
        return int(self._data.ndim)

    def view(self, *shape: Any) -> Tensor:
        """`reshape` that, as PyTorch's, refuses when the data cannot be viewed in the new
        shape without a copy (a transposed tensor, say): use `reshape` there."""
        new_shape = shape_arg(shape, "view")
        try:
            np.reshape(self._data, new_shape, copy=False)
        except ValueError:
            try:
                np.reshape(self._data, new_shape)
            except ValueError:
                raise ShapeError(
                    f"view: cannot view shape {self.shape} ({self._data.size} elements) as "
                    f"{new_shape}"
                ) from None
            raise RuntimeError(
                f"view: a tensor of shape {self.shape} with this memory layout cannot be viewed "
                f"as {new_shape} without a copy (as in PyTorch); use .reshape(...) instead"
            ) from None
        return self.reshape(new_shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """A new axis of length 1 at `dim` (in [-ndim-1, ndim], as in PyTorch)."""
        k = _dim(dim, self.ndim + 1, self.ndim, "unsqueeze")
        shape = self.shape
        return self.reshape((*shape[:k], 1, *shape[k:]))

    def squeeze(self, dim: Any = None) -> Tensor:
        """Without the axes of length 1 (all of them, or those of `dim`: an int or a tuple).
        As in PyTorch, a given axis whose length is not 1 is left alone (NumPy's
        `np.squeeze` raises there, and does so on a Tensor too)."""
        shape = self.shape
        if dim is None:
            drop = {k for k, n in enumerate(shape) if n == 1}
        else:
            dims = dim if isinstance(dim, tuple | list) else (dim,)
            count = max(self.ndim, 1)  # (a 0-d tensor takes dim 0 or -1, as in PyTorch)
            picked = [_dim(d, count, self.ndim, "squeeze") for d in dims]
            drop = {k for k in picked if shape and shape[k] == 1}
        return self.reshape(tuple(n for k, n in enumerate(shape) if k not in drop))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """The axes from `start_dim` to `end_dim` (inclusive) as one (PyTorch's `flatten`;
        with no arguments NumPy's `flatten` too, but recorded, and never a copy)."""
        shape = self.shape
        if not shape:
            return self.reshape((1,))
        start = _dim(start_dim, self.ndim, self.ndim, "flatten")
        end = _dim(end_dim, self.ndim, self.ndim, "flatten")
        if start > end:
            raise ShapeError(
                f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {shape}"
            )
        merged = int(np.prod(shape[start : end + 1], dtype=np.int64))
        return self.reshape((*shape[:start], merged, *shape[end + 1 :]))

    def argmax(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Any:
        """The index of the largest element (the first one at ties), over everything or along
        `dim`: a NumPy integer array (no gradient). PyTorch's `dim`/`keepdim` or NumPy's
        `axis`/`keepdims`."""
        return self._arg_extreme(np.argmax, "argmax", dim, keepdim, axis, keepdims)

    def argmin(
        self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None
    ) -> Any:
        """The index of the smallest element (see `argmax`)."""
        return self._arg_extreme(np.argmin, "argmin", dim, keepdim, axis, keepdims)

    def _arg_extreme(
        self, fn: Any, op: str, dim: Any, keepdim: bool, axis: Any, keepdims: Any
    ) -> Any:
        if axis is not None:
            if dim is not None:
                raise TypeError(f"{op}: give dim or axis, not both")
            dim = axis
        keep = bool(keepdim if keepdims is None else keepdims)
        if self._data.size == 0:
            raise ShapeError(f"{op}: a tensor of shape {self.shape} has no elements")
        if dim is None:
            index = fn(self._data)
            return np.reshape(index, (1,) * self.ndim) if keep else index
        k = single_axis(dim, self.ndim, op)
        return fn(self._data, axis=k, keepdims=keep)

    def __float__(self) -> float:
        return float(self._one_element("float"))

    def __int__(self) -> int:
        return int(self._one_element("int"))

    def _one_element(self, what: str) -> Any:
        if self._data.size != 1:
            raise ValueError(
                f"{what}(): only one-element tensors can be converted to Python scalars, got "
                f"shape {self.shape} (as in PyTorch; use .tolist() or .numpy() for the values)"
            )
        return self._data.reshape(()).item()
