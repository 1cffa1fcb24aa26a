"""Max and average pooling: the array math of `max_pool2d` and `avg_pool2d`, and their rule.

Two ways through, with the same results:

- tiles (stride = kernel, no padding, no dilation: the usual 2x2 pooling). The windows tile
  the input, so the maximum is taken along each window row first (strided views), then
  down the rows (contiguous ones), and the backward pass spreads the gradient with
  `np.repeat` and a mask: no strided writes, which NumPy does slowly.
- any window: a loop over the kernel positions, each a strided (N, C, OH, OW) view of the
  padded input (`conv.Window.positions`).

Max pooling sends each window's gradient to one element: the first maximum in row-major
window order (PyTorch's choice on ties), a NaN counting as the maximum (as in PyTorch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograph.engine.conv import Array, Window, pad, unwindows_graph

if TYPE_CHECKING:
    from autograph.engine.namespaces import Math
    from autograph.engine.rules import Rule

NOT_THIS_ROW = np.uint8(255)  # in `PoolParams.row_winner`: the window's maximum is elsewhere


@dataclass(frozen=True, slots=True, repr=False)
class PoolParams:
    """What a pooling node keeps: its window and input shape, and

    - max pooling on tiles: `row_winner`, (N, C, OH*KH, OW): for each row of each window,
      the column of the window's maximum if it is in that row, else NOT_THIS_ROW;
    - max pooling otherwise: `argmax`, (N, C, OH, OW): each maximum's kernel position;
    - average pooling: each window's `divisor` (a number, or an (OH, OW) array).
    """

    kind: str  # "max" or "avg"
    window: Window
    x_shape: tuple[int, ...]
    argmax: Array | None = None
    row_winner: Array | None = None
    divisor: Array | float = 1.0

    def kernel_argmax(self) -> Array:
        """Each maximum's kernel position (row-major), however it was stored."""
        if self.argmax is not None:
            return self.argmax
        assert self.row_winner is not None
        n, c = self.x_shape[:2]
        (kh, kw), (oh, ow) = self.window.kernel, self.window.out_size
        winners = self.row_winner.reshape(n, c, oh, kh, ow)
        row = np.argmax(winners != NOT_THIS_ROW, axis=3)
        column = np.take_along_axis(winners, row[:, :, :, None], axis=3)[:, :, :, 0]
        return row * kw + column  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return repr(self.window)


def is_tiled(window: Window) -> bool:
    """Whether the windows tile the input (each cell in at most one window, none padded)."""
    return window.stride == window.kernel and window.dilation == (1, 1) and not window.is_padded


def _tiled_rows(x: Array, window: Window) -> Array:
    """(N, C, OH*KH, OW, KW): each row of each window, its cells on the last axis."""
    (kh, kw), (oh, ow) = window.kernel, window.out_size
    s0, s1, s2, s3 = x.strides
    return as_strided(
        x, (*x.shape[:2], oh * kh, ow, kw), (s0, s1, s2, s3 * kw, s3), writeable=False
    )


def _first_max(candidates: list[Array]) -> tuple[Array, Array]:
    """(elementwise maximum, index of the first candidate that holds it), for non-NaN data."""
    if len(candidates) == 1:
        return np.array(candidates[0]), np.zeros(candidates[0].shape, dtype=np.uint8)
    best = np.maximum(candidates[0], candidates[1])
    index = np.greater(candidates[1], candidates[0]).view(np.uint8)
    for k in range(2, len(candidates)):
        better = np.greater(candidates[k], best)
        np.maximum(best, candidates[k], out=best)
        index = np.where(better, np.uint8(k), index)
    return best, index


def max_pool2d_array(x: Array, window: Window) -> tuple[Array, PoolParams]:
    """The maximum of each window, and what the backward pass needs."""
    if is_tiled(window) and max(window.kernel) < NOT_THIS_ROW:
        (kh, kw), (oh, ow) = window.kernel, window.out_size
        rows = _tiled_rows(x, window)
        row_max, column = _first_max([rows[..., b] for b in range(kw)])
        tiles = row_max.reshape(*x.shape[:2], oh, kh, ow)
        out, row = _first_max([tiles[:, :, :, a] for a in range(kh)])
        if not np.isnan(out).any():  # a NaN maximum takes the exact path below
            winners = column.reshape(tiles.shape)  # the column, in every row...
            for a in range(kh):  # ...except the rows the maximum is not in
                elsewhere = np.not_equal(row, a).view(np.uint8) * NOT_THIS_ROW
                np.bitwise_or(winners[:, :, :, a], elsewhere, out=winners[:, :, :, a])
            return out, PoolParams("max", window, x.shape, row_winner=column)
    xp = pad(x, window, -np.inf)
    where = window.positions()
    out = np.array(xp[where[0]])  # a contiguous copy of the first position
    argmax = np.zeros(out.shape, dtype=np.min_scalar_type(len(where)))
    for k in range(1, len(where)):
        candidate = xp[where[k]]
        better = np.greater(candidate, out)
        better |= np.isnan(candidate)  # as PyTorch: a NaN is the maximum
        np.copyto(out, candidate, where=better)
        np.copyto(argmax, k, where=better)
    return out, PoolParams("max", window, x.shape, argmax=argmax)


