"""The one place where autograph.nn, autograph.optim and autograph.training reset a gradient.

Every `zero_grad` in those packages goes through `reset_grad`, so that when the engine gives
nodes a grad-reset method of their own, it is swapped in here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from autograph.engine.value import Value


def reset_grad(p: Any) -> None:
    """Forget `p`'s gradient: None for a Tensor (as PyTorch's `set_to_none`), 0 for a scalar
    `Value` (micrograd's convention: its gradient is always a number)."""
    p.grad = 0 if isinstance(p, Value) else None
