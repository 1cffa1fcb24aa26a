"""Losses: mean squared error, softmax cross-entropy (one fused node), hinge.

Each takes Tensors, and the hinge and MSE losses also lists of scalar `Value`s (micrograd's
moons demo uses the hinge loss on a list of scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograph.engine.tensor import Tensor
from autograph.engine.tensor import softmax_cross_entropy as _fused_sce
from autograph.engine.value import Value, sum_values


def softmax_cross_entropy(logits: Tensor, target: Any) -> Tensor:
    """Mean cross-entropy of softmax(logits) against class indices or one-hot rows.

    One fused, max-shifted node: its gradient is (softmax - t) / batch, as in the textbook's
    SoftmaxWithLoss.
    """
    return _fused_sce(logits, target)


cross_entropy = softmax_cross_entropy


def _is_scalar_list(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, str) and len(x) > 0 and any(
        isinstance(v, Value) for v in x)


def mse(pred: Any, target: Any) -> Any:
    """Mean of (pred - target)² over every element (Tensor), or over the list (Values)."""
    if _is_scalar_list(pred):
        if len(pred) != len(target):
            raise ValueError(f"mse: {len(pred)} predictions but {len(target)} targets")
        return sum_values([(p - t) ** 2 for p, t in zip(pred, target, strict=True)]) * (
            1.0 / len(pred))
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse takes a Tensor or a list of Values, got {type(pred).__name__}")
    diff = pred - _target_tensor(target, pred)
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
        raise TypeError(f"hinge takes a Tensor or a list of Values, got "
                        f"{type(scores).__name__}")
    y = _target_tensor(labels, scores)
    if y.shape != scores.shape and y.size == scores.size:
        y = y.reshape(scores.shape)  # (N,) labels for (N, 1) scores: never broadcast to (N, N)
    return (1 - y * scores).relu().mean()


def _target_tensor(target: Any, like: Tensor) -> Tensor:
    if isinstance(target, Tensor):
        return target
    return Tensor(np.asarray(target), like.dtype)