def pool_divisor(window: Window, count_include_pad: bool, override: int | None) -> Array | float:
    """What each window's sum is divided by: `override`, or the number of cells the window
    covers in the input (and in its padding if `count_include_pad`; never in `ceil_mode`'s
    overhang), as PyTorch's avg_pool2d counts them: a number, or an (OH, OW) array."""
    if override is not None:
        return float(override)
    if not any(window.overhang) and (count_include_pad or not any(window.padding)):
        return float(window.kernel[0] * window.kernel[1])
    top, bottom, left, right = window.padding
    h, w = window.in_size
    counted = np.zeros((1, 1, *window.padded_size))
    if count_include_pad:
        counted[:, :, : top + h + bottom, : left + w + right] = 1.0
    else:
        counted[window.inner()] = 1.0
    counts = np.zeros(window.out_size)
    for where in window.positions():
        counts += counted[where][0, 0]
    return counts


def avg_pool2d_array(x: Array, window: Window, divisor: Array | float) -> Array:
    xp = pad(x, window, 0.0)
    where = window.positions()
    out = np.array(xp[where[0]])
    for k in range(1, len(where)):
        out += xp[where[k]]
    out /= np.asarray(divisor, dtype=out.dtype)
    return out


def _spread_over_tiles(g: Array, p: PoolParams) -> Array:
    """Each window's gradient repeated over its cells, in the input's shape (zeros in the
    rows and columns past the last whole window)."""
    kh, kw = p.window.kernel
    spread = np.repeat(np.repeat(g, kw, axis=3), kh, axis=2)
    if spread.shape == p.x_shape:
        return spread
    full = np.zeros(p.x_shape, dtype=spread.dtype)
    full[:, :, : spread.shape[2], : spread.shape[3]] = spread
    return full


def pool2d_grad(g: Array, p: PoolParams) -> Array:
    """d(loss)/d(x) of a pooling: `g` sent back to each window's maximum (max), or spread
    over each window (avg)."""
    window = p.window
    dtype = np.result_type(g, np.float32)
    if is_tiled(window):
        if p.kind == "avg":
            return _spread_over_tiles(np.divide(g, np.asarray(p.divisor, dtype=dtype)), p)
        if p.row_winner is not None:
            kw = window.kernel[1]
            columns = np.tile(np.arange(kw, dtype=np.uint8), window.out_size[1])
            hit = np.repeat(p.row_winner, kw, axis=3) == columns
            spread = _spread_over_tiles(g.astype(dtype, copy=False), p)
            h, w = hit.shape[2:]
            spread[:, :, :h, :w] *= hit
            return spread
    gx = np.zeros((*p.x_shape[:2], *window.padded_size), dtype=dtype)
    if p.kind == "max":
        argmax = p.kernel_argmax()
        for k, where in enumerate(window.positions()):
            target = gx[where]
            np.add(target, g, out=target, where=argmax == k)
    else:
        share = np.divide(g, np.asarray(p.divisor, dtype=dtype))
        for where in window.positions():
            gx[where] += share
    return gx[window.inner()] if window.is_padded else gx


def pool2d_grad_graph(g: Any, p: PoolParams) -> Any:
    """`pool2d_grad` as recorded nodes (create_graph=True): g times constant weights, put
    back through `unwindows_graph`."""
    n, c, oh, ow = g.shape
    kh, kw = p.window.kernel
    dtype = g.data.dtype
    if p.kind == "max":
        one_hot = p.kernel_argmax()[..., None] == np.arange(kh * kw)
        weights = one_hot.reshape(n, c, oh, ow, kh, kw)
    else:  # 1 / divisor at every cell of each window
        share = 1.0 / np.asarray(p.divisor, dtype=dtype)
        weights = np.broadcast_to(share.reshape(*share.shape, 1, 1), (oh, ow, kh, kw))
    return unwindows_graph(g.reshape(n, c, oh, ow, 1, 1) * weights.astype(dtype), p.window)


def _pool2d_vjp(m: Math, g: Any, out: Any, xs: tuple[Any, ...], i: int, p: PoolParams) -> Any:
    return m.pool2d_grad(g, p)


POOL_RULES: dict[str, Rule] = {"max_pool2d": _pool2d_vjp, "avg_pool2d": _pool2d_vjp}
