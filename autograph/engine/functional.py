"""Function transforms, as in HIPS/autograd and JAX: `grad(f)(x)` and `value_and_grad`."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.node import Node
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value


def _lift(x: Any) -> tuple[Node, bool]:
    """A node for argument `x`; False when the caller passed plain data (give data back)."""
    if isinstance(x, Node):
        return x, False
    if isinstance(x, np.ndarray | list | tuple):
        return Tensor(x, requires_grad=True), True
    return Value(x), True


def value_and_grad(f: Callable[..., Any], argnum: int = 0) -> Callable[..., tuple[Any, Any]]:
    """`value_and_grad(f)(*args)` -> (f(*args), df/d args[argnum]).

    Called on plain numbers/arrays it returns plain numbers/arrays; called on nodes (as when
    nested: `grad(grad(f))`) it returns nodes that stay connected, so derivatives compose.
    """

    def wrapped(*arguments: Any) -> tuple[Any, Any]:
        args = list(arguments)
        node, plain = _lift(args[argnum])
        if not node.requires_grad:
            node = node.detach()
            node.requires_grad = True
        args[argnum] = node
        out = f(*args)
        if not isinstance(out, Node):
            if not isinstance(out, numbers.Real | Decimal | np.ndarray):
                raise TypeError(
                    "grad(f): f must return a Value, a Tensor or a number, got "
                    f"{type(out).__name__} {out!r}"
                )
            out = node.constant(out)
        if out.requires_grad:
            (g,) = gradients(out, [node], create_graph=not plain)
        else:  # f(x) does not depend on x: its derivative is 0 (as in JAX and HIPS autograd)
            g = node._zeros() if plain else node.constant(node._zeros())
        if plain:
            return out.data, g
        return out, g

    return wrapped


def grad(f: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """The derivative of a scalar function: `grad(lambda x: x ** 3)(2.0) == 12.0`.

    Nests for higher orders: `grad(grad(f))`.
    """
    vg = value_and_grad(f, argnum)
    return lambda *args: vg(*args)[1]
