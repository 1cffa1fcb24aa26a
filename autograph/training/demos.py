"""Ready-made runs: micrograd's moons demo on scalar Values, and the main job's quick nets
(spiral, moons, a short MNIST run), each writing its plots.
"""

from __future__ import annotations

import math
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.node import no_grad
from autograph.engine.value import Value, sum_values
from autograph.training.loop import (
    History,
    Log,
    StepCallback,
    StepInfo,
    diverged,
    fit,
    progress_bar,
)
from autograph.training.plots import plot_history, plot_moons_boundary


def moons_loss(
    model: Any, X: np.ndarray, y: np.ndarray, alpha: float = 1e-4
) -> tuple[Value, float]:
    """micrograd's SVM loss: mean hinge max(0, 1 - y·score) + alpha·Σ p², and the accuracy.

    Labels y are in {-1, +1}.
    """
    from autograph.nn.losses import hinge

    scores = [model(list(row)) for row in X]
    data_loss = hinge(scores, y)
    reg = alpha * sum_values([p * p for p in model.parameters()])
    acc = float(np.mean([(yi > 0) == (s.data > 0) for yi, s in zip(y, scores, strict=True)]))
    return data_loss + reg, acc


def train_moons(
    *,
    steps: int = 100,
    n_samples: int = 100,
    noise: float = 0.1,
    data_seed: int = 0,
    init_seed: int = 1337,
    sizes: tuple[int, ...] = (16, 16, 1),
    quiet: bool = True,
    log: Log | None = None,
    callback: StepCallback | None = None,
) -> tuple[Any, History, Any]:
    """micrograd's demo: MLP(2, [16, 16, 1]), hinge + 1e-4·L2, SGD with lr 1 - 0.9·k/steps.

    Returns (model, history, (X, y)) with y in {-1, +1}; `history.train_acc` is measured
    before each update (as micrograd prints it) plus once after the last. `callback` is
    called with a `StepInfo` at every step, before its update (step k + 1 of `steps`).

    Bad data is refused before training (ValueError: a NaN, infinite or negative `noise`, or
    points that overflow); a loss that becomes NaN or infinite raises `TrainingDiverged`
    naming the step, before that step's update.
    """
    from autograph.data.toy import make_moons
    from autograph.nn.scalar import MLP

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"train_moons: steps must be a whole number >= 1, got {steps!r}")
    X, y01 = make_moons(n_samples, noise=noise, seed=data_seed)
    y = y01 * 2 - 1
    model = MLP(2, list(sizes), rng=random.Random(init_seed))
    history = History()
    bar = progress_bar(steps, quiet, "moons")
    start = time.perf_counter()
    try:
        for k in range(steps):
            loss, acc = moons_loss(model, X, y)
            if not math.isfinite(loss.data):
                # numbered as the log lines are (micrograd prints steps from 0)
                error = diverged(k, loss.data, history.loss[-1] if history.loss else None)
                error.history = history
                raise error
            model.zero_grad()
            loss.backward()
            history.loss.append(float(loss.data))
            history.steps.append(k)
            history.train_acc.append(acc)
            if callback is not None:  # the step's graph and gradients, before the update
                callback(StepInfo(k + 1, steps, loss, model, history, X, y))
            lr = 1.0 - 0.9 * k / steps
            with no_grad():
                for p in model.parameters():
                    p.data -= lr * p.grad
            bar.update(1)
            if log is not None and (k % 10 == 0 or k == steps - 1):
                log(f"step {k:3d}  loss {loss.data:.6f}  accuracy {acc * 100:.0f}%")
    finally:
        bar.close()
    with no_grad():
        _, final_acc = moons_loss(model, X, y)
    history.steps.append(steps)
    history.train_acc.append(final_acc)
    history.wall_time = time.perf_counter() - start
    return model, history, (X, y)


