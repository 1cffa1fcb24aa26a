"""Training: the loop (`fit`, `History`, `accuracy`), its plots, and ready-made demo runs.

- `autograph.training.loop`: `fit`, `History`, `accuracy`, `progress_bar`, and
  `TrainingDiverged` (a NaN or infinite loss, naming the step);
- `autograph.training.trainer`: the sequel's `Trainer` for `params`/`grads` models;
- `autograph.training.plots`: `plot_history`, `plot_moons_boundary`, `plot_curve` (PNG,
  matplotlib);
- `autograph.training.threads`: how many BLAS threads a run uses;
- `autograph.training.demos`: `train_moons` (micrograd's demo), `train_spiral`,
  `train_small_demo` (the main job's quick nets), `draw_moons_graph`;
- `autograph.training.watch`: `Watch`, a `callback` that shows a run live (notebook, or the
  page of `autograph.training.watch_server`) and writes its replay (imported on first use).
"""

from typing import Any

from autograph.training.demos import (
    draw_moons_graph,
    moons_loss,
    train_moons,
    train_small_demo,
    train_spiral,
)
from autograph.training.loop import (
    History,
    StepInfo,
    TrainingDiverged,
    accuracy,
    fit,
    progress_bar,
)
from autograph.training.plots import plot_curve, plot_history, plot_moons_boundary
from autograph.training.trainer import Trainer

__all__ = [
    "History",
    "StepInfo",
    "Trainer",
    "TrainingDiverged",
    "Watch",
    "accuracy",
    "draw_moons_graph",
    "fit",
    "moons_loss",
    "plot_curve",
    "plot_history",
    "plot_moons_boundary",
    "progress_bar",
    "train_moons",
    "train_small_demo",
    "train_spiral",
]


def __getattr__(name: str) -> Any:
    if name == "Watch":  # its pictures' modules load only when a run is watched
        from autograph.training.watch import Watch

        return Watch
    raise AttributeError(f"module 'autograph.training' has no attribute {name!r}")
