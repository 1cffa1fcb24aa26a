"""`autograph check FILE.py`: check the hand-written backward of every custom op in a file.

Imports FILE.py (as a module: code under `if __name__ == "__main__":` does not run), finds
the `autograph.Function` subclasses and the textbook-style layer classes (with `forward`
and `backward` methods) defined in it, or those named with `--name`, checks each with
`autograph.testing.check_op` (Hypothesis against central differences), prints one line per
op and writes a picture of each failure into `--out`. A class whose forward or backward
raises NotImplementedError (a base class) is skipped.

Exit status: 1 if any op is wrong; otherwise 2 if one could not be checked (what to feed it
could not be inferred), else 0. Bad input (a file that does not import, an unknown --name,
a destination that cannot be written) is reported as `autograph: ...` with status 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
import traceback
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_dir
from autograph.engine.function import Function
from autograph.engine.layer import is_layer
from autograph.testing.check import DEFAULT_EXAMPLES, MutatesGradientWarning, check_op
from autograph.testing.infer import SpecError


def load(path: Path) -> ModuleType:
    """Import the user's file as a module (its directory first on the path, so it can
    import its neighbours); CommandError showing where and why when it does not import."""
    name = "autograph_check_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CommandError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent.resolve()))
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        sys.modules.pop(name, None)
        raise CommandError(f"{path} does not import: {_where(error, path)}") from None
    finally:
        sys.path.remove(str(path.parent.resolve()))
    return module


def _where(error: BaseException, path: Path) -> str:
    """`line 12: NameError: name 'np' is not defined`, at the last line of the user's file."""
    what = f"{type(error).__name__}: {error}"
    if isinstance(error, SyntaxError) and error.lineno:
        return f"line {error.lineno}: SyntaxError: {error.msg}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    return f"line {frames[-1].lineno}: {what}" if frames else what


def find_ops(module: ModuleType) -> dict[str, Any]:
    """The Function subclasses and layer classes the module defines, in file order."""
    found = {}
    for name, obj in vars(module).items():
        if not isinstance(obj, type) or obj.__module__ != module.__name__:
            continue
        if (issubclass(obj, Function) and obj is not Function) or is_layer(obj):
            found[name] = obj
    return found


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.suffix != ".py" or not path.is_file():
        raise CommandError(f"{args.file}: not a Python file")
    if args.examples < 1:
        raise CommandError(f"--examples must be at least 1, got {args.examples}")
    out = Path(args.out).expanduser()
    existed = out.exists()
    writable_dir(out, "--out")
    start = time.perf_counter()
    ops = find_ops(load(path))
    if args.name:
        unknown = [n for n in args.name if n not in ops]
        if unknown:
            known = ", ".join(ops) or "none"
            raise CommandError(f"{path}: no op named {', '.join(unknown)} (found: {known})")
        ops = {n: ops[n] for n in args.name}
    if not ops:
        raise CommandError(
            f"{path}: no custom ops found (autograph.Function subclasses, or classes with "
            "forward and backward methods)"
        )
    wrong, unchecked, skipped, pictures = [], [], [], []
    for name, op in ops.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MutatesGradientWarning)  # in the line below
                result = check_op(op, max_examples=args.examples, raise_exception=False)
        except SpecError as error:
            if isinstance(error.__cause__, NotImplementedError):  # a base class
                print(f"skip   {name}: forward or backward is not implemented", flush=True)
                skipped.append(name)
                continue
            print(f"??     {name}: cannot check: {error}", flush=True)
            unchecked.append(name)
            continue
        print(result.line(), flush=True)
        if not result.ok:
            wrong.append(name)
            pictures += result.save_picture(out)
    seconds = time.perf_counter() - start
    checked = len(ops) - len(skipped)
    print(
        f"{checked} checked in {seconds:.1f} s: {checked - len(wrong) - len(unchecked)} ok, "
        f"{len(wrong)} wrong" + (f", {len(unchecked)} not checked" if unchecked else "")
    )
    if pictures:
        print(f"pictures of the failures in {out}:")
        for picture in pictures:
            print(f"  {picture}")
    elif not existed and not any(out.iterdir()):
        out.rmdir()  # made only to check it could be written
    if wrong:
        return 1
    if unchecked:
        print(f"autograph: could not check {', '.join(unchecked)} (see above)", file=sys.stderr)
        return 2
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the hand-written backward of the custom ops in a Python file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.py", help="the file defining the ops")
    parser.add_argument(
        "--name", action="append", default=[], help="check only this op (repeatable)"
    )
    parser.add_argument(
        "--out",
        default="autograph-check",
        help="directory for the pictures of failures (default: %(default)s)",
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        help="Hypothesis examples per op (default: %(default)s)",
    )
    parser.set_defaults(func=run)
