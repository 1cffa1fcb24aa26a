"""`Value`: a scalar node over Python numbers, a drop-in for micrograd's `Value`.

Data stays the type it was given: floats follow IEEE 754 (1/0.0 is inf, log(-1) is nan),
while ints and Fractions stay exact through + - * / and integer powers, so the apple-and-orange
graph gives exactly 715 and dOrange exactly 33/10. exp, log, tanh, sigmoid and non-integer
powers cannot stay exact: their results are floats (the graph leaves exact arithmetic there).
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from autograph.engine.exact import as_float, bounded, in_floats
from autograph.engine.namespaces import SCALAR
from autograph.engine.node import Node, new_result, scalar_constructors
from autograph.engine.scalar_functions import ScalarFunctions

Number = int | float | Fraction


def as_number(x: Any, what: str = "Value()") -> Number:
    """Check that `x` is a real number; keep ints, floats and Fractions as they are."""
    kind = type(x)
    if kind is float or kind is int or kind is Fraction:
        return x  # type: ignore[no-any-return]  # (checked, without a cast call per number)
    if isinstance(x, Node):
        raise TypeError(
            f"{what} takes a number, got a {kind.__name__} node; use node.data for its "
            "number, or use the node itself"
        )
    if isinstance(x, bool | numbers.Integral | np.bool_):
        return int(x)
    if isinstance(x, numbers.Rational):
        return Fraction(x)
    if isinstance(x, Decimal):
        if x.is_finite():
            return Fraction(x)
        if x.is_snan():
            raise ValueError(f"{what} takes a real number, got a signaling NaN ({x!r})")
        return float(x)  # NaN and ±Infinity: IEEE floats, as Value(float("nan"))
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(
        f"{what} takes a real number (int, float or Fraction), got {kind.__name__} {x!r}"
    )


def _operand(x: Any) -> Value | None:
    """The other operand of an arithmetic op as a Value (numbers become constants)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real | Decimal) and not isinstance(x, Node):
        return _constant(as_number(x))
    return None


class Value(ScalarFunctions, Node):
    """A scalar node: `Value(2.0)`, `Value(Fraction(11, 10), label="tax")`.

    Supports `+ - * / **` (number or Value exponent) with the reflected forms, unary `-`,
    `abs`, `exp log tanh sigmoid relu`, and the functions of `ScalarFunctions` (sin ...
    clip, maximum, minimum); `< <= > >=` compare the numbers. Each op is recorded as
    written (`a - b` is a "-" node, `a / b` a "/" node). Leaves made by the user need
    gradients; numbers mixed into arithmetic become constant leaves that don't.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + a ** 2
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-2.0, 1.0, 2.0)
    """

    __slots__ = ()
    __array_ufunc__ = None  # numpy defers to us instead of building object arrays of Values

    _math = SCALAR
    _broadcasts = False
    _retains_by_default = True
    _empty_grad = 0

    def __init__(self, data: Any, label: str = "", *, requires_grad: bool = True) -> None:
        self._init_leaf(as_number(data), label, requires_grad)

    @classmethod
    def constant(cls, data: Any, label: str = "") -> Value:
        """A leaf that needs no gradient (how plain numbers enter the graph)."""
        return cls(data, label, requires_grad=False)

    # -- arithmetic ---------------------------------------------------------------------

    def __add__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = self._data + o._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.add, self._data, o._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, self, o, "+")

    def __radd__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = o._data + self._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.add, o._data, self._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, o, self, "+")

    def __sub__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = self._data - o._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.sub, self._data, o._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, self, o, "-")

    def __rsub__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = o._data - self._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.sub, o._data, self._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, o, self, "-")

    def __mul__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = self._data * o._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.mul, self._data, o._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, self, o, "*")

    def __rmul__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        try:
            data = o._data * self._data
        except OverflowError:  # an int beyond the float range met a float
            data = in_floats(operator.mul, o._data, self._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, o, self, "*")

    def __truediv__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        data = SCALAR.div(self._data, o._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, self, o, "/")

    def __rtruediv__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        data = SCALAR.div(o._data, self._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, o, self, "/")

    def __pow__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        data = SCALAR.pow(self._data, o._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, self, o, "**")

    def __rpow__(self, other: Any) -> Value:
        o = other if other.__class__ is Value else _operand(other)
        if o is None:
            return NotImplemented
        data = SCALAR.pow(o._data, self._data)
        if data.__class__ is not float:  # an exact number must stay small
            data = bounded(data)
        return _result(data, o, self, "**")

    def __neg__(self) -> Value:
        return _result(-self._data, self, None, "neg")

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _result(abs(self._data), self, None, "abs")

    # -- functions ----------------------------------------------------------------------

    def exp(self) -> Value:
        return _result(SCALAR.exp(self._data), self, None, "exp")

    def log(self) -> Value:
        return _result(SCALAR.log(self._data), self, None, "log")

    def tanh(self) -> Value:
        x = self._data
        return _result(math.tanh(x if x.__class__ is float else as_float(x)), self, None, "tanh")

    def sigmoid(self) -> Value:
        return _result(_sigmoid(self._data), self, None, "sigmoid")

    def relu(self) -> Value:
        x = self._data
        zero = x.__class__(0)  # keeps int/Fraction exact, and avoids -0.0
        return _result(x if x > 0 or x != x else zero, self, None, "relu")

    # -- engine hooks -------------------------------------------------------------------

    def _seed(self, gradient: Any) -> Number:
        if gradient is None:
            # a Fraction seed keeps every gradient exact, even through int / int
            return (
                Fraction(1)
                if type(self._data) is Fraction
                else (1 if type(self._data) is int else 1.0)
            )
        return as_number(gradient, "backward(gradient)")

    def _accumulate(self, g: Any) -> None:
        old = self.grad
        # None: reset by the user (`x.grad = None`, as for a Tensor)
        if old is None or (not isinstance(old, Node) and old == 0):
            self.grad = g
        else:  # (a sum of exact numbers must stay small too)
            total = old + g
            self.grad = total if total.__class__ is float else bounded(total)

    def _zeros(self) -> Number:
        zero: Number = type(self._data)(0)  # 0, 0.0 or Fraction(0), as the data
        return zero

    def _assign(self, data: Any, op: str) -> None:
        self._data = data

    def _own_gradient(self, g: Any) -> Any:
        return g  # numbers keep their type (ints and Fractions stay exact)

    def _coerce(self, other: Any, op: str) -> Value:
        o = _operand(other)
        if o is None:
            raise TypeError(f"{op} takes a Value or a number, got {type(other).__name__}")
        return o

    def detach(self) -> Value:
        return Value(self._data, self.label, requires_grad=False)

    def __float__(self) -> float:
        return float(self._data)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_number_text(self._data)}, grad={_number_text(self.grad)}{label})"

    def __str__(self) -> str:
        # micrograd's text, so that `print(loss, acc)` prints what micrograd prints
        return f"Value(data={self._data}, grad={self.grad})"

    @property
    def _op(self) -> str:
        """The op as micrograd names it where micrograd has it (`**2` for a constant power,
        `ReLU`), so that micrograd's `draw_dot` writes the same labels; else `op`."""
        op = self.op
        if op == "**":
            exponent = self.parents[1]
            return "**" if exponent.requires_grad else f"**{exponent._data}"
        return _MICROGRAD_OPS.get(op, op)


