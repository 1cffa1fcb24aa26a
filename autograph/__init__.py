"""autograph: an autograd engine whose computational graphs you can see.

>>> from autograph import Value
>>> apple, num = Value(100, label="apple"), Value(2, label="apple_num")
>>> tax = Value(1.1, label="tax")
>>> price = apple * num * tax
>>> price.backward()
>>> round(price.data, 9), round(apple.grad, 9), num.grad, tax.grad
(220.0, 2.2, 110.00000000000001, 200)
"""

from autograph.engine import (
    RULES,
    Node,
    ShapeError,
    Tensor,
    Value,
    affine,
    dot,
    enable_grad,
    grad,
    gradients,
    is_grad_enabled,
    no_grad,
    scope,
    softmax_cross_entropy,
    sum_values,
    value_and_grad,
    walk,
)

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "affine",
    "dot",
    "enable_grad",
    "grad",
    "gradients",
    "is_grad_enabled",
    "no_grad",
    "scope",
    "softmax_cross_entropy",
    "sum_values",
    "value_and_grad",
    "walk",
]
