"""`autograph demo`: the main job. Prints the shopping figures, renders the shopping graphs
(SVG, PNG and the step-through HTML player) and trains a small net, writing its plots."""

from __future__ import annotations

import argparse
import sys
import time

from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_dir
from autograph.engine.node import walk
from autograph.training.demos import train_small_demo
from autograph.viz.gallery import build, render_gallery
from autograph.viz.render import GraphvizNotFound


def shopping_figures() -> list[str]:
    """The apple-and-orange figures of the notes (the gallery's graph, after backward), in
    floats and in exact arithmetic."""
    lines = []
    for exact in (False, True):
        price = build("apple-orange", exact=exact)
        leaf = {node.label: node for node in walk(price) if node.is_leaf}
        kind = "exact" if exact else "float"
        lines.append(
            f"apple+orange ({kind}): price {price.data}, dApple {leaf['apple'].grad}, "
            f"dAppleNum {leaf['apple_num'].grad}, dOrange {leaf['orange'].grad}, "
            f"dOrangeNum {leaf['orange_num'].grad}, dTax {leaf['tax'].grad}"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    out = writable_dir(args.out, "--out")
    writable_dir(out / "graphs", "--out")
    writable_dir(out / "training", "--out")
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
