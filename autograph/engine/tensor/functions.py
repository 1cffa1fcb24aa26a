"""Tensor functions that compute new values: elementwise (exp, log, tanh, sigmoid, relu,
softmax, log_softmax, where, astype) and reductions (sum, mean, max).

`FunctionOps` is a mixin of `Tensor`: each method makes its result with `self._derive`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError, broadcast_shapes
from autograph.engine.node import Node
from autograph.engine.tensor.shape import Axis, normalize_axis, single_axis

if TYPE_CHECKING:
    from autograph.engine.tensor.core import Tensor


class FunctionOps:
    """The elementwise functions and reductions of `Tensor`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: NDArray[Any]

        @property
        def shape(self) -> tuple[int, ...]: ...
        @property
        def ndim(self) -> int: ...
        def _operand(self, other: Any) -> Tensor | None: ...
        def _derive(
            self, data: Any, op: str, params: Any = None, others: tuple[Tensor, ...] = ()
        ) -> Tensor: ...

    # -- elementwise ----------------------------------------------------------------------

    def exp(self) -> Tensor:
        return self._derive(np.exp(self._data), "exp")

    def log(self) -> Tensor:
        return self._derive(np.log(self._data), "log")

    def tanh(self) -> Tensor:
        return self._derive(np.tanh(self._data), "tanh")

    def sigmoid(self) -> Tensor:
        return self._derive(_sigmoid(self._data), "sigmoid")

    def relu(self) -> Tensor:
        return self._derive(np.maximum(self._data, 0), "relu")

    def softmax(self, axis: int = -1) -> Tensor:
        axis = single_axis(axis, self.ndim, "softmax")
        return self._derive(softmax_array(self._data, axis), "softmax", axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        axis = single_axis(axis, self.ndim, "log_softmax")
        return self._derive(_log_softmax(self._data, axis), "log_softmax", axis)

    def where(self, condition: Any, other: Any) -> Tensor:
        """This tensor where `condition` holds, else `other` (PyTorch's `x.where(c, y)`;
        see `where`). `other` may be a number or an array."""
        c = np.asarray(condition._data if isinstance(condition, Node) else condition)
        if c.dtype != bool:
            c = c.astype(bool)  # truthiness, as np.where
        o = self._operand(other)
        if o is None:
            raise TypeError(
                f"where: y must be a Tensor, an array or a number, got {type(other).__name__}"
            )
        broadcast_shapes("where", c.shape, self.shape, o.shape)
        return self._derive(np.where(c, self._data, o._data), "where", c, (o,))

    def astype(self, dtype: Any) -> Tensor:
        """The data converted to floating `dtype`, as a recorded (differentiable) op."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(
                f"astype: dtype must be a floating type (float32, float64), got {dtype}"
            )
        return self._derive(self._data.astype(dtype), "astype", dtype)

    # -- reductions -----------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = normalize_axis(axis, self.ndim, "sum")
        data = np.sum(self._data, axis=axes, keepdims=keepdims)
        return self._derive(data, "sum", (axes, keepdims))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = normalize_axis(axis, self.ndim, "mean")
        data = np.mean(self._data, axis=axes, keepdims=keepdims)
        return self._derive(data, "mean", (axes, keepdims))

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = normalize_axis(axis, self.ndim, "max")
        if self._data.size == 0:
            empty = [k for k in (range(self.ndim) if axes is None else axes) if not self.shape[k]]
            if empty:
                raise ShapeError(
                    f"max: cannot reduce over an empty axis (axis {empty[0]} of shape "
                    f"{self.shape}): a maximum of nothing has no value"
                )
        data = np.max(self._data, axis=axes, keepdims=keepdims)
        return self._derive(data, "max", (axes, keepdims))


def _sigmoid(a: NDArray[Any]) -> NDArray[Any]:
    # exp of a non-positive number only: no overflow warnings for large |a|
    e = np.exp(-np.abs(a))
    s: NDArray[Any] = np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)
    return s


def softmax_array(x: NDArray[Any], axis: int) -> NDArray[Any]:
    """softmax of an array along `axis`, max-shifted."""
    # array methods and in-place ops on fresh arrays: this runs every training step
    e: NDArray[Any] = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
    e /= np.add.reduce(e, axis=axis, keepdims=True)
    return e


def _log_softmax(x: NDArray[Any], axis: int) -> NDArray[Any]:
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted
