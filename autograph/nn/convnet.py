"""The textbook's `SimpleConvNet` (chapter 7), on autograph's Tensors.

conv 30x5x5 - ReLU - max pool 2x2 - affine 100 - ReLU - affine 10 - softmax (with the loss),
with the book's interface: `params` (W1 b1 W2 b2 W3 b3, the live arrays as in
`TwoLayerNet`), `predict`, `loss`, `accuracy(x, t, batch_size=100)`, `numerical_gradient`,
`gradient` (autograph's backward pass instead of the hand-written layers) and
`save_params`/`load_params`, which write and read `.npz` files (never pickles).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.node import no_grad, scope
from autograph.engine.numerical import numerical_gradient
from autograph.engine.tensor import Tensor, affine, conv2d, flatten, max_pool2d
from autograph.nn.losses import class_indices, softmax_cross_entropy
from autograph.nn.models import ParamArrays
from autograph.nn.module import Module, Parameter

PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
DEFAULT_CONV = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


class SimpleConvNet(Module):
    """conv - relu - pool - affine - relu - affine - softmax, as the textbook's.

    >>> net = SimpleConvNet()
    >>> {k: v.shape for k, v in net.params.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'W1': (30, 1, 5, 5), 'b1': (30,), 'W2': (4320, 100), 'b2': (100,), 'W3': (100, 10),
     'b3': (10,)}
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        conv_param: Mapping[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: float | str = 0.01,  # or "he" / "xavier", per layer's fan-in
        *,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        conv = {**DEFAULT_CONV, **(conv_param or {})}
        unknown = sorted(set(conv) - set(DEFAULT_CONV))
        if unknown:
            raise ValueError(f"SimpleConvNet: unknown conv_param keys {unknown}")
        channels, height, width = input_dim
        filters, size = conv["filter_num"], conv["filter_size"]
        self.stride, self.pad = conv["stride"], conv["pad"]
        conv_h = (height + 2 * self.pad - size) // self.stride + 1
        conv_w = (width + 2 * self.pad - size) // self.stride + 1
        if conv_h < 2 or conv_w < 2:
            raise ValueError(
                f"SimpleConvNet: a {size}x{size} filter (stride {self.stride}, pad {self.pad}) "
                f"leaves {conv_h}x{conv_w} outputs of a {height}x{width} input: too few to pool"
            )
        pooled = filters * (conv_h // 2) * (conv_w // 2)
        self.input_dim = tuple(input_dim)
        rng = np.random.default_rng() if rng is None else rng

        def normal(fan_in: int, *shape: int) -> np.ndarray:
            std = init_std(weight_init_std, fan_in)
            return (std * rng.standard_normal(shape)).astype(dtype)

        self.W1 = Parameter(
            normal(channels * size * size, filters, channels, size, size), label="W1"
        )
        self.b1 = Parameter(np.zeros(filters, dtype=dtype), label="b1")
        self.W2 = Parameter(normal(pooled, pooled, hidden_size), label="W2")
        self.b2 = Parameter(np.zeros(hidden_size, dtype=dtype), label="b2")
        self.W3 = Parameter(normal(hidden_size, hidden_size, output_size), label="W3")
        self.b3 = Parameter(np.zeros(output_size, dtype=dtype), label="b3")

    @property
    def params(self) -> ParamArrays:
        """The parameter arrays themselves, by name (`params[k] -= lr * g` trains the net)."""
        return ParamArrays(self, PARAM_NAMES)

    def forward(self, x: Any) -> Tensor:
        """Scores (logits) of (N, C, H, W) images, as a graph node. Each layer's nodes are
        in a scope named as the book names the layer (Conv1, Relu1, Pool1, Affine1, Relu2,
        Affine2), so a picture collapsed by scope shows the layers."""
        x = x if isinstance(x, Tensor) else Tensor(x)  # a constant: no gradient for the input
        with scope("Conv1"):
            h = conv2d(x, self.W1, self.b1, self.stride, self.pad)
        with scope("Relu1"):
            h = h.relu()
        with scope("Pool1"):
            h = flatten(max_pool2d(h, 2), 1)
        with scope("Affine1"):
            h = affine(h, self.W2, self.b2)
        with scope("Relu2"):
            h = h.relu()
        with scope("Affine2"):
            return affine(h, self.W3, self.b3)

    def predict(self, x: Any) -> np.ndarray:
        with no_grad():
            return self.forward(x).data

    def loss_node(self, x: Any, t: Any) -> Tensor:
        return softmax_cross_entropy(self.forward(x), _labels(t))

    def loss(self, x: Any, t: Any) -> float:
        with no_grad():
            return self.loss_node(x, t).item()

    def accuracy(self, x: Any, t: Any, batch_size: int = 100) -> float:
        """The fraction classified right, in batches of `batch_size` (as the book's)."""
        t = np.asarray(_labels(t))
        t = class_indices(t, "accuracy") if t.ndim == 1 else np.argmax(t, axis=1)
        correct = 0
        for start in range(0, len(x), batch_size):
            scores = self.predict(x[start : start + batch_size])
            correct += int(np.sum(np.argmax(scores, axis=1) == t[start : start + batch_size]))
        return correct / len(x) if len(x) else 0.0

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """d(loss)/d(param) for W1 b1 W2 b2 W3 b3, by autograph's backward pass (`.grad`
        is left untouched)."""
        loss = self.loss_node(x, t)
        grads = gradients(loss, [getattr(self, name) for name in PARAM_NAMES])
        return dict(zip(PARAM_NAMES, grads, strict=True))

    def numerical_gradient(self, x: Any, t: Any, h: float = 1e-4) -> dict[str, np.ndarray]:
        """Central differences, one weight at a time: very slow, for checks on tiny nets."""
        return {
            name: numerical_gradient(lambda w: self.loss(x, t), w, h)
            for name, w in self.params.items()
        }

    def save_params(self, file_name: str | os.PathLike[str] = "params.npz") -> Path:
        """Write W1 ... b3 to an `.npz` file (the book pickles; autograph never does)."""
        return self.save(file_name)

    def load_params(self, file_name: str | os.PathLike[str] = "params.npz") -> SimpleConvNet:
        """Read parameters written by `save_params` (checked keys and shapes, no unpickling)."""
        self.load(file_name)
        return self


def init_std(weight_init_std: float | str, fan_in: int) -> float:
    """A number as it is; "he"/"relu" sqrt(2/fan_in) and "xavier"/"sigmoid" sqrt(1/fan_in),
    as the book's MultiLayerNet names them."""
    if not isinstance(weight_init_std, str):
        return float(weight_init_std)
    kind = weight_init_std.lower()
    if kind in ("he", "relu"):
        return float(np.sqrt(2.0 / fan_in))
    if kind in ("xavier", "sigmoid"):
        return float(np.sqrt(1.0 / fan_in))
    raise ValueError(f"weight_init_std must be a number, 'he' or 'xavier', got {weight_init_std!r}")


def _labels(t: Any) -> Any:
    return t.data if isinstance(t, Tensor) else t
