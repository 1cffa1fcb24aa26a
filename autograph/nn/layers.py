"""Tensor layers: Linear/Affine, activations, Softmax, Sequential.

A layer's forward is the few Tensor ops of its formula, nothing more: one training step of
the textbook's 784-50-10 net must cost about what hand-written NumPy costs, so no per-call
checks or copies live here.

Without an `rng`, weights are drawn from NumPy's global generator (`np.random.randn`, as the
textbook's code does), so `np.random.seed(0)` before building a net reproduces its weights.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograph.engine.tensor import Tensor, affine
from autograph.nn.containers import ModuleList
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
    """A (fan_in, fan_out) weight matrix drawn from N(0, std²): `std * randn(fan_in, fan_out)`
    from `rng`, or from NumPy's global generator when `rng` is None (as the textbook's code).

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
        if not (math.isfinite(std) and std >= 0):
            raise ValueError(f"init: weight_init_std must be a finite number >= 0, got {init!r}")
    for name, n in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {n!r}")
    normal = np.random.standard_normal if rng is None else rng.standard_normal
    return (std * normal((fan_in, fan_out))).astype(dtype)


class Linear(Module):
    """`Y = X @ W + b` with W of shape (in, out), as the textbook's Affine layer.

    The bias gradient dB = sum of dY over the batch comes from the engine's broadcasting.
    `weight` and `bias` are PyTorch's names for the same Parameters as `W` and `b`; note that
    the weight keeps the textbook's (in, out) shape, the transpose of PyTorch's (out, in).
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

    @classmethod
    def from_parameters(cls, W: Parameter, b: Parameter | None = None) -> Linear:
        """A Linear layer over existing Parameters (shared, not copied): W (in, out), b (out,)."""
        if not isinstance(W, Parameter) or W.ndim != 2:
            raise TypeError("Linear.from_parameters: W must be a 2-D Parameter (in, out)")
        if b is not None and (not isinstance(b, Parameter) or b.shape != (W.shape[1],)):
            raise TypeError(f"Linear.from_parameters: b must be a Parameter of shape {W.shape[1:]}")
        layer = cls.__new__(cls)
        Module.__init__(layer)
        layer.in_features, layer.out_features = W.shape
        layer.W, layer.b = W, b
        return layer

    @property
    def weight(self) -> Parameter:
        """PyTorch's name for `W` (the same Parameter, shape (in, out) as in the textbook)."""
        return self.W

    @weight.setter
    def weight(self, value: Parameter) -> None:
        self.W = value

    @property
    def bias(self) -> Parameter | None:
        """PyTorch's name for `b` (the same Parameter, or None without a bias)."""
        return self.b

    @bias.setter
    def bias(self, value: Parameter | None) -> None:
        self.b = value

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
        self.layers = ModuleList(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def append(self, layer: Module) -> Sequential:
        self.layers.append(layer)
        return self

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
        sizes = [nin, *nouts]
        layers: list[Module] = []
        for k in range(len(nouts)):
            layers.append(Linear(sizes[k], sizes[k + 1], init=init, rng=rng, dtype=dtype))
            if k < len(nouts) - 1:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
