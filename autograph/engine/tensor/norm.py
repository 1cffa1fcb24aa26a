"""`batch_norm` and `dropout` on Tensors, with PyTorch's arguments and semantics.

Each is one node whose rule is in the derivative table (the array math is in
`autograph.engine.norm`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError
from autograph.engine.mode import RECORDING
from autograph.engine.norm import (
    BatchNormParams,
    DropoutParams,
    batch_norm_axes,
    batch_statistics,
    dropout_mask,
    normalize,
)
from autograph.engine.tensor.core import Tensor, tensor_result

# dropout's masks when no generator is given (seed it with `set_dropout_seed`)
_RNG = [np.random.default_rng()]


def set_dropout_seed(seed: int | None) -> None:
    """Seed the generator that `dropout` draws its masks from when given no `rng`."""
    _RNG[0] = np.random.default_rng(seed)


def _array(stat: Any, name: str, channels: int) -> np.ndarray | None:
    if stat is None:
        return None
    array = stat.data if isinstance(stat, Tensor) else stat
    if not isinstance(array, np.ndarray) or array.shape != (channels,):
        raise ShapeError(
            f"batch_norm: {name} must be an array of shape ({channels},), got "
            f"{getattr(array, 'shape', type(array).__name__)}"
        )
    return array


def batch_norm(
    input: Tensor,
    running_mean: Any,
    running_var: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel (axis 1) of an (N, C), (N, C, L) or (N, C, H, W) input, then
    scale by `weight` and shift by `bias` (each (C,), optional), as `torch.nn.functional.
    batch_norm`:

    - training: the batch's mean and biased variance normalize; the running statistics (if
      given) are updated in place: r = (1 - momentum)·r + momentum·s, with the unbiased
      variance for `running_var`;
    - evaluation: `running_mean` and `running_var` normalize (constants of the graph).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"batch_norm: input must be a Tensor, got {type(input).__name__}")
    x = input
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected (N, C, ...) input, got shape {x.shape}")
    channels = x.shape[1]
    axes = batch_norm_axes(x.ndim)
    mean = _array(running_mean, "running_mean", channels)
    var = _array(running_var, "running_var", channels)
    parents, inputs = [x], ["x"]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"batch_norm: {name} must be a Tensor or None, got {type(t).__name__}")
        if t.shape != (channels,):
            raise ShapeError(f"batch_norm: {name} must have shape ({channels},), got {t.shape}")
        parents.append(t)
        inputs.append(name)
    w = weight.data if weight is not None else None
    b = bias.data if bias is not None else None
    kept = (1, channels) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {x.shape}"
            )
        batch_mean, batch_var, inv_std = batch_statistics(x.data, axes, eps)
        x_hat, data = normalize(x.data, batch_mean, inv_std, w, b)
        if mean is not None:
            mean *= 1.0 - momentum
            mean += momentum * batch_mean.reshape(channels)
        if var is not None:
            var *= 1.0 - momentum
            var += (momentum * count / (count - 1)) * batch_var.reshape(channels)
        recording = RECORDING.enabled and any(t.requires_grad for t in parents)
        params = BatchNormParams(
            tuple(inputs), axes, eps, True, inv_std, x_hat if recording else None
        )
    else:
        if mean is None or var is None:
            raise ValueError(
                "batch_norm: evaluation (training=False) needs running_mean and running_var"
            )
        dtype = np.result_type(x.data, np.float32)
        used_mean = mean.reshape(kept).astype(dtype)
        inv_std = (1.0 / np.sqrt(var.reshape(kept) + eps)).astype(dtype)
        _, data = normalize(x.data, used_mean, inv_std, w, b)
        params = BatchNormParams(tuple(inputs), axes, eps, False, inv_std, mean=used_mean)
    return tensor_result(data, tuple(parents), "batch_norm", params)


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    *,
    rng: np.random.Generator | None = None,
) -> Tensor:
    """Zero each element with probability `p` and scale the rest by 1/(1-p) when training
    (inverted dropout, as PyTorch); in evaluation (or with p = 0) the input itself.

    The mask comes from `rng` (a NumPy Generator), or from a module-level generator
    (`set_dropout_seed` seeds it).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout: input must be a Tensor, got {type(input).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: the probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0.0:
        return input
    mask = dropout_mask(input.shape, p, input.dtype, rng if rng is not None else _RNG[0])
    return tensor_result(input.data * mask, (input,), "dropout", DropoutParams(p, mask))


def replay_norm_op(op: str, parents: list[Tensor], params: Any) -> Tensor:
    """The batch_norm or dropout node computed again from new `parents` with a recorded
    node's params: the same mask, the same running statistics in evaluation, the batch's
    own statistics in training (running statistics are not updated again)."""
    x = parents[0]
    if op == "dropout":
        return tensor_result(x.data * params.mask, (x,), "dropout", params)
    if op != "batch_norm":
        raise ValueError(f"replay_norm_op: {op!r} is not batch_norm or dropout")
    given = dict(zip(params.inputs, parents, strict=True))
    weight, bias = given.get("weight"), given.get("bias")
    w = weight.data if weight is not None else None
    b = bias.data if bias is not None else None
    if params.training:
        mean, _, inv_std = batch_statistics(x.data, params.axes, params.eps)
        x_hat, data = normalize(x.data, mean, inv_std, w, b)
        recording = RECORDING.enabled and any(t.requires_grad for t in parents)
        params = BatchNormParams(
            params.inputs, params.axes, params.eps, True, inv_std, x_hat if recording else None
        )
    else:
        _, data = normalize(x.data, params.mean, params.inv_std, w, b)
    return tensor_result(data, tuple(parents), "batch_norm", params)
