"""The textbook's chapter 6-7 layers, each with `forward` and `backward` by hand (NumPy only):
`Convolution`, `Pooling`, `Dropout`, `BatchNormalization`, and the `im2col`/`col2im`
helpers they are built on.

As `autograph.nn.textbook` (chapter 5), these are here to be read beside autograph's
automatic gradients and to check them (tests/test_textbook_cnn.py); they follow the book's
interface and formulas, which differ from PyTorch's (and so from `autograph.nn.Dropout` and
`BatchNorm2d`) in two places, kept as the book has them:

- `Dropout` is not inverted: training multiplies by the 0/1 mask, evaluation scales by
  (1 - dropout_ratio);
- `BatchNormalization` normalizes each feature of the flattened input (an image's every
  pixel of every channel on its own), with eps 1e-6, a running average
  `r = momentum·r + (1 - momentum)·batch` (momentum 0.9) and the biased variance.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - kernel) // stride + 1


def im2col(
    input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> np.ndarray:
    """(N, C, H, W) images -> one row per output position, (N·OH·OW, C·filter_h·filter_w):
    each row holds the window that position sees, channel by channel."""
    n, c, h, w = input_data.shape
    oh, ow = _out_size(h, filter_h, stride, pad), _out_size(w, filter_w, stride, pad)
    padded = np.pad(input_data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((n, c, filter_h, filter_w, oh, ow), dtype=input_data.dtype)
    for i in range(filter_h):  # one strided slice per filter cell, not per pixel
        for j in range(filter_w):
            rows, columns = slice(i, i + stride * oh, stride), slice(j, j + stride * ow, stride)
            cols[:, :, i, j] = padded[:, :, rows, columns]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(
    col: np.ndarray,
    input_shape: tuple[int, ...],
    filter_h: int,
    filter_w: int,
    stride: int = 1,
    pad: int = 0,
) -> np.ndarray:
    """The reverse of `im2col` for gradients: each row's values added back to the pixels
    its window covers (a pixel in several windows receives their sum)."""
    n, c, h, w = input_shape
    oh, ow = _out_size(h, filter_h, stride, pad), _out_size(w, filter_w, stride, pad)
    cols = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for i in range(filter_h):
        for j in range(filter_w):
            rows, columns = slice(i, i + stride * oh, stride), slice(j, j + stride * ow, stride)
            padded[:, :, rows, columns] += cols[:, :, i, j]
    return padded[:, :, pad : pad + h, pad : pad + w]


class Convolution:
    """out = im2col(x) · W_colᵀ + b, reshaped to (N, FN, OH, OW).

    backward: db = Σ dout, dW = colᵀ · dout, dx = col2im(dout · W_col).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x: Any = None
        self.col: Any = None
        self.col_W: Any = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = _out_size(h, fh, self.stride, self.pad), _out_size(w, fw, self.stride, self.pad)
        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        fn, c, fh, fw = self.W.shape
        rows = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = rows.sum(axis=0)
        self.dW = (self.col.T @ rows).T.reshape(fn, c, fh, fw)
        return col2im(rows @ self.col_W.T, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max pooling: each window's maximum; backward sends dout to where the maximum was
    (np.argmax: the first maximum of each window on ties)."""

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.x: Any = None
        self.arg_max: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        oh = _out_size(h, self.pool_h, self.stride, self.pad)
        ow = _out_size(w, self.pool_w, self.stride, self.pad)
        windows = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        windows = windows.reshape(-1, self.pool_h * self.pool_w)  # one window per row
        self.x, self.arg_max = x, np.argmax(windows, axis=1)
        return windows.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        size = self.pool_h * self.pool_w
        flat = dout.transpose(0, 2, 3, 1).reshape(-1)
        dwindows = np.zeros((flat.size, size), dtype=dout.dtype)
        dwindows[np.arange(flat.size), self.arg_max] = flat
        n, c = self.x.shape[:2]
        dcol = dwindows.reshape(-1, c * size)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class Dropout:
    """The book's dropout: training keeps each element with probability 1 - dropout_ratio
    (mask 0/1, no rescaling); evaluation multiplies by 1 - dropout_ratio."""

    def __init__(self, dropout_ratio: float = 0.5, rng: np.random.Generator | None = None) -> None:
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng() if rng is None else rng
        self.mask: Any = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask


class BatchNormalization:
    """y = gamma · (x - μ) / sqrt(σ² + 1e-6) + beta over the batch axis, each feature on its
    own (images are flattened to (N, C·H·W) first, as in the book).

    backward is the book's computational graph of these steps, node by node.
    """

    eps = 1e-6

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
    ) -> None:
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean: Any = running_mean
        self.running_var: Any = running_var
        self.input_shape: Any = None
        self.xc: Any = None
        self.xn: Any = None
        self.std: Any = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1], dtype=x.dtype)
            self.running_var = np.zeros(x.shape[1], dtype=x.dtype)
        if train_flg:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = np.mean(self.xc**2, axis=0)
            self.std = np.sqrt(var + self.eps)
            self.xn = self.xc / self.std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return (self.gamma * xn + self.beta).reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = dout.reshape(dout.shape[0], -1)
        batch = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc = dxc + (2.0 / batch) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        return (dxc - dmu / batch).reshape(self.input_shape)
