"""The math namespaces the derivative rules run in: one `Math` protocol, three implementations.

A rule computes with the operators its values overload (`+ - * / @`, unary `-`) and calls
`m.<member>` for everything else, where `m` is

- `SCALAR` on Python numbers (`Value.backward()`),
- `ARRAY` on NumPy arrays (`Tensor.backward()`),
- `GRAPH` on nodes (`backward(create_graph=True)`): each step is itself a recorded op, so the
  backward pass can be differentiated again.

`Math` lists every member a rule may call. The array members (reshape ... probabilities)
serve ops that only Tensors have; `SCALAR` inherits the protocol's versions, which refuse.
"""

from __future__ import annotations

import math
import numbers
import operator
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from autograph.engine.broadcast import sum_to
from autograph.engine.exact import as_float, float_call, huge_exact_power


class Math(Protocol):
    """What a derivative rule may call on its math namespace `m`."""

    def div(self, a: Any, b: Any) -> Any:
        """a / b, with IEEE 754 results for floats (x/0 is ±inf or nan, never an exception)."""
        ...

    def pow(self, a: Any, b: Any) -> Any:
        """a ** b, nan for a negative base to a fractional power (never complex)."""
        ...

    def exp(self, a: Any) -> Any: ...

    def log(self, a: Any) -> Any:
        """The natural log: -inf at 0, nan below."""
        ...

    def sin(self, a: Any) -> Any: ...

    def cos(self, a: Any) -> Any: ...

    def sign(self, a: Any) -> Any:
        """-1, 0 or 1 (a constant: its derivative is zero)."""
        ...

    def raw(self, a: Any) -> Any:
        """The numbers of `a` (a node's data): what conditions are computed from."""
        ...

    def keep(self, condition: Any, a: Any) -> Any:
        """`a` where `condition` holds, else a zero of `a`'s type: exactly 0, even where `a`
        is nan or inf (a select, where a mask product would give 0 * nan = nan)."""
        ...

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        """`a` where `condition` holds, else `b`; either may be a plain number."""
        ...

    def slope_exponent(self, x: Any, y: Any) -> Any:
        """The exponent for d/dx x**y = y * x**e: y - 1, or y itself where that keeps
        0 * inf out of a product that is 0 (y == 0)."""
        ...

    # -- array members: ops that only Tensors have ----------------------------------------

    def reshape(self, a: Any, shape: tuple[int, ...]) -> Any:
        return _no_axes("reshape")

    def transpose(self, a: Any, axes: tuple[int, ...]) -> Any:
        return _no_axes("transpose")

    def broadcast_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return _no_axes("broadcast_to")

    def sum_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return _no_axes("sum_to")

    def sum(self, a: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
        return _no_axes("sum")

    def astype(self, a: Any, dtype: np.dtype[Any]) -> Any:
        """`a` converted to `dtype` (a cast's gradient goes back to the input's dtype)."""
        return _no_axes("astype")

    def mT(self, a: Any) -> Any:
        """The matrix transpose of the last two axes."""
        return _no_axes("mT")

    def getitem(self, a: Any, index: Any) -> Any:
        return _no_axes("getitem")

    def scatter(self, a: Any, index: Any, shape: tuple[int, ...]) -> Any:
        """Zeros of `shape` with `a` added at `index` (repeated indices add up)."""
        return _no_axes("scatter")

    def max_mask(self, x: Any, out_kept: Any) -> Any:
        """Where x attains its maximum (ties share equally): a constant."""
        return _no_axes("max_mask")

    def probabilities(self, logits: Any, cached: Any) -> Any:
        """softmax(logits) along the last axis (the forward pass's, when it can be reused)."""
        return _no_axes("probabilities")


def _no_axes(member: str) -> Any:
    raise TypeError(f"{member} is an array operation; scalar nodes have no axes")


# -- Python numbers ----------------------------------------------------------------------


class ScalarMath(Math):
    """Rules on Python numbers. Float results follow IEEE 754 (inf/nan, never an exception);
    exact numbers (int, Fraction) stay exact wherever the operation allows."""

    __slots__ = ()

    def div(self, a: Any, b: Any) -> Any:
        try:
            return a / b
        except OverflowError:  # an int beyond the float range met a float
            return self.div(as_float(a), as_float(b))
        except ZeroDivisionError:
            if isinstance(a, Fraction) or isinstance(b, Fraction):
                raise ZeroDivisionError(
                    f"division by zero with exact numbers ({a} / {b}): a Fraction has no "
                    "infinity; use floats for IEEE inf/nan"
                ) from None
            if a == 0 or a != a:
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)

    def pow(self, a: Any, b: Any) -> Any:
        if huge_exact_power(a, b):  # exactness would cost unbounded time and memory
            a, b = as_float(a), as_float(b)
        try:
            result = a**b
        except ZeroDivisionError:  # 0.0 ** negative
            if isinstance(a, Fraction):
                raise
            return math.inf
        except OverflowError:  # a float result beyond the range, or a huge int met a float
            if type(a) is float and type(b) is float:
                return math.inf
            return self.pow(as_float(a), as_float(b))
        return math.nan if isinstance(result, complex) else result

    def exp(self, a: Any) -> Any:
        try:
            return math.exp(a if type(a) is float else as_float(a))
        except OverflowError:
            return math.inf

    def log(self, a: Any) -> Any:
        if a > 0:
            if type(a) is Fraction:  # a tiny one is 0.0 as a float: take num and den apart
                return math.log(a.numerator) - math.log(a.denominator)
            return math.log(a)
        return -math.inf if a == 0 else math.nan

    def sin(self, a: Any) -> Any:
        return float_call(math.sin, a)

    def cos(self, a: Any) -> Any:
        return float_call(math.cos, a)

    def sign(self, a: Any) -> Any:
        return 1 if a > 0 else (-1 if a < 0 else 0)

    def raw(self, a: Any) -> Any:
        return a

    def keep(self, condition: Any, a: Any) -> Any:
        return a if condition else type(a)(0)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    def slope_exponent(self, x: Any, y: Any) -> Any:
        # where y == 0, y * x**(y-1) is 0 for every x; x**(y-1) may not be (0 * inf = nan at
        # x = 0 or a subnormal x), so use the exponent y there: the product is still 0
        return y if y == 0 else y - 1


