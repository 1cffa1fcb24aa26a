"""Gradient checking for users' own tests: numerical gradients, `gradcheck` (which also
points at the op node whose local gradient is wrong: `check_nodes`), `check_layer` /
`check_op` for hand-written backward code, and Hypothesis strategies (import
`autograph.testing.strategies`)."""

from autograph.testing.check import (
    CheckFailed,
    CheckResult,
    MutatesGradientWarning,
    check_layer,
    check_op,
)
from autograph.testing.gradcheck import GradcheckError, gradcheck, numerical_grad
from autograph.testing.infer import SpecError

__all__ = [
    "CheckFailed",
    "CheckResult",
    "GradcheckError",
    "MutatesGradientWarning",
    "SpecError",
    "check_layer",
    "check_op",
    "gradcheck",
    "numerical_grad",
]
