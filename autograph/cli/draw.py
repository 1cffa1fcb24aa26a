"""`autograph draw`: draw a gallery graph or any expression, step through its backward pass.

    autograph draw apple -o apple.svg
    autograph draw apple-orange --style record -o shop.png
    autograph draw --expr "(x + y)**2" --set x=3 --set y=4 --trace
    autograph draw sigmoid-expanded --local-derivatives --html sigmoid.html
    autograph draw --module model.py -o model.svg     # a graph a Python file builds

Without -o, --steps, --html or --trace the DOT text goes to stdout. Expressions are parsed by
`autograph.viz.expression.build_expression` (a whitelist, never `eval`). `--module FILE` runs
the user's own Python file and draws what it defines (e.g. a PyTorch recording,
`autograph.torch.record()`): FILE:NAME picks one object, else the only drawable one.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_dir, writable_file
from autograph.viz.expression import (
    ExpressionError,
    MissingValue,
    UnusedValue,
    build_expression,
    parse_number,
)


def parse_assignments(items: list[str], exact: bool = False) -> dict[str, Any]:
    """`--set NAME=VALUE` items as a dict of numbers."""
    values: dict[str, Any] = {}
    for item in items:
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise CommandError(f"--set takes NAME=VALUE (e.g. --set x=3), got {item!r}")
        if name in values:
            raise CommandError(f"--set {name} is given twice")
        try:
            values[name] = parse_number(number, exact)
        except ExpressionError as error:
            raise CommandError(str(error)) from None
    return values


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `draw` on the `autograph` command's subparsers."""
    from autograph.viz.gallery import GALLERY

    parser = subparsers.add_parser(
        "draw",
        help="draw a computational graph (textbook figures, any expression, step-through)",
        description="Draw a gallery graph or an expression: the forward value above each "
        "edge, the gradient below it in red. Writes DOT to stdout unless -o, "
        "--steps, --html or --trace is given.",
        epilog="examples: autograph draw apple -o apple.svg | autograph draw --expr "
        "'(x + y)**2' --set x=3 --set y=4 --trace",
    )
    parser.add_argument(
        "name",
        nargs="?",
        choices=list(GALLERY),
        metavar="NAME",
        help=f"a gallery graph: {', '.join(GALLERY)}",
    )
    parser.add_argument("--expr", help='an expression to draw, e.g. "(x + y)**2"')
    parser.add_argument(
        "--module",
        metavar="FILE[:NAME]",
        help="run this Python file and draw what it defines: a PyTorch recording "
        "(autograph.torch.record()), an autograph Value/Tensor or a graph model; NAME picks "
        "one when it defines several",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable's value (repeatable); also changes gallery inputs "
        "by label, e.g. --set apple=120",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the picture: .svg .png .pdf .dot/.gv or .json"
    )
    parser.add_argument(
        "--format",
        choices=["svg", "png", "pdf", "dot", "gv", "json"],
        help="the output format (default: from the file extension)",
    )
    parser.add_argument(
        "--style",
        choices=["textbook", "record"],
        default="textbook",
        help="textbook (values on edges, default) or record (micrograd boxes)",
    )
    parser.add_argument(
        "--local-derivatives",
        action="store_true",
        help="write each edge's local derivative and upstream × local",
    )
    parser.add_argument(
        "--steps", metavar="DIR", help="write one numbered SVG per backward step into DIR"
    )
    parser.add_argument(
        "--html", metavar="FILE", help="write a self-contained step-through page (prev/next/play)"
    )
    parser.add_argument(
        "--trace", action="store_true", help="print the backward pass, one line per step"
    )
    parser.add_argument(
        "--colors",
        action="store_true",
        help="fill leaves by role (input, parameter, constant, output)",
    )
    parser.add_argument(
        "--heatmap",
        action="store_true",
        help="fill operations by |gradient| (vanishing blue, exploding red)",
    )
    parser.add_argument(
        "--collapse",
        metavar="auto|DEPTH",
        help="draw scopes as boxes: 'auto' or a depth (1 = top level)",
    )
    parser.add_argument(
        "--shapes",
        action="store_true",
        help="with --collapse: label an arrow that carries one tensor with its shape",
    )
    parser.add_argument(
        "--max-nodes",
        type=int,
        default=500,
        metavar="N",
        help="refuse graphs with more nodes than N (default 500)",
    )
    parser.add_argument(
        "--full-precision",
        action="store_true",
        help="print every digit (715.0000000000001), not 10 significant",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="use exact fractions for decimal inputs (715, 33/10 exactly)",
    )
    parser.add_argument(
        "--korean", action="store_true", help="the textbook's Korean labels for the shopping graphs"
    )
    parser.add_argument(
        "--no-backward", action="store_true", help="draw the forward pass only (for --expr)"
    )
    parser.set_defaults(func=run)
    return parser


def _drawable(obj: Any) -> bool:
    from autograph.engine.node import Node
    from autograph.viz.model import Graph

    if isinstance(obj, type | ModuleType):
        return False
    return isinstance(obj, Node | Graph) or callable(getattr(obj, "__autograph_graph__", None))


