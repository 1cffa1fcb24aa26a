"""Fused Tensor ops: several steps of a layer as ONE node, with one hand-derived rule.

`affine` is the textbook's Affine layer (x @ W + b) and `softmax_cross_entropy` its
SoftmaxWithLoss. One node instead of several keeps the engine's per-step overhead down in
training loops, and the fused gradient is the one the textbook derives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError, broadcast_shapes
from autograph.engine.tensor.core import Tensor, tensor_result


def affine(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """`x @ weight + bias` as ONE node: the textbook's Affine layer, Y = X·W + B.

    `x` is (..., n), `weight` (n, k), `bias` broadcastable to (..., k). One node instead of
    two keeps the engine's per-step overhead down in training loops.
    """
    for name, t in (("x", x), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"affine: {name} must be a Tensor, got {type(t).__name__}")
    xs, ws = x._data.shape, weight._data.shape
    if len(ws) != 2 or not xs or xs[-1] != ws[0]:
        raise ShapeError(
            f"affine: x of shape {xs} and weight of shape {ws} do not fit "
            f"(need x (..., n) and weight (n, k))"
        )
    data = x._data @ weight._data
    if bias is None:
        return tensor_result(data, (x, weight), "affine")
    if not isinstance(bias, Tensor):
        bias = x._operand(bias)
        if bias is None:
            raise TypeError("affine: bias must be a Tensor or array")
    b = bias._data
    # the usual bias, (k,) against (n, k), needs no general broadcast check
    fits = b.ndim <= data.ndim and b.shape == data.shape[data.ndim - b.ndim :]
    out_shape = data.shape if fits else broadcast_shapes("affine", data.shape, b.shape)
    if out_shape != data.shape:  # (backward would fail to sum x's gradient back)
        raise ShapeError(
            f"affine: a bias of shape {b.shape} would enlarge the output of shape "
            f"{data.shape} to {out_shape}; the bias must broadcast to x @ weight's shape"
        )
    if np.result_type(data, b) == data.dtype:
        np.add(data, bias._data, out=data)  # data is our fresh product: add in place
    else:
        data = data + bias._data
    return tensor_result(data, (x, weight, bias), "affine")


def softmax_cross_entropy(logits: Tensor, target: Any) -> Tensor:
    """Mean cross-entropy of softmax(logits) against `target`, as one fused node.

    `target` is either class indices (shape `logits.shape[:-1]`: integers, or floats that
    are whole numbers such as 1.0, as labels loaded from a file often are; a fractional one
    raises ValueError) or one-hot / probability rows (the same shape as `logits`).
    Max-shifted, so no 1e-7 is needed inside the log. The loss is -Σ t·log softmax(x) per
    row, averaged over rows; its gradient is (softmax(x)·Σt - t) / rows, which is the
    textbook's (softmax(x) - t) / batch_size when every row of t sums to 1 (class indices,
    one-hot rows, probabilities).
    """
    if not isinstance(logits, Tensor):
        raise TypeError(
            f"softmax_cross_entropy takes a Tensor of logits, got {type(logits).__name__}"
        )
    t = np.asarray(target._data if isinstance(target, Tensor) else target)
    x = logits._data
    if x.ndim == 0:
        raise ShapeError("softmax_cross_entropy: logits need a class axis, got a scalar")
    classes = x.shape[-1]
    if t.shape == x.shape[:-1] and t.dtype.kind not in "iu":
        t = class_indices(t, "softmax_cross_entropy")
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
        row_sums = None  # every row sums to 1
    elif t.shape == x.shape:
        t = t.astype(x.dtype, copy=False)
        total = -(t * (shifted - np.log(totals))).sum()
        row_sums = np.add.reduce(t, axis=-1, keepdims=True)
        if (row_sums == 1).all():
            row_sums = None
    else:
        raise ShapeError(
            f"softmax_cross_entropy: target shape {t.shape} fits neither class "
            f"indices {x.shape[:-1]} nor one-hot rows {x.shape}"
        )
    loss = total / (x.size // classes)
    # keep the probabilities for the backward pass (the textbook's SoftmaxWithLoss does too)
    params = (t, probs, row_sums)
    return tensor_result(loss, (logits,), "softmax_cross_entropy", params)


def class_indices(labels: Any, where: str = "labels") -> np.ndarray:
    """`labels` as an integer array: integral floats (0.0, 3.0) become ints; anything else
    that is not an integer raises ValueError("... labels must be integers ...")."""
    t = np.asarray(labels)
    if t.dtype.kind in "iu":
        return t
    if t.dtype.kind == "f":
        integral = np.isfinite(t) & (t == np.round(t))
        if integral.all():
            return t.astype(np.int64)
        bad = t[~integral].reshape(-1)[0]
        raise ValueError(f"{where}: labels must be integers (class indices), got {bad!r}")
    raise ValueError(f"{where}: labels must be integers (class indices), got {t.dtype} data")
