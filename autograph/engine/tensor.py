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
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError, broadcast_shapes, reduced_axes
from autograph.engine.node import RECORDING, Node
from autograph.engine.rules import ARRAY

Axis = int | Sequence[int] | None

_new = object.__new__


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
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"Tensor() takes numbers, got data of dtype {array.dtype} ({type(data).__name__})"
        )
    if dtype is None:
        dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    return array if array.dtype == dtype else array.astype(dtype)


def _result(data: Any, parents: tuple[Tensor, ...], op: str, params: Any = None) -> Tensor:
    out = _new(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = None
    out.label = ""
    out.retains_grad = False
    out.params = params
    out._mark = None
    needs = parents[0].requires_grad or (len(parents) > 1 and parents[1].requires_grad)
    if RECORDING.enabled and needs:
        out._set_parents(parents)
        out.op = op
        out.requires_grad = True
        if RECORDING.scope is not None:
            out.scope = RECORDING.scope
    else:
        out._p0 = out._p1 = None
        out.op = ""
        out.requires_grad = False
    return out


def _normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims")
        normalized.append(int(a) % ndim if ndim else 0)
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(normalized))


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class Tensor(Node):
    """An array node. `Tensor([[1., 2.], [3., 4.]], requires_grad=True)`.

    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]])
    """

    __slots__ = ()
    __array_ufunc__ = None  # `ndarray + Tensor` calls Tensor.__radd__, never an object array
    __array_priority__ = 1000

    _math = ARRAY
    _broadcasts = True
    _retains_by_default = False

    def __init__(
        self, data: Any, dtype: Any = None, *, requires_grad: bool = False, label: str = ""
    ) -> None:
        self.data = as_array(data, dtype)
        self._init_leaf(None, label, requires_grad)

    @classmethod
    def constant(cls, data: Any, label: str = "") -> Tensor:
        """A leaf that needs no gradient."""
        return cls(data, label=label)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._p0 is not None:
            raise RuntimeError("requires_grad_() is for leaves; this node is an op result")
        self.requires_grad = bool(requires_grad)
        return self

    # -- array facts --------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    # -- elementwise arithmetic (broadcasting) ------------------------------------------

    def _operand(self, other: Any) -> Tensor | None:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, numbers.Real) and not isinstance(other, Node):
            return Tensor(np.asarray(other, dtype=self.data.dtype))
        if isinstance(other, np.ndarray | list | tuple):
            return Tensor(other)
        return None

    def _binary(self, other: Any, op: str, fn: Any, reflected: bool = False) -> Tensor:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        x, y = (o, self) if reflected else (self, o)
        try:
            data = fn(x.data, y.data)
        except ValueError:
            broadcast_shapes(op, x.data.shape, y.data.shape)  # raises the named ShapeError
            raise
        return _result(data, (x, y), op)

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
        return _result(-self.data, (self,), "neg")

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _result(np.abs(self.data), (self,), "abs")

    def __matmul__(self, other: Any) -> Tensor:
        return self._matmul(other, reflected=False)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._matmul(other, reflected=True)

    def _matmul(self, other: Any, reflected: bool) -> Tensor:
        o = self._operand(other)
        if o is None:
            return NotImplemented
        x, y = (o, self) if reflected else (self, o)
        xs, ys = x.data.shape, y.data.shape
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
        return _result(x.data @ y.data, (x, y), "@")

    # -- functions ----------------------------------------------------------------------

    def exp(self) -> Tensor:
        return _result(np.exp(self.data), (self,), "exp")

    def log(self) -> Tensor:
        return _result(np.log(self.data), (self,), "log")

    def tanh(self) -> Tensor:
        return _result(np.tanh(self.data), (self,), "tanh")

    def sigmoid(self) -> Tensor:
        return _result(ARRAY.sigmoid(self.data), (self,), "sigmoid")

    def relu(self) -> Tensor:
        return _result(np.maximum(self.data, 0), (self,), "relu")

    def softmax(self, axis: int = -1) -> Tensor:
        axis = _normalize_axis(axis, self.ndim, "softmax")[0]
        return _result(ARRAY.softmax(self.data, axis), (self,), "softmax", axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        axis = _normalize_axis(axis, self.ndim, "log_softmax")[0]
        return _result(ARRAY.log_softmax(self.data, axis), (self,), "log_softmax", axis)

    # -- reductions ---------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axis(axis, self.ndim, "sum")
        data = np.sum(self.data, axis=axes, keepdims=keepdims)
        return _result(data, (self,), "sum", (axes, keepdims))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axis(axis, self.ndim, "mean")
        data = np.mean(self.data, axis=axes, keepdims=keepdims)
        return _result(data, (self,), "mean", (axes, keepdims))

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axis(axis, self.ndim, "max")
        if self.data.size == 0:
            raise ShapeError("max: the tensor is empty")
        data = np.max(self.data, axis=axes, keepdims=keepdims)
        return _result(data, (self,), "max", (axes, keepdims))

    # -- shape --------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        new_shape = _shape_arg(shape)
        try:
            data = self.data.reshape(new_shape)
        except ValueError:
            raise ShapeError(
                f"reshape: cannot reshape shape {self.shape} ({self.size} "
                f"elements) into {new_shape}"
            ) from None
        return _result(data, (self,), "reshape", new_shape)

    def transpose(self, *axes: Any) -> Tensor:
        perm = tuple(reversed(range(self.ndim))) if not axes else _shape_arg(axes)
        if sorted(a % max(self.ndim, 1) for a in perm) != list(range(self.ndim)):
            raise ShapeError(
                f"transpose: {perm} is not a permutation of the "
                f"{self.ndim} axes of shape {self.shape}"
            )
        perm = tuple(a % self.ndim for a in perm)
        return _result(np.transpose(self.data, perm), (self,), "transpose", perm)

    @property
    def T(self) -> Tensor:
        return self.transpose()

    @property
    def mT(self) -> Tensor:
        """Swap the last two axes (the matrix transpose of a batch of matrices)."""
        if self.ndim < 2:
            raise ShapeError(f"mT needs at least 2 dims, got shape {self.shape}")
        perm = list(range(self.ndim))
        perm[-1], perm[-2] = perm[-2], perm[-1]
        return self.transpose(*perm)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        shape = tuple(shape)
        broadcast_shapes("broadcast_to", self.shape, shape)
        return _result(np.broadcast_to(self.data, shape), (self,), "broadcast_to", shape)

    def sum_to(self, shape: Sequence[int]) -> Tensor:
        """Sum over broadcast axes down to `shape` (what broadcasting's gradient does)."""
        shape = tuple(shape)
        axes = reduced_axes(self.shape, shape, "sum_to")
        data = np.sum(self.data, axis=axes).reshape(shape) if axes else self.data.reshape(shape)
        return _result(data, (self,), "sum_to", shape)

    def __getitem__(self, index: Any) -> Tensor:
        index = _plain_index(index)
        try:
            data = self.data[index]
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {self.shape})") from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        return _result(data, (self,), "getitem", index)

    def scatter(self, index: Any, shape: Sequence[int]) -> Tensor:
        """Zeros of `shape` with this tensor added at `index` (getitem's gradient)."""
        index = _plain_index(index)
        return _result(
            ARRAY.scatter(self.data, index, tuple(shape)), (self,), "scatter", (index, tuple(shape))
        )

    # -- engine hooks -------------------------------------------------------------------

    def _seed(self, gradient: Any) -> np.ndarray:
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() on a tensor of shape {self.shape} needs a gradient: only a "
                    "single-element output has an implied gradient of 1. Reduce it first "
                    "(e.g. .sum()) or pass backward(gradient=...) of the same shape"
                )
            return np.ones(self.data.shape, self.data.dtype)
        seed = as_array(gradient.data if isinstance(gradient, Tensor) else gradient, self.dtype)
        if seed.shape != self.shape:
            raise ShapeError(
                f"backward(gradient): gradient of shape {seed.shape} for a "
                f"tensor of shape {self.shape}"
            )
        return seed

    def _accumulate(self, g: Any) -> None:
        old = self.grad
        if isinstance(g, Node):
            self.grad = g if old is None else old + g
        elif old is None:
            self.grad = g if _unshared(g, self.data.dtype) else np.array(g, self.data.dtype)
        else:  # a float64 constant in the graph must not turn a float32 leaf's grad float64
            self.grad = np.add(old, g, dtype=self.data.dtype, casting="same_kind")

    def _zero_grad(self) -> None:
        return None

    def _zeros(self) -> np.ndarray:
        return np.zeros_like(self.data)

    def detach(self) -> Tensor:
        return Tensor(self.data, label=self.label)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self.label:
            extras.append(f"label={self.label!r}")
        return "Tensor(" + ", ".join([body, *extras]) + ")"


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


