"""`autograph COMMAND ...`: the parser of every command, and `main`, which runs one."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from autograph.cli import check, compare, demo, draw, train
from autograph.cli.errors import CommandError


def build_parser() -> argparse.ArgumentParser:
    from autograph import __version__

    parser = argparse.ArgumentParser(
        prog="autograph",
        description="An autograd engine whose computational graphs you can see.",
    )
    parser.add_argument("--version", action="version", version=f"autograph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    draw.add_parser(subparsers)
    train.add_parser(subparsers)
    demo.add_parser(subparsers)
    compare.add_parser(subparsers)
    check.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input, 130 interrupted)."""
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
    except BrokenPipeError:  # e.g. `autograph draw apple | head`: the reader left
        # Python flushes stdout at exit, which would fail again: send the rest nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        print(
            "autograph: not enough memory for this run (are the sizes given too large?)",
            file=sys.stderr,
        )
        return 2
    except OSError as error:  # a file the command could not read or write
        where = f"{error.filename}: " if error.filename else ""
        print(f"autograph: {where}{error.strerror or error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
