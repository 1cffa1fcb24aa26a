"""`autograph train spiral`: a small Tensor MLP on the three-arm spiral (the quick demo's
net), with the same watching flags as the other targets (`--live`, `--replay`).

Arguments and output places are checked before training; every problem is `autograph: ...`
on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from autograph.cli import watching
from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_file, writing


def add_target(targets: Any, run: Callable[[argparse.Namespace], int]) -> None:
    """Register `spiral` on `autograph train`'s targets."""
    spiral = targets.add_parser(
        "spiral",
        help="a small Tensor MLP(2, [64, 3]) on the three-arm spiral",
        description="Train MLP(2, [hidden, 3]) with Adam on the three-arm spiral (100 points "
        "per arm; the test set is drawn with the next seed).",
    )
    spiral.add_argument("--iters", type=int, default=600, help="training steps (600)")
    spiral.add_argument("--points", type=int, default=100, help="points per arm (100)")
    spiral.add_argument("--hidden", type=int, default=64, help="hidden layer size (64)")
    spiral.add_argument("--lr", type=float, default=0.02, help="Adam's learning rate (0.02)")
    spiral.add_argument("--batch", type=int, default=30, help="mini-batch size (30)")
    spiral.add_argument("--seed", type=int, default=0)
    spiral.add_argument("--plot", metavar="PNG", help="write loss and accuracy plots here")
    spiral.add_argument("--save", metavar="NPZ", help="save the trained weights here")
    spiral.add_argument("--quiet", action="store_true", help="no progress bar")
    watching.add_flags(spiral)
    spiral.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from autograph.nn.module import npz_path
    from autograph.training import TrainingDiverged, plot_history
    from autograph.training.demos import train_spiral

    for name in ("iters", "points", "hidden", "batch"):
        if getattr(args, name) < 1:
            raise CommandError(f"--{name} must be at least 1")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise CommandError(f"--lr must be a positive finite number, got {args.lr}")
    plot = writable_file(args.plot, "--plot") if args.plot else None
    save = writable_file(npz_path(args.save), "--save") if args.save else None
    session = watching.start(args, f"spiral: MLP(2, [{args.hidden}, 3]), Adam")
    print(
        f"spiral: 3 arms of {args.points} points; MLP(2, [{args.hidden}, 3]), Adam lr "
        f"{args.lr}, batch {args.batch}, {args.iters} steps",
        flush=True,
    )
    try:
        with watching.watched(session):
            model, history, _ = train_spiral(
                iters=args.iters,
                points=args.points,
                hidden=args.hidden,
                lr=args.lr,
                batch_size=args.batch,
                seed=args.seed,
                quiet=args.quiet,
                log=lambda line: print(line, flush=True),
                callback=session.watch if session else None,
            )
    except TrainingDiverged as error:
        raise CommandError(str(error)) from None
    print(f"Final: train acc {history.final_train_acc:.5f}  test acc {history.final_test_acc:.5f}")
    print(f"Wall time: {history.wall_time:.1f} s")
    for flag, target, write in (
        ("--plot", plot, lambda p: plot_history(history, p, title="spiral, Adam")),
        ("--save", save, model.save),
    ):
        if target is not None:
            with writing(flag, target):
                print(f"wrote {write(target)}")
    if session is not None:
        session.done()
    return 0
