"""autograph: an autograd engine whose computational graphs you can see.

>>> from autograph import Value
>>> apple, num = Value(100, label="apple"), Value(2, label="apple_num")
>>> tax = Value(1.1, label="tax")
>>> price = apple * num * tax
>>> price.backward()
>>> round(price.data, 9), round(apple.grad, 9), num.grad, tax.grad
(220.0, 2.2, 110.00000000000001, 200.0)
"""

from typing import TYPE_CHECKING

from autograph.engine import (
    RULES,
    CustomOpError,
    Function,
    LayerOp,
    Node,
    ShapeError,
    Tensor,
    Value,
    affine,
    clamp,
    clip,
    cos,
    dot,
    enable_grad,
    exp,
    expm1,
    grad,
    gradients,
    is_grad_enabled,
    leaky_relu,
    log,
    log1p,
    maximum,
    minimum,
    no_grad,
    relu,
    scope,
    sigmoid,
    sin,
    softmax_cross_entropy,
    sqrt,
    square,
    sum_values,
    tan,
    tanh,
    value_and_grad,
    walk,
    where,
)

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "CustomOpError",
    "Function",
    "LayerOp",
    "Node",
    "ShapeError",
    "Tensor",
    "Value",
    "affine",
    "clamp",
    "clip",
    "cos",
    "dot",
    "enable_grad",
    "exp",
    "expm1",
    "grad",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "log",
    "log1p",
    "maximum",
    "minimum",
    "no_grad",
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

# Subpackages load on first use, so `import autograph` stays as light as the engine (no
# matplotlib, Graphviz or Hypothesis) while `autograph.viz.draw(...)` works without an
# explicit `import autograph.viz`.
if TYPE_CHECKING:  # what static checkers see; at run time __getattr__ imports on first use
    from autograph import cli as cli
    from autograph import data as data
    from autograph import nn as nn
    from autograph import optim as optim
    from autograph import testing as testing
    from autograph import torch as torch
    from autograph import training as training
    from autograph import viz as viz
    from autograph.viz import draw_dot as draw_dot

_SUBPACKAGES = frozenset(
    {"cli", "data", "engine", "nn", "optim", "testing", "torch", "training", "viz"}
)
# micrograd's notebook calls `draw_dot(root)`; here it is `autograph.draw_dot` too
_LAZY_NAMES = {"draw_dot": "autograph.viz"}


def __getattr__(name: str) -> object:
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"autograph.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module 'autograph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBPACKAGES | set(_LAZY_NAMES))
