"""The array math and derivative rules of `batch_norm` and `dropout`.

batch_norm normalizes each channel (axis 1) over every other axis: with the batch's own
mean and biased variance in training, with the running statistics in evaluation, then
scales by `weight` and shifts by `bias`. Its rule is the textbook's (ch. 6) backward of
batch normalization, in terms of the normalized input x̂ and 1/sqrt(var + eps); in the array
namespace those come from the forward pass, under `create_graph=True` they are recomputed
from the input as nodes, so second derivatives see how they depend on it.

dropout multiplies by a constant mask of 0 and 1/(1-p) (inverted dropout, as PyTorch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from autograph.engine.namespaces import Math
    from autograph.engine.rules import Rule

Array = NDArray[Any]


@dataclass(frozen=True, slots=True, repr=False)
class BatchNormParams:
    """What a batch_norm node keeps.

    `inputs` names its inputs in order ("x", then "weight" and/or "bias" when given). In
    training `mean` is None and the statistics are the batch's; in evaluation `mean` and
    `inv_std` are the running statistics used (copies, shaped to broadcast over x).
    `x_hat` and `inv_std` are the forward pass's, for the array namespace.
    """

    inputs: tuple[str, ...]
    axes: tuple[int, ...]
    eps: float
    training: bool
    inv_std: Array
    x_hat: Array | None = None
    mean: Array | None = None

    @property
    def channel_shape(self) -> tuple[int, ...]:
        return self.inv_std.shape

    def __repr__(self) -> str:
        return f"{'training' if self.training else 'eval'}, eps={self.eps:g}"


def batch_norm_axes(ndim: int) -> tuple[int, ...]:
    """Every axis but the channels' (axis 1)."""
    return (0, *range(2, ndim))


def batch_statistics(x: Array, axes: tuple[int, ...], eps: float) -> tuple[Array, Array, Array]:
    """(mean, biased variance, 1/sqrt(variance + eps)), each shaped to broadcast over x."""
    mean = np.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(np.square(centered), axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + np.asarray(eps, dtype=var.dtype))
    return mean, var, inv_std


def normalize(
    x: Array, mean: Array, inv_std: Array, weight: Array | None, bias: Array | None
) -> tuple[Array, Array]:
    """(x̂, output): x̂ = (x - mean) * inv_std, output = x̂ * weight + bias per channel."""
    x_hat: Array = (x - mean) * inv_std
    shape = inv_std.shape
    out = x_hat if weight is None else x_hat * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    elif out is x_hat:
        out = x_hat.copy()
    return x_hat, out


def batch_norm_stats_graph(x: Any, p: BatchNormParams) -> tuple[Any, Any]:
    """x̂ and 1/sqrt(var + eps) recomputed from the node `x` (create_graph=True)."""
    if p.training:
        centered = x - x.mean(p.axes, keepdims=True)
        inv_std = ((centered * centered).mean(p.axes, keepdims=True) + p.eps) ** -0.5
        return centered * inv_std, inv_std
    assert p.mean is not None
    inv_std = x.constant(p.inv_std)
    return (x - x.constant(p.mean)) * inv_std, inv_std


def _batch_norm_vjp(
    m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: BatchNormParams
) -> Any:
    x_hat, inv_std = m.batch_norm_stats(xs[0], p)
    role = p.inputs[i]
    if role == "bias":
        return m.sum(g, p.axes, False)
    if role == "weight":
        return m.sum(g * x_hat, p.axes, False)
    scale = inv_std
    if "weight" in p.inputs:
        scale = scale * m.reshape(xs[p.inputs.index("weight")], p.channel_shape)
    if not p.training:  # the statistics are constants
        return g * scale
    count = np.prod([xs[0].shape[a] for a in p.axes])
    mean_g = m.sum(g, p.axes, True) * (1.0 / count)
    mean_g_x_hat = m.sum(g * x_hat, p.axes, True) * (1.0 / count)
    return (g - mean_g - x_hat * mean_g_x_hat) * scale


@dataclass(frozen=True, slots=True, repr=False)
class DropoutParams:
    """A dropout node's probability and mask (0 where dropped, 1/(1-p) where kept)."""

    p: float
    mask: Array

    def __repr__(self) -> str:
        return f"p={self.p:g}"


def dropout_mask(shape: tuple[int, ...], p: float, dtype: Any, rng: np.random.Generator) -> Array:
    """Each element kept with probability 1 - p and scaled by 1/(1-p); all 0 when p == 1."""
    if p >= 1.0:
        return np.zeros(shape, dtype=dtype)
    draw_dtype = np.float32 if np.dtype(dtype) == np.float32 else np.float64
    keep = rng.random(shape, dtype=draw_dtype) >= p
    mask: Array = keep.astype(dtype)
    mask *= np.asarray(1.0 / (1.0 - p), dtype=dtype)
    return mask


NORM_RULES: dict[str, Rule] = {
    "batch_norm": _batch_norm_vjp,
    "dropout": lambda m, g, out, xs, i, p: g * p.mask,
}
