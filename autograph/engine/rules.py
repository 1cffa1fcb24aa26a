"""The derivative table: one vector-Jacobian product per op, shared by Value and Tensor.

Each rule is `vjp(m, g, out, xs, i, p) -> gradient for input i`, where

- `m`   is a math namespace: `SCALAR` (Python numbers), `ARRAY` (NumPy) or `GRAPH` (nodes),
- `g`   is the upstream gradient d(loss)/d(out),
- `out` is the op's result, `xs` its inputs (a tuple), `p` its constant params.

During a plain `backward()` the rule sees raw numbers or arrays; with `create_graph=True` it
sees nodes and the `GRAPH` namespace, and because the rules use the same operators the nodes
overload, the backward pass is itself recorded (gradients of gradients). A rule never mutates
`g`, and never sums over broadcast axes: `backward` does that in one place
(`broadcast.sum_to`) for every op.

Adding an op is one forward method (on Value and/or Tensor) and one entry here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from autograph.engine.broadcast import sum_to

Rule = Callable[[Any, Any, Any, tuple, int, Any], Any]


def _matmul_vjp(m: Any, g: Any, out: Any, xs: tuple, i: int, p: Any) -> Any:
    x, y = xs
    if x.ndim == 1 and y.ndim == 1:  # inner product: out is a scalar
        return g * xs[1 - i]
    # Treat a 1-D operand as a matrix (a row on the left, a column on the right), as matmul does.
    x2 = x if x.ndim > 1 else m.reshape(x, (1, *x.shape))
    y2 = y if y.ndim > 1 else m.reshape(y, (*y.shape, 1))
    if x.ndim == 1:
        g = m.reshape(g, (*g.shape[:-1], 1, g.shape[-1]))
    elif y.ndim == 1:
        g = m.reshape(g, (*g.shape, 1))
    if i == 0:
        gx = g @ m.mT(y2)
        return gx if x.ndim > 1 else m.reshape(m.sum_to(gx, x2.shape), x.shape)
    gy = m.mT(x2) @ g
    return gy if y.ndim > 1 else m.reshape(m.sum_to(gy, y2.shape), y.shape)


def _affine_vjp(m: Any, g: Any, out: Any, xs: tuple, i: int, p: Any) -> Any:
    # out = x @ w (+ b); x is (..., n), w is (n, k). The bias gets g: backward sums it down.
    if i == 0:
        return g @ m.mT(xs[1])
    if i == 1:
        x = xs[0]
        if x.ndim == 2:
            return m.mT(x) @ g
        n, k = xs[1].shape
        return m.mT(m.reshape(x, (-1, n))) @ m.reshape(g, (-1, k))
    return g


def kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """`shape` with the reduced axes kept as size 1 (what keepdims=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if k in axis else size for k, size in enumerate(shape))


def reduced_count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    return math.prod(shape) if axis is None else math.prod(shape[k] for k in axis)


def _spread(m: Any, g: Any, x: Any, axis: tuple[int, ...] | None) -> Any:
    """The gradient of a reduction, broadcast back over the reduced axes."""
    return m.broadcast_to(m.reshape(g, kept_shape(x.shape, axis)), x.shape)


def _dot_vjp(m: Any, g: Any, out: Any, xs: tuple, i: int, n: int) -> Any:
    # inputs: w_0..w_{n-1}, x_0..x_{n-1}, then an optional bias
    return g if i == 2 * n else g * xs[(i + n) % (2 * n)]


