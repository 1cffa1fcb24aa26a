"""`autograph compare optimizers|init|batchnorm|dropout|all`: the comparisons of the
textbook's chapter 6 on MNIST, each writing its figure (PNG) into --out.

The output directory is created and checked, and the data loaded, before any training.
Each default run takes a minute or two on two cores (the book's settings: 2,000
iterations for the optimizers and inits, 1,000 images for batch norm, 300 for dropout).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_dir

COMPARISONS = ("optimizers", "init", "batchnorm", "dropout")
FILES = {
    "optimizers": ["optimizers.png"],
    "init": ["weight_init_histograms.png", "weight_init.png"],
    "batchnorm": ["batch_norm.png"],
    "dropout": ["dropout.png"],
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `autograph compare` on an argparse subparsers object."""
    parser = subparsers.add_parser(
        "compare",
        help="the comparisons of the textbook's ch. 6 (optimizers, weight init, batch norm, "
        "dropout), as figures",
        description="Run a comparison of the textbook's chapter 6 on MNIST and write its "
        "figure: optimizers.png; weight_init_histograms.png and weight_init.png; "
        "batch_norm.png; dropout.png.",
    )
    parser.add_argument("what", choices=[*COMPARISONS, "all"], help="which comparison")
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="directory with the four MNIST .gz files (default: $AUTOGRAPH_MNIST, "
        "else ~/.autograph/mnist)",
    )
    parser.add_argument("--out", metavar="DIR", default=".", help="where the PNGs go (.)")
    parser.add_argument(
        "--iters", type=int, default=2000, help="optimizers, init: training steps (2000)"
    )
    parser.add_argument("--epochs", type=int, help="batchnorm: epochs (20); dropout: epochs (301)")
    parser.add_argument(
        "--activation",
        default="relu",
        choices=["relu", "sigmoid", "tanh"],
        help="init: the activation of the histograms (relu)",
    )
    parser.add_argument("--ratio", type=float, default=0.2, help="dropout: the ratio (0.2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--download",
        action="store_true",
        help="download missing MNIST files (from --url or $AUTOGRAPH_MNIST_URL)",
    )
    parser.add_argument("--url", help="where --download fetches the files from")
    parser.add_argument("--no-verify", action="store_true", help="skip the MNIST MD5 checks")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)
    return parser


def _say(line: str) -> None:
    print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    from autograph.data.mnist import MNISTError, load_mnist

    if args.iters < 1 or (args.epochs is not None and args.epochs < 1):
        raise CommandError("--iters and --epochs must be at least 1")
    if not 0.0 < args.ratio < 1.0:
        raise CommandError(f"--ratio must be between 0 and 1, got {args.ratio}")
    out = writable_dir(args.out, "--out")
    try:
        data = load_mnist(
            args.data, verify=not args.no_verify, download=args.download, url=args.url
        )
    except MNISTError as error:
        raise CommandError(str(error)) from None
    chosen = COMPARISONS if args.what == "all" else (args.what,)
    runners: dict[str, Callable[..., list[Path]]] = {
        "optimizers": _optimizers,
        "init": _init,
        "batchnorm": _batch_norm,
        "dropout": _dropout,
    }
    for what in chosen:
        _say(f"== {what}")
        for path in runners[what](args, data, out):
            _say(f"wrote {path}")
    return 0


def _optimizers(args: argparse.Namespace, data: Any, out: Path) -> list[Path]:
    from autograph.training.compare import compare_optimizers, optimizer_paths
    from autograph.training.compare_plots import plot_optimizers

    (x, t), _ = data
    runs = compare_optimizers(x, t, iters=args.iters, seed=args.seed, quiet=args.quiet, log=_say)
    return [plot_optimizers(runs, optimizer_paths(), out / FILES["optimizers"][0])]


def _init(args: argparse.Namespace, data: Any, out: Path) -> list[Path]:
    from autograph.training.compare import activation_histograms, compare_inits
    from autograph.training.compare_plots import plot_init_histograms, plot_inits

    (x, t), _ = data
    histograms = activation_histograms(args.activation, seed=args.seed)
    first = plot_init_histograms(histograms, args.activation, out / FILES["init"][0])
    runs = compare_inits(x, t, iters=args.iters, seed=args.seed, quiet=args.quiet, log=_say)
    return [first, plot_inits(runs, out / FILES["init"][1])]


def _batch_norm(args: argparse.Namespace, data: Any, out: Path) -> list[Path]:
    from autograph.training.compare import compare_batch_norm
    from autograph.training.compare_plots import plot_batch_norm

    (x, t), _ = data
    epochs = args.epochs or 20
    runs = compare_batch_norm(x, t, epochs=epochs, seed=args.seed, quiet=args.quiet, log=_say)
    return [plot_batch_norm(runs, out / FILES["batchnorm"][0])]


def _dropout(args: argparse.Namespace, data: Any, out: Path) -> list[Path]:
    from autograph.training.compare import compare_dropout
    from autograph.training.compare_plots import plot_dropout

    (x, t), (xt, tt) = data
    runs = compare_dropout(
        x,
        t,
        xt,
        tt,
        ratio=args.ratio,
        epochs=args.epochs or 301,
        seed=args.seed,
        quiet=args.quiet,
        log=_say,
    )
    return [plot_dropout(runs, out / FILES["dropout"][0])]
