"""Neural nets on autograph's nodes: modules, layers, losses, optimizers, the textbook's nets.

- `Module`, `Parameter`: ordered parameter registry, `zero_grad`, `save`/`load` (.npz).
- Tensor layers: `Linear`/`Affine`, `ReLU`, `Sigmoid`, `Tanh`, `Softmax`, `Sequential`, `MLP`.
- Scalar nets over `Value`s (micrograd's): `autograph.nn.scalar.Neuron`, `Layer`, `MLP`
  (also here as `Neuron`, `ScalarLayer`, `ScalarMLP`).
- Losses `mse`, `softmax_cross_entropy`, `hinge`; optimizers `SGD`, `Momentum`, `Nesterov`,
  `AdaGrad`, `RMSprop`, `Adam`.
- The textbook's `TwoLayerNet` and hand-written layers (`autograph.nn.textbook`).
- Image layers with PyTorch's arguments: `Conv2d`, `MaxPool2d`, `AvgPool2d`, `Flatten`,
  `BatchNorm1d`, `BatchNorm2d`, `Dropout`; the textbook's `SimpleConvNet`, and its
  hand-written ch. 6-7 layers (`autograph.nn.textbook_cnn`).
"""

from autograph.engine.numerical import numerical_gradient
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
from autograph.nn.losses import cross_entropy, hinge, mean_squared_error, mse, softmax_cross_entropy
from autograph.nn.models import TwoLayerNet
from autograph.nn.module import Buffer, Module, Parameter
from autograph.nn.norm import BatchNorm1d, BatchNorm2d, Dropout
from autograph.nn.optim import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    ClipGradNorm,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    WeightDecay,
    make_optimizer,
)
from autograph.nn.scalar import MLP as ScalarMLP
from autograph.nn.scalar import Layer as ScalarLayer
from autograph.nn.scalar import Neuron

__all__ = [
    "MLP",
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "Affine",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Buffer",
    "ClipGradNorm",
    "Conv2d",
    "Dropout",
    "Flatten",
    "Linear",
    "MaxPool2d",
    "Module",
    "Momentum",
    "Nesterov",
    "Neuron",
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
