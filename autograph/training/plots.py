"""Pictures of a training run, as PNG files: the loss and accuracy curves, and the decision
boundary of a 2-D classifier. The only module of autograph that imports matplotlib (its
object-oriented API with the Agg canvas: no pyplot, no global backend switch).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.node import no_grad
from autograph.training.loop import History


def plot_history(
    history: History,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    accuracy_range: tuple[float, float] = (0.0, 1.0),
) -> Path:
    """Write the notes' two figures side by side as a PNG: the loss per step, and train/test
    accuracy per evaluation (per epoch), on `accuracy_range` (the notes' 0 to 1; a CNN's
    0.98 to 1 needs a closer look)."""
    # The object-oriented API with the Agg canvas: no pyplot, no global backend switch.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.5))
    FigureCanvasAgg(fig)
    ax_loss, ax_acc = fig.subplots(1, 2)
    steps = np.arange(1, len(history.loss) + 1)
    ax_loss.plot(steps, history.loss, linewidth=0.6, color="tab:blue", label="loss")
    if len(history.loss) >= 50:
        window = max(len(history.loss) // 100, 10)
        smooth = np.convolve(history.loss, np.ones(window) / window, mode="valid")
        ax_loss.plot(steps[window - 1 :], smooth, color="tab:red", label=f"mean of {window}")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("training loss")
    ax_loss.legend()
    if history.steps:
        ax_acc.plot(
            history.steps[: len(history.train_acc)],
            history.train_acc,
            marker="o",
            label="train acc",
        )
        if history.test_acc:
            ax_acc.plot(
                history.steps[: len(history.test_acc)],
                history.test_acc,
                marker="s",
                label="test acc",
                linestyle="--",
            )
        ax_acc.legend(loc="lower right")
    ax_acc.set_xlabel("iteration")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(*accuracy_range)
    ax_acc.set_title("accuracy per epoch")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path


def plot_moons_boundary(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike[str],
    *,
    resolution: float = 0.1,
) -> Path:
    """micrograd's picture: the points over the sign of the score on a grid."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
    y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, resolution), np.arange(y_min, y_max, resolution))
    with no_grad():
        scores = np.array([model(list(p)).data for p in np.c_[xx.ravel(), yy.ravel()]])
    zz = (scores > 0).reshape(xx.shape)
    fig = Figure(figsize=(5, 5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.contourf(xx, yy, zz, cmap="Spectral", alpha=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap="jet", edgecolors="k")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path


def plot_curve(
    values: list[float],
    path: str | os.PathLike[str],
    *,
    xlabel: str = "iteration",
    ylabel: str = "loss",
    ylim: tuple[float, float] | None = None,
    title: str | None = None,
) -> Path:
    """One curve as a PNG (the sequel's `Trainer.plot`: the loss per evaluation interval)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(np.arange(len(values)), values, label="train")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path
