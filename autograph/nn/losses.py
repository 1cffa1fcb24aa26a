"""Losses: mean squared error, softmax cross-entropy (one fused node), hinge, as functions,
and PyTorch's loss modules `MSELoss`, `CrossEntropyLoss`, `BCELoss`.

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
from autograph.engine.tensor.fused import class_indices, softmax_cross_entropy
from autograph.engine.value import Value, sum_values
from autograph.nn.module import Module

# `softmax_cross_entropy` is the engine's (one function: the same as `autograph.`'s)
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


# -- PyTorch's loss modules ---------------------------------------------------------------

REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {', '.join(REDUCTIONS)}, "
                f"got {reduction!r}"
            )
        self.reduction = reduction

    def _reduce(self, per_element: Tensor) -> Tensor:
        if self.reduction == "mean":
            return per_element.mean()
        if self.reduction == "sum":
            return per_element.sum()
        return per_element

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def _prediction(loss: str, pred: Any) -> Tensor:
    if not isinstance(pred, Tensor):
        raise TypeError(f"{loss} takes a Tensor (or NumPy array), got {type(pred).__name__}")
    return pred


class MSELoss(_Loss):
    """PyTorch's `nn.MSELoss`: (input − target)², averaged (`reduction="mean"`), summed, or
    per element (`"none"`). The target must have the input's shape (see `mse`)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        pred = _prediction("MSELoss", input)
        diff = pred - _matching_target("MSELoss", target, pred, "input", "target")
        return self._reduce(diff * diff)


class CrossEntropyLoss(_Loss):
    """PyTorch's `nn.CrossEntropyLoss` on logits of shape (N, C) (or (C,)): the target is
    class indices (N,) or probability rows (N, C). The mean is one fused node (the textbook's
    SoftmaxWithLoss); `"sum"` is that times N, `"none"` the per-row losses. Unlike PyTorch,
    the class axis is always the last one, so inputs of more than two axes are refused."""

    def forward(self, input: Any, target: Any) -> Tensor:
        logits = _prediction("CrossEntropyLoss", input)
        if logits.ndim not in (1, 2):
            raise ShapeError(
                f"CrossEntropyLoss: input of shape {logits.shape}: give logits (N, C) or (C,) "
                f"(autograph's class axis is the last; reshape to (N, C) first)"
            )
        t = np.asarray(target.data if isinstance(target, Tensor) else target)
        rows = 1 if logits.ndim == 1 else logits.shape[0]
        if self.reduction == "none":
            if t.shape == logits.shape[:-1]:
                classes = logits.shape[-1]
                labels = class_indices(t, "CrossEntropyLoss")
                if labels.size and (labels.min() < 0 or labels.max() >= classes):
                    raise ValueError(
                        f"CrossEntropyLoss: class indices must be in [0, {classes}), got "
                        f"values from {labels.min()} to {labels.max()}"
                    )
                t = np.eye(classes, dtype=logits.dtype)[labels]
            elif t.shape != logits.shape:
                return softmax_cross_entropy(logits, t)  # its ShapeError names both shapes
            return -(logits.log_softmax(-1) * Tensor(t.astype(logits.dtype))).sum(axis=-1)
        loss = softmax_cross_entropy(logits, t)
        return loss * float(rows) if self.reduction == "sum" else loss


class BCELoss(_Loss):
    """PyTorch's `nn.BCELoss`: −[t·log p + (1 − t)·log(1 − p)] for probabilities p in [0, 1]
    (e.g. after a sigmoid), each log clamped at −100 as PyTorch does. Probabilities outside
    [0, 1] raise ValueError. At p exactly 0 or 1 the clamped term has gradient 0 (PyTorch's
    is ±1e12); behind a sigmoid both are 0 there."""

    def forward(self, input: Any, target: Any) -> Tensor:
        p = _prediction("BCELoss", input)
        data = p.data
        if data.size and not (np.all(data >= 0) and np.all(data <= 1)):
            raise ValueError(
                "BCELoss: every input must be a probability in [0, 1] (apply a sigmoid first)"
            )
        t = _matching_target("BCELoss", target, p, "input", "target")
        # max(log, -100) as log + relu(-100 - log): exact wherever log > -100. The tiny shift
        # keeps log away from log(0) = -inf, whose gradient would be 0 * inf = nan, and
        # changes no normal float.
        tiny = float(np.finfo(data.dtype).smallest_subnormal) if data.dtype.kind == "f" else 0.0
        log_p, log_q = (p + tiny).log(), (1.0 - p + tiny).log()
        log_p = log_p + (-100.0 - log_p).relu()
        log_q = log_q + (-100.0 - log_q).relu()
        return self._reduce(-(t * log_p + (1.0 - t) * log_q))
