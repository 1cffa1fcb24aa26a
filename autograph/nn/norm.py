"""`BatchNorm1d`, `BatchNorm2d` and `Dropout`, with PyTorch's names, arguments, defaults and
train/eval behaviour (`module.train()`, `module.eval()`).

>>> import numpy as np
>>> from autograph import Tensor
>>> bn = BatchNorm1d(3)
>>> y = bn(Tensor(np.array([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]])))
>>> y.data.round(3)
array([[-1., -1., -1.],
       [ 1.,  1.,  1.]])
>>> bn.running_mean.data  # 0.9 * 0 + 0.1 * the batch mean
array([0.2, 0.4, 0.6])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError
from autograph.engine.tensor import Tensor, batch_norm, dropout
from autograph.nn.module import Buffer, Module, Parameter


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ in the input shapes they take."""

    shapes = ""  # the input shapes, for errors
    ndims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"{name}: num_features must be a positive int, got {num_features!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = self.bias = None
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype), label="weight")
            self.bias = Parameter(np.zeros(num_features, dtype=dtype), label="bias")
        if track_running_stats:
            self.running_mean = Buffer(np.zeros(num_features, dtype=dtype), label="running_mean")
            self.running_var = Buffer(np.ones(num_features, dtype=dtype), label="running_var")
        self.num_batches_tracked = 0  # counts batches for momentum=None (not saved)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0.0
            self.running_var.data[...] = 1.0
        self.num_batches_tracked = 0

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor) or x.ndim not in self.ndims or x.shape[1] != self.num_features:
            shape = x.shape if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(
                f"{type(self).__name__}({self.num_features}): expected input of shape "
                f"{self.shapes.format(C=self.num_features)}, got {shape}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:  # a cumulative average, as PyTorch
                momentum = 1.0 / self.num_batches_tracked
        tracked = self.track_running_stats  # else every call uses its batch's statistics
        return batch_norm(
            x,
            self.running_mean if tracked else None,
            self.running_var if tracked else None,
            self.weight,
            self.bias,
            training=self.training or not tracked,
            momentum=0.0 if momentum is None else momentum,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """`BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True)` over (N, C) or (N, C, L) inputs, as torch.nn.BatchNorm1d.

    Training normalizes with the batch's mean and biased variance and updates the running
    statistics (`running_var` with the unbiased variance); `eval()` normalizes with them.
    """

    shapes = "(N, {C}) or (N, {C}, L)"
    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """`BatchNorm2d(num_features, ...)` over (N, C, H, W) images: one mean and variance per
    channel, as torch.nn.BatchNorm2d."""

    shapes = "(N, {C}, H, W)"
    ndims = (4,)


class Dropout(Module):
    """`Dropout(p=0.5, inplace=False)`, as torch.nn.Dropout: in training each element is
    zeroed with probability p and the rest scaled by 1/(1-p); in `eval()` the input passes
    unchanged. `rng` (a keyword): the NumPy Generator of the masks."""

    def __init__(
        self, p: float = 0.5, inplace: bool = False, *, rng: np.random.Generator | None = None
    ) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be between 0 and 1, got {p!r}")
        if inplace:
            raise ValueError(
                "Dropout: inplace=True is not supported (autograph never overwrites an input)"
            )
        self.p, self.inplace, self.rng = p, inplace, rng

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training, rng=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
