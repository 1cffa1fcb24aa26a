"""Image ops on NCHW Tensors, with PyTorch's arguments: `conv2d`, `max_pool2d`,
`avg_pool2d`, and `flatten`.

Each is one node whose rule is in the derivative table (the array math is in
`autograph.engine.conv`). A 3-D input (C, H, W) is taken as one image, as PyTorch does.

>>> import numpy as np
>>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
>>> y = max_pool2d(x, 2)
>>> y.data
array([[[[ 5.,  7.],
         [13., 15.]]]])
>>> y.sum().backward()
>>> x.grad[0, 0]
array([[0., 0., 0., 0.],
       [0., 1., 0., 1.],
       [0., 0., 0., 0.],
       [0., 1., 0., 1.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.engine.broadcast import ShapeError
from autograph.engine.conv import ConvParams, Window, conv2d_array, make_window, pair
from autograph.engine.mode import RECORDING
from autograph.engine.pool import PoolParams, avg_pool2d_array, max_pool2d_array, pool_divisor
from autograph.engine.tensor.core import Tensor, tensor_result

Size = int | tuple[int, int]


def _tensor(t: Any, name: str, op: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    return t


def _images(x: Tensor, op: str) -> tuple[Tensor, bool]:
    """`x` as a batch of images (N, C, H, W), and whether it was a single (C, H, W) image."""
    if x.ndim == 4:
        return x, False
    if x.ndim == 3:
        return x.reshape(1, *x.shape), True
    raise ShapeError(
        f"{op}: expected images of shape (N, C, H, W) or one image (C, H, W), "
        f"got a tensor of shape {x.shape}"
    )


def _padding(
    padding: Any, kernel: tuple[int, int], dilation: tuple[int, int], stride: Any, op: str
) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an int, a pair, "valid" or "same" (stride 1 only; an
    odd total goes to the bottom and right, as PyTorch pads)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(
                f"{op}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
            )
        if pair(stride, "stride", op, 1) != (1, 1):
            raise ValueError(
                f"{op}: padding='same' needs stride 1 (got stride {stride!r}), as in PyTorch"
            )
        pads = []
        for k, d in zip(kernel, dilation, strict=True):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return pads[0], pads[1], pads[2], pads[3]
    ph, pw = pair(padding, "padding", op, 0)
    return ph, ph, pw, pw


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Size = 1,
    padding: Size | str = 0,
    dilation: Size = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch and the textbook) of (N, C, H, W)
    images with an (O, C, KH, KW) weight and an optional (O,) bias: (N, O, OH, OW).

    `padding` pads with zeros: an int, a pair, "valid" (none) or "same" (output as large as
    the input; stride 1 only). One node; its rule computes the input's gradient with the
    transposed convolution (col2im) and the weight's from the columns kept by the forward
    pass (im2col).
    """
    op = "conv2d"
    x, single = _images(_tensor(input, "input", op), op)
    w = _tensor(weight, "weight", op)
    if groups != 1:
        raise ValueError(f"{op}: only groups=1 is supported, got groups={groups!r}")
    if w.ndim != 4:
        raise ShapeError(
            f"{op}: the weight must be (out_channels, in_channels, kH, kW), got shape {w.shape}"
        )
    if w.shape[1] != x.shape[1]:
        raise ShapeError(
            f"{op}: the input has {x.shape[1]} channels but the weight of shape {w.shape} "
            f"expects {w.shape[1]}"
        )
    parents: tuple[Tensor, ...] = (x, w)
    if bias is not None:
        bias = _tensor(bias, "bias", op)
        if bias.shape != (w.shape[0],):
            raise ShapeError(f"{op}: the bias must have shape ({w.shape[0]},), got {bias.shape}")
        parents = (x, w, bias)
    kernel = (w.shape[2], w.shape[3])
    dilation_ = pair(dilation, "dilation", op, 1)
    window = make_window(
        op,
        (x.shape[2], x.shape[3]),
        kernel,
        pair(stride, "stride", op, 1),
        _padding(padding, kernel, dilation_, stride, op),
        dilation_,
    )
    out = _conv2d_node(parents, window)
    return out.reshape(out.shape[1:]) if single else out


def _conv2d_node(parents: tuple[Tensor, ...], window: Window) -> Tensor:
    x, w = parents[0], parents[1]
    b = parents[2].data if len(parents) > 2 else None
    data, cols = conv2d_array(x.data, w.data, b, window)
    keep = RECORDING.enabled and w.requires_grad  # the columns serve the weight's gradient
    params = ConvParams(window, x.shape, w.shape, cols if keep else None)
    return tensor_result(data, parents, "conv2d", params)


def _max_pool2d_node(x: Tensor, window: Window) -> Tensor:
    data, params = max_pool2d_array(x.data, window)
    return tensor_result(data, (x,), "max_pool2d", params)


