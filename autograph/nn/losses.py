"""Losses: mean squared error, softmax cross-entropy (one fused node), hinge.

Each takes Tensors, and the hinge and MSE losses also lists of scalar `Value`s (micrograd's
moons demo uses the hinge loss on a list of scores).

`mse` and `hinge` never broadcast the target against the prediction: the target must have the
prediction's shape, except that a target whose shape differs only by axes of length 1 (labels
of shape (N,) for scores of shape (N, 1), or the reverse) is reshaped to the prediction's
shape. Anything else raises `ShapeError` naming both shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError
from autograph.engine.tensor import Tensor
from autograph.engine.tensor import softmax_cross_entropy as _fused_sce
from autograph.engine.value import Value, sum_values


def softmax_cross_entropy(logits: Tensor, target: Any) -> Tensor:
    """Mean cross-entropy of softmax(logits) against class indices or one-hot rows.

    One fused, max-shifted node: its gradient is (softmax - t) / batch, as in the textbook's
    SoftmaxWithLoss. Class indices stored as floats (1.0, 2.0) are taken as integers;
    fractional ones raise ValueError ("labels must be integers").
    """
    if isinstance(logits, Tensor) and logits.ndim >= 1:
        t = np.asarray(target.data if isinstance(target, Tensor) else target)
        if t.shape == logits.shape[:-1]:
            target = class_indices(t, "softmax_cross_entropy")
    return _fused_sce(logits, target)


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


cross_entropy = softmax_cross_entropy


def _is_scalar_list(x: Any) -> bool:
    return (
        isinstance(x, Sequence)
        and not isinstance(x, str)
        and len(x) > 0
        and any(isinstance(v, Value) for v in x)
    )


def mse(pred: Any, target: Any) -> Any:
    """Mean of (pred - target)² over every element (Tensor), or over the list (Values).

    The target must have the prediction's shape (up to axes of length 1); it is never
    broadcast, so `mse(pred of shape (3, 1), [1, 2, 3])` compares element by element.
    """
    if _is_scalar_list(pred):
        if len(pred) != len(target):
            raise ValueError(f"mse: {len(pred)} predictions but {len(target)} targets")
        return sum_values([(p - t) ** 2 for p, t in zip(pred, target, strict=True)]) * (
            1.0 / len(pred)
        )
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse takes a Tensor or a list of Values, got {type(pred).__name__}")
    diff = pred - _matching_target("mse", target, pred, "prediction", "target")
    return (diff * diff).mean()


mean_squared_error = mse


def hinge(scores: Any, labels: Any) -> Any:
    """Mean of max(0, 1 - y·score) with labels y in {-1, +1} (micrograd's SVM loss)."""
    if _is_scalar_list(scores):
        if len(scores) != len(labels):
            raise ValueError(f"hinge: {len(scores)} scores but {len(labels)} labels")
        terms = [(1 + -float(y) * s).relu() for s, y in zip(scores, labels, strict=True)]
        return sum_values(terms) * (1.0 / len(terms))
    if not isinstance(scores, Tensor):
        raise TypeError(f"hinge takes a Tensor or a list of Values, got {type(scores).__name__}")
    y = _matching_target("hinge", labels, scores, "scores", "labels")
    return (1 - y * scores).relu().mean()


def _target_tensor(target: Any, like: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        return target
    return Tensor(np.asarray(target), like.dtype)


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _matching_target(loss: str, target: Any, like: Tensor, what: str, other: str) -> Tensor:
    """`target` as a Tensor of `like`'s shape; never broadcast (a (N,) target against (N, 1)
    predictions would otherwise become an (N, N) difference)."""
    t = _target_tensor(target, like)
    if t.shape == like.shape:
        return t
    if t.size == like.size and _squeezed(t.shape) == _squeezed(like.shape):
        return t.reshape(like.shape)  # only axes of length 1 differ: same elements, same order
    raise ShapeError(
        f"{loss}: {what} shape {like.shape} and {other} shape {t.shape} differ "
        f"({other} are not broadcast: give one per element of the {what})"
    )
