"""The engine: nodes, the derivative table and the one backward pass.

- `mode.py`: grad mode and name scopes, per thread (`no_grad`, `enable_grad`, `scope`),
- `node.py`: `Node`, the constructor of op results, `walk`; `writes.py`: changing data,
- `backward.py`: the one backward pass (`backward`, `gradients`, `propagate`),
- `rules.py`: the derivative table; `namespaces.py`: the math the rules run in,
- `broadcast.py`: undoing broadcasting, `ShapeError`; `exact.py`: exact numbers stay small,
- `value.py`: `Value`; `tensor/`: `Tensor` and the fused array ops,
- `functional.py`: `grad`, `value_and_grad`; `elementwise.py`: `sin(x)`, `maximum(a, b)` ...
  for Values and Tensors; `scalar_functions.py`: Value's elementwise functions,
- `function.py`: custom ops with a hand-written backward (`Function`); `layer.py`: textbook
  layer objects as ops (`LayerOp`).
"""

from autograph.engine.backward import backward, gradients, propagate
from autograph.engine.broadcast import ShapeError
from autograph.engine.elementwise import (
    clamp,
    clip,
    cos,
    exp,
    expm1,
    leaky_relu,
    log,
    log1p,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    sqrt,
    square,
    tan,
    tanh,
    where,
)
from autograph.engine.function import CustomOpError, Function, FunctionCtx, op_name
from autograph.engine.functional import grad, value_and_grad
from autograph.engine.layer import LayerOp
from autograph.engine.mode import (
    enable_grad,
    enter_scope,
    exit_scope,
    is_grad_enabled,
    no_grad,
    scope,
)
from autograph.engine.node import Node, walk
from autograph.engine.rules import RULES, local_derivative
from autograph.engine.tensor import Tensor, affine, softmax_cross_entropy
from autograph.engine.value import Value, dot, sum_values

__all__ = [
    "RULES",
    "CustomOpError",
    "Function",
    "FunctionCtx",
    "LayerOp",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "affine",
    "backward",
    "clamp",
    "clip",
    "cos",
    "dot",
    "enable_grad",
    "enter_scope",
    "exit_scope",
    "exp",
    "expm1",
    "grad",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "local_derivative",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "no_grad",
    "op_name",
    "propagate",
    "relu",
    "scope",
    "sigmoid",
    "sin",
    "softmax_cross_entropy",
    "sqrt",
    "square",
    "sum_values",
    "tan",
    "tanh",
    "value_and_grad",
    "walk",
    "where",
]