RULES: dict[str, Rule] = {
    # elementwise arithmetic (Value and Tensor)
    "+": lambda m, g, out, xs, i, p: g,
    "-": lambda m, g, out, xs, i, p: g if i == 0 else -g,
    "*": lambda m, g, out, xs, i, p: g * xs[1 - i],
    "/": lambda m, g, out, xs, i, p: m.div(g, xs[1]) if i == 0 else -m.div(g * out, xs[1]),
    # d/dx x**y = y * x**(y-1): see slope_exponent for y == 0
    "**": lambda m, g, out, xs, i, p: (
        g * xs[1] * m.pow(xs[0], m.slope_exponent(xs[0], xs[1]))
        if i == 0
        else g * out * m.log(xs[0])
    ),
    "neg": lambda m, g, out, xs, i, p: -g,
    "exp": lambda m, g, out, xs, i, p: g * out,
    "log": lambda m, g, out, xs, i, p: m.div(g, xs[0]),
    "tanh": lambda m, g, out, xs, i, p: g * (1 - out * out),
    "sigmoid": lambda m, g, out, xs, i, p: g * out * (1 - out),
    "relu": lambda m, g, out, xs, i, p: g * m.positive(xs[0]),
    "abs": lambda m, g, out, xs, i, p: g * m.sign(xs[0]),
    # n-ary scalar nodes: one node per neuron instead of 2n
    "sum": lambda m, g, out, xs, i, p: g if p is None else _spread(m, g, xs[0], p[0]),
    "dot": _dot_vjp,
    # array ops (Tensor)
    "@": _matmul_vjp,
    "affine": _affine_vjp,
    "mean": lambda m, g, out, xs, i, p: m.div(
        _spread(m, g, xs[0], p[0]), reduced_count(xs[0].shape, p[0])
    ),
    "max": lambda m, g, out, xs, i, p: (
        m.max_mask(xs[0], m.reshape(out, kept_shape(xs[0].shape, p[0])))
        * m.reshape(g, kept_shape(xs[0].shape, p[0]))
    ),
    "reshape": lambda m, g, out, xs, i, p: m.reshape(g, xs[0].shape),
    "transpose": lambda m, g, out, xs, i, p: m.transpose(g, tuple(np.argsort(p))),
    "getitem": lambda m, g, out, xs, i, p: m.scatter(g, p, xs[0].shape),
    "scatter": lambda m, g, out, xs, i, p: m.getitem(g, p[0]),
    "broadcast_to": lambda m, g, out, xs, i, p: m.sum_to(g, xs[0].shape),
    "sum_to": lambda m, g, out, xs, i, p: m.broadcast_to(g, xs[0].shape),
    "softmax": lambda m, g, out, xs, i, p: out * (g - m.sum(g * out, (p,), True)),
    "log_softmax": lambda m, g, out, xs, i, p: g - m.exp(out) * m.sum(g, (p,), True),
    # p = (target, probabilities from the forward pass)
    "softmax_cross_entropy": lambda m, g, out, xs, i, p: (
        (m.probabilities(xs[0], p[1]) - p[0]) * m.div(g, xs[0].size // xs[0].shape[-1])
    ),
}


# -- math namespaces ---------------------------------------------------------------------


class SCALAR:
    """Rules on Python numbers. Float results follow IEEE 754 (inf/nan, never an exception);
    exact numbers (int, Fraction) stay exact wherever the operation allows."""

    @staticmethod
    def div(a: Any, b: Any) -> Any:
        try:
            return a / b
        except ZeroDivisionError:
            if isinstance(a, Fraction) or isinstance(b, Fraction):
                raise ZeroDivisionError(
                    f"division by zero with exact numbers ({a} / {b}): a Fraction has no "
                    "infinity; use floats for IEEE inf/nan"
                ) from None
            return (
                math.nan
                if a == 0 or a != a
                else math.copysign(math.inf, a) * (math.copysign(1.0, b))
            )

    @staticmethod
    def pow(a: Any, b: Any) -> Any:
        if _huge_exact_power(a, b):
            a, b = float(a), float(b)  # exactness would cost unbounded time and memory
        try:
            result = a**b
        except ZeroDivisionError:  # 0.0 ** negative
            if isinstance(a, Fraction):
                raise
            return math.inf
        except OverflowError:
            return math.inf
        return math.nan if isinstance(result, complex) else result

    @staticmethod
    def exp(a: Any) -> float:
        try:
            return math.exp(a)
        except OverflowError:
            return math.inf

    @staticmethod
    def log(a: Any) -> float:
        if a > 0:
            return math.log(a)
        return -math.inf if a == 0 else math.nan

    @staticmethod
    def tanh(a: Any) -> float:
        return math.tanh(a)

    @staticmethod
    def sigmoid(a: Any) -> float:
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)

    @staticmethod
    def positive(a: Any) -> int:
        return 1 if a > 0 else 0

    @staticmethod
    def sign(a: Any) -> int:
        return 1 if a > 0 else (-1 if a < 0 else 0)

    @staticmethod
    def is_zero(a: Any) -> int:
        return 1 if a == 0 else 0

    @staticmethod
    def slope_exponent(x: Any, y: Any) -> Any:
        # where y == 0, y * x**(y-1) is 0 for every x; x**(y-1) may not be (0 * inf = nan at
        # x = 0 or a subnormal x), so use the exponent y there: the product is still 0
        return y if y == 0 else y - 1


EXACT_POWER_BITS = 1 << 16


