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

The namespaces (`SCALAR`, `ARRAY`, `GRAPH`) and the `Math` protocol that says what a rule may
call on them are in `namespaces.py`. Adding an op is one forward method (on Value and/or
Tensor) and one entry here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from autograph.engine.namespaces import ARRAY, GRAPH, SCALAR, Math

if TYPE_CHECKING:
    from autograph.engine.node import Node

Rule = Callable[[Math, Any, Any, tuple[Any, ...], int, Any], Any]


def _matmul_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
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


def _power_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
    x, y = xs
    if i == 0:  # d/dx x**y = y * x**(y-1): see slope_exponent for y == 0
        return g * y * m.pow(x, m.slope_exponent(x, y))
    # d/dy x**y = x**y * log(x). At x == 0 and y >= 0 that is 0 * -inf (or 1 * -inf), but
    # x**y does not change with y there (0, or 1 at y == 0): its derivative is 0, as in
    # PyTorch. log(1) = 0 in place of log(0) keeps nan out of higher derivatives too.
    zero_base = (m.raw(x) == 0) & (m.raw(y) >= 0)
    return g * out * m.log(m.where(zero_base, 1, x))


def _affine_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
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


def _cross_entropy_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
    # p = (target, softmax from the forward pass, the target's row sums or None where every
    # row sums to 1). d/dx of -Σ t·log softmax(x) is softmax(x)·Σt - t per row.
    target, probabilities, row_sums = p
    q = m.probabilities(xs[0], probabilities)
    if row_sums is not None:
        q = q * row_sums
    return (q - target) * m.div(g, xs[0].size // xs[0].shape[-1])


def kept_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """`shape` with the reduced axes kept as size 1 (what keepdims=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if k in axis else size for k, size in enumerate(shape))


def reduced_count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    return math.prod(shape) if axis is None else math.prod(shape[k] for k in axis)


def _spread(m: Math, g: Any, x: Any, axis: tuple[int, ...] | None) -> Any:
    """The gradient of a reduction, broadcast back over the reduced axes."""
    return m.broadcast_to(m.reshape(g, kept_shape(x.shape, axis)), x.shape)


def _dot_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, n: int) -> Any:
    # inputs: w_0..w_{n-1}, x_0..x_{n-1}, then an optional bias
    return g if i == 2 * n else g * xs[(i + n) % (2 * n)]


def _not(condition: Any) -> Any:
    """Logical not of a condition: a Python bool (scalars) or a boolean array."""
    return not condition if condition.__class__ is bool else ~condition


def _extremum_vjp(loses_first: Callable[[Any, Any], Any]) -> Rule:
    """maximum/minimum as PyTorch: the input that lost gets 0 (a select), ties share g / 2."""

    def vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
        x, y = m.raw(xs[0]), m.raw(xs[1])
        loses = loses_first(x, y) if i == 0 else loses_first(y, x)
        return m.keep(_not(loses), m.where(x == y, m.div(g, 2), g))

    return vjp


def _clip_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
    # p = (position of min, position of max) among the inputs, None where not given. As
    # PyTorch's clamp: x gets g where min <= x <= max; a bound gets it where it was taken
    # (max also where min > max, since the result is max there).
    lo_at, hi_at = p
    x = m.raw(xs[0])
    lo = None if lo_at is None else m.raw(xs[lo_at])
    hi = None if hi_at is None else m.raw(xs[hi_at])
    if i == 0:
        inside = (x >= lo) if hi is None else (x <= hi) if lo is None else (x >= lo) & (x <= hi)
        return m.keep(inside, g)
    if i == lo_at:
        return m.keep((x < lo) if hi is None else (x < lo) & (lo < hi), g)
    return m.keep((x > hi) if lo is None else (x > hi) | (hi < lo), g)


RULES: dict[str, Rule] = {
    # elementwise arithmetic (Value and Tensor)
    "+": lambda m, g, out, xs, i, p: g,
    "-": lambda m, g, out, xs, i, p: g if i == 0 else -g,
    "*": lambda m, g, out, xs, i, p: g * xs[1 - i],
    "/": lambda m, g, out, xs, i, p: m.div(g, xs[1]) if i == 0 else -m.div(g * out, xs[1]),
    "**": _power_vjp,
    "neg": lambda m, g, out, xs, i, p: -g,
    "exp": lambda m, g, out, xs, i, p: g * out,
    "log": lambda m, g, out, xs, i, p: m.div(g, xs[0]),
    "tanh": lambda m, g, out, xs, i, p: g * (1 - out * out),
    "sigmoid": lambda m, g, out, xs, i, p: g * out * (1 - out),
    # a select, not g * mask: where x <= 0 the gradient is 0 even if g is nan (as PyTorch)
    "relu": lambda m, g, out, xs, i, p: m.keep(m.raw(xs[0]) > 0, g),
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
    "astype": lambda m, g, out, xs, i, p: m.astype(g, xs[0].dtype),
    # p = the condition (a boolean array): each side gets g where it was chosen
    "where": lambda m, g, out, xs, i, p: m.keep(p if i == 0 else ~p, g),
    "sum_to": lambda m, g, out, xs, i, p: m.broadcast_to(g, xs[0].shape),
    "softmax": lambda m, g, out, xs, i, p: out * (g - m.sum(g * out, (p,), True)),
    "log_softmax": lambda m, g, out, xs, i, p: g - m.exp(out) * m.sum(g, (p,), True),
    "softmax_cross_entropy": _cross_entropy_vjp,
    # elementwise functions of NumPy, PyTorch and DeZero (Value and Tensor)
    "sin": lambda m, g, out, xs, i, p: g * m.cos(xs[0]),
    "cos": lambda m, g, out, xs, i, p: -(g * m.sin(xs[0])),
    "tan": lambda m, g, out, xs, i, p: g * (1 + out * out),
    "sqrt": lambda m, g, out, xs, i, p: m.div(g, 2 * out),  # inf at 0, as PyTorch's
    "square": lambda m, g, out, xs, i, p: g * (2 * xs[0]),
    "log1p": lambda m, g, out, xs, i, p: m.div(g, 1 + xs[0]),
    "expm1": lambda m, g, out, xs, i, p: g * (out + 1),
    # p = the slope; at x = 0 the gradient is the slope, as PyTorch's
    "leaky_relu": lambda m, g, out, xs, i, p: m.where(m.raw(xs[0]) > 0, g, g * p),
    "maximum": _extremum_vjp(operator.lt),
    "minimum": _extremum_vjp(operator.gt),
    "clip": _clip_vjp,
    # ops with a hand-written backward (function.py): p is the op, which runs the user's code
    "custom": lambda m, g, out, xs, i, p: p.vjp(m, g, out, xs, i),
}


def rule_for(op: str) -> Rule:
    """The rule of `op`; an op without one raises NotImplementedError naming it."""
    try:
        return RULES[op]
    except KeyError:
        raise NotImplementedError(
            f"no derivative rule for op {op!r}: add one to autograph.engine.rules.RULES"
        ) from None


def local_derivative(node: Node, i: int) -> Any:
    """d(node)/d(input i) of a scalar op node: its rule applied to an upstream gradient of 1.

    None for a leaf, for an array node (its local derivative is a Jacobian, not a number),
    and where the derivative has no value (an exact division by zero) or no rule. Exact
    data keep an exact derivative (the upstream 1 is an int).
    """
    if node._broadcasts or node.is_leaf:
        return None
    xs = tuple(p.data for p in node.parents)
    try:
        return rule_for(node.op)(node._math, 1, node.data, xs, i, node.params)
    except (ArithmeticError, NotImplementedError, TypeError, ValueError):
        return None


__all__ = [
    "ARRAY",
    "GRAPH",
    "RULES",
    "SCALAR",
    "Math",
    "Rule",
    "kept_shape",
    "local_derivative",
    "reduced_count",
    "rule_for",
]
