"""`Tensor`: a node over a NumPy array, with broadcasting, matmul, reductions and indexing.

float64 by default (`Tensor([1, 2])`), float32 on request (`Tensor(x, "float32")`, or an
array that already is float32). Like `torch.as_tensor`, an ndarray of the right dtype is
used as it is, not copied. As in PyTorch, leaves do not need gradients unless created with
`requires_grad=True`, and only leaves (and nodes that asked with `retain_grad()`) keep
their `.grad` after `backward()`.

NaN and inf follow IEEE 754 through NumPy (1/0 is inf with NumPy's usual RuntimeWarning).
"""

from __future__ import annotations

import numbers
import sys
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError, broadcast_shapes
from autograph.engine.namespaces import ARRAY
from autograph.engine.node import Node, new_result
from autograph.engine.tensor.elementwise import ElementwiseOps
from autograph.engine.tensor.functions import FunctionOps
from autograph.engine.tensor.numpy_api import NumpyProtocols
from autograph.engine.tensor.shape import ShapeOps
from autograph.engine.tensor.torch_api import ElementCount, TorchOps


def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """`data` as a floating-point ndarray (copied only when its dtype must change)."""
    if isinstance(data, Node):
        raise TypeError(
            f"Tensor() takes numbers or arrays, got a {type(data).__name__} node; use "
            "node.data for its array, or node.detach()"
        )
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Tensor dtype must be a floating type (float32, float64), got {dtype}")
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"Tensor(): data is not a rectangular array: {error}") from None
    if array.dtype.kind == "O" and all(
        isinstance(x, numbers.Real) and not isinstance(x, Node) for x in array.flat
    ):  # Python ints beyond 64 bits: NumPy keeps them as objects; they become floats
        target = dtype if dtype is not None else np.dtype(np.float64)
        try:
            return array.astype(target)
        except OverflowError:
            big = max(abs(int(x)) for x in array.flat)
            raise OverflowError(
                f"Tensor(): an integer of {big.bit_length()} bits is too large for {target} "
                f"(its largest value is about {np.finfo(target).max:.3g})"
            ) from None
    if array.dtype.kind == "O":
        odd = next(x for x in array.flat if not isinstance(x, numbers.Real) or isinstance(x, Node))
        raise TypeError(f"Tensor() takes numbers, got {type(odd).__name__} {odd!r} in the data")
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"Tensor() takes numbers, got data of dtype {array.dtype} ({type(data).__name__})"
        )
    if dtype is None:
        dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    return array if array.dtype == dtype else array.astype(dtype)


