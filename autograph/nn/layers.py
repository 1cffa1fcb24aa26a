"""Tensor layers: Linear/Affine, activations, Softmax, Sequential.

A layer's forward is the few Tensor ops of its formula, nothing more: one training step of
the textbook's 784-50-10 net must cost about what hand-written NumPy costs, so no per-call
checks or copies live here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograph.engine.tensor import Tensor, affine
from autograph.nn.module import Module, Parameter

Init = str | float


def init_weight(
    fan_in: int,
    fan_out: int,
    init: Init = "he",
    *,
    rng: np.random.Generator | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """A (fan_in, fan_out) weight matrix drawn from N(0, std²).

    `init`: a number is the textbook's `weight_init_std`; "he" uses std = sqrt(2 / fan_in)
    (for ReLU), "xavier" std = sqrt(1 / fan_in) (for sigmoid/tanh, the textbook's form).
    """
    if isinstance(init, str):
        kind = init.lower()
        if kind == "he":
            std = math.sqrt(2.0 / fan_in)
        elif kind in ("xavier", "glorot"):
            std = math.sqrt(1.0 / fan_in)
        else:
            raise ValueError(
                f"init must be a number (weight_init_std), 'he' or 'xavier', got {init!r}"
            )
    else:
        std = float(init)
    rng = np.random.default_rng() if rng is None else rng
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


class Linear(Module):
    """`Y = X @ W + b` with W of shape (in, out), as the textbook's Affine layer.

    The bias gradient dB = sum of dY over the batch comes from the engine's broadcasting.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        init: Init = "he",
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
        weight_init_std: float | None = None,
    ) -> None:
        super().__init__()
        if weight_init_std is not None:
            init = weight_init_std
        self.in_features, self.out_features = in_features, out_features
        self.W = Parameter(
            init_weight(in_features, out_features, init, rng=rng, dtype=dtype), label="W"
        )
        self.b = Parameter(np.zeros(out_features, dtype=dtype), label="b") if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return affine(x, self.W, self.b)  # one node: X·W + b

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.b is not None}"


Affine = Linear


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Softmax(Module):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.axis)


class Sequential(Module):
    """Layers applied in order; parameters are keyed `layer0/W`, `layer2/b`, ..."""

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)


ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class MLP(Sequential):
    """`MLP(784, [100, 50, 10])`: Linear layers with an activation between them (none after
    the last, which gives logits)."""

    def __init__(
        self,
        nin: int,
        nouts: list[int],
        *,
        activation: str = "relu",
        init: Init | None = None,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if init is None:
            init = "he" if activation == "relu" else "xavier"
        rng = np.random.default_rng() if rng is None else rng
        sizes = [nin, *nouts]
        layers: list[Module] = []
        for k in range(len(nouts)):
            layers.append(Linear(sizes[k], sizes[k + 1], init=init, rng=rng, dtype=dtype))
            if k < len(nouts) - 1:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
