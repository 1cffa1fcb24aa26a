"""Hypothesis strategies for gradient tests, reusable in users' own test suites.

- `floats_in(domain)`, `arrays_in(domain, shape)`: finite numbers inside an op's domain
  (log > 0, divisors away from 0, away from the kinks of relu/abs/clip and the poles of
  tan/log1p, distinct values for max).
- `broadcastable_shapes(n)`: n shapes that broadcast together.
- `OP_CASES`: for every op in the derivative table, how to build it and where its inputs
  live; `scalar_examples(op)` / `tensor_examples(op)` draw ready-to-check examples. The
  project's own tests iterate over `RULES` with these, and fail if an op has no case.
- `expression_dags()`: random expressions with shared subexpressions, buildable from Values
  or Tensors (in `expressions.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograph.engine.function import Function, FunctionCtx
from autograph.engine.node import Node
from autograph.engine.tensor import Tensor, affine, softmax_cross_entropy, where
from autograph.engine.value import Value, dot, sum_values

# random programs with shared subexpressions (in expressions.py), importable from here too
from autograph.testing.expressions import Expression as Expression
from autograph.testing.expressions import expression_dags as expression_dags


@dataclass(frozen=True)
class Domain:
    """Where an input may be drawn from: [low, high], at least `margin` from each `avoid`."""

    low: float = -3.0
    high: float = 3.0
    avoid: tuple[float, ...] = ()
    margin: float = 0.05


ANY = Domain()
POSITIVE = Domain(0.2, 3.0)
NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), margin=0.3)
SMOOTH = Domain(-3.0, 3.0, avoid=(0.0,))  # relu, abs: away from the kink at 0
EXPONENT = Domain(-2.0, 2.0)
BELOW_POLES = Domain(-1.2, 1.2)  # tan: away from ±π/2
ABOVE_MINUS_ONE = Domain(-0.8, 3.0)  # log1p: away from its pole at -1
# clip(x, lo, hi) away from its kinks: lo and hi near ±1, x at least 0.1 from both
OFF_BOUNDS = Domain(-3.0, 3.0, avoid=(-1.0, 1.0), margin=0.35)
LOWER_BOUND = Domain(-1.25, -0.75)
UPPER_BOUND = Domain(0.75, 1.25)


def floats_in(domain: Domain = ANY) -> st.SearchStrategy[float]:
    """Finite floats inside `domain`."""
    base = st.floats(domain.low, domain.high, allow_nan=False, allow_infinity=False)
    if not domain.avoid:
        return base
    return base.filter(lambda x: all(abs(x - a) >= domain.margin for a in domain.avoid))


def arrays_in(
    domain: Domain, shape: tuple[int, ...], *, distinct: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of `shape` with elements in `domain`; `distinct` keeps values at least
    0.1 apart (no ties, so max has a derivative)."""
    if distinct:
        lo, hi = int(np.ceil(domain.low * 10)), int(np.floor(domain.high * 10))
        return st.lists(
            st.integers(lo, hi),
            min_size=int(np.prod(shape)),
            max_size=int(np.prod(shape)),
            unique=True,
        ).map(lambda ks: (np.array(ks, dtype=np.float64) / 10).reshape(shape))
    return hnp.arrays(np.float64, shape, elements=floats_in(domain))