def _avg_pool2d_node(x: Tensor, window: Window, divisor: np.ndarray | float) -> Tensor:
    data = avg_pool2d_array(x.data, window, divisor)
    return tensor_result(
        data, (x,), "avg_pool2d", PoolParams("avg", window, x.shape, divisor=divisor)
    )


def _pool_window(
    op: str,
    x: Tensor,
    kernel_size: Size,
    stride: Size | None,
    padding: Size,
    dilation: Size,
    ceil_mode: bool,
) -> Window:
    kernel = pair(kernel_size, "kernel_size", op, 1)
    strides = kernel if stride is None else pair(stride, "stride", op, 1)
    dilations = pair(dilation, "dilation", op, 1)
    ph, pw = pair(padding, "padding", op, 0)
    for p, k in ((ph, kernel[0]), (pw, kernel[1])):
        if p > k // 2:
            raise ValueError(
                f"{op}: padding {padding!r} is more than half the kernel size "
                f"{kernel[0]}x{kernel[1]} (as in PyTorch, at most kernel_size // 2)"
            )
    return make_window(
        op, (x.shape[2], x.shape[3]), kernel, strides, (ph, ph, pw, pw), dilations, ceil_mode
    )


def max_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window (stride defaults to the kernel size; padding is -inf).

    The gradient goes to one element per window: the first maximum in row-major window
    order (PyTorch's choice on ties; a NaN counts as the maximum). With `return_indices`,
    also returns each maximum's flat index into its input plane (H*W), as PyTorch does.
    """
    op = "max_pool2d"
    x, single = _images(_tensor(input, "input", op), op)
    window = _pool_window(op, x, kernel_size, stride, padding, dilation, ceil_mode)
    out = _max_pool2d_node(x, window)
    params = out.params
    if single:
        out = out.reshape(out.shape[1:])
    if not return_indices:
        return out
    indices = _flat_indices(window, params.kernel_argmax())
    return out, indices[0] if single else indices


def _flat_indices(window: Window, argmax: np.ndarray) -> np.ndarray:
    """Each maximum's index into its (H, W) input plane, from its kernel position."""
    kw, (sh, sw), (dh, dw) = window.kernel[1], window.stride, window.dilation
    top, _, left, _ = window.padding
    oh, ow = window.out_size
    a, b = np.divmod(argmax.astype(np.int64), kw)
    rows = np.arange(oh).reshape(oh, 1) * sh - top + a * dh
    cols = np.arange(ow).reshape(1, ow) * sw - left + b * dw
    return rows * window.in_size[1] + cols  # type: ignore[no-any-return]


def avg_pool2d(
    input: Tensor,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window (stride defaults to the kernel size; padding is zeros).

    As PyTorch: `count_include_pad` counts the padding cells in each window's divisor
    (never the cells past the padding that `ceil_mode` reaches); `divisor_override` replaces
    the divisor.
    """
    op = "avg_pool2d"
    x, single = _images(_tensor(input, "input", op), op)
    if divisor_override is not None and (
        not isinstance(divisor_override, int | np.integer) or divisor_override == 0
    ):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    window = _pool_window(op, x, kernel_size, stride, padding, 1, ceil_mode)
    out = _avg_pool2d_node(x, window, pool_divisor(window, count_include_pad, divisor_override))
    return out.reshape(out.shape[1:]) if single else out


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """The axes from `start_dim` to `end_dim` (inclusive) as one, as `torch.flatten`
    (`nn.Flatten` uses start_dim=1: one row per image). One "flatten" node."""
    x = _tensor(input, "input", "flatten")
    ndim = max(x.ndim, 1)
    start, end = start_dim, end_dim
    for name, axis in (("start_dim", start), ("end_dim", end)):
        if not -ndim <= axis < ndim:
            raise ShapeError(f"flatten: {name}={axis} is out of range for shape {x.shape}")
    start, end = start % ndim, end % ndim
    if start > end:
        raise ShapeError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {x.shape}"
        )  # as Tensor.flatten says it
    shape = x.shape if x.ndim else (1,)
    new_shape = (*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])
    return tensor_result(x.data.reshape(new_shape), (x,), "flatten", new_shape)


def replay_image_op(op: str, parents: list[Tensor], params: Any) -> Tensor:
    """The `op` node (conv2d, max_pool2d, avg_pool2d, flatten) computed again from new
    `parents` with a recorded node's params: same window, new data (viz's expand and the
    per-node gradient check rebuild nodes this way)."""
    x = parents[0]
    if op == "conv2d":
        return _conv2d_node(tuple(parents), params.window)
    if op == "max_pool2d":
        return _max_pool2d_node(x, params.window)
    if op == "avg_pool2d":
        return _avg_pool2d_node(x, params.window, params.divisor)
    if op == "flatten":
        return tensor_result(x.data.reshape(params), (x,), "flatten", params)
    raise ValueError(f"replay_image_op: {op!r} is not an image op")
