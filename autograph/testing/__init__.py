"""Gradient checking for users' own tests: numerical gradients; `gradcheck`, which also
names the op node whose own gradient is wrong (`check_nodes`, `first_wrong_node`,
`save_wrong_nodes` check and draw every node of a graph); `check_layer` / `check_op` for
hand-written backward code (docs/backward.md); and Hypothesis strategies (import
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
from autograph.testing.nodes import NodeMismatch, check_nodes, first_wrong_node, save_wrong_nodes

__all__ = [
    "CheckFailed",
    "CheckResult",
    "GradcheckError",
    "MutatesGradientWarning",
    "NodeMismatch",
    "SpecError",
    "check_layer",
    "check_nodes",
    "check_op",
    "first_wrong_node",
    "gradcheck",
    "numerical_grad",
    "save_wrong_nodes",
]
