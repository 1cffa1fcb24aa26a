"""Sliding windows over images: the array math of `conv2d`, `max_pool2d` and `avg_pool2d`,
and their derivative rules.

Images are NCHW arrays. A `Window` says where a kernel goes (kernel size, stride, padding,
dilation). Nothing here loops over pixels: the forward passes read the windows through one
strided view of the padded input (`numpy.lib.stride_tricks.as_strided`), and each backward
pass adds into the padded input's gradient once per kernel position (kh x kw strided slices,
the col2im step).

- conv2d: im2col (one copy of the windows into columns) and one batched matrix product;
  the columns are kept for the weight's gradient, as the textbook's Convolution keeps them.
- max_pool2d: the maximum and, per output, which kernel position holds it (the first one
  in row-major window order on ties, a NaN counting as the maximum: PyTorch's choice), so
  the gradient goes to exactly one input per window.
- avg_pool2d: a sum over kernel positions divided by each window's count.

The rules are registered in `rules.RULES`; the namespaces' array members
(`Math.conv2d_input_grad`, `conv2d_weight_grad`, `pool2d_grad`) call the functions here.
With `create_graph=True` the same gradients are built from recorded nodes
(`windows_graph`/`unwindows_graph`: indexing and scatter), so every derivative of these ops
can be differentiated again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import NDArray

from autograph.engine.broadcast import ShapeError

if TYPE_CHECKING:
    from autograph.engine.namespaces import Math
    from autograph.engine.rules import Rule

Array = NDArray[Any]
Pair = tuple[int, int]
Index = tuple[slice, slice, slice, slice]


@dataclass(frozen=True, slots=True)
class Window:
    """Where a kernel slides over the last two axes of an (N, C, H, W) input.

    `padding` is (top, bottom, left, right); `overhang` the rows and columns past the bottom
    and right padding that the last windows reach with `ceil_mode` (padded like the padding,
    but never counted as part of a window by average pooling).
    """

    kernel: Pair
    stride: Pair
    dilation: Pair
    padding: tuple[int, int, int, int]
    overhang: Pair
    in_size: Pair
    out_size: Pair

    @property
    def padded_size(self) -> Pair:
        top, bottom, left, right = self.padding
        h, w = self.in_size
        return h + top + bottom + self.overhang[0], w + left + right + self.overhang[1]

    @property
    def is_padded(self) -> bool:
        return any(self.padding) or any(self.overhang)

    @property
    def overlaps(self) -> bool:
        """Whether an input cell can be in more than one window."""
        spans = (d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel, strict=True))
        return any(s < span for s, span in zip(self.stride, spans, strict=True))

    def inner(self) -> Index:
        """The index of the unpadded input inside the padded one."""
        top, _, left, _ = self.padding
        h, w = self.in_size
        return (slice(None), slice(None), slice(top, top + h), slice(left, left + w))

    def positions(self) -> list[Index]:
        """For each kernel position (row-major), the index into the padded input of the cell
        every window holds there: an (N, C, OH, OW) strided slice."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        oh, ow = self.out_size
        return [
            (
                slice(None),
                slice(None),
                slice(a * dh, a * dh + sh * (oh - 1) + 1, sh),
                slice(b * dw, b * dw + sw * (ow - 1) + 1, sw),
            )
            for a in range(kh)
            for b in range(kw)
        ]

    def __repr__(self) -> str:
        def text(p: tuple[int, ...]) -> str:
            return str(p[0]) if len(set(p)) == 1 else ",".join(str(v) for v in p)

        out = f"kernel {self.kernel[0]}x{self.kernel[1]}, stride {text(self.stride)}"
        if any(self.padding):
            out += f", padding {text(self.padding)}"
        if self.dilation != (1, 1):
            out += f", dilation {text(self.dilation)}"
        return out


