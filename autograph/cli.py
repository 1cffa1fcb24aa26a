"""The `autograph` command: `draw` (pictures), `train` (nets), `demo` (the main job).

Each subcommand lives with the part of the product it belongs to and registers itself here
through an `add_parser(subparsers)` function that sets `func` (returns an exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class CommandError(Exception):
    """A problem with the user's input: printed to stderr as `autograph: ...`, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    from autograph import __version__
    from autograph.demo import add_parser as add_demo
    from autograph.train import add_parser as add_train
    from autograph.viz.command import add_parser as add_draw

    parser = argparse.ArgumentParser(
        prog="autograph",
        description="An autograd engine whose computational graphs you can see.",
    )
    parser.add_argument("--version", action="version", version=f"autograph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_draw(subparsers)
    add_train(subparsers)
    add_demo(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as error:
        print(f"autograph: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograph: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
