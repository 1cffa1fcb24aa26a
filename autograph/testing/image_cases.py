"""Hypothesis examples of the image and layer ops (conv2d, pooling, batch_norm, dropout,
flatten): small random shapes, strides, paddings and dilations, for the gradient checks
that `autograph.testing.strategies.OP_CASES` generates from every op of the table.

Each strategy draws `(input arrays, build)` like the other ops' cases; the sizes stay
small because gradcheck compares full Jacobians (and their derivatives) element by element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograph.engine.node import Node
from autograph.engine.tensor import (
    Tensor,
    avg_pool2d,
    batch_norm,
    conv2d,
    dropout,
    flatten,
    max_pool2d,
)

Build = Callable[..., Node]
Example = tuple[list[np.ndarray], Build]


def _values(shape: tuple[int, ...], *, apart: float = 0.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays in [-3, 3]; with `apart`, every two values at least that far apart
    (no ties, so a maximum has a derivative; no batch with a variance near zero)."""
    size = int(np.prod(shape))
    if apart:
        steps = int(3 / apart)
        return st.lists(st.integers(-steps, steps), min_size=size, max_size=size, unique=True).map(
            lambda ks: (np.array(ks, dtype=np.float64) * apart).reshape(shape)
        )
    return hnp.arrays(np.float64, shape, elements=st.floats(-3, 3, allow_nan=False))


def _size_for(draw: Any, span: int, padding: int) -> int:
    """An input side that at least one window of `span` cells fits (with the padding)."""
    smallest = max(1, span - 2 * padding)
    return draw(st.integers(smallest, smallest + 3))


@st.composite
def _conv2d(draw: Any) -> Example:
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    same = stride == (1, 1) and draw(st.booleans())
    padding: Any = "same" if same else (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    pads = (0, 0) if same else padding
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    h, w = (_size_for(draw, spans[a], pads[a]) for a in range(2))
    arrays = [draw(_values((n, c, h, w))), draw(_values((o, c, *kernel)))]
    if draw(st.booleans()):
        arrays.append(draw(_values((o,))))

    def build(x: Any, weight: Any, bias: Any = None) -> Node:
        return conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)

    return arrays, build


@st.composite
def _pool_geometry(draw: Any, dilate: bool) -> tuple[dict[str, Any], tuple[int, int, int, int]]:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilate else (1, 1)
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    h, w = (_size_for(draw, spans[a], padding[a]) for a in range(2))
    args = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    if dilate:
        args["dilation"] = dilation
    return args, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)


@st.composite
def _max_pool2d(draw: Any) -> Example:
    args, shape = draw(_pool_geometry(dilate=True))
    x = draw(_values(shape, apart=0.01))
    # a dilated window can fall on padding only: its maximum is -inf (as in PyTorch), which
    # has no numerical derivative
    assume(np.isfinite(max_pool2d(Tensor(x), **args).data).all())
    return [x], lambda x: max_pool2d(x, **args)


@st.composite
def _avg_pool2d(draw: Any) -> Example:
    args, shape = draw(_pool_geometry(dilate=False))
    args["count_include_pad"] = draw(st.booleans())
    args["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    return [draw(_values(shape))], lambda x: avg_pool2d(x, **args)


@st.composite
def _batch_norm(draw: Any) -> Example:
    c = draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(2, c), (3, c), (2, c, 2), (2, c, 2, 2)]))
    training = draw(st.booleans())
    eps = draw(st.sampled_from([1e-5, 0.1]))
    arrays = [draw(_values(shape, apart=0.1))]
    inputs = draw(st.sampled_from([(), ("weight",), ("bias",), ("weight", "bias")]))
    arrays += [draw(_values((c,))) for _ in inputs]
    mean = draw(_values((c,)))
    var = draw(hnp.arrays(np.float64, (c,), elements=st.floats(0.5, 2.0)))

    def build(x: Any, *affine: Any) -> Node:
        given = dict(zip(inputs, affine, strict=True))
        # copies: training updates the running statistics in place
        return batch_norm(
            x, mean.copy(), var.copy(), **given, training=training, momentum=0.1, eps=eps
        )

    return arrays, build


@st.composite
def _dropout(draw: Any) -> Example:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    p = draw(st.sampled_from([0.2, 0.5, 0.9]))
    seed = draw(st.integers(0, 2**16))
    # a fresh generator of the same seed per call: every evaluation drops the same elements
    return [draw(_values(shape))], lambda x: dropout(x, p, rng=np.random.default_rng(seed))


@st.composite
def _flatten(draw: Any) -> Example:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=3))
    ndim = len(shape)
    start = draw(st.integers(-ndim, ndim - 1))
    end = draw(st.integers(start % ndim, ndim - 1))
    return [draw(_values(shape))], lambda x: flatten(x, start, end)


IMAGE_STRATEGIES: dict[str, st.SearchStrategy[Example]] = {
    "conv2d": _conv2d(),
    "max_pool2d": _max_pool2d(),
    "avg_pool2d": _avg_pool2d(),
    "batch_norm": _batch_norm(),
    "dropout": _dropout(),
    "flatten": _flatten(),
}
