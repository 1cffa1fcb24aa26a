"""`autograph demo`: the main job. Prints the shopping figures, renders the shopping graphs
(SVG, PNG and the step-through HTML player) and trains a small net, writing its plots."""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

from autograph import Value


def shopping_figures() -> list[str]:
    """The apple-and-orange figures of the notes, computed by one backward() call."""
    lines = []
    for tax in (1.1, Fraction(11, 10)):
        apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
        orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
        tax_ = Value(tax, "tax")
        price = (apple * apple_num + orange * orange_num) * tax_
        price.backward()
        kind = "exact" if isinstance(tax, Fraction) else "float"
        lines.append(
            f"apple+orange ({kind}): price {price.data}, dApple {apple.grad}, "
            f"dAppleNum {apple_num.grad}, dOrange {orange.grad}, "
            f"dOrangeNum {orange_num.grad}, dTax {tax_.grad}"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    from autograph.cli import CommandError
    from autograph.train import train_small_demo
    from autograph.viz.gallery import render_gallery
    from autograph.viz.render import GraphvizNotFound

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create output directory {out}: {error}") from None
    start = time.perf_counter()
    for line in shopping_figures():
        print(line)
    try:
        paths = render_gallery(out / "graphs")
    except GraphvizNotFound as error:
        raise CommandError(str(error)) from None
    print(f"rendered {len(paths)} files into {out / 'graphs'}:")
    for path in paths:
        print(f"  {path}")
    result = train_small_demo(out / "training")
    print("trained a small net:")
    for key, value in result.items():
        print(f"  {key}: {value}")
    print(f"done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the main job: shopping graphs and a small trained net",
        description=__doc__,
    )
    parser.add_argument("--out", default="out", help="output directory (default: out)")
    parser.set_defaults(func=run)
