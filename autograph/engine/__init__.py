"""The engine: nodes, the derivative table and the one backward pass."""

from autograph.engine.backward import backward, gradients, propagate
from autograph.engine.broadcast import ShapeError
from autograph.engine.node import Node, enable_grad, is_grad_enabled, no_grad, scope, walk
from autograph.engine.rules import RULES
from autograph.engine.tensor import Tensor, affine, softmax_cross_entropy
from autograph.engine.value import Value, dot, sum_values

__all__ = [
    "RULES",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "affine",
    "backward",
    "dot",
    "enable_grad",
    "gradients",
    "is_grad_enabled",
    "no_grad",
    "propagate",
    "scope",
    "softmax_cross_entropy",
    "sum_values",
    "walk",
]
