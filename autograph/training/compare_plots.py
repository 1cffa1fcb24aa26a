"""The figures of chapter 6's comparisons, as PNG files (matplotlib's object-oriented API
with the Agg canvas, as `autograph.training.plots`).

Each function takes what the matching run of `autograph.training.compare` returned and
writes one figure; the legend and title say what was compared and with which settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from autograph.training.compare import INIT_NAMES, OPTIMIZER_LRS, Runs

OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "adagrad": "AdaGrad", "adam": "Adam"}
MARKERS = {"sgd": "o", "momentum": "x", "adagrad": "s", "adam": "D"}


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


# Grids of many panels get fixed margins rather than tight_layout(), which draws every
# panel's ticks twice: seconds per figure.


def _save(fig: Any, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path


def smooth(values: list[float], window: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """(steps, moving average) of a per-step curve (the book's smooth_curve: the loss of
    single batches is noisy); the steps are those at the windows' centres."""
    array = np.asarray(values, dtype=float)
    steps = np.arange(1, len(array) + 1)
    if len(array) < window:
        return steps, array
    averaged = np.convolve(array, np.ones(window) / window, mode="valid")
    return steps[window // 2 : window // 2 + len(averaged)], averaged


def _loss_panel(ax: Any, runs: Runs, names: dict[str, str], title: str, top: float = 1.0) -> None:
    for key, history in runs.histories.items():
        steps, loss = smooth(history.loss)
        ax.plot(
            steps,
            loss,
            label=names.get(key, key),
            marker=MARKERS.get(key),
            markevery=max(len(steps) // 10, 1),
            markersize=4,
            linewidth=1,
        )
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss (moving average of 11)")
    ax.set_ylim(0, top)
    ax.set_title(title)
    ax.legend()


def plot_optimizers(runs: Runs, paths: dict[str, np.ndarray], path: str | os.PathLike[str]) -> Path:
    """Left: each optimizer's path down x²/20 + y²; right: MNIST loss per iteration."""
    fig = _figure(13, 5)
    ax_path, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    xs, ys = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 100))
    ax_path.contour(xs, ys, xs**2 / 20 + ys**2, levels=12, colors="0.75", linewidths=0.7)
    for name, trail in paths.items():
        ax_path.plot(
            trail[:, 0],
            trail[:, 1],
            marker=MARKERS[name],
            markersize=3,
            label=OPTIMIZER_NAMES[name],
        )
    ax_path.plot(0, 0, "+", color="black", markersize=10)
    ax_path.set_xlim(-10, 10)
    ax_path.set_ylim(-5, 5)
    ax_path.set_xlabel("x")
    ax_path.set_ylabel("y")
    ax_path.set_title("f(x, y) = x²/20 + y², 30 steps from (-7, 2)")
    ax_path.legend(fontsize=8)
    names = {k: f"{OPTIMIZER_NAMES[k]} (lr {OPTIMIZER_LRS.get(k, '')})" for k in runs.histories}
    steps = len(next(iter(runs.histories.values())).loss)
    _loss_panel(ax_loss, runs, names, f"MNIST, 784-100x4-10 ReLU, batch 128, {steps} iterations")
    fig.suptitle("Optimizers (textbook ch. 6, figures 6-8 and 6-9)")
    fig.tight_layout()
    return _save(fig, path)


def plot_init_histograms(
    histograms: dict[str, list[np.ndarray]], activation: str, path: str | os.PathLike[str]
) -> Path:
    """One row per weight init, one histogram per layer."""
    rows, cols = len(histograms), len(next(iter(histograms.values())))
    fig = _figure(2.4 * cols, 2.1 * rows + 0.6)
    axes = np.atleast_2d(fig.subplots(rows, cols, sharex=True, sharey=True))
    values = next(iter(histograms.values()))[0]
    # ReLU zeroes half its inputs: that bin would flatten the rest, so the counts are cut at
    # 7% of the values (the book's ylim(0, 7000) for 100,000 activations)
    top = 0.07 * values.size if activation == "relu" else None
    for r, (init, layers) in enumerate(histograms.items()):
        for c, values in enumerate(layers):
            ax = axes[r, c]
            ax.hist(values, bins=30, range=(0, 1), color="tab:blue")
            ax.set_yticks([])
            if top is not None:
                ax.set_ylim(0, top)
            if r == 0:
                ax.set_title(f"layer {c + 1}")
            if c == 0:
                ax.set_ylabel(INIT_NAMES.get(init, init))
    cut = " (counts cut at 7%: half of ReLU's outputs are 0)" if top is not None else ""
    fig.suptitle(
        f"Activations ({activation}) of 5 layers of 100 for 1,000 random inputs, by weight "
        f"init (textbook ch. 6, figures 6-10 to 6-14)\nhistograms of values in [0, 1]{cut}"
    )
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.06, top=0.86, wspace=0.08)
    return _save(fig, path)


