"""Exact numbers (int, Fraction) stay exact only while they stay small.

Exact arithmetic costs time and memory that grow with the numbers: `((3 ** 63) ** 63) ** 63`
has 397,000 bits, one more power of 63 runs for minutes, and repeated squaring doubles the
size each step. Any exact result (of an op, or a gradient) that needs more than
`EXACT_BITS` bits becomes a float: ±inf, 0.0 for a tiny Fraction, or the nearest float of a
Fraction whose numerator and denominator are both huge.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

EXACT_BITS = 1 << 16


def exact_bits(x: int | Fraction) -> int:
    """The bits an exact number needs (the larger of a Fraction's numerator and denominator)."""
    if type(x) is int:
        return x.bit_length()
    return max(x.numerator.bit_length(), x.denominator.bit_length())


def as_float(x: Any) -> float:
    """`float(x)`, with ±inf where an int or Fraction is beyond the float range."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def in_floats(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` computed in floats: for an int beyond the float range meeting a float,
    where Python raises OverflowError and IEEE 754 gives inf (or nan, as inf - inf)."""
    return fn(*[as_float(a) for a in args])


def float_call(fn: Callable[[float], float], x: Any) -> float:
    """`fn(x)` in floats with IEEE 754 results where `math` raises: nan for a domain error
    (sin of inf), inf for an overflow (expm1 of 1000)."""
    try:
        return fn(x if type(x) is float else as_float(x))
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf


def bounded(x: Any) -> Any:
    """`x`, unless it is an int or Fraction needing more than EXACT_BITS bits: then a float.

    Callers skip floats before calling (the hot path): only exact numbers get here.
    """
    kind = type(x)
    if (kind is int or kind is Fraction) and exact_bits(x) > EXACT_BITS:
        return as_float(x)
    return x


def huge_exact_power(a: Any, b: Any) -> bool:
    """True when an exact a ** b would need more than EXACT_BITS bits."""
    if type(b) is Fraction and b.denominator == 1:
        b = b.numerator
    if type(b) is not int or type(a) not in (int, Fraction):
        return False
    size = exact_bits(a)
    return size > 1 and abs(b) * size > EXACT_BITS
