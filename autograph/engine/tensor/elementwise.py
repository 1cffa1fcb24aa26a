"""The elementwise functions people bring from NumPy, PyTorch and DeZero: sin, cos, tan,
sqrt, square, log1p, expm1, leaky_relu, clip/clamp, maximum, minimum, pow; and the
comparisons `< <= > >=`, which give NumPy boolean arrays (constants: no gradient).

`ElementwiseOps` is a mixin of `Tensor`: each method makes its result with `self._derive`.
Gradients at kinks and ties follow PyTorch (see the rules in `rules.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from autograph.engine.arguments import check_slope, clip_positions
from autograph.engine.broadcast import broadcast_shapes

if TYPE_CHECKING:
    from autograph.engine.tensor.core import Tensor


class ElementwiseOps:
    """The elementwise functions of `Tensor` beyond exp/log/tanh/sigmoid/relu."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: NDArray[Any]

        @property
        def shape(self) -> tuple[int, ...]: ...
        def _operand(self, other: Any) -> Tensor | None: ...
        def _derive(
            self, data: Any, op: str, params: Any = None, others: tuple[Tensor, ...] = ()
        ) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...

    def sin(self) -> Tensor:
        return self._derive(np.sin(self._data), "sin")

    def cos(self) -> Tensor:
        return self._derive(np.cos(self._data), "cos")

    def tan(self) -> Tensor:
        return self._derive(np.tan(self._data), "tan")

    def sqrt(self) -> Tensor:
        """√x: nan below 0; the gradient at 0 is inf, as PyTorch's."""
        return self._derive(np.sqrt(self._data), "sqrt")

    def square(self) -> Tensor:
        return self._derive(np.square(self._data), "square")

    def log1p(self) -> Tensor:
        """log(1 + x), accurate for small x."""
        return self._derive(np.log1p(self._data), "log1p")

    def expm1(self) -> Tensor:
        """exp(x) - 1, accurate for small x."""
        return self._derive(np.expm1(self._data), "expm1")

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x where x > 0, else negative_slope·x (PyTorch's default slope, 0.01). The
        gradient at 0 is the slope, as PyTorch's."""
        slope = float(check_slope(negative_slope))
        data = self._data
        return self._derive(np.where(data > 0, data, data * slope), "leaky_relu", slope)

    def pow(self, exponent: Any) -> Tensor:
        """`self ** exponent` (PyTorch's `t.pow`)."""
        return self.__pow__(exponent)

    def maximum(self, other: Any) -> Tensor:
        """The elementwise larger of this tensor and `other` (broadcasting; a nan wins).
        At ties each side gets half the gradient, as in PyTorch."""
        return self._pairwise(other, "maximum", np.maximum)

    def minimum(self, other: Any) -> Tensor:
        """The elementwise smaller (see `maximum`)."""
        return self._pairwise(other, "minimum", np.minimum)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (NumPy's names)
        """Values below `min` become `min`, above `max` become `max` (either may be None, a
        number, an array or a Tensor). As PyTorch's clamp: where min > max the result is max;
        the gradient goes to x where min <= x <= max (the bounds included), else to the
        bound that was taken."""
        lo_pos, hi_pos = clip_positions(min is not None, max is not None)
        lo = None if min is None else self._bound(min)
        hi = None if max is None else self._bound(max)
        bounds = tuple(b for b in (lo, hi) if b is not None)
        broadcast_shapes("clip", self.shape, *(b.shape for b in bounds))
        out = self._data
        if lo is not None:  # max(x, lo) first, then min(., hi): where lo > hi, that is hi
            out = np.maximum(out, lo._data)
        if hi is not None:
            out = np.minimum(out, hi._data)
        return self._derive(out, "clip", (lo_pos, hi_pos), bounds)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (PyTorch's names)
        """PyTorch's name for `clip`."""
        return self.clip(min, max)

    # -- comparisons: boolean arrays, no gradient --------------------------------------

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    # -- helpers ------------------------------------------------------------------------

    def _bound(self, value: Any) -> Tensor:
        o = self._operand(value)
        if o is None:
            raise TypeError(
                f"clip: a bound must be a number, an array or a Tensor, got {type(value).__name__}"
            )
        return o

    def _pairwise(self, other: Any, op: str, fn: Callable[..., Any]) -> Tensor:
        o = self._operand(other)
        if o is None:
            raise TypeError(
                f"{op}: the other operand must be a Tensor, an array or a number, got "
                f"{type(other).__name__}"
            )
        broadcast_shapes(op, self.shape, o.shape)
        return self._derive(fn(self._data, o._data), op, None, (o,))

    def _compare(self, other: Any, fn: Callable[..., Any]) -> Any:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        broadcast_shapes(fn.__name__, self.shape, o.shape)
        return fn(self._data, o._data)
