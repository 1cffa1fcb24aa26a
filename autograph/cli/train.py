"""`autograph train mnist|moons`: the textbook's MNIST net, or micrograd's moons MLP.

Arguments are checked, and the outputs' destinations created and checked, before any
training starts (nothing is lost after minutes of work).
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograph.cli import train_cnn
from autograph.cli.errors import CommandError
from autograph.training import (
    draw_moons_graph,
    fit,
    plot_history,
    plot_moons_boundary,
    train_moons,
)


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
    mnist.add_argument(
        "--model",
        choices=["mlp", "cnn"],
        default="mlp",
        help="mlp: the two-layer net (default); cnn: the textbook's SimpleConvNet (ch. 7), "
        "with its settings: Adam, lr 0.001, batch 100, 5 epochs",
    )
    mnist.add_argument("--iters", type=int, help="training steps (mlp: 10000)")
    mnist.add_argument("--epochs", type=int, help="cnn: passes over the training set (5)")
    mnist.add_argument("--batch", type=int, default=100, help="mini-batch size (100)")
    mnist.add_argument("--lr", type=float, help="learning rate (mlp: 0.1, cnn: 0.001)")
    mnist.add_argument(
        "--hidden",
        help="hidden layer size, or sizes like 100,50 for a deeper MLP (mlp: 50, cnn: 100)",
    )
    mnist.add_argument(
        "--optimizer",
        choices=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
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
    moons.set_defaults(func=run)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.target == "mnist":
        return _run_mnist(args)
    if args.target == "moons":
        return _run_moons(args)
    raise CommandError(f"unknown training target {args.target!r}")


def _prepare_outputs(args: argparse.Namespace, options: tuple[str, ...]) -> None:
    """Create the directories of the output files now, before training, and fail now (as a
    CommandError) if one cannot be written: not after minutes of training."""
    for option in options:
        path = getattr(args, option, None)
        if not path:
            continue
        flag, target = f"--{option}", Path(path).expanduser()
        if target.is_dir():
            raise CommandError(f"{flag} {path}: is a directory; give a file name")
        parent = target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"{flag} {path}: cannot create the directory {parent} ({error.strerror or error})"
            ) from None
        if not os.access(parent, os.W_OK):
            raise CommandError(f"{flag} {path}: the directory {parent} is not writable")


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
    from autograph.nn.optim import make_optimizer

    if args.model == "cnn":
        return train_cnn.run(args)
    if args.epochs is not None:
        raise CommandError("--epochs is for --model cnn; the MLP trains --iters steps")
    args.iters = 10000 if args.iters is None else args.iters
    args.lr = 0.1 if args.lr is None else args.lr
    args.hidden = "50" if args.hidden is None else args.hidden
    args.optimizer = args.optimizer or "sgd"
    args.init = args.init or "0.01"
    if not args.data:
        raise CommandError(
            "train mnist: pass --data DIR, the directory holding the four "
            "MNIST .gz files (or set $AUTOGRAPH_MNIST_DIR)"
        )
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
        raise CommandError(str(error)) from None
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


def _run_moons(args: argparse.Namespace) -> int:
    if args.steps < 1 or args.samples < 2:
        raise CommandError("--steps must be at least 1 and --samples at least 2")
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
    accuracy = history.final_train_acc or 0.0
    print(
        f"Final: loss {history.loss[-1]:.6f}  training accuracy "
        f"{accuracy * 100:.0f}%  ({len(model.parameters())} parameters)"
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
            raise CommandError(f"could not draw the graph: {error}") from None
        print(f"wrote {written or graph}")
    return 0