class Tensor(ElementwiseOps, FunctionOps, ShapeOps, TorchOps, NumpyProtocols, Node):
    """An array node. `Tensor([[1., 2.], [3., 4.]], requires_grad=True)`.

    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]])
    """

    __slots__ = ()
    __array_priority__ = 1000  # (NumPy's ufuncs call NumpyProtocols.__array_ufunc__)

    _data: NDArray[Any]

    _math = ARRAY
    _broadcasts = True
    _retains_by_default = False
    _empty_grad = None

    def __init__(
        self, data: Any, dtype: Any = None, *, requires_grad: bool = False, label: str = ""
    ) -> None:
        self._init_leaf(as_array(data, dtype), label, requires_grad)

    @classmethod
    def constant(cls, data: Any, label: str = "") -> Self:
        """A leaf that needs no gradient."""
        return cls(data, label=label)

    def _derive(
        self, data: Any, op: str, params: Any = None, others: tuple[Tensor, ...] = ()
    ) -> Tensor:
        """The result of op `op` on this tensor (and `others`): how the mixins (ShapeOps,
        FunctionOps) make their results."""
        return tensor_result(data, (self, *others), op, params)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("requires_grad_() is for leaves; this node is an op result")
        self.requires_grad = bool(requires_grad)
        return self

    # -- array facts --------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> ElementCount:
        """The number of elements, an int as NumPy's `size`; also callable as PyTorch's
        method: `t.size()` is the shape, `t.size(dim)` the length of one axis."""
        return ElementCount(self._data.shape)

    def __len__(self) -> int:
        return len(self._data)

    def item(self) -> float:
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return float(self._data.item())

    def numpy(self) -> NDArray[Any]:
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    # -- elementwise arithmetic (broadcasting) ------------------------------------------

    def _operand(self, other: Any) -> Tensor | None:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, numbers.Real) and not isinstance(other, Node):
            return Tensor(np.asarray(other, dtype=self._data.dtype))
        if isinstance(other, np.ndarray | list | tuple):
            return Tensor(other)
        return None

    def _binary(self, other: Any, op: str, fn: Any, reflected: bool = False) -> Tensor:
        o = self._operand(other)
        if o is None:
            return NotImplemented  # type: ignore[no-any-return]
        x, y = (o, self) if reflected else (self, o)
        try:
            data = fn(x._data, y._data)
        except ValueError:
            broadcast_shapes(op, x._data.shape, y._data.shape)  # raises the named ShapeError
            raise
        return tensor_result(data, (x, y), op)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(other, "+", np.add)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(other, "+", np.add, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", np.subtract)

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", np.subtract, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", np.multiply)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", np.multiply, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", np.divide)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", np.divide, reflected=True)

    def __pow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", np.power)

    def __rpow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", np.power, reflected=True)

    def __neg__(self) -> Tensor:
        return tensor_result(-self._data, (self,), "neg")

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return tensor_result(np.abs(self._data), (self,), "abs")

    def __matmul__(self, other: Any) -> Tensor:
        return self._matmul(other, reflected=False)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._matmul(other, reflected=True)

    def _matmul(self, other: Any, reflected: bool) -> Tensor:
        o = self._operand(other)
        if o is None:
            return NotImplemented  # type: ignore[no-any-return]
        x, y = (o, self) if reflected else (self, o)
        xs, ys = x._data.shape, y._data.shape
        if not xs or not ys:
            raise ShapeError(
                f"@: matmul needs arrays with at least 1 dim, got shapes {xs} "
                f"and {ys}; use * for scalars"
            )
        inner_x, inner_y = xs[-1], ys[-2] if len(ys) > 1 else ys[0]
        if inner_x != inner_y:
            raise ShapeError(
                f"@: shapes {xs} and {ys} are not aligned: {inner_x} (last dim "
                f"of the left) != {inner_y}"
            )
        if len(xs) > 2 or len(ys) > 2:
            broadcast_shapes("@", xs[:-2], ys[:-2])
        return tensor_result(x._data @ y._data, (x, y), "@")

    # -- engine hooks -------------------------------------------------------------------

    def _seed(self, gradient: Any) -> np.ndarray:
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward() on a tensor of shape {self.shape} needs a gradient: only a "
                    "single-element output has an implied gradient of 1. Reduce it first "
                    "(e.g. .sum()) or pass backward(gradient=...) of the same shape"
                )
            return np.ones(self._data.shape, self._data.dtype)
        seed = as_array(gradient._data if isinstance(gradient, Tensor) else gradient, self.dtype)
        if seed.shape != self.shape:
            raise ShapeError(
                f"backward(gradient): gradient of shape {seed.shape} for a "
                f"tensor of shape {self.shape}"
            )
        return seed

    def _accumulate(self, g: Any) -> None:
        old = self.grad
        if isinstance(g, Node) or isinstance(old, Node):  # a graph (create_graph) is involved
            self.grad = self._own_gradient(g if old is None else old + g)
        elif old is None:
            self.grad = g if _unshared(g, self._data.dtype) else np.array(g, self._data.dtype)
        else:  # a float64 constant in the graph must not turn a float32 leaf's grad float64
            self.grad = np.add(old, g, dtype=self._data.dtype, casting="same_kind")

    def _zeros(self) -> np.ndarray:
        return np.zeros_like(self._data)

    def _assign(self, data: Any, op: str) -> None:
        if data.shape != self._data.shape:
            raise ShapeError(
                f"{op}=: the result has shape {data.shape}, which does not fit in place in "
                f"the tensor's shape {self._data.shape}"
            )
        np.copyto(self._data, data, casting="same_kind")  # in place, as NumPy's -= is

    def _own_gradient(self, g: Any) -> Any:
        dtype = self._data.dtype
        if isinstance(g, Tensor):
            return g if g._data.dtype == dtype else g.astype(dtype)
        return np.asarray(g, dtype=dtype)

    def detach(self) -> Tensor:
        return Tensor(self._data, label=self.label)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = []
        if self._data.dtype != np.float64:
            extras.append(f"dtype={self._data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self.label:
            extras.append(f"label={self.label!r}")
        return "Tensor(" + ", ".join([body, *extras]) + ")"


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """`x` where `condition` holds, else `y`, elementwise with broadcasting (`np.where`,
    `torch.where`). `x` or `y` may be a number, which takes the other's dtype; the gradient
    goes to the side that was chosen, exactly 0 to the other (even where it is nan)."""
    if isinstance(x, Tensor):
        return x.where(condition, y)
    xt = y._operand(x) if isinstance(y, Tensor) else Tensor(x)
    if xt is None:
        raise TypeError(f"where: x must be a Tensor, an array or a number, got {type(x).__name__}")
    return xt.where(condition, y)


def tensor_result(data: Any, parents: tuple[Tensor, ...], op: str, params: Any = None) -> Tensor:
    """An op's result: `new_result` with `data` made an ndarray (reductions give scalars)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    return new_result(Tensor, data, parents, op, params)


# References to a gradient array inside `_accumulate` when nothing else holds it: the backward
# pass's local, the parameter, and getrefcount's own argument.
_UNSHARED_REFS = 3


def _unshared(g: Any, dtype: np.dtype) -> bool:
    """True when `g` is a fresh, writable array of `dtype` that no one else references, so
    a leaf can keep it as its `.grad` instead of a copy (as PyTorch's AccumulateGrad steals
    a gradient whose use count is 1). Any other holder (another node's pending gradient, a
    retained `.grad`, a view's base, the caller's seed) adds a reference, and `g` is copied.
    """
    return (
        type(g) is np.ndarray
        and g.base is None
        and sys.getrefcount(g) <= _UNSHARED_REFS + 1
        and g.dtype == dtype
        and g.flags.writeable
    )