def pair(value: Any, name: str, op: str, minimum: int) -> Pair:
    """An int or a pair of ints as a pair, each at least `minimum` (else a named error)."""
    items = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(items) != 2 or not all(isinstance(v, int | np.integer) for v in items):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def make_window(
    op: str,
    in_size: Pair,
    kernel: Pair,
    stride: Pair,
    padding: tuple[int, int, int, int],
    dilation: Pair = (1, 1),
    ceil_mode: bool = False,
) -> Window:
    """The `Window` of a kernel over an input of `in_size`, with PyTorch's output size:
    floor((H + pads - dilation*(k-1) - 1) / stride) + 1, or ceil with `ceil_mode` (where the
    last window must still start inside the input or its top/left padding).
    Raises ShapeError when not even one window fits."""
    out = []
    extra = []
    pads = ((padding[0], padding[1]), (padding[2], padding[3]))
    for axis in range(2):
        size, k, s, d = in_size[axis], kernel[axis], stride[axis], dilation[axis]
        low, high = pads[axis]
        span = d * (k - 1) + 1
        room = size + low + high - span
        n = (-(-room // s) if ceil_mode else room // s) + 1
        if ceil_mode and (n - 1) * s >= size + low:
            n -= 1
        if n < 1:
            raise ShapeError(
                f"{op}: the kernel {kernel[0]}x{kernel[1]} (dilation {dilation[0]}x"
                f"{dilation[1]}) is larger than the input {in_size[0]}x{in_size[1]} with "
                f"its padding"
            )
        out.append(n)
        extra.append(max(0, (n - 1) * s + span - (size + low + high)))
    return Window(
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        padding=padding,
        overhang=(extra[0], extra[1]),
        in_size=in_size,
        out_size=(out[0], out[1]),
    )


# -- windows of arrays ---------------------------------------------------------------------


def pad(x: Array, window: Window, fill: float = 0.0) -> Array:
    """`x` with the window's padding around its last two axes (`x` itself if none)."""
    if not window.is_padded:
        return x
    out = np.full((*x.shape[:2], *window.padded_size), fill, dtype=x.dtype)
    out[window.inner()] = x
    return out


def windows(x: Array, window: Window, fill: float = 0.0) -> Array:
    """A read-only (N, C, OH, OW, KH, KW) view of every window of the padded `x`."""
    xp = pad(x, window, fill)
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    (sh, sw), (dh, dw) = window.stride, window.dilation
    return as_strided(
        xp,
        (n, c, *window.out_size, *window.kernel),
        (s0, s1, s2 * sh, s3 * sw, s2 * dh, s3 * dw),
        writeable=False,
    )


def unwindows(cols: Array, window: Window) -> Array:
    """The adjoint of `windows` (col2im): (N, C, KH, KW, OH, OW) values added back into
    an (N, C, H, W) array, cells that several windows share receiving their sum."""
    n, c = cols.shape[:2]
    kh, kw = window.kernel
    out = np.zeros((n, c, *window.padded_size), dtype=cols.dtype)
    for k, where in enumerate(window.positions()):
        out[where] += cols[:, :, k // kw, k % kw]
    return out[window.inner()] if window.is_padded else out


def im2col(x: Array, window: Window) -> Array:
    """The windows of `x` as columns, (N, C*KH*KW, OH*OW): one copy."""
    n, c = x.shape[:2]
    cols = np.ascontiguousarray(windows(x, window).transpose(0, 1, 4, 5, 2, 3))
    return cols.reshape(n, c * window.kernel[0] * window.kernel[1], -1)


# -- conv2d --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class ConvParams:
    """What a conv2d node keeps: its window, its input's and weight's shapes, and the columns
    of its input (for the weight's gradient; None when no weight gradient is wanted)."""

    window: Window
    x_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    cols: Array | None = None

    def __repr__(self) -> str:
        return repr(self.window)


def conv2d_array(x: Array, w: Array, b: Array | None, window: Window) -> tuple[Array, Array]:
    """(output, columns): out[n, o] = sum over c, i, j of w[o, c, i, j] * window (+ b[o])."""
    n = x.shape[0]
    o = w.shape[0]
    cols = im2col(x, window)
    out = np.matmul(w.reshape(o, -1), cols)  # (N, O, OH*OW): already NCHW
    if b is not None:
        out += b.reshape(o, 1)
    return out.reshape(n, o, *window.out_size), cols


def conv2d_input_grad(g: Array, w: Array, p: ConvParams) -> Array:
    """d(loss)/d(x) of conv2d: the transposed convolution of `g` with `w`."""
    n, o = g.shape[:2]
    c = p.x_shape[1]
    kh, kw = p.window.kernel
    gcols = np.matmul(w.reshape(o, -1).T, g.reshape(n, o, -1))  # (N, C*KH*KW, OH*OW)
    return unwindows(gcols.reshape(n, c, kh, kw, *p.window.out_size), p.window)


def conv2d_weight_grad(x: Array, g: Array, p: ConvParams) -> Array:
    """d(loss)/d(w) of conv2d: each output's gradient times the window it saw, summed."""
    cols = p.cols if p.cols is not None else im2col(x, p.window)
    n, o = g.shape[:2]
    per_image = np.matmul(g.reshape(n, o, -1), cols.transpose(0, 2, 1))  # (N, O, C*KH*KW)
    return np.add.reduce(per_image, axis=0).reshape(p.w_shape)  # type: ignore[no-any-return]


def _conv2d_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: ConvParams) -> Any:
    if i == 0:
        return m.conv2d_input_grad(g, xs[1], p)
    if i == 1:
        return m.conv2d_weight_grad(xs[0], g, p)
    return m.sum(g, (0, 2, 3), False)


# -- the same gradients as recorded nodes (create_graph=True) ------------------------------


def _window_index(window: Window) -> tuple[slice, slice, Array, Array]:
    """An index that picks every window's cells out of the padded input: (N, C, OH, OW, KH,
    KW) when applied, built from two broadcasting integer arrays."""
    (kh, kw), (sh, sw), (dh, dw) = window.kernel, window.stride, window.dilation
    oh, ow = window.out_size
    rows = (np.arange(oh) * sh).reshape(oh, 1, 1, 1) + (np.arange(kh) * dh).reshape(1, 1, kh, 1)
    cols = (np.arange(ow) * sw).reshape(1, ow, 1, 1) + (np.arange(kw) * dw).reshape(1, 1, 1, kw)
    return slice(None), slice(None), rows, cols


def windows_graph(x: Any, window: Window) -> Any:
    """`windows` of a node, as recorded ops (a scatter into the padded shape, then indexing):
    (N, C, OH, OW, KH, KW)."""
    n, c = x.shape[:2]
    if window.is_padded:
        x = x.scatter(window.inner(), (n, c, *window.padded_size))
    return x[_window_index(window)]


def unwindows_graph(cols: Any, window: Window) -> Any:
    """`unwindows` of a node holding (N, C, OH, OW, KH, KW) values, as recorded ops."""
    n, c = cols.shape[:2]
    out = cols.scatter(_window_index(window), (n, c, *window.padded_size))
    return out[window.inner()] if window.is_padded else out


def conv2d_input_grad_graph(g: Any, w: Any, p: ConvParams) -> Any:
    n, o, oh, ow = g.shape
    c, kh, kw = p.w_shape[1:]
    rows = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o) @ w.reshape(o, c * kh * kw)
    cols = rows.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 1, 2, 4, 5)
    return unwindows_graph(cols, p.window)


def conv2d_weight_grad_graph(x: Any, g: Any, p: ConvParams) -> Any:
    n, o, oh, ow = g.shape
    c, kh, kw = p.w_shape[1:]
    cols = windows_graph(x, p.window).transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, -1)
    return (g.transpose(1, 0, 2, 3).reshape(o, n * oh * ow) @ cols).reshape(p.w_shape)


def _flatten_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: Any) -> Any:
    return m.reshape(g, xs[0].shape)


CONV_RULES: dict[str, Rule] = {
    "conv2d": _conv2d_vjp,
    "flatten": _flatten_vjp,
}
