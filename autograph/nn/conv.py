"""Image layers with PyTorch's names, arguments and defaults: `Conv2d`, `MaxPool2d`,
`AvgPool2d`, `Flatten`. Each forward is one node of the engine (`conv2d`, `max_pool2d`,
`avg_pool2d`, `flatten`).

>>> import numpy as np
>>> from autograph import Tensor
>>> conv = Conv2d(1, 30, 5, rng=np.random.default_rng(0))
>>> conv
Conv2d(1, 30, kernel_size=(5, 5), stride=(1, 1))
>>> conv(Tensor(np.zeros((2, 1, 28, 28)))).shape
(2, 30, 24, 24)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograph.engine.conv import pair
from autograph.engine.tensor import Tensor, avg_pool2d, conv2d, flatten, max_pool2d
from autograph.nn.module import Module, Parameter

Size = int | tuple[int, int]


def conv_weight(
    out_channels: int,
    in_channels: int,
    kernel: tuple[int, int],
    init: str | float | None,
    rng: np.random.Generator,
    dtype: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """(weight, bias) of a convolution with fan_in = in_channels·kH·kW.

    `init=None` is PyTorch's default: both uniform in ±1/sqrt(fan_in) (kaiming_uniform_ with
    a=sqrt(5)). Otherwise the weight is normal with std sqrt(2/fan_in) ("he"), sqrt(1/fan_in)
    ("xavier", the textbook's form) or the given number (the textbook's weight_init_std),
    and the bias zero.
    """
    shape = (out_channels, in_channels, *kernel)
    fan_in = in_channels * kernel[0] * kernel[1]
    if init is None:
        bound = 1.0 / math.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, shape)
        bias = rng.uniform(-bound, bound, out_channels)
        return weight.astype(dtype), bias.astype(dtype)
    if isinstance(init, str):
        stds = {"he": math.sqrt(2.0 / fan_in), "xavier": math.sqrt(1.0 / fan_in)}
        if init.lower() not in stds:
            raise ValueError(f"init must be None, a std, 'he' or 'xavier', got {init!r}")
        std = stds[init.lower()]
    else:
        std = float(init)
    weight = std * rng.standard_normal(shape)
    return weight.astype(dtype), np.zeros(out_channels, dtype=dtype)


class Conv2d(Module):
    """`Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode="zeros")`, as torch.nn.Conv2d: a `weight` of shape
    (out_channels, in_channels, kH, kW) and a `bias` of shape (out_channels,).

    autograph's extras (keywords): `init` (None: PyTorch's uniform ±1/sqrt(fan_in); "he",
    "xavier" or a std: normal weights and a zero bias), `rng`, `dtype` (float64 by default,
    as every autograph layer).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Size,
        stride: Size = 1,
        padding: Size | str = 0,
        dilation: Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        *,
        init: str | float | None = None,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        if groups != 1:
            raise ValueError(f"Conv2d: only groups=1 is supported, got groups={groups!r}")
        if padding_mode != "zeros":
            raise ValueError(
                f"Conv2d: only padding_mode='zeros' is supported, got {padding_mode!r}"
            )
        for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(count, int) or count < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int, got {count!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = pair(stride, "stride", "Conv2d", 1)
        self.padding: Any = (
            padding if isinstance(padding, str) else pair(padding, "padding", "Conv2d", 0)
        )
        self.dilation = pair(dilation, "dilation", "Conv2d", 1)
        rng = np.random.default_rng() if rng is None else rng
        w, b = conv_weight(out_channels, in_channels, self.kernel_size, init, rng, dtype)
        self.weight = Parameter(w, label="weight")
        self.bias = Parameter(b, label="bias") if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding not in ((0, 0), "valid"):
            text += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.bias is None:
            text += ", bias=False"
        return text


class MaxPool2d(Module):
    """`MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)`, as torch.nn.MaxPool2d (stride defaults to the kernel size)."""

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode

    def forward(self, x: Tensor) -> Any:
        return max_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class AvgPool2d(Module):
    """`AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)`, as torch.nn.AvgPool2d."""

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class Flatten(Module):
    """`Flatten(start_dim=1, end_dim=-1)`, as torch.nn.Flatten: one row per image."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
