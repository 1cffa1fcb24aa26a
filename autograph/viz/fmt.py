"""Numbers for people: 715 rather than 715.0000000000001, 3.3 rather than 33/10.

- floats are rounded to `precision` significant digits (10 by default) and then printed in
  the shortest form that reads back as that rounded number; `precision=None` prints the
  full `repr` (every digit the float holds);
- ints print as they are; `-0.0` prints as `0`;
- Fractions print exactly: as a decimal when they have one (`33/10` -> `3.3`), otherwise as
  `p/q` (`1/3`);
- arrays print in full when small (at most `max_elements`), otherwise as a summary of their
  range and mean.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

DEFAULT_PRECISION = 10


def _terminating_decimal(q: Fraction) -> str | None:
    """`q` as an exact decimal string, or None when its expansion does not terminate."""
    d = q.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return None
    places = max(twos, fives)
    scaled = abs(q.numerator) * 10**places // q.denominator
    digits = str(scaled).rjust(places + 1, "0")
    whole, frac = digits[: len(digits) - places], digits[len(digits) - places :]
    text = whole if not frac else f"{whole}.{frac}".rstrip("0").rstrip(".")
    return ("-" if q < 0 else "") + text


LONG_BITS = 53  # exact numbers longer than a float's 16 digits are abbreviated
EXACT_DIGITS_BITS = 13_000  # Python refuses to print ints of more than 4300 digits


def _scientific(x: int | Fraction, precision: int | None) -> str:
    """A long exact number as `4.406902732e+477` (Decimal: no float overflow)."""
    digits = precision or 17
    value = Decimal(x) if isinstance(x, int) else Decimal(x.numerator) / Decimal(x.denominator)
    mantissa, _, exponent = f"{value:.{digits - 1}e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent):+d}"


def nonfinite_text(x: float) -> str | None:
    """ "nan", "inf" or "-inf" (also how JSON export writes them), None for a finite x."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return None


def format_number(x: Any, precision: int | None = DEFAULT_PRECISION) -> str:
    """One number as short text.

    >>> format_number(715.0000000000001), format_number(3.3000000000000003)
    ('715', '3.3')
    >>> format_number(3.3000000000000003, precision=None)
    '3.3000000000000003'
    >>> format_number(Fraction(33, 10)), format_number(Fraction(1, 3))
    ('3.3', '1/3')
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return format_number(x.numerator, precision)
        if max(x.numerator.bit_length(), x.denominator.bit_length()) > LONG_BITS:
            return _scientific(x, precision)
        return _terminating_decimal(x) or f"{x.numerator}/{x.denominator}"
    if isinstance(x, int | np.integer):
        x = int(x)
        # a 3**1000 on an edge would be a 478-digit label: abbreviate unless asked not to
        if x.bit_length() > (LONG_BITS if precision is not None else EXACT_DIGITS_BITS):
            return _scientific(x, precision)
        return str(x)
    if isinstance(x, np.floating) and x.dtype.itemsize < 8:
        # float32 holds ~7 significant digits: more would print its binary noise
        precision = 7 if precision is None else min(precision, 7)
    if isinstance(x, float | np.floating):
        x = float(x)
        special = nonfinite_text(x)
        if special is not None:
            return special
        if x == 0:
            return "0"
        if precision is not None:
            x = float(f"{x:.{precision}g}")
        if x.is_integer() and abs(x) < 1e16:
            return str(int(x))
        return repr(x)
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return format_number(x[()], precision)  # a NumPy scalar keeps its dtype
    return str(x)


def format_array(
    a: np.ndarray, precision: int | None = DEFAULT_PRECISION, max_elements: int = 12
) -> str:
    """A small array in full (`[[1, 2], [3, 4]]`), a large one as `min..max, mean m`."""
    a = np.asarray(a)
    if a.ndim == 0:
        return format_number(a.item(), precision)
    short = min(precision, 4) if precision is not None else None
    if a.size <= max_elements:
        return np.array2string(
            a,
            separator=", ",
            max_line_width=60,
            formatter={"all": lambda v: format_number(v, short)},
        )
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if finite.size == 0:
        return "no finite values"
    return (
        f"{format_number(finite.min(), short)}..{format_number(finite.max(), short)}, "
        f"mean {format_number(finite.mean(), short)}"
    )


def format_data(x: Any, precision: int | None = DEFAULT_PRECISION, max_elements: int = 12) -> str:
    """A node's data or gradient, scalar or array."""
    if isinstance(x, np.ndarray):
        return format_array(x, precision, max_elements)
    return format_number(x, precision)


def describe_array(a: np.ndarray) -> str:
    """Shape and dtype, e.g. `(2, 3) float64`."""
    shape = "(" + ", ".join(str(s) for s in a.shape) + ("," if a.ndim == 1 else "") + ")"
    return f"{shape} {a.dtype}"