def load_drawable(spec: str) -> Any:
    """Run the Python file of `--module FILE[:NAME]` and return what it defines to draw."""
    path, _, name = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    if not Path(path).is_file():
        raise CommandError(f"--module {path}: no such file")
    try:
        namespace = runpy.run_path(path, run_name="__autograph_draw__")
    except SystemExit as error:
        raise CommandError(f"--module {path}: it exited ({error.code})") from None
    except Exception as error:  # the user's code: report it as its failure, not ours
        raise CommandError(
            f"--module {path}: running it failed: {type(error).__name__}: {error}"
        ) from None
    if name:
        if name not in namespace:
            raise CommandError(f"--module {path} defines no {name!r}")
        if not _drawable(namespace[name]):
            raise CommandError(
                f"--module {path}: {name} is a {type(namespace[name]).__name__}, which "
                "cannot be drawn"
            )
        return namespace[name]
    found = [k for k, v in namespace.items() if not k.startswith("_") and _drawable(v)]
    if not found:
        raise CommandError(
            f"--module {path} defines nothing drawable: give it a variable that holds a "
            "PyTorch recording (with autograph.torch.record() as rec: ...), an autograph "
            "Value or Tensor, or an autograph.viz.model.Graph"
        )
    if len(found) > 1:
        raise CommandError(
            f"--module {path} defines several drawable objects ({', '.join(found)}): "
            f"choose one with --module {path}:NAME"
        )
    return namespace[found[0]]


def _graph(args: argparse.Namespace) -> Any:
    from autograph.viz.gallery import build

    given = [what for what in (args.name, args.expr, args.module) if what]
    if args.name and args.expr:
        raise CommandError("give a gallery NAME or --expr, not both")
    if len(given) > 1:
        raise CommandError("give --module alone, not with a gallery NAME or --expr")
    if not given:
        raise CommandError(
            "nothing to draw: give a gallery NAME (e.g. apple), --expr or --module FILE"
        )
    if args.module:
        if args.set or args.no_backward or args.exact or args.korean:
            raise CommandError(
                "--set, --no-backward, --exact and --korean are for gallery graphs and "
                "--expr; --module draws what the file built"
            )
        return load_drawable(args.module)
    values = parse_assignments(args.set, args.exact)
    if args.expr:
        try:
            root = build_expression(args.expr, values, args.exact)
        except MissingValue as error:
            raise CommandError(
                f"--expr: {error.name} has no value; pass --set {error.name}=NUMBER"
            ) from None
        except UnusedValue as error:
            raise CommandError(
                f"--set gives {', '.join(error.names)}, which --expr does not use"
            ) from None
        except ExpressionError as error:
            raise CommandError(f"--expr: {error}") from None
        except (ArithmeticError, ValueError) as error:  # 1/0 with exact numbers, overflow
            raise CommandError(f"--expr {args.expr!r}: {type(error).__name__}: {error}") from None
        if not args.no_backward:
            try:
                root.backward()
            except (ArithmeticError, ValueError) as error:
                raise CommandError(
                    f"--expr {args.expr!r}: {type(error).__name__}: {error}"
                ) from None
        return root
    if args.no_backward:
        raise CommandError(
            "--no-backward is for --expr (the gallery graphs are drawn after backward)"
        )
    try:
        root = build(args.name, values, lang="ko" if args.korean else "en", exact=args.exact)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise CommandError(f"{args.name}: {error}") from None
    return root


def run(args: argparse.Namespace) -> int:
    from autograph.viz.dot import GraphTooLarge, to_dot
    from autograph.viz.render import GraphvizNotFound, draw, format_for

    root = _graph(args)
    collapse: Any = args.collapse
    if collapse is not None and collapse != "auto":
        try:
            collapse = int(collapse)
        except ValueError:
            raise CommandError(f"--collapse takes 'auto' or a depth, got {collapse!r}") from None
    options: dict[str, Any] = {
        "style": args.style,
        "local_derivatives": args.local_derivatives,
        "colors": args.colors,
        "heatmap": args.heatmap,
        "collapse": collapse,
        "shapes": args.shapes,
        "max_nodes": args.max_nodes,
        "precision": None if args.full_precision else 10,
    }
    if args.no_backward:
        options["show_grads"] = False  # a forward-only picture, on purpose: no warning
    if args.format and not args.output:
        raise CommandError("--format needs -o FILE")
    if args.max_nodes is not None and args.max_nodes < 1:
        raise CommandError(f"--max-nodes must be at least 1, got {args.max_nodes}")
    if args.format and args.output:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        known = {"svg", "png", "pdf", "dot", "gv", "json"}
        if suffix in known and suffix != args.format and {suffix, args.format} != {"dot", "gv"}:
            raise CommandError(
                f"-o {args.output} has the extension .{suffix} but --format is {args.format}"
            )
    if args.output:
        writable_file(args.output, "-o")
    if args.html:
        writable_file(args.html, "--html")
    if args.steps:
        writable_dir(args.steps, "--steps")
    try:
        fmt = format_for(args.output, args.format) if args.output else None
        if fmt in ("svg", "png", "pdf") or args.steps or args.html:
            from autograph.viz.render import require_dot

            require_dot()  # fail before doing any work
        did = False
        if args.trace:
            from autograph.viz.trace import trace

            text = trace(root, precision=options["precision"])
            print(text or "no backward steps: the graph is a single leaf")
            did = True
        if args.output:
            path = draw(root, **options).save(args.output, fmt)
            print(f"wrote {path}", file=sys.stderr)
            did = True
        if args.steps:
            from autograph.viz.trace import write_frames

            paths = write_frames(root, args.steps, **options)
            print(f"wrote {len(paths)} frames to {Path(args.steps)}", file=sys.stderr)
            did = True
        if args.html:
            from autograph.viz.player import write_player

            title = f"autograph: {args.name or args.expr or args.module}"
            path = write_player(root, args.html, title=title, **options)
            print(f"wrote {path}", file=sys.stderr)
            did = True
        if not did:
            sys.stdout.write(to_dot(root, **options))
    except GraphvizNotFound as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        raise CommandError(f"cannot write{where}: {error.strerror or error}") from None
    except (GraphTooLarge, ValueError) as error:
        raise CommandError(str(error)) from None
    return 0
