"""`autograph train mnist|moons|spiral`: the textbook's MNIST net, micrograd's moons MLP, or
a small Tensor MLP on the three-arm spiral; each can be watched (`--live`, `--replay`: see
`autograph.cli.watching`).

Arguments are checked, and every output file is created (then removed again) in its place,
before any training starts, so nothing is lost after minutes of work; sizes that would not
fit in memory are refused up front too. Whatever goes wrong (bad input, a diverged run, a
failed write) is `autograph: ...` on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograph.cli import train_cnn, train_spiral, watching
from autograph.cli.errors import CommandError
from autograph.cli.outputs import writing
from autograph.training import (
    TrainingDiverged,
    draw_moons_graph,
    fit,
    plot_history,
    plot_moons_boundary,
    train_moons,
)

MNIST_INPUTS, MNIST_CLASSES = 784, 10


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `autograph train mnist|moons|spiral` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "train",
        help="train a net: the textbook's MNIST net, micrograd's moons MLP, or the spiral",
        description="Train the textbook's two-layer net on MNIST, micrograd's moons MLP, or "
        "a small MLP on the three-arm spiral; --live or --replay shows the net learning.",
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
        help="directory with the four MNIST .gz files (default: $AUTOGRAPH_MNIST, "
        "else ~/.autograph/mnist)",
    )
    mnist.add_argument(
        "--model",
        choices=["mlp", "cnn"],
        default="mlp",
        help="mlp: the two-layer net (default); cnn: the textbook's SimpleConvNet (ch. 7), "
        "with its settings: Adam, lr 0.001, batch 100, 5 epochs",
    )
    mnist.add_argument("--iters", type=int, help="training steps (mlp: 10000)")
    mnist.add_argument("--epochs", type=int, help="cnn: passes over the training set (5)")
    mnist.add_argument(
        "--schedule",
        choices=["cosine", "constant"],
        help="cnn: the learning rate from --lr down to 0 along half a cosine (default), or "
        "constant (the book's)",
    )
    mnist.add_argument("--batch", type=int, default=100, help="mini-batch size (100)")
    mnist.add_argument("--lr", type=float, help="learning rate (mlp: 0.1, cnn: 0.001)")
    mnist.add_argument(
        "--hidden",
        help="hidden layer size, or sizes like 100,50 for a deeper MLP (mlp: 50, cnn: 100)",
    )
    mnist.add_argument(
        "--optimizer",
        choices=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"],
        help="(mlp: sgd, cnn: adam)",
    )
    mnist.add_argument(
        "--init",
        help="weight init: a std, 'he' or 'xavier' (mlp: 0.01, the textbook's; cnn: he)",
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
    watching.add_flags(mnist)
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
    moons.add_argument(
        "--graph",
        metavar="FILE",
        help="draw the computational graph of one prediction (.svg, .png, "
        ".pdf or .dot), clustered by layer and neuron",
    )
    moons.add_argument("--quiet", action="store_true", help="no progress bar")
    watching.add_flags(moons)
    moons.set_defaults(func=run)

    train_spiral.add_target(targets, run)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.target == "mnist":
        return _run_mnist(args)
    if args.target == "moons":
        return _run_moons(args)
    if args.target == "spiral":
        return train_spiral.run(args)
    raise CommandError(f"unknown training target {args.target!r}")


def _prepare_outputs(args: argparse.Namespace, options: tuple[str, ...]) -> dict[str, Path]:
    """The file each given output option will write, checked now by creating it in its
    place (its directory too) and removing it again if it was not there: a name too long, a
    read-only directory or a directory in the way fail here, before training."""
    from autograph.nn.module import npz_path

    targets: dict[str, Path] = {}
    for option in options:
        path = getattr(args, option, None)
        if not path:
            continue
        flag, target = f"--{option}", Path(path).expanduser()
        if option == "save":
            target = npz_path(target)  # what Module.save writes
        if option == "graph":
            from autograph.viz.render import format_for

            try:
                format_for(target)
            except ValueError as error:
                raise CommandError(f"{flag} {path}: {error}") from None
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"{flag} {path}: cannot create the directory {parent} ({error.strerror or error})"
            ) from None
        try:
            existed = os.path.lexists(target)
            with open(target, "ab"):  # appending changes nothing in a file that exists
                pass
        except IsADirectoryError:
            raise CommandError(f"{flag} {path}: is a directory; give a file name") from None
        except OSError as error:  # a name too long, a read-only place, ...
            raise CommandError(
                f"{flag} {path}: cannot write {target} ({error.strerror or error})"
            ) from None
        if not existed:
            target.unlink(missing_ok=True)
        targets[option] = target
    return targets


def _available_memory() -> int | None:
    """Bytes of memory available for a new allocation (Linux's MemAvailable, which counts
    the page cache that can be dropped), or None where it cannot be told."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(sizes: list[int], batch: int, itemsize: int) -> None:
    """Refuse a net and batch whose weights, optimizer state and one step's arrays would not
    fit in the free memory (NumPy would raise MemoryError, or the system would swap)."""
    weights = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    widths = sum(sizes)
    # weights, their gradients and up to two optimizer slots; a step's activations and their
    # gradients; the evaluation's chunks of 10,000 rows
    need = itemsize * (4 * weights + 4 * batch * widths + 2 * 10_000 * widths) + 8 * batch
    free = _available_memory()
    if free is not None and need > free:
        raise CommandError(
            f"--hidden {','.join(str(s) for s in sizes[1:-1])} with --batch {batch} needs "
            f"about {_gb(need)} of memory, but {_gb(free)} is free; use smaller sizes"
        )


