"""NumPy functions applied to Tensors: `np.exp(t)`, `np.sum(t, axis=0)`, `np.matmul(a, b)`,
`np.where(c, a, b)` ... run autograph's ops (NEP 13 `__array_ufunc__`, NEP 18
`__array_function__`), so that code written for NumPy arrays records a graph.

- Each function with a derivative rule maps to the Tensor op (`FUNCTIONS`, `UFUNCS`).
- Queries whose results are not differentiable (comparisons, `np.isnan`, `np.argmax`,
  `np.shape`, `np.allclose` ...) are computed on the data and return plain NumPy values.
- Anything else, and `out=`, raise `TypeError` naming the NumPy function: never an object
  array, and never a silent copy of the data that leaves the graph.
- `np.asarray(t)` (`__array__`) gives the data of a tensor that needs no gradient, and
  raises for one that does, as PyTorch does (use `t.detach().numpy()` or `t.data`).

`ndarray + Tensor` goes through `np.add`, which calls the Tensor's reflected `__radd__`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError

if TYPE_CHECKING:
    from autograph.engine.tensor.core import Tensor

# ufunc -> Tensor method (one input)
UNARY: dict[Any, str] = {
    np.negative: "__neg__",
    np.positive: "__pos__",
    np.absolute: "__abs__",
    np.exp: "exp",
    np.log: "log",
    np.tanh: "tanh",
    np.sin: "sin",
    np.cos: "cos",
    np.tan: "tan",
    np.sqrt: "sqrt",
    np.square: "square",
    np.log1p: "log1p",
    np.expm1: "expm1",
}
# ufunc -> (method when the Tensor is the first input, method when it is the second)
BINARY: dict[Any, tuple[str, str]] = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.maximum: ("maximum", "_maximum_reflected"),
    np.minimum: ("minimum", "_minimum_reflected"),
}
# ufuncs computed on the data: their results are constants (booleans)
QUERIES = frozenset(
    {
        np.less,
        np.less_equal,
        np.greater,
        np.greater_equal,
        np.equal,
        np.not_equal,
        np.isnan,
        np.isinf,
        np.isfinite,
    }
)
# ufunc.reduce -> Tensor reduction
REDUCTIONS = {np.add: "sum", np.maximum: "max"}


def _name(fn: Any, method: str = "__call__") -> str:
    """How the user wrote `fn`: np.sort, np.linalg.norm, np.add.accumulate."""
    module = getattr(fn, "__module__", None) or "numpy"  # (ufuncs have none)
    prefix = "np" + module[len("numpy") :] if module.startswith("numpy") else module
    base = f"{prefix}.{getattr(fn, '__name__', fn)}"
    return base if method == "__call__" else f"{base}.{method}"


def _unsupported(name: str) -> TypeError:
    return TypeError(
        f"{name} is not supported on autograph Tensors: it has no derivative rule here, and "
        "running it on the data would leave the graph. Use the Tensor ops listed in "
        "docs/engine.md, or pass t.data (or t.detach().numpy()) for a plain NumPy result"
    )


def _data(x: Any) -> Any:
    return x._data if isinstance(x, NumpyProtocols) else x


_NO_VALUE: Any = np._NoValue  # NumPy's marker for "argument not given"


def _refuse(name: str, **extras: Any) -> None:
    """Refuse the arguments this mapping does not implement (`out`, `dtype`, `where`, ...)
    unless they were not given (None or NumPy's no-value marker)."""
    for key, value in extras.items():
        if value is None or value is _NO_VALUE:
            continue
        if key == "out":
            raise TypeError(
                f"{name}(..., out=...): a Tensor op makes a new node and cannot write into an "
                "array (for `array += tensor`, write `array = array + tensor`)"
            )
        raise TypeError(f"{name}: the argument {key}={value!r} is not supported on Tensors")


def _keep(keepdims: Any) -> bool:
    return False if keepdims is _NO_VALUE else bool(keepdims)


class NumpyProtocols:
    """NumPy's dispatch protocols, on `Tensor`."""

    __slots__ = ()

    if TYPE_CHECKING:
        _data: NDArray[Any]
        requires_grad: bool

        def _operand(self, other: Any) -> Tensor | None: ...

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = _name(ufunc, method)
        _refuse(name, out=kwargs.pop("out", None))
        if method == "reduce" and ufunc in REDUCTIONS:
            return _reduce(name, REDUCTIONS[ufunc], *inputs, **kwargs)
        if method != "__call__" or not (ufunc in QUERIES or ufunc in UNARY or ufunc in BINARY):
            raise _unsupported(name)
        _refuse(name, **kwargs)
        if ufunc in QUERIES:
            return ufunc(*(_data(x) for x in inputs))
        if ufunc in UNARY:
            return getattr(inputs[0], UNARY[ufunc])()
        forward, reflected = BINARY[ufunc]
        a, b = inputs
        result = getattr(a, forward)(b) if isinstance(a, NumpyProtocols) else NotImplemented
        if result is NotImplemented and isinstance(b, NumpyProtocols):
            result = getattr(b, reflected)(a)
        if result is NotImplemented:
            kinds = " and ".join(type(x).__name__ for x in inputs)
            raise TypeError(f"{name}: unsupported operands {kinds}")
        return result

    def __array_function__(
        self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if not all(issubclass(t, NumpyProtocols | np.ndarray) for t in types):
            return NotImplemented
        handler = FUNCTIONS.get(func)
        if handler is None:
            raise _unsupported(_name(func))
        return handler(*args, **kwargs)

    def __array__(self, dtype: Any = None, copy: Any = None) -> NDArray[Any]:
        if self.requires_grad:
            raise RuntimeError(
                "np.asarray / np.array of a Tensor that requires grad would leave the graph "
                "(as in PyTorch): use t.detach().numpy() or t.data for the array"
            )
        data = self._data
        if dtype is not None and np.dtype(dtype) != data.dtype:
            if copy is False:  # (NumPy's protocol: refuse rather than copy)
                raise ValueError(
                    f"np.asarray(t, dtype={np.dtype(dtype)}, copy=False): a {data.dtype} "
                    "Tensor cannot become that dtype without a copy"
                )
            return data.astype(dtype)
        return data.copy() if copy else data

    # np.maximum(array, tensor): the tensor is the second input
    def _maximum_reflected(self, other: Any) -> Any:
        return _as_tensor(self, other, "np.maximum").maximum(self)

    def _minimum_reflected(self, other: Any) -> Any:
        return _as_tensor(self, other, "np.minimum").minimum(self)


def _as_tensor(like: Any, x: Any, name: str) -> Tensor:
    if isinstance(x, NumpyProtocols):
        return x  # type: ignore[return-value]
    t = like._operand(x)
    if t is None:
        raise TypeError(f"{name}: unsupported operand {type(x).__name__}")
    return t  # type: ignore[no-any-return]


def _reduce(name: str, method: str, a: Any, axis: Any = 0, **kwargs: Any) -> Any:
    keepdims = kwargs.pop("keepdims", False)
    _refuse(name, **kwargs)
    return getattr(a, method)(axis, bool(keepdims))


# -- NumPy functions (NEP 18): one handler per function, with NumPy's signature ---------


def _sum(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = _NO_VALUE,
    initial: Any = _NO_VALUE,
    where: Any = _NO_VALUE,
) -> Any:
    _refuse("np.sum", dtype=dtype, out=out, initial=initial, where=where)
    return a.sum(axis, _keep(keepdims))


def _mean(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: Any = _NO_VALUE,
    *,
    where: Any = _NO_VALUE,
) -> Any:
    _refuse("np.mean", dtype=dtype, out=out, where=where)
    return a.mean(axis, _keep(keepdims))


def _max(
    a: Any,
    axis: Any = None,
    out: Any = None,
    keepdims: Any = _NO_VALUE,
    initial: Any = _NO_VALUE,
    where: Any = _NO_VALUE,
) -> Any:
    _refuse("np.max", out=out, initial=initial, where=where)
    return a.max(axis, _keep(keepdims))


def _reshape(
    a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None
) -> Any:
    if order != "C":
        raise TypeError(f"np.reshape: order={order!r} is not supported on Tensors (only 'C')")
    target = newshape if shape is None else shape
    return a.view(target) if copy is False else a.reshape(target)


def _transpose(a: Any, axes: Any = None) -> Any:
    return a.transpose() if axes is None else a.transpose(*axes)


def _swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    perm = list(range(a.ndim))
    try:
        perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    except (IndexError, TypeError):
        raise ShapeError(
            f"np.swapaxes: axes {axis1} and {axis2} do not fit a tensor with {a.ndim} dims"
        ) from None
    return a.transpose(*perm)


def _squeeze(a: Any, axis: Any = None) -> Any:
    if axis is not None:  # NumPy refuses an axis whose length is not 1 (PyTorch skips it)
        for k in axis if isinstance(axis, tuple | list) else (axis,):
            if -a.ndim <= k < a.ndim and a.shape[k] != 1:
                raise ShapeError(
                    f"np.squeeze: axis {k} of shape {a.shape} has length {a.shape[k]}, not 1"
                )
    return a.squeeze(axis)


def _expand_dims(a: Any, axis: Any) -> Any:
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    ndim = a.ndim + len(axes)
    places = {k % ndim if -ndim <= k < ndim else k for k in axes}
    if len(places) != len(axes) or any(not 0 <= k < ndim for k in places):
        raise ShapeError(f"np.expand_dims: axis {axis} does not fit a result with {ndim} dims")
    sizes = iter(a.shape)
    return a.reshape(tuple(1 if k in places else next(sizes) for k in range(ndim)))


def _ravel(a: Any, order: str = "C") -> Any:
    return _reshape(a, (-1,), order)


def _where(condition: Any, x: Any = _NO_VALUE, y: Any = _NO_VALUE) -> Any:
    if x is _NO_VALUE and y is _NO_VALUE:  # np.where(c): the indices where c holds
        return np.nonzero(_data(condition))
    if isinstance(x, NumpyProtocols):
        return x.where(condition, y)  # type: ignore[attr-defined]
    if isinstance(y, NumpyProtocols):
        return _as_tensor(y, x, "np.where").where(condition, y)
    return np.where(_data(condition), x, y)  # only the condition was a Tensor


def _clip(
    a: Any,
    a_min: Any = _NO_VALUE,
    a_max: Any = _NO_VALUE,
    out: Any = None,
    *,
    min: Any = _NO_VALUE,  # noqa: A002 (NumPy's names)
    max: Any = _NO_VALUE,  # noqa: A002
    **kwargs: Any,
) -> Any:
    _refuse("np.clip", out=out, **kwargs)
    lo = a_min if min is _NO_VALUE else min
    hi = a_max if max is _NO_VALUE else max
    return a.clip(None if lo is _NO_VALUE else lo, None if hi is _NO_VALUE else hi)


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    _refuse("np.dot", out=out)
    a_ndim, b_ndim = np.ndim(_data(a)), np.ndim(_data(b))
    if a_ndim == 0 or b_ndim == 0:
        return a * b
    if a_ndim > 2 or b_ndim > 2:
        raise TypeError(
            "np.dot of arrays with more than 2 dims is not supported on Tensors (it is not "
            "matmul there); use np.matmul or @"
        )
    return a @ b


def _broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    return array.broadcast_to(tuple(shape) if isinstance(shape, tuple | list) else (shape,))


def _argmax(a: Any, axis: Any = None, out: Any = None, *, keepdims: Any = _NO_VALUE) -> Any:
    _refuse("np.argmax", out=out)
    return a.argmax(axis, _keep(keepdims))


def _argmin(a: Any, axis: Any = None, out: Any = None, *, keepdims: Any = _NO_VALUE) -> Any:
    _refuse("np.argmin", out=out)
    return a.argmin(axis, _keep(keepdims))


def _on_data(func: Callable[..., Any]) -> Callable[..., Any]:
    """A query whose result is not differentiable (a bool, a count, indices): run NumPy's
    function on the data."""

    def query(*args: Any, **kwargs: Any) -> Any:
        return func(*(_data(a) for a in args), **{k: _data(v) for k, v in kwargs.items()})

    return query


FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.sum: _sum,
    np.mean: _mean,
    np.max: _max,
    np.amax: _max,
    np.reshape: _reshape,
    np.transpose: _transpose,
    np.swapaxes: _swapaxes,
    np.squeeze: _squeeze,
    np.expand_dims: _expand_dims,
    np.ravel: _ravel,
    np.where: _where,
    np.clip: _clip,
    np.dot: _dot,
    np.broadcast_to: _broadcast_to,
    np.argmax: _argmax,
    np.argmin: _argmin,
    **{
        f: _on_data(f)
        for f in (
            np.shape,
            np.ndim,
            np.size,
            np.allclose,
            np.isclose,
            np.array_equal,
            np.array_equiv,
            np.count_nonzero,
            np.nonzero,
            np.any,
            np.all,
        )
    },
}
