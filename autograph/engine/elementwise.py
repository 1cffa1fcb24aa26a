"""Functional forms of the elementwise ops, for Values and Tensors alike: `sin(x)`,
`maximum(a, b)`, `clip(x, lo, hi)`, `where(c, a, b)` ... (DeZero's `F.sin(x)`, NumPy's
`np.maximum(a, b)`, PyTorch's `torch.clamp(x, min, max)`).

Each calls the method of its node argument; numbers and arrays beside it take its kind
(`maximum(t, 0)`, `maximum(0, t)`). On Tensors, NumPy's own functions work too
(`np.sin(t)`, `np.maximum(t, 0)`): see `tensor/numpy_api.py`.
"""

from __future__ import annotations

from typing import Any

from autograph.engine.node import Node
from autograph.engine.tensor import Tensor
from autograph.engine.tensor import where as _tensor_where


def _node(x: Any, fn: str) -> Any:
    """`x`, checked to be a node (typed Any: Value and Tensor each have the method)."""
    if not isinstance(x, Node):
        raise TypeError(f"{fn}() takes a Value or a Tensor, got {type(x).__name__}")
    return x


def exp(x: Any) -> Any:
    return _node(x, "exp").exp()


def log(x: Any) -> Any:
    return _node(x, "log").log()


def tanh(x: Any) -> Any:
    return _node(x, "tanh").tanh()


def sigmoid(x: Any) -> Any:
    return _node(x, "sigmoid").sigmoid()


def relu(x: Any) -> Any:
    return _node(x, "relu").relu()


def sin(x: Any) -> Any:
    return _node(x, "sin").sin()


def cos(x: Any) -> Any:
    return _node(x, "cos").cos()


def tan(x: Any) -> Any:
    return _node(x, "tan").tan()


def sqrt(x: Any) -> Any:
    return _node(x, "sqrt").sqrt()


def square(x: Any) -> Any:
    return _node(x, "square").square()


def log1p(x: Any) -> Any:
    return _node(x, "log1p").log1p()


def expm1(x: Any) -> Any:
    return _node(x, "expm1").expm1()


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    return _node(x, "leaky_relu").leaky_relu(negative_slope)


def clip(x: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (NumPy's names)
    """`x.clip(min, max)`; `clamp` is PyTorch's name for it."""
    return _node(x, "clip").clip(min, max)


clamp = clip


def maximum(a: Any, b: Any) -> Any:
    """The elementwise larger of `a` and `b` (either may be a number or array beside a node)."""
    first: Any = a
    return first.maximum(b) if isinstance(a, Node) else _node(b, "maximum").maximum(a)


def minimum(a: Any, b: Any) -> Any:
    """The elementwise smaller of `a` and `b`."""
    first: Any = a
    return first.minimum(b) if isinstance(a, Node) else _node(b, "minimum").minimum(a)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """`x` where `condition` holds, else `y`, for Tensors (`np.where`, `torch.where`). For
    scalars, Python's `x if condition else y` is the op."""
    return _tensor_where(condition, x, y)


__all__ = [
    "clamp",
    "clip",
    "cos",
    "exp",
    "expm1",
    "leaky_relu",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "square",
    "tan",
    "tanh",
    "where",
]
