"""Scalar nets over `Value`s, a drop-in for micrograd's `nn`: `Neuron`, `Layer`, `MLP`.

`MLP(2, [16, 16, 1])` builds the moons classifier of micrograd's demo. Weights are drawn with
Python's `random.uniform(-1, 1)` as micrograd does, so `random.seed(1337)` gives the same
starting weights. Each neuron is ONE `dot` node (Σwᵢxᵢ + b) plus its activation, instead of
2n + 1 nodes, and every node is tagged with its scope (`layer1/neuron3`), so a picture of the
graph can be clustered by layer and neuron.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autograph.engine.value import Value, dot
from autograph.nn.module import Module


class Neuron(Module):
    _wrap_arrays = False  # a row of numbers becomes Values, not a Tensor

    def __init__(self, nin: int, nonlin: bool = True, *, rng: random.Random | None = None) -> None:
        super().__init__()
        uniform = (rng or random).uniform
        self.w = [Value(uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.nonlin = nonlin

    def forward(self, x: Sequence[Any]) -> Value:
        act = dot(self.w, x, self.b)
        return act.relu() if self.nonlin else act

    def extra_repr(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}, {len(self.w)} inputs"

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    _wrap_arrays = False

    def __init__(
        self, nin: int, nout: int, *, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        super().__init__()
        self.neurons = [Neuron(nin, nonlin, rng=rng) for _ in range(nout)]

    def forward(self, x: Sequence[Any]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of neurons; the last layer is linear (it gives scores)."""

    _wrap_arrays = False

    def __init__(self, nin: int, nouts: Sequence[int], *, rng: random.Random | None = None) -> None:
        super().__init__()
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, rng=rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Any]) -> Value | list[Value]:
        # Numbers become constant nodes once here, not once per neuron inside `dot`.
        values = [
            v if isinstance(v, Value) else Value.constant(v, f"x{i}") for i, v in enumerate(x)
        ]
        for layer in self.layers:
            out = layer(values)
            values = [out] if isinstance(out, Value) else out
        return values[0] if len(values) == 1 else values

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