def _plain_index(index: Any) -> Any:
    """Tensors inside an index become their arrays; a boolean mask becomes the integer arrays
    of its True positions (spliced in place when it sits inside a tuple index)."""
    if isinstance(index, tuple):
        parts: list[Any] = []
        for item in index:
            plain = _plain_index(item)
            if _is_mask(item):
                parts.extend(plain)  # a k-dim mask indexes k axes
            else:
                parts.append(plain)
        return tuple(parts)
    if isinstance(index, Tensor):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray):
        if index.dtype == bool:
            return np.nonzero(index)
        if index.dtype.kind not in "iu":
            raise IndexError(
                f"getitem: index arrays must hold integers or booleans, got dtype {index.dtype}"
            )
    return index


def _is_mask(item: Any) -> bool:
    data = item.data if isinstance(item, Tensor) else item
    return (isinstance(data, np.ndarray) and data.dtype == bool) or (
        isinstance(data, list) and np.asarray(data).dtype == bool
    )


def affine(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """`x @ weight + bias` as ONE node: the textbook's Affine layer, Y = X·W + B.

    `x` is (..., n), `weight` (n, k), `bias` broadcastable to (..., k). One node instead of
    two keeps the engine's per-step overhead down in training loops.
    """
    for name, t in (("x", x), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"affine: {name} must be a Tensor, got {type(t).__name__}")
    xs, ws = x.data.shape, weight.data.shape
    if len(ws) != 2 or not xs or xs[-1] != ws[0]:
        raise ShapeError(
            f"affine: x of shape {xs} and weight of shape {ws} do not fit "
            f"(need x (..., n) and weight (n, k))"
        )
    data = x.data @ weight.data
    if bias is None:
        return _result(data, (x, weight), "affine")
    if not isinstance(bias, Tensor):
        bias = x._operand(bias)
        if bias is None:
            raise TypeError("affine: bias must be a Tensor or array")
    b = bias.data
    # the usual bias, (k,) against (n, k), needs no general broadcast check
    fits = b.ndim <= data.ndim and b.shape == data.shape[data.ndim - b.ndim :]
    out_shape = data.shape if fits else broadcast_shapes("affine", data.shape, b.shape)
    if out_shape == data.shape and np.result_type(data, b) == data.dtype:
        np.add(data, bias.data, out=data)  # data is our fresh product: add in place
    else:
        data = data + bias.data
    return _result(data, (x, weight, bias), "affine")


def softmax_cross_entropy(logits: Tensor, target: Any) -> Tensor:
    """Mean cross-entropy of softmax(logits) against `target`, as one fused node.

    `target` is either class indices (shape `logits.shape[:-1]`, integers) or one-hot /
    probability rows (the same shape as `logits`). Max-shifted, so no 1e-7 is needed inside
    the log; the gradient is (softmax(logits) - target) / batch_size, as in the textbook.
    """
    if not isinstance(logits, Tensor):
        raise TypeError(
            f"softmax_cross_entropy takes a Tensor of logits, got {type(logits).__name__}"
        )
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    x = logits.data
    if x.ndim == 0:
        raise ShapeError("softmax_cross_entropy: logits need a class axis, got a scalar")
    classes = x.shape[-1]
    # the textbook's softmax, max-shifted; log-probabilities only where the loss needs them
    shifted = x - np.maximum.reduce(x, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    totals = np.add.reduce(exps, axis=-1, keepdims=True)
    probs = exps / totals
    if t.shape == x.shape[:-1] and t.dtype.kind in "iu":
        labels = t.reshape(-1)
        rows = np.arange(labels.size)
        flat_shifted = shifted.reshape(-1, classes)
        if labels.size and (
            labels.max() >= classes or (labels.dtype.kind == "i" and labels.min() < 0)
        ):
            raise ValueError(
                f"softmax_cross_entropy: class indices must be in [0, {classes}),"
                f" got values from {labels.min()} to {labels.max()}"
            )
        picked = flat_shifted[rows, labels]
        total = np.log(totals).sum() - picked.sum()
        one_hot = np.zeros(flat_shifted.shape, flat_shifted.dtype)
        one_hot[rows, labels] = 1
        t = one_hot.reshape(x.shape)
    elif t.shape == x.shape:
        t = t.astype(x.dtype, copy=False)
        total = -(t * (shifted - np.log(totals))).sum()
    else:
        raise ShapeError(
            f"softmax_cross_entropy: target shape {t.shape} fits neither class "
            f"indices {x.shape[:-1]} nor one-hot rows {x.shape}"
        )
    loss = total / (x.size // classes)
    # keep the probabilities for the backward pass (the textbook's SoftmaxWithLoss does too)
    params = (t, probs)
    return _result(loss, (logits,), "softmax_cross_entropy", params)
