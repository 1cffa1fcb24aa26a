"""Learning-rate schedulers with PyTorch's semantics: `StepLR` and `CosineAnnealingLR`.

As in PyTorch, creating a scheduler leaves the optimizer's lr at its base value (epoch 0),
and each `scheduler.step()` (once per epoch, after `optimizer.step()`) moves to the next
epoch and writes the new lr into the optimizer. The formulas are PyTorch's recursive ones,
so the learning rates agree with `torch.optim.lr_scheduler` number for number
(tests/test_optim.py runs both).

    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)
        sched.step()
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograph.optim.optimizer import NONNEGATIVE, Optimizer


def _count(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{owner}: {name} must be a whole number >= 1, got {value!r}")
    return int(value)


class LRScheduler:
    """Base class: subclasses define `get_lr()`, the lr of epoch `last_epoch` from the
    current one."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: needs an autograph optimizer, "
                f"got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._last_lr = optimizer.lr

    @property
    def base_lrs(self) -> list[float]:
        return [self.base_lr]

    def get_lr(self) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.get_lr()
        self._last_lr = self.optimizer.lr

    def get_last_lr(self) -> list[float]:
        """The lr the last `step()` set (a list of one, as PyTorch's per group)."""
        return [self._last_lr]

    def state_dict(self) -> dict[str, np.ndarray]:
        return {
            "last_epoch": np.asarray(self.last_epoch),
            "base_lr": np.asarray(self.base_lr),
            "last_lr": np.asarray(self._last_lr),
        }

    def load_state_dict(self, state: Any) -> None:
        owner = f"{type(self).__name__}.load_state_dict"
        keys = {"last_epoch", "base_lr", "last_lr"}
        if set(state) != keys:
            raise KeyError(f"{owner}: expected the keys {sorted(keys)}, got {sorted(state)}")
        epoch = np.asarray(state["last_epoch"])
        if epoch.ndim or epoch.dtype.kind not in "iu" or epoch < 0:
            raise ValueError(f"{owner}: last_epoch must be a count >= 0, got {epoch!r}")
        base = NONNEGATIVE.check(owner, "base_lr", np.asarray(state["base_lr"])[()])
        last = NONNEGATIVE.check(owner, "last_lr", np.asarray(state["last_lr"])[()])
        self.last_epoch, self.base_lr, self._last_lr = int(epoch), base, last


class StepLR(LRScheduler):
    """lr × gamma every `step_size` epochs: lr = base_lr · gamma^(epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        self.step_size = _count("StepLR", "step_size", step_size)
        self.gamma = NONNEGATIVE.check("StepLR", "gamma", gamma)

    def get_lr(self) -> float:
        lr = self.optimizer.lr
        if self.last_epoch == 0 or self.last_epoch % self.step_size:
            return lr
        return lr * self.gamma


class CosineAnnealingLR(LRScheduler):
    """lr follows half a cosine from base_lr down to `eta_min` over `T_max` epochs:
    η_t = η_min + (η_base − η_min)·(1 + cos(π·t/T_max))/2, then (as PyTorch's) back up again
    over the next T_max epochs, and so on."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        super().__init__(optimizer)
        self.T_max = _count("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = NONNEGATIVE.check("CosineAnnealingLR", "eta_min", eta_min)

    def get_lr(self) -> float:
        # PyTorch's recursive form (from the current lr), so the numbers agree with its
        lr, t, T, low = self.optimizer.lr, self.last_epoch, self.T_max, self.eta_min
        if t == 0:
            return lr
        if (t - 1 - T) % (2 * T) == 0:
            return lr + (self.base_lr - low) * (1 - math.cos(math.pi / T)) / 2
        return (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (
            lr - low
        ) + low
