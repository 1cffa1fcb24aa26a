"""Neural nets on autograph's nodes: modules, layers, losses, optimizers, the textbook's nets.

- `Module`, `Parameter`: ordered parameter registry, `zero_grad`, `save`/`load` (.npz),
  `state_dict`, `named_modules`, `train()`/`eval()`; `ModuleList`, `ModuleDict`.
- Tensor layers: `Linear`/`Affine`, `ReLU`, `Sigmoid`, `Tanh`, `Softmax`, `Sequential`, `MLP`.
- Scalar nets over `Value`s (micrograd's): `autograph.nn.scalar.Neuron`, `Layer`, `MLP`
  (also here as `Neuron`, `ScalarLayer`, `ScalarMLP`).
- Losses `mse`, `softmax_cross_entropy`, `hinge` and PyTorch's `MSELoss`, `CrossEntropyLoss`,
  `BCELoss`; the optimizers of `autograph.optim` (`SGD`, `Momentum`, `Nesterov`, `AdaGrad`,
  `RMSprop`, `Adam`, `AdamW`).
- The textbook's `TwoLayerNet`, hand-written layers (`autograph.nn.textbook`) and the
  sequel's (`autograph.nn.sequel`).
- Image layers with PyTorch's arguments: `Conv2d`, `MaxPool2d`, `AvgPool2d`, `Flatten`,
  `BatchNorm1d`, `BatchNorm2d`, `Dropout`; the textbook's `SimpleConvNet`, and its
  hand-written ch. 6-7 layers (`autograph.nn.textbook_cnn`).
"""

from autograph.engine.numerical import numerical_gradient
from autograph.nn.containers import ModuleDict, ModuleList
from autograph.nn.conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from autograph.nn.convnet import SimpleConvNet
from autograph.nn.layers import (
    MLP,
    Affine,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    init_weight,
)
from autograph.nn.losses import (
    BCELoss,
    CrossEntropyLoss,
    MSELoss,
    cross_entropy,
    hinge,
    mean_squared_error,
    mse,
    softmax_cross_entropy,
)
from autograph.nn.models import TwoLayerNet
from autograph.nn.module import Buffer, Module, Parameter
from autograph.nn.norm import BatchNorm1d, BatchNorm2d, Dropout
from autograph.nn.npz import NpzError
from autograph.nn.scalar import MLP as ScalarMLP
from autograph.nn.scalar import Layer as ScalarLayer
from autograph.nn.scalar import Neuron
from autograph.optim import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    ClipGradNorm,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    WeightDecay,
    make_optimizer,
)

__all__ = [
    "MLP",
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Affine",
    "AvgPool2d",
    "BCELoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Buffer",
    "ClipGradNorm",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Momentum",
    "Nesterov",
    "Neuron",
    "NpzError",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "ReLU",
    "ScalarLayer",
    "ScalarMLP",
    "Sequential",
    "Sigmoid",
    "SimpleConvNet",
    "Softmax",
    "Tanh",
    "TwoLayerNet",
    "WeightDecay",
    "cross_entropy",
    "hinge",
    "init_weight",
    "make_optimizer",
    "mean_squared_error",
    "mse",
    "numerical_gradient",
    "softmax_cross_entropy",
]