def _gb(n: float) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e8 else f"{n / 1e6:,.1f} MB"


def _parse_hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in str(text).split(",") if s.strip()]
    except ValueError:
        raise CommandError(f"--hidden takes sizes like 50 or 100,50, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise CommandError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _run_mnist(args: argparse.Namespace) -> int:
    from autograph.data.mnist import MNISTError, load_mnist
    from autograph.nn.layers import MLP
    from autograph.nn.models import TwoLayerNet
    from autograph.optim import make_optimizer

    if args.model == "cnn":
        return train_cnn.run(args)
    for flag in ("epochs", "schedule"):
        if getattr(args, flag) is not None:
            raise CommandError(f"--{flag} is for --model cnn; the MLP trains --iters steps")
    args.iters = 10000 if args.iters is None else args.iters
    args.lr = 0.1 if args.lr is None else args.lr
    args.hidden = "50" if args.hidden is None else args.hidden
    args.optimizer = args.optimizer or "sgd"
    args.init = args.init or "0.01"
    for name in ("iters", "batch"):
        if getattr(args, name) < 1:
            raise CommandError(f"--{name} must be at least 1")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise CommandError(f"--lr must be a positive finite number, got {args.lr}")
    hidden = _parse_hidden(args.hidden)
    init: Any = args.init
    try:
        init = float(init)
    except ValueError:
        if init not in ("he", "xavier"):
            raise CommandError(f"--init takes a std, 'he' or 'xavier', got {init!r}") from None
    else:
        if not (math.isfinite(init) and init >= 0):
            raise CommandError(f"--init: the std must be a finite number >= 0, got {args.init!r}")
    sizes = [MNIST_INPUTS, *hidden, MNIST_CLASSES]
    _check_memory(sizes, args.batch, np.dtype(args.dtype).itemsize)
    outputs = _prepare_outputs(args, ("plot", "save"))
    session = watching.start(args, f"MNIST {'-'.join(str(s) for s in sizes)}, {args.optimizer}")
    try:
        (x_train, t_train), (x_test, t_test) = load_mnist(
            args.data,
            verify=not args.no_verify,
            download=args.download,
            url=args.url,
            dtype=args.dtype,
        )
    except MNISTError as error:
        if session is not None:
            session.close()
        raise CommandError(str(error)) from None
    rng = np.random.default_rng(args.seed)
    print(
        f"MNIST: {len(x_train)} training and {len(x_test)} test images; net "
        f"{'-'.join(str(s) for s in sizes)} ({args.dtype}), "
        f"{args.optimizer} lr {args.lr}, batch {args.batch}, {args.iters} steps",
        flush=True,
    )
    try:
        with _watched(session):
            if len(hidden) == 1 and not isinstance(init, str):
                model: Any = TwoLayerNet(
                    x_train.shape[1], hidden[0], 10, weight_init_std=init, rng=rng, dtype=args.dtype
                )
            else:
                model = MLP(x_train.shape[1], [*hidden, 10], init=init, rng=rng, dtype=args.dtype)
            optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
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
                callback=session.watch if session else None,
            )
    except MemoryError:
        raise CommandError(
            f"not enough memory for a {'-'.join(str(s) for s in sizes)} net with --batch "
            f"{args.batch}; use smaller sizes"
        ) from None
    except TrainingDiverged as error:
        raise CommandError(str(error)) from None
    print(f"Final: train acc {history.final_train_acc:.5f}  test acc {history.final_test_acc:.5f}")
    print(f"Wall time: {history.wall_time:.1f} s")
    if "plot" in outputs:
        with writing("--plot", outputs["plot"]):
            title = "MNIST, " + args.optimizer
            print(f"wrote {plot_history(history, outputs['plot'], title=title)}")
    if "save" in outputs:
        with writing("--save", outputs["save"]):
            print(f"wrote {model.save(outputs['save'])}")
    if session is not None:
        session.done()
    return 0


