"""Gradient checking for users' own tests: numerical gradients, `gradcheck`, and Hypothesis
strategies (import `autograph.testing.strategies`; it needs the `hypothesis` package)."""

from autograph.testing.gradcheck import GradcheckError, gradcheck, numerical_grad

__all__ = ["GradcheckError", "gradcheck", "numerical_grad"]