def broadcastable_shapes(
    num_shapes: int = 2, *, max_dims: int = 3, max_side: int = 3
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """`num_shapes` shapes that broadcast together (size-1 and missing axes included)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda bs: bs.input_shapes)


def shapes(
    min_dims: int = 0, max_dims: int = 3, max_side: int = 3
) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


# -- one case per op ---------------------------------------------------------------------

Build = Callable[..., Node]


@dataclass(frozen=True)
class OpCase:
    """How to exercise one op of the table.

    `scalar`: builds the op from Values (None when the op is Tensor-only); its inputs come
    from `domains`. `tensor`: a strategy of (list of input arrays, build function), or None.
    """

    domains: tuple[Domain, ...] = (ANY,)
    scalar: Build | None = None
    tensor: st.SearchStrategy[tuple[list[np.ndarray], Build]] | None = None
    notes: str = field(default="", compare=False)


def _elementwise(fn: Build, *domains: Domain) -> st.SearchStrategy:
    if len(domains) == 1:
        return shapes().flatmap(lambda s: arrays_in(domains[0], s)).map(lambda a: ([a], fn))
    return (
        broadcastable_shapes(len(domains))
        .flatmap(lambda ss: st.tuples(*(arrays_in(d, s) for d, s in zip(domains, ss, strict=True))))
        .map(lambda arrays: (list(arrays), fn))
    )


@st.composite
def _axis_and_keepdims(draw: Any, ndim: int) -> tuple[Any, bool]:
    if ndim == 0 or draw(st.booleans()):
        axis = None
    else:
        axes = draw(
            st.lists(
                st.integers(-ndim, ndim - 1),
                min_size=1,
                max_size=ndim,
                unique_by=lambda a: a % ndim,
            )
        )
        axis = axes[0] if len(axes) == 1 and draw(st.booleans()) else tuple(axes)
    return axis, draw(st.booleans())


def _reduction(method: str, *, distinct: bool = False) -> st.SearchStrategy:
    @st.composite
    def example(draw: Any) -> tuple[list[np.ndarray], Build]:
        shape = draw(shapes(max_dims=3))
        array = draw(arrays_in(ANY, shape, distinct=distinct))
        axis, keepdims = draw(_axis_and_keepdims(len(shape)))
        return [array], lambda x: getattr(x, method)(axis=axis, keepdims=keepdims)

    return example()


@st.composite
def _matmul(draw: Any) -> tuple[list[np.ndarray], Build]:
    n, m, k, b = (draw(st.integers(1, 3)) for _ in range(4))
    left, right = draw(
        st.sampled_from(
            [
                ((n,), (n,)),
                ((m, n), (n,)),
                ((n,), (n, k)),
                ((m, n), (n, k)),
                ((b, m, n), (n, k)),
                ((b, m, n), (b, n, k)),
                ((n,), (b, n, k)),
                ((1, m, n), (b, n, k)),
            ]
        )
    )
    return [draw(arrays_in(ANY, left)), draw(arrays_in(ANY, right))], lambda x, y: x @ y


@st.composite
def _affine(draw: Any) -> tuple[list[np.ndarray], Build]:
    n, k = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(), (2,), (3,), (2, 2)]))
    bias_shape = draw(st.sampled_from([None, (k,), (1, k)]))
    arrays = [draw(arrays_in(ANY, (*batch, n))), draw(arrays_in(ANY, (n, k)))]
    if bias_shape is None or (bias_shape == (1, k) and not batch):
        return arrays, lambda x, w: affine(x, w)
    return [*arrays, draw(arrays_in(ANY, bias_shape))], affine


@st.composite
def _reshape(draw: Any) -> tuple[list[np.ndarray], Build]:
    shape = draw(shapes(min_dims=1))
    size = int(np.prod(shape))
    target = draw(st.sampled_from([(-1,), (size, 1), (1, -1), tuple(reversed(shape))]))
    return [draw(arrays_in(ANY, shape))], lambda x: x.reshape(*target)


@st.composite
def _transpose(draw: Any) -> tuple[list[np.ndarray], Build]:
    shape = draw(shapes())
    perm = draw(st.permutations(range(len(shape))))
    return [draw(arrays_in(ANY, shape))], lambda x: x.transpose(*perm)


@st.composite
def _index(draw: Any) -> Any:
    """A shape and an index into it: ints, slices, integer arrays (with repeats), boolean
    masks, alone or in a tuple over several axes."""
    shape = draw(shapes(min_dims=1))
    parts: list[Any] = []
    axis = 0
    for _ in range(draw(st.integers(1, len(shape)))):
        if axis >= len(shape):
            break
        size = shape[axis]
        kind = draw(st.sampled_from(["int", "slice", "array", "mask", "mask2d"]))
        if kind == "mask2d" and axis + 1 < len(shape):
            mask_shape = shape[axis : axis + 2]
            parts.append(
                np.array(
                    draw(
                        st.lists(
                            st.booleans(),
                            min_size=int(np.prod(mask_shape)),
                            max_size=int(np.prod(mask_shape)),
                        )
                    )
                ).reshape(mask_shape)
            )
            axis += 2
            continue
        if kind == "int":
            parts.append(draw(st.integers(-size, size - 1)))
        elif kind in ("slice", "mask2d"):
            parts.append(slice(draw(st.integers(0, size - 1)), None, draw(st.sampled_from([1, 2]))))
        elif kind == "array":  # repeated (and negative) indices must add up
            parts.append(
                np.array(draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=4)))
            )
        else:
            parts.append(np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))))
        axis += 1
    # integer arrays and masks in one index must broadcast together: keep only the first
    advanced = [k for k, p in enumerate(parts) if isinstance(p, np.ndarray)]
    parts = [slice(None) if k in advanced[1:] else p for k, p in enumerate(parts)]
    index = parts[0] if len(parts) == 1 and draw(st.booleans()) else tuple(parts)
    return shape, index


@st.composite
def _getitem(draw: Any) -> tuple[list[np.ndarray], Build]:
    shape, index = draw(_index())
    return [draw(arrays_in(ANY, shape))], lambda x: x[index]


@st.composite
def _scatter(draw: Any) -> tuple[list[np.ndarray], Build]:
    shape, index = draw(_index())
    picked = np.zeros(shape)[index].shape
    return [draw(arrays_in(ANY, picked))], lambda x: x.scatter(index, shape)


@st.composite
def _where(draw: Any) -> tuple[list[np.ndarray], Build]:
    shapes = draw(broadcastable_shapes(3))
    condition = draw(hnp.arrays(np.bool_, shapes[0]))
    arrays = [draw(arrays_in(ANY, shapes[1])), draw(arrays_in(ANY, shapes[2]))]
    return arrays, lambda x, y: where(condition, x, y)


@st.composite
def _broadcast_to(draw: Any) -> tuple[list[np.ndarray], Build]:
    small, big = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=3).map(
            lambda bs: (bs.input_shapes[0], bs.result_shape)
        )
    )
    big = (draw(st.integers(1, 2)), *big)
    return [draw(arrays_in(ANY, small))], lambda x: x.broadcast_to(big)


@st.composite
def _sum_to(draw: Any) -> tuple[list[np.ndarray], Build]:
    small, big = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, max_side=3).map(
            lambda bs: (bs.input_shapes[0], bs.result_shape)
        )
    )
    return [draw(arrays_in(ANY, big))], lambda x: x.sum_to(small)


def _along_axis(method: str) -> st.SearchStrategy:
    @st.composite
    def example(draw: Any) -> tuple[list[np.ndarray], Build]:
        shape = draw(shapes(min_dims=1))
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return [draw(arrays_in(ANY, shape))], lambda x: getattr(x, method)(axis)

    return example()


@st.composite
def _cross_entropy(draw: Any) -> tuple[list[np.ndarray], Build]:
    batch = draw(st.sampled_from([(1,), (2,), (4,), (2, 3)]))  # N-d logits: rows = prod(batch)
    classes = draw(st.integers(2, 4))
    labels = np.array(
        draw(
            st.lists(
                st.integers(0, classes - 1),
                min_size=int(np.prod(batch)),
                max_size=int(np.prod(batch)),
            )
        )
    ).reshape(batch)
    kind = draw(st.sampled_from(["indices", "one-hot", "soft"]))
    if kind == "soft":  # any non-negative weights: rows need not sum to 1
        target = draw(arrays_in(Domain(0.0, 2.0), (*batch, classes)))
    else:
        target = np.eye(classes)[labels] if kind == "one-hot" else labels
    return ([draw(arrays_in(ANY, (*batch, classes)))], lambda x: softmax_cross_entropy(x, target))


class ScaledExp(Function):
    """x · exp(y) with a hand-written backward in autograph ops: the case of the "custom" op
    (it broadcasts, and its backward can be differentiated again)."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return x * y.exp()

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Any) -> Any:
        x, y = ctx.saved_tensors
        e = y.exp()
        return grad * e, grad * x * e


