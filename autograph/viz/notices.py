"""Warnings about what a picture would otherwise hide (the adapter's `Graph.warnings`),
pointed at the caller's line."""

from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

from autograph.viz.model import Graph
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
    """A UserWarning for each of the model's warnings (none with show_grads=False)."""
    if opts.show_grads is False:
        return
    messages = list(graph.warnings)
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=_stacklevel())
