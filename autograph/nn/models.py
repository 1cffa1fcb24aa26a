"""The textbook's `TwoLayerNet` (chapter 5), on autograph's Tensors.

It keeps the notes' interface: `params` maps `W1 b1 W2 b2` to the NumPy arrays the Parameters
hold (the live arrays, so the notes' loop `params[key] -= lr * grad[key]` trains it, and
assigning `params[key] = array` writes the new values into the Parameter); `layers`, an
ordered dict of the book's layers `Affine1`, `Relu1`, `Affine2` (autograph modules over those
same Parameters), and `lastLayer`; `predict`, `loss`, `accuracy`, `numerical_gradient`
(central differences) and `gradient`, which here is autograph's backward pass instead of
hand-written layers. Each layer opens a scope of its name, so a picture of `loss_node(x, t)`
collapsed by scope shows the book's boxes: Affine1, Relu1, Affine2, SoftmaxWithLoss.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.node import no_grad, scope
from autograph.engine.numerical import numerical_gradient
from autograph.engine.tensor import Tensor
from autograph.nn.containers import ModuleDict
from autograph.nn.layers import Linear, ReLU
from autograph.nn.losses import CrossEntropyLoss, class_indices
from autograph.nn.module import Module, Parameter

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class ParamArrays(MutableMapping[str, np.ndarray]):
    """A module's parameter arrays by name, read and written through to the Parameters.

    `params[key]` is the Parameter's own array (not a copy), so `params[key] -= lr * g`
    updates it in place; `params[key] = array` copies the values into that array (the shape
    must match; the dtype is kept), so the textbook's `params[key] = params[key] - lr * g`
    trains the net too. Keys cannot be added or removed.
    """

    def __init__(self, module: Module, names: tuple[str, ...]) -> None:
        self._module, self._names = module, names

    def _param(self, key: str) -> Parameter:
        if key not in self._names:
            raise KeyError(
                f"{key!r}: {type(self._module).__name__}.params has the keys "
                f"{', '.join(self._names)}"
            )
        return getattr(self._module, key)

    def __getitem__(self, key: str) -> np.ndarray:
        return self._param(key).data

    def __setitem__(self, key: str, value: Any) -> None:
        param = self._param(key)
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.shape != param.data.shape:
            raise ValueError(
                f"params[{key!r}]: cannot assign an array of shape {array.shape} "
                f"to {key}, which has shape {param.data.shape}"
            )
        if array is not param.data:  # `params[k] -= g` assigns the same array back
            param.data[...] = array  # in place: optimizers may hold the array

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"cannot delete params[{key!r}]: the net's parameters are fixed")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {self[k]!r}" for k in self._names) + "}"


class TwoLayerNet(Module):
    """input -> Affine1 -> Relu1 -> Affine2 -> (SoftmaxWithLoss).

    Without `rng`, the weights are `weight_init_std * np.random.randn(...)` from NumPy's global
    generator, in the book's order (W1, then W2), so `np.random.seed(0)` first gives the
    book's weights.

    >>> net = TwoLayerNet(784, 100, 10)
    >>> {k: v.shape for k, v in net.params.items()}
    {'W1': (784, 100), 'b1': (100,), 'W2': (100, 10), 'b2': (10,)}
    >>> list(net.layers)
    ['Affine1', 'Relu1', 'Affine2']
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        *,
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> None:
        super().__init__()
        normal = np.random.randn if rng is None else lambda *shape: rng.standard_normal(shape)
        std = weight_init_std
        self.W1 = Parameter((std * normal(input_size, hidden_size)).astype(dtype), label="W1")
        self.b1 = Parameter(np.zeros(hidden_size, dtype=dtype), label="b1")
        self.W2 = Parameter((std * normal(hidden_size, output_size)).astype(dtype), label="W2")
        self.b2 = Parameter(np.zeros(output_size, dtype=dtype), label="b2")
        # the book's layers, over the same Parameters (the keys stay W1 b1 W2 b2)
        self.layers = ModuleDict(
            {
                "Affine1": Linear.from_parameters(self.W1, self.b1),
                "Relu1": ReLU(),
                "Affine2": Linear.from_parameters(self.W2, self.b2),
            }
        )
        self.lastLayer = CrossEntropyLoss()

    @property
    def params(self) -> ParamArrays:
        """The parameter arrays themselves (not copies), by name: `params[k] -= lr * g` and
        `params[k] = new_array` both write into the net's Parameters."""
        return ParamArrays(self, PARAM_NAMES)

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)  # a constant: no gradient for the input
        for layer in self.layers.values():  # the textbook's Affine: one node each
            x = layer(x)
        return x

    def predict(self, x: Any) -> np.ndarray:
        """Scores (logits) for each row of x, as an array."""
        with no_grad():
            return self.forward(x).data

    def loss_node(self, x: Any, t: Any) -> Tensor:
        """The loss as a graph node (for `backward()`, or to draw:
        `autograph.viz.draw(net.loss_node(x, t), collapse=1)` shows one box per layer)."""
        y = self.forward(x)
        with scope("SoftmaxWithLoss"):  # the book's name for the last layer
            return self.lastLayer.forward(y, _labels(t))

    def loss(self, x: Any, t: Any) -> float:
        with no_grad():
            return self.loss_node(x, t).item()

    def accuracy(self, x: Any, t: Any) -> float:
        y = np.argmax(self.predict(x), axis=1)
        t = np.asarray(_labels(t))
        t = class_indices(t, "accuracy") if t.ndim == 1 else np.argmax(t, axis=1)
        return float(np.sum(y == t)) / float(len(y))

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """d(loss)/d(param) for each of W1 b1 W2 b2, by autograph's backward pass.

        Leaves `.grad` untouched (uses `gradients`), so calling it twice gives the same result.
        """
        loss = self.loss_node(x, t)
        grads = gradients(loss, [getattr(self, name) for name in PARAM_NAMES])
        return dict(zip(PARAM_NAMES, grads, strict=True))

    def numerical_gradient(self, x: Any, t: Any, h: float = 1e-4) -> dict[str, np.ndarray]:
        """Central differences (f(w+h) - f(w-h)) / 2h, one weight at a time: slow, for checks."""
        grads = {}
        for name, w in self.params.items():
            grads[name] = numerical_gradient(lambda w: self.loss(x, t), w, h)
        return grads


def _labels(t: Any) -> Any:
    return t.data if isinstance(t, Tensor) else t