_MICROGRAD_OPS = {"relu": "ReLU"}

# the written-out constructors of the scalar hot path (see node.scalar_constructors)
_result, _constant = scalar_constructors(Value)


def _sigmoid(a: Any) -> float:
    if a.__class__ is not float:
        a = as_float(a)  # (an int beyond the float range is ±inf: 1.0 or 0.0, as for floats)
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _number_text(x: Any) -> str:
    """Shortest text that reads back as the same number (`repr` of a float), `p/q` for a
    Fraction. (Pictures round for people instead: `autograph.viz.fmt.format_number`.)"""
    return str(x) if type(x) is Fraction else repr(x)


# -- n-ary nodes: one node per neuron instead of 2n ------------------------------------


def _as_values(items: Iterable[Any], what: str) -> list[Value]:
    values = []
    for x in items:
        o = _operand(x)
        if o is None:
            raise TypeError(f"{what} takes Values or numbers, got {type(x).__name__}")
        values.append(o)
    return values


def sum_values(items: Iterable[Any]) -> Value:
    """Σ items as ONE node (a chain of `+` would make n - 1)."""
    values = _as_values(items, "sum_values()")
    if not values:
        return Value.constant(0)
    data = [v._data for v in values]
    try:
        total = sum(data)
    except OverflowError:  # an int beyond the float range met a float
        total = sum([as_float(x) for x in data])
    if total.__class__ is not float:  # an exact number must stay small
        total = bounded(total)
    return new_result(Value, total, values, "sum")


def dot(weights: Sequence[Any], inputs: Sequence[Any], bias: Any = None) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as ONE node: a neuron's pre-activation without 2n intermediate nodes."""
    if len(weights) != len(inputs):
        raise ValueError(f"dot(): {len(weights)} weights but {len(inputs)} inputs")
    ws = _as_values(weights, "dot()")
    xs = _as_values(inputs, "dot()")
    parents = ws + xs
    if bias is not None:
        parents.append(_as_values([bias], "dot()")[0])
    try:
        total = sum([w._data * x._data for w, x in zip(ws, xs, strict=True)])
        if bias is not None:
            total = total + parents[-1]._data
    except OverflowError:  # an int beyond the float range met a float
        total = sum([as_float(w._data) * as_float(x._data) for w, x in zip(ws, xs, strict=True)])
        if bias is not None:
            total = total + as_float(parents[-1]._data)
    if total.__class__ is not float:  # an exact number must stay small
        total = bounded(total)
    return new_result(Value, total, parents, "dot", len(ws))