OP_CASES: dict[str, OpCase] = {
    "+": OpCase((ANY, ANY), lambda x, y: x + y, _elementwise(lambda x, y: x + y, ANY, ANY)),
    "-": OpCase((ANY, ANY), lambda x, y: x - y, _elementwise(lambda x, y: x - y, ANY, ANY)),
    "*": OpCase((ANY, ANY), lambda x, y: x * y, _elementwise(lambda x, y: x * y, ANY, ANY)),
    "/": OpCase((ANY, NONZERO), lambda x, y: x / y, _elementwise(lambda x, y: x / y, ANY, NONZERO)),
    "**": OpCase(
        (POSITIVE, EXPONENT), lambda x, y: x**y, _elementwise(lambda x, y: x**y, POSITIVE, EXPONENT)
    ),
    "neg": OpCase((ANY,), lambda x: -x, _elementwise(lambda x: -x, ANY)),
    "abs": OpCase((SMOOTH,), abs, _elementwise(abs, SMOOTH)),
    "exp": OpCase((ANY,), lambda x: x.exp(), _elementwise(lambda x: x.exp(), ANY)),
    "log": OpCase((POSITIVE,), lambda x: x.log(), _elementwise(lambda x: x.log(), POSITIVE)),
    "tanh": OpCase((ANY,), lambda x: x.tanh(), _elementwise(lambda x: x.tanh(), ANY)),
    "sigmoid": OpCase((ANY,), lambda x: x.sigmoid(), _elementwise(lambda x: x.sigmoid(), ANY)),
    "relu": OpCase((SMOOTH,), lambda x: x.relu(), _elementwise(lambda x: x.relu(), SMOOTH)),
    "sum": OpCase(
        (ANY, ANY, ANY),
        lambda *xs: sum_values(xs),
        _reduction("sum"),
        notes="Values: one n-ary node; Tensors: a reduction over axes",
    ),
    "dot": OpCase((ANY,) * 5, lambda w0, w1, x0, x1, b: dot([w0, w1], [x0, x1], b)),
    "@": OpCase(tensor=_matmul()),
    "affine": OpCase(tensor=_affine()),
    "mean": OpCase(tensor=_reduction("mean")),
    "max": OpCase(tensor=_reduction("max", distinct=True)),
    "reshape": OpCase(tensor=_reshape()),
    "transpose": OpCase(tensor=_transpose()),
    "getitem": OpCase(tensor=_getitem()),
    "scatter": OpCase(tensor=_scatter()),
    "broadcast_to": OpCase(tensor=_broadcast_to()),
    "where": OpCase(tensor=_where()),
    "astype": OpCase(
        tensor=_elementwise(lambda x: x.astype(np.float64), ANY),
        notes="a cast (float64 to float64 here: numerical gradients need float64)",
    ),
    "sum_to": OpCase(tensor=_sum_to()),
    "softmax": OpCase(tensor=_along_axis("softmax")),
    "log_softmax": OpCase(tensor=_along_axis("log_softmax")),
    "softmax_cross_entropy": OpCase(tensor=_cross_entropy()),
    "sin": OpCase((ANY,), lambda x: x.sin(), _elementwise(lambda x: x.sin(), ANY)),
    "cos": OpCase((ANY,), lambda x: x.cos(), _elementwise(lambda x: x.cos(), ANY)),
    "tan": OpCase((BELOW_POLES,), lambda x: x.tan(), _elementwise(lambda x: x.tan(), BELOW_POLES)),
    "sqrt": OpCase((POSITIVE,), lambda x: x.sqrt(), _elementwise(lambda x: x.sqrt(), POSITIVE)),
    "square": OpCase((ANY,), lambda x: x.square(), _elementwise(lambda x: x.square(), ANY)),
    "log1p": OpCase(
        (ABOVE_MINUS_ONE,),
        lambda x: x.log1p(),
        _elementwise(lambda x: x.log1p(), ABOVE_MINUS_ONE),
    ),
    "expm1": OpCase((ANY,), lambda x: x.expm1(), _elementwise(lambda x: x.expm1(), ANY)),
    "leaky_relu": OpCase(
        (SMOOTH,),
        lambda x: x.leaky_relu(0.1),
        _elementwise(lambda x: x.leaky_relu(0.1), SMOOTH),
    ),
    "maximum": OpCase(
        (ANY, NONZERO),
        lambda x, d: x.maximum(x + d),
        _elementwise(lambda x, d: x.maximum(x + d), ANY, NONZERO),
        notes="against x + d with |d| >= 0.3: never a tie (ties are pinned against PyTorch)",
    ),
    "minimum": OpCase(
        (ANY, NONZERO),
        lambda x, d: x.minimum(x + d),
        _elementwise(lambda x, d: x.minimum(x + d), ANY, NONZERO),
        notes="against x + d with |d| >= 0.3: never a tie (ties are pinned against PyTorch)",
    ),
    "clip": OpCase(
        (OFF_BOUNDS, LOWER_BOUND, UPPER_BOUND),
        lambda x, lo, hi: x.clip(lo, hi),
        _elementwise(lambda x, lo, hi: x.clip(lo, hi), OFF_BOUNDS, LOWER_BOUND, UPPER_BOUND),
        notes="x below, inside or above [lo, hi], never on a bound",
    ),
    "custom": OpCase(
        (ANY, ANY), ScaledExp.apply, _elementwise(ScaledExp.apply, ANY, ANY), notes="Function"
    ),
}


def scalar_examples(op: str) -> st.SearchStrategy[tuple[list[Value], Build]]:
    """Values inside the op's domain, and the function that applies the op to them."""
    case = OP_CASES[op]
    build = case.scalar
    if build is None:
        raise ValueError(f"op {op!r} has no scalar (Value) form")
    return st.tuples(*(floats_in(d) for d in case.domains)).map(
        lambda xs: ([Value(x, f"x{k}") for k, x in enumerate(xs)], build)
    )


def tensor_examples(op: str) -> st.SearchStrategy[tuple[list[Tensor], Build]]:
    """Tensors (requiring grad, shapes drawn to cover broadcasting) and the op to apply."""
    case = OP_CASES[op]
    if case.tensor is None:
        raise ValueError(f"op {op!r} has no Tensor form")
    return case.tensor.map(
        lambda ex: (
            [Tensor(a, requires_grad=True, label=f"x{k}") for k, a in enumerate(ex[0])],
            ex[1],
        )
    )