def plot_inits(runs: Runs, path: str | os.PathLike[str]) -> Path:
    fig = _figure(7, 5)
    names = {k: INIT_NAMES.get(k, k) for k in runs.histories}
    steps = len(next(iter(runs.histories.values())).loss)
    _loss_panel(
        fig.subplots(),
        runs,
        names,
        f"MNIST, 784-100x4-10 ReLU, SGD lr 0.01, {steps} iterations",
        top=2.5,
    )
    fig.suptitle("Weight init (textbook ch. 6, figure 6-15)")
    fig.tight_layout()
    return _save(fig, path)


def plot_batch_norm(runs: Runs, path: str | os.PathLike[str]) -> Path:
    """A grid: training accuracy per epoch with (solid) and without (dashed) batch norm, one
    panel per weight init std."""
    stds = runs.extra["stds"]
    cols = 4
    rows = -(-len(stds) // cols)
    height = 2.4 * rows + 0.8
    fig = _figure(3.2 * cols, height)
    axes = np.atleast_2d(fig.subplots(rows, cols, sharex=True, sharey=True))
    for ax in axes.flat[len(stds) :]:
        ax.set_visible(False)
    for k, std in enumerate(stds):
        ax = axes[k // cols, k % cols]
        for kind, style, label in (("bn", "-", "batch norm"), ("plain", "--", "without")):
            history = runs.histories[f"{k}:{kind}"]
            epochs = np.arange(1, len(history.train_acc) + 1)
            (line,) = ax.plot(epochs, history.train_acc, style, label=label)
            step = runs.extra.get("diverged", {}).get(f"{k}:{kind}")
            if step is not None:
                ax.text(
                    0.04,
                    0.9,
                    f"{label}: diverged at step {step}",
                    transform=ax.transAxes,
                    fontsize=7,
                    color=line.get_color(),
                )
        ax.set_title(f"W std {std:.2g}", fontsize=9)
        ax.set_ylim(0, 1)
        if k == 0:
            ax.legend(fontsize=7, loc="lower right")
    for ax in axes[-1]:
        ax.set_xlabel("epochs")
    for ax in axes[:, 0]:
        ax.set_ylabel("train accuracy")
    settings = runs.extra.get("settings", "")
    fig.suptitle(f"Batch normalization: {settings} (textbook ch. 6, figure 6-19)")
    # margins in inches, whatever the number of rows: the title never covers a panel's
    fig.subplots_adjust(
        left=0.06, right=0.99, bottom=0.55 / height, top=1 - 0.75 / height, hspace=0.35
    )
    return _save(fig, path)


def plot_dropout(runs: Runs, path: str | os.PathLike[str]) -> Path:
    """Train and test accuracy per epoch, one panel per run."""
    fig = _figure(12, 4.5)
    axes = fig.subplots(1, len(runs.histories), sharey=True)
    for ax, (name, history) in zip(np.atleast_1d(axes), runs.histories.items(), strict=True):
        epochs = np.arange(1, len(history.train_acc) + 1)
        ax.plot(epochs, history.train_acc, label="train", marker="o", markersize=2, markevery=10)
        ax.plot(epochs, history.test_acc, label="test", marker="s", markersize=2, markevery=10)
        gap = history.train_acc[-1] - history.test_acc[-1]
        ax.set_title(f"{name}: train - test = {gap:.3f}")
        ax.set_xlabel("epochs")
        ax.set_ylim(0, 1)
        ax.legend(loc="lower right")
    np.atleast_1d(axes)[0].set_ylabel("accuracy")
    settings = runs.extra.get("settings", "")
    fig.suptitle(f"Overfitting: {settings} (textbook ch. 6, figures 6-20 and 6-23)")
    fig.tight_layout()
    return _save(fig, path)
