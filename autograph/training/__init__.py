"""Training: the loop (`fit`, `History`, `accuracy`), its plots, and ready-made demo runs.

- `autograph.training.loop`: `fit`, `History`, `accuracy`, `progress_bar`;
- `autograph.training.plots`: `plot_history`, `plot_moons_boundary` (PNG, matplotlib);
- `autograph.training.demos`: `train_moons` (micrograd's demo), `train_small_demo` (the main
  job's quick nets), `draw_moons_graph`.
"""

from autograph.training.demos import draw_moons_graph, moons_loss, train_moons, train_small_demo
from autograph.training.loop import History, accuracy, fit, progress_bar
from autograph.training.plots import plot_history, plot_moons_boundary

__all__ = [
    "History",
    "accuracy",
    "draw_moons_graph",
    "fit",
    "moons_loss",
    "plot_history",
    "plot_moons_boundary",
    "progress_bar",
    "train_moons",
    "train_small_demo",
]