# -- NumPy arrays ------------------------------------------------------------------------


def _scatter(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    full = np.zeros(shape, dtype=np.result_type(g, np.float32))
    np.add.at(full, index, g)
    return full


def max_mask(x: np.ndarray, out_kept: np.ndarray) -> np.ndarray:
    """Where x attains its maximum along the reduced axes; ties share the gradient equally."""
    hits = (x == out_kept).astype(x.dtype)
    axes = tuple(k for k, size in enumerate(out_kept.shape) if size == 1)
    return hits / np.sum(hits, axis=axes, keepdims=True)  # type: ignore[no-any-return]


class ArrayMath(Math):
    """Rules on NumPy arrays. Array methods (`a.reshape`) rather than `np.reshape`: on a
    training step's small arrays the functions' Python wrappers cost more than the work."""

    __slots__ = ()

    def div(self, a: Any, b: Any) -> Any:
        return np.divide(a, b)

    def pow(self, a: Any, b: Any) -> Any:
        return np.power(a, b)

    def exp(self, a: Any) -> Any:
        return np.exp(a)

    def log(self, a: Any) -> Any:
        return np.log(a)

    def sin(self, a: Any) -> Any:
        return np.sin(a)

    def cos(self, a: Any) -> Any:
        return np.cos(a)

    def sign(self, a: Any) -> Any:
        return np.sign(a)

    def raw(self, a: Any) -> Any:
        return a

    def keep(self, condition: Any, a: Any) -> Any:
        return np.where(condition, a, 0)  # (a Python 0 keeps a's dtype)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return np.where(condition, a, b)

    def slope_exponent(self, x: Any, y: Any) -> Any:
        return np.where(y == 0, y, y - 1)  # as SCALAR.slope_exponent, elementwise

    def reshape(self, a: Any, shape: tuple[int, ...]) -> Any:
        return a.reshape(shape)

    def transpose(self, a: Any, axes: tuple[int, ...]) -> Any:
        return a.transpose(axes)

    def broadcast_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return np.broadcast_to(a, shape)

    def sum_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return sum_to(a, shape)

    def sum(self, a: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
        return np.sum(a, axis=axis, keepdims=keepdims)

    def astype(self, a: Any, dtype: np.dtype[Any]) -> Any:
        return a.astype(dtype, copy=False)

    def mT(self, a: Any) -> Any:
        return a.T if a.ndim == 2 else np.swapaxes(a, -1, -2)

    def getitem(self, a: Any, index: Any) -> Any:
        return a[index]

    def scatter(self, a: Any, index: Any, shape: tuple[int, ...]) -> Any:
        return _scatter(a, index, shape)

    def max_mask(self, x: Any, out_kept: Any) -> Any:
        return max_mask(x, out_kept)

    def probabilities(self, logits: Any, cached: Any) -> Any:
        return cached  # softmax(logits), kept by the forward pass


# -- nodes (create_graph=True) -----------------------------------------------------------


class GraphMath(Math):
    """Rules on nodes: every step is a recorded op. Masks and signs are constants: their
    derivative is zero almost everywhere."""

    __slots__ = ()

    def div(self, a: Any, b: Any) -> Any:
        return operator.truediv(a, b)

    def pow(self, a: Any, b: Any) -> Any:
        return operator.pow(a, b)

    def exp(self, a: Any) -> Any:
        return a.exp()

    def log(self, a: Any) -> Any:
        return a.log()

    def sin(self, a: Any) -> Any:
        return a.sin()

    def cos(self, a: Any) -> Any:
        return a.cos()

    def sign(self, a: Any) -> Any:
        return _constant_like(a, a._math.sign(a.data))

    def raw(self, a: Any) -> Any:
        return a.data

    def keep(self, condition: Any, a: Any) -> Any:
        if a._broadcasts:
            return a.where(condition, 0)
        return a if condition else _constant_like(a, type(a.data)(0))

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        a_is_number = isinstance(a, numbers.Number)  # (a rule's constant, like the 1 of **)
        node = b if a_is_number else a
        if node._broadcasts:  # Tensor.where(condition, other) is where(condition, self, other)
            return b.where(~condition, a) if a_is_number else a.where(condition, b)
        chosen = a if condition else b
        return _constant_like(node, chosen) if isinstance(chosen, numbers.Number) else chosen

    def slope_exponent(self, x: Any, y: Any) -> Any:
        # A constant exponent (the usual x**2) takes the data-mode nudge. A variable one
        # must keep d/dy right, so it is nudged only where x == y == 0.
        if not y.requires_grad:
            return y.constant(y._math.slope_exponent(x.data, y.data))
        if y._broadcasts:
            both_zero: Any = (x.data == 0) & (y.data == 0)
        else:
            both_zero = 1 if x.data == 0 and y.data == 0 else 0
        return y - 1 + _constant_like(y, both_zero)

    def reshape(self, a: Any, shape: tuple[int, ...]) -> Any:
        return a.reshape(shape)

    def transpose(self, a: Any, axes: tuple[int, ...]) -> Any:
        return a.transpose(axes)

    def broadcast_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return a.broadcast_to(shape)

    def sum_to(self, a: Any, shape: tuple[int, ...]) -> Any:
        return a.sum_to(shape)

    def sum(self, a: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
        return a.sum(axis, keepdims)

    def astype(self, a: Any, dtype: np.dtype[Any]) -> Any:
        return a.astype(dtype)

    def mT(self, a: Any) -> Any:
        return a.mT

    def getitem(self, a: Any, index: Any) -> Any:
        return a[index]

    def scatter(self, a: Any, index: Any, shape: tuple[int, ...]) -> Any:
        return a.scatter(index, shape)

    def max_mask(self, x: Any, out_kept: Any) -> Any:
        return _constant_like(x, max_mask(x.data, out_kept.data))

    def probabilities(self, logits: Any, cached: Any) -> Any:
        return logits.softmax(-1)  # recomputed, so that it is differentiable


def _constant_like(node: Any, data: Any) -> Any:
    """A constant node holding `data` in `node`'s dtype (a float32 graph stays float32)."""
    if node._broadcasts:  # (a mask of a 0-d array is a NumPy scalar: cast it too)
        data = np.asarray(data, dtype=node.data.dtype)
    return node.constant(data)


SCALAR: Math = ScalarMath()
ARRAY: Math = ArrayMath()
GRAPH: Math = GraphMath()
