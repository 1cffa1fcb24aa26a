"""The comparisons of the textbook's chapter 6, as runs that return their curves (the
figures are drawn by `autograph.training.compare_plots`; `autograph compare` runs both).

- `compare_optimizers`: SGD, Momentum, AdaGrad, Adam on MNIST (a 784-100-100-100-100-10
  ReLU net, batch 128, 2,000 steps: optimizer_compare_mnist.py), and `optimizer_paths`,
  their paths down f(x, y) = x²/20 + y² (optimizer_compare_naive.py);
- `activation_histograms` and `compare_inits`: weight init std 0.01, Xavier, He: the
  activations of 5 layers of 100 on random inputs, and the loss on MNIST
  (weight_init_activation_histogram.py, weight_init_compare.py);
- `compare_batch_norm`: training accuracy with and without batch norm for 16 weight init
  stds, 1,000 MNIST images, 20 epochs, the book's batch norm statistics (eps 1e-6, running
  variance from 0) (batch_norm_test.py); a run whose loss becomes NaN
  or infinite keeps its curve up to there and is marked as diverged (the book's NumPy code
  carries on with NaN weights, which then predict class 0);
- `compare_dropout`: a 6-hidden-layer net on 300 images, 301 epochs, without and with
  dropout (overfit_dropout.py).

Every run of a comparison starts from the same seed (the same batches; the same weights
where the nets have the same shapes), so the curves differ only by what is compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograph.engine.node import no_grad
from autograph.engine.tensor import Tensor
from autograph.nn.layers import ACTIVATIONS, Init, Linear, Sequential
from autograph.nn.module import Module
from autograph.nn.norm import BatchNorm1d, Dropout
from autograph.optim import make_optimizer
from autograph.training.loop import History, Log, TrainingDiverged, fit

# the textbook's choices (ch. 6): optimizer -> learning rate
OPTIMIZER_LRS = {"sgd": 0.01, "momentum": 0.01, "adagrad": 0.01, "adam": 0.001}
INIT_NAMES = {"0.01": "std 0.01", "xavier": "Xavier", "he": "He"}


def mlp(
    sizes: Sequence[int],
    *,
    init: Init = "he",
    activation: str = "relu",
    batch_norm: bool = False,
    dropout: float = 0.0,
    rng: np.random.Generator | None = None,
    dtype: Any = np.float32,
) -> Sequential:
    """The book's MultiLayerNet(Extend): affine [- batch norm] - activation [- dropout] per
    hidden layer, then an affine layer (logits)."""
    rng = np.random.default_rng() if rng is None else rng
    layers: list[Module] = []
    for k in range(len(sizes) - 1):
        layers.append(Linear(sizes[k], sizes[k + 1], init=init, rng=rng, dtype=dtype))
        if k < len(sizes) - 2:
            if batch_norm:
                layers.append(BatchNorm1d(sizes[k + 1], dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(Dropout(dropout, rng=rng))
    return Sequential(*layers)


def _init(text: str) -> Init:
    try:
        return float(text)
    except ValueError:
        return text


@dataclass
class Runs:
    """The histories of one comparison, by the name of what was compared."""

    histories: dict[str, History] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def compare_optimizers(
    x: np.ndarray,
    t: np.ndarray,
    *,
    optimizers: dict[str, float] | None = None,
    iters: int = 2000,
    batch_size: int = 128,
    hidden: Sequence[int] = (100, 100, 100, 100),
    seed: int = 0,
    quiet: bool = True,
    log: Log | None = None,
) -> Runs:
    """Train the same net (same start, same batches) with each optimizer and its learning
    rate; each History holds the loss of every step and the final training accuracy."""
    runs = Runs()
    for name, lr in (optimizers or OPTIMIZER_LRS).items():
        model = mlp([x.shape[1], *hidden, 10], init="he", rng=np.random.default_rng(seed))
        opt = make_optimizer(name, model.parameters(), lr)
        runs.histories[name] = _train(
            model,
            opt,
            x,
            t,
            iters=iters,
            eval_every=iters,
            batch_size=batch_size,
            seed=seed,
            quiet=quiet,
        )
        _report(log, f"{name} (lr {lr})", runs.histories[name])
    return runs


def optimizer_paths(steps: int = 30, start: tuple[float, float] = (-7.0, 2.0)) -> dict[str, Any]:
    """Each optimizer's path down f(x, y) = x²/20 + y² from `start`, with the book's learning
    rates (SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3): arrays of (x, y) points."""
    paths = {}
    for name, lr in (("sgd", 0.95), ("momentum", 0.1), ("adagrad", 1.5), ("adam", 0.3)):
        point = Tensor(np.array(start), requires_grad=True)
        opt = make_optimizer(name, [point], lr)
        trail = [point.data.copy()]
        for _ in range(steps):
            x, y = point[0], point[1]
            (x * x / 20 + y * y).backward()
            opt.step()
            opt.zero_grad()
            trail.append(point.data.copy())
        paths[name] = np.array(trail)
    return paths


def activation_histograms(
    activation: str = "relu",
    inits: Sequence[str] = ("0.01", "xavier", "he"),
    *,
    layers: int = 5,
    nodes: int = 100,
    samples: int = 1000,
    seed: int = 0,
) -> dict[str, list[np.ndarray]]:
    """The activations of each of `layers` layers of `nodes` units for random N(0, 1)
    inputs, for each weight init (the book's figures 6-10 to 6-14)."""
    x = np.random.default_rng(seed).standard_normal((samples, nodes))
    out = {}
    for init in inits:
        rng = np.random.default_rng(seed + 1)  # the same draws, scaled by each std
        h, acts = Tensor(x), []
        with no_grad():
            for _ in range(layers):
                h = ACTIVATIONS[activation]()(Linear(nodes, nodes, init=_init(init), rng=rng)(h))
                acts.append(h.data.reshape(-1))
        out[init] = acts
    return out


def compare_inits(
    x: np.ndarray,
    t: np.ndarray,
    *,
    inits: Sequence[str] = ("0.01", "xavier", "he"),
    iters: int = 2000,
    batch_size: int = 128,
    hidden: Sequence[int] = (100, 100, 100, 100),
    lr: float = 0.01,
    seed: int = 0,
    quiet: bool = True,
    log: Log | None = None,
) -> Runs:
    """The same ReLU net trained with SGD from each weight init (same batches)."""
    runs = Runs()
    for init in inits:
        model = mlp([x.shape[1], *hidden, 10], init=_init(init), rng=np.random.default_rng(seed))
        opt = make_optimizer("sgd", model.parameters(), lr)
        runs.histories[init] = _train(
            model,
            opt,
            x,
            t,
            iters=iters,
            eval_every=iters,
            batch_size=batch_size,
            seed=seed,
            quiet=quiet,
        )
        _report(log, f"init {INIT_NAMES.get(init, init)}", runs.histories[init])
    return runs


def compare_batch_norm(
    x: np.ndarray,
    t: np.ndarray,
    *,
    stds: Sequence[float] | None = None,
    train_size: int = 1000,
    epochs: int = 20,
    batch_size: int = 100,
    lr: float = 0.01,
    hidden: Sequence[int] = (100,) * 5,
    seed: int = 0,
    quiet: bool = True,
    log: Log | None = None,
) -> Runs:
    """Training accuracy per epoch with and without batch norm, for each weight init std
    (default: 16 from 1 down to 1e-4, as the book), on `train_size` images, SGD."""
    stds = list(np.logspace(0, -4, num=16)) if stds is None else list(stds)
    x, t = x[:train_size], t[:train_size]
    per_epoch = max(len(x) // batch_size, 1)
    diverged: dict[str, int] = {}  # run -> the step where its loss became NaN or infinite
    settings = _settings(len(x), [x.shape[1], *hidden, 10], lr)
    runs = Runs(extra={"stds": stds, "diverged": diverged, "settings": settings})
    for k, std in enumerate(stds):
        for norm in (True, False):
            model = mlp(
                [x.shape[1], *hidden, 10],
                init=float(std),
                batch_norm=norm,
                rng=np.random.default_rng(seed),
            )
            _books_batch_norm(model)
            opt = make_optimizer("sgd", model.parameters(), lr)
            key = f"{k}:{'bn' if norm else 'plain'}"
            try:
                runs.histories[key] = _train(
                    model,
                    opt,
                    x,
                    t,
                    iters=epochs * per_epoch,
                    eval_every=per_epoch,
                    batch_size=batch_size,
                    seed=seed,
                    quiet=quiet,
                )
            except TrainingDiverged as error:  # a large std without batch norm: shown as such
                assert error.history is not None
                runs.histories[key] = error.history
                diverged[key] = error.step
        if log is not None:
            log(
                f"std {std:.2e}: train acc with batch norm {_outcome(runs, diverged, k, 'bn')}, "
                f"without {_outcome(runs, diverged, k, 'plain')}"
            )
    return runs


def _books_batch_norm(model: Sequential) -> None:
    """The book's BatchNormalization in `model`: eps 1e-6 (its `10e-7`) and a running
    variance that starts at 0, not PyTorch's 1e-5 and 1. With small weights (std 1e-3 and
    below) the variances are about 1e-6: PyTorch's running variance needs some 40 steps to
    come down from 1, so a net measured in evaluation looked untrained for 4 of the 20
    epochs, and an eps of 1e-5 kept the smallest std from normalizing at all."""
    for layer in model.layers:
        if isinstance(layer, BatchNorm1d):
            layer.eps = 1e-6
            assert layer.running_var is not None
            layer.running_var.data[...] = 0.0


def _outcome(runs: Runs, diverged: dict[str, int], k: int, kind: str) -> str:
    key = f"{k}:{kind}"
    if key in diverged:
        return f"diverged at step {diverged[key]}"
    return f"{runs.histories[key].final_train_acc:.3f}"


def compare_dropout(
    x: np.ndarray,
    t: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
    *,
    ratio: float = 0.2,
    train_size: int = 300,
    epochs: int = 301,
    batch_size: int = 100,
    lr: float = 0.01,
    hidden: Sequence[int] = (100,) * 6,
    seed: int = 0,
    quiet: bool = True,
    log: Log | None = None,
) -> Runs:
    """A deep net on few images overfits: train and test accuracy per epoch without and
    with dropout (the same start and batches)."""
    x, t = x[:train_size], t[:train_size]
    per_epoch = max(len(x) // batch_size, 1)
    runs = Runs(
        extra={"ratio": ratio, "settings": _settings(len(x), [x.shape[1], *hidden, 10], lr)}
    )
    for name, p in (("without dropout", 0.0), (f"dropout {ratio:g}", ratio)):
        model = mlp(
            [x.shape[1], *hidden, 10], init="he", dropout=p, rng=np.random.default_rng(seed)
        )
        opt = make_optimizer("sgd", model.parameters(), lr)
        runs.histories[name] = _train(
            model,
            opt,
            x,
            t,
            x_test,
            t_test,
            iters=epochs * per_epoch,
            eval_every=per_epoch,
            batch_size=batch_size,
            seed=seed,
            quiet=quiet,
        )
        _report(log, name, runs.histories[name])
    return runs


def _train(
    model: Module,
    opt: Any,
    *data: Any,
    iters: int,
    eval_every: int,
    batch_size: int,
    seed: int,
    quiet: bool,
) -> History:
    """One run of a comparison: `fit` with the comparison's batches (its own line is logged
    by the caller, so fit logs nothing)."""
    return fit(
        model,
        *data,
        optimizer=opt,
        iters=iters,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        quiet=quiet,
        log=None,
    )


def _settings(images: int, sizes: list[int], lr: float) -> str:
    """`1,000 MNIST images, 784-100x5-10 ReLU, SGD lr 0.01`, for the figures' titles."""
    hidden = sizes[1:-1]
    layers = f"{hidden[0]}x{len(hidden)}" if len(set(hidden)) == 1 else "-".join(map(str, hidden))
    return f"{images:,} MNIST images, {sizes[0]}-{layers}-{sizes[-1]} ReLU, SGD lr {lr:g}"


def _report(log: Log | None, name: str, history: History) -> None:
    if log is None:
        return
    line = f"{name}: final loss {np.mean(history.loss[-50:]):.4f} (mean of the last 50 steps)"
    line += f", train acc {history.final_train_acc:.4f}"
    if history.test_acc:
        line += f", test acc {history.final_test_acc:.4f}"
    log(f"{line}, {history.wall_time:.1f} s")
