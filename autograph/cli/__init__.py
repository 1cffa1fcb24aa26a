"""The `autograph` command: `draw` (pictures), `train` (nets), `demo` (the main job).

One module per command, each with `add_parser(subparsers)` and `run(args)`; they parse
arguments, call library functions and turn the library's exceptions into `CommandError`
(printed as `autograph: ...`, exit code 2). Nothing below this package imports it.
"""

from autograph.cli.errors import CommandError
from autograph.cli.main import build_parser, main

__all__ = ["CommandError", "build_parser", "main"]