_watched = watching.watched


def _run_moons(args: argparse.Namespace) -> int:
    if args.steps < 1 or args.samples < 2:
        raise CommandError("--steps must be at least 1 and --samples at least 2")
    if not (math.isfinite(args.noise) and args.noise >= 0):
        raise CommandError(f"--noise must be a finite number >= 0, got {args.noise}")
    outputs = _prepare_outputs(args, ("plot", "boundary", "save", "graph"))
    session = watching.start(args, "micrograd's moons: scalar MLP(2, [16, 16, 1])")
    try:
        with _watched(session):
            model, history, (X, y) = train_moons(
                steps=args.steps,
                n_samples=args.samples,
                noise=args.noise,
                data_seed=args.seed,
                init_seed=args.init_seed,
                quiet=args.quiet,
                log=lambda line: print(line, flush=True),
                callback=session.watch if session else None,
            )
    except (ValueError, TrainingDiverged) as error:  # bad data (make_moons), or a NaN loss
        raise CommandError(str(error)) from None
    except MemoryError:
        raise CommandError(f"not enough memory for --samples {args.samples}") from None
    accuracy = history.final_train_acc or 0.0
    print(
        f"Final: loss {history.loss[-1]:.6f}  training accuracy "
        f"{accuracy * 100:.0f}%  ({len(model.parameters())} parameters)"
    )
    print(f"Wall time: {history.wall_time:.1f} s")
    if "plot" in outputs:
        title = "moons, scalar MLP(2, [16, 16, 1])"
        with writing("--plot", outputs["plot"]):
            print(f"wrote {plot_history(history, outputs['plot'], title=title)}")
    if "boundary" in outputs:
        with writing("--boundary", outputs["boundary"]):
            print(f"wrote {plot_moons_boundary(model, X, y, outputs['boundary'])}")
    if "save" in outputs:
        with writing("--save", outputs["save"]):
            print(f"wrote {model.save(outputs['save'])}")
    if "graph" in outputs:
        try:
            written = draw_moons_graph(model, X[0], outputs["graph"])
        except Exception as error:  # the renderer's own errors (e.g. no Graphviz) are clear
            raise CommandError(f"could not draw the graph: {error}") from None
        print(f"wrote {written or outputs['graph']}")
    if session is not None:
        session.done()
    return 0
