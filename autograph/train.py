"""Training: a loop with a progress bar, a history, PNG plots, and the `autograph train` command.

`fit(model, x_train, t_train, x_test, t_test, ...)` runs the notes' loop: each step draws a
random mini-batch, runs forward, `backward()` and the optimizer; once per epoch it measures
train and test accuracy and prints `Step:   600  Train acc 0.90545  Test acc 0.90930`. The
inner loop does no per-step Python work beyond the ops of the net, so it runs at the speed of
hand-written NumPy (benchmarks/bench_mnist.py).

`train_moons()` runs micrograd's moons demo on the scalar `MLP`.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.node import no_grad
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value, sum_values
from autograph.nn.losses import class_indices, softmax_cross_entropy

Log = Callable[[str], None]


@dataclass
class History:
    """What a run recorded: the loss of every step, and accuracies at each evaluation."""

    loss: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)  # the step of each evaluation
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    wall_time: float = 0.0

    @property
    def final_test_acc(self) -> float | None:
        return self.test_acc[-1] if self.test_acc else None

    @property
    def final_train_acc(self) -> float | None:
        return self.train_acc[-1] if self.train_acc else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "loss": self.loss,
            "steps": self.steps,
            "train_acc": self.train_acc,
            "test_acc": self.test_acc,
            "wall_time": self.wall_time,
        }


def accuracy(
    model: Callable[[Tensor], Tensor], x: np.ndarray, t: np.ndarray, *, batch_size: int = 10000
) -> float:
    """Fraction of rows whose arg-max score is the label (one-hot labels are fine too)."""
    t = np.asarray(t)
    t = np.argmax(t, axis=1) if t.ndim > 1 else class_indices(t, "accuracy")
    correct = 0
    with no_grad():
        for start in range(0, len(x), batch_size):
            scores = model(Tensor(x[start : start + batch_size])).data
            correct += int(np.sum(np.argmax(scores, axis=1) == t[start : start + batch_size]))
    return correct / len(x) if len(x) else 0.0


def _progress(total: int, quiet: bool, desc: str) -> Any:
    from tqdm.auto import tqdm

    # To stderr, and only on a terminal: logs and pipes get the per-epoch lines alone.
    disable = quiet or not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return tqdm(
        total=total,
        desc=desc,
        file=sys.stderr,
        disable=disable,
        unit="step",
        dynamic_ncols=True,
        leave=False,
    )


def fit(
    model: Any,
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray | None = None,
    t_test: np.ndarray | None = None,
    *,
    optimizer: Any,
    iters: int = 10000,
    batch_size: int = 100,
    loss_fn: Callable[[Tensor, Any], Tensor] = softmax_cross_entropy,
    eval_every: int | None = None,
    seed: int | None = 0,
    sampling: str = "replace",
    quiet: bool = False,
    log: Log | None = print,
) -> History:
    """Train `model` (a callable Tensor -> logits) for `iters` steps; return the History.

    - `sampling="replace"`: each step draws `batch_size` random rows with replacement (the
      notes' `np.random.choice`); `"epoch"`: shuffled passes without replacement.
    - `eval_every`: steps between accuracy measurements (default: one epoch, n / batch_size
      steps, the notes' 600); a last one is added at the final step.
    - `log`: where the per-epoch lines go (None for silence).
    """
    n = len(x_train)
    if n == 0:
        raise ValueError("fit: no training data")
    if sampling not in ("replace", "epoch"):
        raise ValueError(f"sampling must be 'replace' or 'epoch', got {sampling!r}")
    epoch = max(n // batch_size, 1)
    eval_every = eval_every or epoch
    rng = np.random.default_rng(seed)
    history = History()
    losses = history.loss
    bar = _progress(iters, quiet, "train")
    say = log
    if log is not None and not bar.disable:
        say = bar.write  # print above the bar, not through it

    def evaluate(step: int) -> None:
        history.steps.append(step)
        train_acc = accuracy(model, x_train, t_train)
        history.train_acc.append(train_acc)
        line = f"Step: {step:5d}  Train acc {train_acc:.5f}"
        if x_test is not None and t_test is not None:
            test_acc = accuracy(model, x_test, t_test)
            history.test_acc.append(test_acc)
            line += f"  Test acc {test_acc:.5f}"
        if say is not None:
            say(line)

    order = rng.permutation(n) if sampling == "epoch" else None
    cursor = 0
    start = time.perf_counter()
    try:
        for step in range(1, iters + 1):
            if order is None:
                rows = rng.integers(0, n, batch_size)
            else:
                if cursor + batch_size > n:
                    order, cursor = rng.permutation(n), 0
                rows = order[cursor : cursor + batch_size]
                cursor += batch_size
            # The batch is a constant Tensor (requires_grad=False): backward skips the
            # gradient of the input, the largest matrix product of the step.
            loss = loss_fn(model(Tensor(x_train[rows])), t_train[rows])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(float(loss.data))
            if step % 50 == 0:
                bar.update(50)
            if step % eval_every == 0 or step == iters:
                evaluate(step)
    finally:
        bar.close()
    history.wall_time = time.perf_counter() - start
    return history


# -- plots ----------------------------------------------------------------------------------


def plot_history(
    history: History, path: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Write the notes' two figures side by side as a PNG: the loss per step, and train/test
    accuracy per evaluation (per epoch)."""
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
    ax_acc.set_ylim(0, 1.0)
    ax_acc.set_title("accuracy per epoch")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path


# -- micrograd's moons demo on scalar Values ------------------------------------------------


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
) -> tuple[Any, History, Any]:
    """micrograd's demo: MLP(2, [16, 16, 1]), hinge + 1e-4·L2, SGD with lr 1 - 0.9·k/steps.

    Returns (model, history, (X, y)) with y in {-1, +1}; `history.train_acc` is measured
    before each update (as micrograd prints it) plus once after the last.
    """
    from autograph.data.toy import make_moons
    from autograph.nn.scalar import MLP

    X, y01 = make_moons(n_samples, noise=noise, seed=data_seed)
    y = y01 * 2 - 1
    model = MLP(2, list(sizes), rng=random.Random(init_seed))
    history = History()
    bar = _progress(steps, quiet, "moons")
    start = time.perf_counter()
    try:
        for k in range(steps):
            loss, acc = moons_loss(model, X, y)
            model.zero_grad()
            loss.backward()
            lr = 1.0 - 0.9 * k / steps
            with no_grad():
                for p in model.parameters():
                    p.data -= lr * p.grad
            history.loss.append(float(loss.data))
            history.steps.append(k)
            history.train_acc.append(acc)
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


# -- the main job's quick demo --------------------------------------------------------------


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
        from autograph.nn.optim import SGD

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

    from autograph.data.toy import make_spiral
    from autograph.nn.layers import MLP
    from autograph.nn.optim import Adam

    X, y = make_spiral(100, 3, seed=seed)
    Xt, yt = make_spiral(100, 3, seed=seed + 1)
    model = MLP(2, [64, 3], rng=np.random.default_rng(seed))
    history = fit(
        model,
        X,
        y,
        Xt,
        yt,
        optimizer=Adam(model.parameters(), lr=0.02),
        iters=600,
        batch_size=30,
        eval_every=30,
        seed=seed,
        quiet=True,
        log=None,
    )
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


# -- `autograph train` ----------------------------------------------------------------------


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `autograph train mnist|moons` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "train",
        help="train a net: the textbook's MNIST net, or micrograd's moons MLP",
        description="Train the textbook's two-layer net on MNIST, or micrograd's moons MLP.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)

    mnist = targets.add_parser(
        "mnist",
        help="the textbook's 784-50-10 net on MNIST",
        description="Train on MNIST with per-epoch train/test accuracy (the notes' run: "
        "784-50-10 ReLU, batch 100, lr 0.1, 10,000 SGD steps).",
    )
    mnist.add_argument(
        "--data",
        metavar="DIR",
        default=os.environ.get("AUTOGRAPH_MNIST_DIR"),
        help="directory with the four MNIST .gz files (default: $AUTOGRAPH_MNIST_DIR)",
    )
    mnist.add_argument("--iters", type=int, default=10000, help="training steps (10000)")
    mnist.add_argument("--batch", type=int, default=100, help="mini-batch size (100)")
    mnist.add_argument("--lr", type=float, default=0.1, help="learning rate (0.1)")
    mnist.add_argument(
        "--hidden",
        default="50",
        help="hidden layer size, or sizes like 100,50 for a deeper MLP (50)",
    )
    mnist.add_argument(
        "--optimizer",
        default="sgd",
        choices=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
    )
    mnist.add_argument(
        "--init", default="0.01", help="weight init: a std (0.01, the textbook's), 'he' or 'xavier'"
    )
    mnist.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    mnist.add_argument("--seed", type=int, default=0)
    mnist.add_argument("--plot", metavar="PNG", help="write loss and accuracy plots here")
    mnist.add_argument("--save", metavar="NPZ", help="save the trained weights here")
    mnist.add_argument(
        "--download",
        action="store_true",
        help="download missing files (from --url or $AUTOGRAPH_MNIST_URL)",
    )
    mnist.add_argument("--url", help="where --download fetches the files from")
    mnist.add_argument("--no-verify", action="store_true", help="skip the MD5 checks")
    mnist.add_argument("--quiet", action="store_true", help="no progress bar")
    mnist.set_defaults(func=run)

    moons = targets.add_parser(
        "moons",
        help="micrograd's moons demo: scalar MLP(2, [16, 16, 1])",
        description="Train micrograd's moons classifier on scalar Values (hinge loss + "
        "1e-4 L2, SGD with a decaying learning rate).",
    )
    moons.add_argument("--steps", type=int, default=100)
    moons.add_argument("--samples", type=int, default=100)
    moons.add_argument("--noise", type=float, default=0.1)
    moons.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    moons.add_argument(
        "--init-seed",
        type=int,
        default=1337,
        help="seed of Python's random for the weights (micrograd's: 1337)",
    )
    moons.add_argument("--plot", metavar="PNG", help="write loss and accuracy plots here")
    moons.add_argument("--boundary", metavar="PNG", help="draw the decision boundary here")
    moons.add_argument("--save", metavar="NPZ", help="save the trained weights here")
    if _graph_renderer() is not None:
        moons.add_argument(
            "--graph",
            metavar="FILE",
            help="draw the computational graph of one prediction (.svg, .png, "
            ".pdf or .dot), clustered by layer and neuron",
        )
    moons.add_argument("--quiet", action="store_true", help="no progress bar")
    moons.set_defaults(func=run)
    parser.set_defaults(func=run)
    return parser


def _command_error(message: str) -> Exception:
    from autograph.cli import CommandError

    return CommandError(message)


def run(args: argparse.Namespace) -> int:
    if args.target == "mnist":
        return _run_mnist(args)
    if args.target == "moons":
        return _run_moons(args)
    raise _command_error(f"unknown training target {args.target!r}")


def _prepare_outputs(args: argparse.Namespace, options: tuple[str, ...]) -> None:
    """Create the directories of the output files now, before training, and fail now (as a
    CommandError) if one cannot be written: not after minutes of training."""
    for option in options:
        path = getattr(args, option, None)
        if not path:
            continue
        flag, target = f"--{option}", Path(path).expanduser()
        if target.is_dir():
            raise _command_error(f"{flag} {path}: is a directory; give a file name")
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _command_error(
                f"{flag} {path}: cannot create the directory {parent} ({error.strerror or error})"
            ) from None
        if not os.access(parent, os.W_OK):
            raise _command_error(f"{flag} {path}: the directory {parent} is not writable")


def _parse_hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in str(text).split(",") if s.strip()]
    except ValueError:
        raise _command_error(f"--hidden takes sizes like 50 or 100,50, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise _command_error(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _run_mnist(args: argparse.Namespace) -> int:
    from autograph.data.mnist import MNISTError, load_mnist
    from autograph.nn.layers import MLP
    from autograph.nn.models import TwoLayerNet
    from autograph.nn.optim import make_optimizer

    if not args.data:
        raise _command_error(
            "train mnist: pass --data DIR, the directory holding the four "
            "MNIST .gz files (or set $AUTOGRAPH_MNIST_DIR)"
        )
    for name in ("iters", "batch"):
        if getattr(args, name) < 1:
            raise _command_error(f"--{name} must be at least 1")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise _command_error(f"--lr must be a positive finite number, got {args.lr}")
    hidden = _parse_hidden(args.hidden)
    init: Any = args.init
    try:
        init = float(init)
    except ValueError:
        if init not in ("he", "xavier"):
            raise _command_error(f"--init takes a std, 'he' or 'xavier', got {init!r}") from None
    else:
        if not (math.isfinite(init) and init >= 0):
            raise _command_error(f"--init: the std must be a finite number >= 0, got {args.init!r}")
    _prepare_outputs(args, ("plot", "save"))
    try:
        (x_train, t_train), (x_test, t_test) = load_mnist(
            args.data,
            verify=not args.no_verify,
            download=args.download,
            url=args.url,
            dtype=args.dtype,
        )
    except MNISTError as error:
        raise _command_error(str(error)) from None
    rng = np.random.default_rng(args.seed)
    if len(hidden) == 1 and not isinstance(init, str):
        model: Any = TwoLayerNet(
            x_train.shape[1], hidden[0], 10, weight_init_std=init, rng=rng, dtype=args.dtype
        )
    else:
        model = MLP(x_train.shape[1], [*hidden, 10], init=init, rng=rng, dtype=args.dtype)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    print(
        f"MNIST: {len(x_train)} training and {len(x_test)} test images; net "
        f"{'-'.join(str(s) for s in [x_train.shape[1], *hidden, 10])} ({args.dtype}), "
        f"{args.optimizer} lr {args.lr}, batch {args.batch}, {args.iters} steps",
        flush=True,
    )
    history = fit(
        model,
        x_train,
        t_train,
        x_test,
        t_test,
        optimizer=optimizer,
        iters=args.iters,
        batch_size=args.batch,
        seed=args.seed,
        quiet=args.quiet,
        log=lambda line: print(line, flush=True),
    )
    print(f"Final: train acc {history.final_train_acc:.5f}  test acc {history.final_test_acc:.5f}")
    print(f"Wall time: {history.wall_time:.1f} s")
    if args.plot:
        print(f"wrote {plot_history(history, args.plot, title='MNIST, ' + args.optimizer)}")
    if args.save:
        print(f"wrote {model.save(args.save)}")
    return 0


def _graph_renderer() -> Callable[..., Any] | None:
    """`autograph.viz.save(root, path, **options)`, if the renderer is in this build."""
    try:
        from autograph.viz import save
    except ImportError:
        return None
    return save if callable(save) else None


def draw_moons_graph(model: Any, x: Any, path: str | os.PathLike[str]) -> Any:
    """Draw the graph of one prediction (after its backward pass, so gradients show),
    clustered by layer and neuron; collapsed into boxes if it is too big to read."""
    render = _graph_renderer()
    if render is None:
        raise RuntimeError("autograph.viz is not available in this build")
    model.zero_grad()
    score = model(list(x))
    score.backward()
    return render(
        score,
        path,
        collapse="auto",
        max_nodes=150,
        title=f"MLP score for x = ({x[0]:.2f}, {x[1]:.2f}), after backward()",
    )


def _run_moons(args: argparse.Namespace) -> int:
    if args.steps < 1 or args.samples < 2:
        raise _command_error("--steps must be at least 1 and --samples at least 2")
    _prepare_outputs(args, ("plot", "boundary", "save", "graph"))
    model, history, (X, y) = train_moons(
        steps=args.steps,
        n_samples=args.samples,
        noise=args.noise,
        data_seed=args.seed,
        init_seed=args.init_seed,
        quiet=args.quiet,
        log=lambda line: print(line, flush=True),
    )
    print(
        f"Final: loss {history.loss[-1]:.6f}  training accuracy "
        f"{history.final_train_acc * 100:.0f}%  ({len(model.parameters())} parameters)"
    )
    print(f"Wall time: {history.wall_time:.1f} s")
    if args.plot:
        title = "moons, scalar MLP(2, [16, 16, 1])"
        print(f"wrote {plot_history(history, args.plot, title=title)}")
    if args.boundary:
        print(f"wrote {plot_moons_boundary(model, X, y, args.boundary)}")
    if args.save:
        print(f"wrote {model.save(args.save)}")
    graph = getattr(args, "graph", None)
    if graph:
        try:
            written = draw_moons_graph(model, X[0], graph)
        except Exception as error:  # the renderer's own errors (e.g. no Graphviz) are clear
            raise _command_error(f"could not draw the graph: {error}") from None
        print(f"wrote {written or graph}")
    return 0


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
