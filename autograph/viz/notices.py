"""Warnings about what a picture would otherwise hide, pointed at the caller's line: the
adapter's `Graph.warnings` (e.g. gradients never computed) and leaves holding gradients
accumulated over several backward passes (any engine: a leaf's total differs from what one
pass sends it)."""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

from autograph.viz.fmt import format_data
from autograph.viz.model import Graph, accumulated_leaves, one_pass_totals
from autograph.viz.options import DrawOptions

_HERE = os.path.dirname(os.path.abspath(__file__))


def _stacklevel() -> int:
    """The warning's stack level that points at the caller's code, outside autograph.viz."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _HERE:
        frame, level = frame.f_back, level + 1
    return level


def warn_about(graph: Graph, opts: DrawOptions) -> None:
    """A UserWarning for each of the model's warnings and for accumulated gradients (none
    with show_grads=False: no gradients are drawn then)."""
    if opts.show_grads is False:
        return
    messages = list(graph.warnings)
    stale = accumulated_leaves(graph)
    if stale:
        totals = one_pass_totals(graph)
        p = opts.precision
        examples = "; ".join(
            f"{graph.nodes[k].label or 'an unnamed leaf'}: .grad is "
            f"{format_data(graph.nodes[k].grad, p)} but one backward pass sends it "
            f"{format_data(totals[k], p)}"
            for k in stale[:3]
        )
        more = f" (and {len(stale) - 3} more)" if len(stale) > 3 else ""
        messages.append(
            f"leaves hold gradients accumulated over several backward() calls ({examples}"
            f"{more}): call zero_grad() before each backward(); the edges show one pass, "
            "so they do not add up to these .grad values"
        )
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=_stacklevel())
