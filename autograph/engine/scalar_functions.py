"""Value's elementwise functions beyond micrograd's (sin, cos, tan, sqrt, square, log1p,
expm1, leaky_relu, clip/clamp, maximum, minimum, pow) and the comparisons `< <= > >=`,
which compare the numbers and give a Python bool, as Python numbers do.

`ScalarFunctions` is a mixin of `Value`. As Value's other ops: floats follow IEEE 754
(sqrt(-1.0) is nan, log1p(-1) is -inf), exact numbers (int, Fraction) stay exact where the
result is (square, clip, maximum, minimum; leaky_relu with an exact slope), and the other
functions give floats. The rules, shared with Tensor, are in `rules.py`.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from autograph.engine.arguments import check_slope, clip_positions
from autograph.engine.exact import as_float, bounded, float_call, in_floats
from autograph.engine.namespaces import SCALAR
from autograph.engine.node import new_result

if TYPE_CHECKING:
    from autograph.engine.value import Value


class ScalarFunctions:
    """The elementwise functions and comparisons of `Value`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: Any

        def _coerce(self, other: Any, op: str) -> Value: ...
        def __pow__(self, other: Any) -> Value: ...

    def _make(
        self, data: Any, op: str, params: Any = None, others: tuple[Value, ...] = ()
    ) -> Value:
        kind: Any = type(self)  # (Value: this mixin is one of its bases)
        parents: Any = (self, *others)
        return new_result(kind, data, parents, op, params)  # type: ignore[no-any-return]

    def sin(self) -> Value:
        return self._make(SCALAR.sin(self._data), "sin")

    def cos(self) -> Value:
        return self._make(SCALAR.cos(self._data), "cos")

    def tan(self) -> Value:
        return self._make(float_call(math.tan, self._data), "tan")

    def sqrt(self) -> Value:
        """√x as a float (nan below 0); the gradient at 0 is inf, as PyTorch's."""
        return self._make(_sqrt(self._data), "sqrt")

    def square(self) -> Value:
        """x·x (exact numbers stay exact)."""
        x = self._data
        try:
            data = x * x
        except OverflowError:  # an int beyond the float range
            data = in_floats(operator.mul, x, x)
        return self._make(data if data.__class__ is float else bounded(data), "square")

    def log1p(self) -> Value:
        """log(1 + x), accurate for small x: -inf at -1, nan below."""
        return self._make(_log1p(self._data), "log1p")

    def expm1(self) -> Value:
        """exp(x) - 1, accurate for small x."""
        return self._make(float_call(math.expm1, self._data), "expm1")

    def leaky_relu(self, negative_slope: Any = 0.01) -> Value:
        """x where x > 0, else negative_slope·x (PyTorch's default slope, 0.01); the gradient
        at 0 is the slope, as PyTorch's. An exact slope keeps exact numbers exact."""
        slope = check_slope(negative_slope)
        if type(slope) not in (int, float, Fraction):
            slope = Fraction(slope) if isinstance(slope, numbers.Rational) else float(slope)
        x = self._data
        if x > 0:
            data = x
        else:
            try:
                data = slope * x
            except OverflowError:
                data = in_floats(operator.mul, slope, x)
            data = data if data.__class__ is float else bounded(data)
        return self._make(data, "leaky_relu", slope)

    def pow(self, exponent: Any) -> Value:
        """`self ** exponent` (PyTorch's name)."""
        return self.__pow__(exponent)

    def maximum(self, other: Any) -> Value:
        """The larger of this number and `other` (a nan wins, as in NumPy and PyTorch). At a
        tie each side gets half the gradient, as in PyTorch."""
        o = self._coerce(other, "maximum")
        x, y = self._data, o._data
        return self._make(x if x > y or x != x else y, "maximum", None, (o,))

    def minimum(self, other: Any) -> Value:
        """The smaller of this number and `other` (see `maximum`)."""
        o = self._coerce(other, "minimum")
        x, y = self._data, o._data
        return self._make(x if x < y or x != x else y, "minimum", None, (o,))

    def clip(self, min: Any = None, max: Any = None) -> Value:  # noqa: A002 (NumPy's names)
        """`min` if this number is below it, `max` if above (either may be None, a number or
        a Value). As PyTorch's clamp: where min > max the result is max; the gradient goes
        to x where min <= x <= max (the bounds included), else to the bound taken."""
        params = clip_positions(min is not None, max is not None)
        lo = None if min is None else self._coerce(min, "clip")
        hi = None if max is None else self._coerce(max, "clip")
        data = self._data
        if lo is not None and data < lo._data:
            data = lo._data
        if hi is not None and data > hi._data:
            data = hi._data
        bounds = tuple(b for b in (lo, hi) if b is not None)
        return self._make(data, "clip", params, bounds)

    def clamp(self, min: Any = None, max: Any = None) -> Value:  # noqa: A002 (PyTorch's names)
        """PyTorch's name for `clip`."""
        return self.clip(min, max)

    # -- comparisons: of the numbers, as Python numbers compare -------------------------

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, operator.lt)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, operator.le)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, operator.gt)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, operator.ge)

    def _compare(self, other: Any, fn: Callable[[Any, Any], Any]) -> Any:
        if isinstance(other, ScalarFunctions):
            return fn(self._data, other._data)
        if isinstance(other, numbers.Real | Decimal):
            return fn(self._data, other)
        return NotImplemented


def _sqrt(x: Any) -> float:
    if x < 0:
        return math.nan
    if type(x) is not float:
        f = as_float(x)
        if (f == 0 or f == math.inf) and x != 0:  # beyond the float range: through the log
            return SCALAR.exp(SCALAR.log(x) / 2)  # type: ignore[no-any-return]
        x = f
    return math.sqrt(x)


def _log1p(x: Any) -> float:
    if x <= -1:
        return -math.inf if x == -1 else math.nan
    f = x if type(x) is float else as_float(x)
    if f == math.inf and type(x) is not float:  # an int beyond the float range
        return SCALAR.log(1 + x)  # type: ignore[no-any-return]
    return math.log1p(f)