def _huge_exact_power(a: Any, b: Any) -> bool:
    """True when an exact a ** b would need more than EXACT_POWER_BITS bits."""
    if type(b) is Fraction and b.denominator == 1:
        b = b.numerator
    if type(b) is not int or type(a) not in (int, Fraction) or abs(b) < 64:
        return False
    size = (
        a.bit_length()
        if type(a) is int
        else max(a.numerator.bit_length(), a.denominator.bit_length())
    )
    return size > 1 and abs(b) * size > EXACT_POWER_BITS


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    # array methods and in-place ops on fresh arrays: this runs every training step
    e = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
    e /= np.add.reduce(e, axis=axis, keepdims=True)
    return e


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _scatter(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of `shape` with `g` added at `index` (repeated integer indices add up)."""
    full = np.zeros(shape, dtype=np.result_type(g, np.float32))
    np.add.at(full, index, g)
    return full


def _max_mask(x: np.ndarray, out_kept: np.ndarray) -> np.ndarray:
    """Where x attains its maximum along the reduced axes; ties share the gradient equally."""
    hits = (x == out_kept).astype(x.dtype)
    axes = tuple(k for k, size in enumerate(out_kept.shape) if size == 1)
    return hits / np.sum(hits, axis=axes, keepdims=True)


class ARRAY:
    """Rules on NumPy arrays."""

    div = staticmethod(np.divide)
    pow = staticmethod(np.power)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    tanh = staticmethod(np.tanh)
    sign = staticmethod(np.sign)
    # array methods, not np.reshape/np.transpose: their Python wrappers cost more than the
    # work on a training step's small arrays
    reshape = staticmethod(lambda a, shape: a.reshape(shape))
    transpose = staticmethod(lambda a, axes: a.transpose(axes))
    broadcast_to = staticmethod(np.broadcast_to)
    sum_to = staticmethod(sum_to)
    scatter = staticmethod(_scatter)
    max_mask = staticmethod(_max_mask)
    softmax = staticmethod(_softmax)
    log_softmax = staticmethod(_log_softmax)

    @staticmethod
    def sum(a: np.ndarray, axis: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
        return np.sum(a, axis=axis, keepdims=keepdims)

    @staticmethod
    def positive(a: np.ndarray) -> np.ndarray:
        return a > 0  # a boolean mask: multiplying by it keeps g's dtype

    @staticmethod
    def is_zero(a: np.ndarray) -> np.ndarray:
        return (a == 0).astype(np.result_type(a, np.float32))

    @staticmethod
    def slope_exponent(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.where(y == 0, y, y - 1)  # as SCALAR.slope_exponent, elementwise

    @staticmethod
    def sigmoid(a: np.ndarray) -> np.ndarray:
        # exp of a non-positive number only: no overflow warnings for large |a|
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)

    @staticmethod
    def mT(a: np.ndarray) -> np.ndarray:
        return a.T if a.ndim == 2 else np.swapaxes(a, -1, -2)

    @staticmethod
    def probabilities(logits: np.ndarray, cached: np.ndarray) -> np.ndarray:
        return cached  # softmax(logits), kept by the forward pass

    @staticmethod
    def getitem(a: np.ndarray, index: Any) -> np.ndarray:
        return a[index]


class GRAPH:
    """Rules on nodes (for `create_graph=True`): every step is a recorded op."""

    div = staticmethod(operator.truediv)
    pow = staticmethod(operator.pow)
    exp = staticmethod(lambda a: a.exp())
    log = staticmethod(lambda a: a.log())
    reshape = staticmethod(lambda a, shape: a.reshape(shape))
    transpose = staticmethod(lambda a, axes: a.transpose(axes))
    broadcast_to = staticmethod(lambda a, shape: a.broadcast_to(shape))
    sum_to = staticmethod(lambda a, shape: a.sum_to(shape))
    scatter = staticmethod(lambda a, index, shape: a.scatter(index, shape))
    getitem = staticmethod(lambda a, index: a[index])
    softmax = staticmethod(lambda a, axis: a.softmax(axis))
    sum = staticmethod(lambda a, axis, keepdims: a.sum(axis, keepdims))
    mT = staticmethod(lambda a: a.mT)
    probabilities = staticmethod(lambda logits, cached: logits.softmax(-1))  # differentiable

    # Masks are constants: their derivative is zero almost everywhere.
    @staticmethod
    def positive(a: Any) -> Any:
        return _constant_like(a, a._math.positive(a.data))

    @staticmethod
    def sign(a: Any) -> Any:
        return _constant_like(a, a._math.sign(a.data))

    @staticmethod
    def is_zero(a: Any) -> Any:
        return _constant_like(a, a._math.is_zero(a.data))

    @staticmethod
    def slope_exponent(x: Any, y: Any) -> Any:
        # A constant exponent (the usual x**2) takes the data-mode nudge. A variable one
        # must keep d/dy right, so it is nudged only where x == y == 0.
        if not y.requires_grad:
            return y.constant(y._math.slope_exponent(x.data, y.data))
        return y - 1 + GRAPH.is_zero(x) * GRAPH.is_zero(y)

    @staticmethod
    def max_mask(a: Any, out_kept: Any) -> Any:
        return _constant_like(a, _max_mask(a.data, out_kept.data))


def _constant_like(node: Any, data: Any) -> Any:
    """A constant node holding `data` in `node`'s dtype (a float32 graph stays float32)."""
    if isinstance(data, np.ndarray):
        data = data.astype(node.data.dtype, copy=False)
    return node.constant(data)


def rule_for(op: str) -> Rule:
    try:
        return RULES[op]
    except KeyError:
        raise NotImplementedError(
            f"no derivative rule for op {op!r}: add one to autograph.engine.rules.RULES"
        ) from None
