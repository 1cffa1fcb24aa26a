"""Optimizers and learning-rate schedulers, on autograph's parameters (Tensor or Value).

PyTorch's habits: `opt = Adam(model.parameters(), lr=1e-3)`, then per step `loss.backward()`,
`opt.step()`, `opt.zero_grad()`; `opt.state_dict()` / `load_state_dict()` (named arrays, so
`np.savez(path, **opt.state_dict())` saves them), `opt.param_groups[0]["lr"]`, and the
schedulers `StepLR`, `CosineAnnealingLR`. The textbook's: `SGD`, `Momentum`, `Nesterov`,
`AdaGrad`, `RMSprop`, `Adam` with its formulas and defaults, and `update()` as a synonym of
`step()`. `autograph.nn` re-exports the optimizers (`from autograph.nn import SGD`).
"""

from autograph.optim.methods import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSprop,
    make_optimizer,
)
from autograph.optim.optimizer import ClipGradNorm, Optimizer, ParamGroup, Range, WeightDecay
from autograph.optim.schedulers import CosineAnnealingLR, LRScheduler, StepLR

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "ClipGradNorm",
    "CosineAnnealingLR",
    "LRScheduler",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "ParamGroup",
    "RMSprop",
    "Range",
    "StepLR",
    "WeightDecay",
    "make_optimizer",
]
