"""The engine's backward pass, recorded as model steps: what every picture's edge gradients
and every trace, frame and player step come from.

`record_pass` runs the engine's own `propagate(root, seed, wanted={}, on_step=hook)`: the
hook sees each op node once, in backward order, with what it sends to each input, and the
engine stores nothing on the nodes (`.grad` is never touched). Viz never differentiates
anything itself: local derivatives come from the engine's `rules.local_derivative`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from autograph.engine.backward import default_seed, propagate
from autograph.engine.node import Node as EngineNode
from autograph.engine.rules import local_derivative
from autograph.viz.model import Sent, Step


# -- the local derivative ---------------------------------------------------------------
def local_derivatives(node: EngineNode, inputs: list[int]) -> list[Any]:
    """d(node)/d(input i) for each i of `inputs` (the engine's `local_derivative`: None for
    tensors, whose local derivative is a Jacobian, and where the rule has no value)."""
    return [local_derivative(node, i) for i in inputs]


def backward_ran(nodes: list[EngineNode], root: EngineNode) -> bool:
    """Whether any backward() has reached this graph (`nodes`: its walk): some gradient on
    the root or a leaf is no longer 0/None."""
    for node in reversed(nodes):  # the root first: it holds the seed
        if node.requires_grad and (node.is_leaf or node is root):
            g = node.grad
            if g is not None and not (isinstance(g, int | float | Fraction) and g == 0):
                return True
    return False


def backward_seed(root: EngineNode, gradient: Any, ran: bool) -> Any:
    """The seed of the pass to record: the caller's, else the one backward() used (kept
    on the root), else the default (1 for a one-element output); None when there is none."""
    if not root.requires_grad:
        return None
    if gradient is None and ran and root.grad is not None:
        g = root.grad
        if not (isinstance(g, int | float | Fraction) and g == 0):
            return g
    try:
        return default_seed(root, gradient, False)
    except RuntimeError:  # a many-element output without a gradient: no pass to record
        return None


def record_pass(
    root: EngineNode, index: dict[EngineNode, int], seed: Any, local: bool = True
) -> list[Step]:
    """The engine's backward pass from `root`, as steps naming nodes by `index` (with the
    local derivatives of one-number ops unless `local` is False); stores nothing on the
    nodes."""
    steps: list[Step] = []

    new = tuple.__new__  # a Sent without NamedTuple's Python-level __new__ (per edge)

    def hook(node: EngineNode, g: Any, sent: list[tuple[int, EngineNode, Any]]) -> None:
        if local:
            locals_ = local_derivatives(node, [i for i, _, _ in sent])
            inputs = [
                new(Sent, (i, index[parent], d, gx))
                for (i, parent, gx), d in zip(sent, locals_, strict=True)
            ]
        else:
            inputs = [new(Sent, (i, index[parent], None, gx)) for i, parent, gx in sent]
        steps.append(Step(len(steps) + 1, index[node], g, inputs))

    propagate(root, seed, wanted={}, on_step=hook)
    return steps