def train_spiral(
    *,
    iters: int = 600,
    points: int = 100,
    hidden: int = 64,
    lr: float = 0.02,
    batch_size: int = 30,
    seed: int = 0,
    quiet: bool = True,
    log: Log | None = None,
    callback: StepCallback | None = None,
) -> tuple[Any, History, Any]:
    """The three-arm spiral: MLP(2, [hidden, 3]) over Tensors, Adam, `points` points per arm
    for training and as many (another seed) for testing, accuracy every 30 steps.

    Returns (model, history, (X, y)), the training data with class labels 0, 1, 2.
    """
    from autograph.data.toy import make_spiral
    from autograph.nn.layers import MLP
    from autograph.optim import Adam

    X, y = make_spiral(points, 3, seed=seed)
    Xt, yt = make_spiral(points, 3, seed=seed + 1)
    model = MLP(2, [hidden, 3], rng=np.random.default_rng(seed))
    history = fit(
        model,
        X,
        y,
        Xt,
        yt,
        optimizer=Adam(model.parameters(), lr=lr),
        iters=iters,
        batch_size=batch_size,
        eval_every=30,
        seed=seed,
        quiet=quiet,
        log=log,
        callback=callback,
    )
    return model, history, (X, y)


def train_small_demo(
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    dataset: str = "spiral",
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Train a small net quickly and write its loss/accuracy plot (PNG) into `out_dir`.

    - "spiral" (default, ~0.1 s of training): MLP(2, [64, 3]) over Tensors with Adam on the
      three-arm spiral; also saves the weights (.npz).
    - "moons" (~5 s): micrograd's demo on scalar Values, plus the decision-boundary PNG.
    - "mnist" (~1 s plus loading): the textbook's 784-50-10 net for 1,200 steps on the MNIST
      files in `data_dir`.

    Returns the paths written and the final metrics ({"plot", "train_acc", "wall_time", ...}).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if dataset == "moons":
        model, history, (X, y) = train_moons(data_seed=seed)
        plot = plot_history(
            history,
            out / "moons_training.png",
            title="micrograd's moons demo: scalar MLP(2, [16, 16, 1])",
        )
        boundary = plot_moons_boundary(model, X, y, out / "moons_boundary.png")
        return {
            "plot": str(plot),
            "boundary": str(boundary),
            "model": str(model.save(out / "moons_mlp.npz")),
            "dataset": "two moons (100 points)",
            "iters": len(history.loss),
            "final_loss": history.loss[-1],
            "train_acc": history.final_train_acc,
            "wall_time": history.wall_time,
        }
    if dataset == "mnist":
        from autograph.data.mnist import load_mnist
        from autograph.nn.models import TwoLayerNet
        from autograph.optim import SGD

        if data_dir is None:
            raise ValueError("train_small_demo(dataset='mnist') needs data_dir")
        (x, t), (xt, tt) = load_mnist(data_dir)
        net = TwoLayerNet(784, 50, 10, rng=np.random.default_rng(seed), dtype=np.float32)
        history = fit(
            net,
            x,
            t,
            xt,
            tt,
            optimizer=SGD(net.parameters(), lr=0.1),
            iters=1200,
            seed=seed,
            quiet=True,
            log=None,
        )
        plot = plot_history(
            history, out / "mnist_training.png", title="MNIST 784-50-10, SGD lr 0.1, 1,200 steps"
        )
        return {
            "plot": str(plot),
            "model": str(net.save(out / "mnist_two_layer_net.npz")),
            "dataset": "MNIST",
            "iters": len(history.loss),
            "final_loss": history.loss[-1],
            "train_acc": history.final_train_acc,
            "test_acc": history.final_test_acc,
            "wall_time": history.wall_time,
        }
    if dataset != "spiral":
        raise ValueError(f"dataset must be 'spiral', 'moons' or 'mnist', got {dataset!r}")

    model, history, _ = train_spiral(seed=seed)
    plot = plot_history(
        history, out / "spiral_training.png", title="MLP(2, [64, 3]) on the spiral, Adam"
    )
    weights = model.save(out / "spiral_mlp.npz")
    return {
        "plot": str(plot),
        "model": str(weights),
        "dataset": "spiral (3 arms, 300 points)",
        "iters": len(history.loss),
        "final_loss": history.loss[-1],
        "train_acc": history.final_train_acc,
        "test_acc": history.final_test_acc,
        "wall_time": history.wall_time,
    }


def draw_moons_graph(model: Any, x: Any, path: str | os.PathLike[str]) -> Any:
    """Draw the graph of one prediction (after its backward pass, so gradients show),
    clustered by layer and neuron; collapsed into boxes if it is too big to read."""
    from autograph.viz import save

    model.zero_grad()
    score = model(list(x))
    score.backward()
    return save(
        score,
        Path(path),
        collapse="auto",
        max_nodes=150,
        title=f"MLP score for x = ({x[0]:.2f}, {x[1]:.2f}), after backward()",
    )
