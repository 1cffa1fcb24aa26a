"""Destinations checked before the work starts, so that nothing is lost to a bad path.

Each check really creates what it checks (the directory, or the file, removed again if it
did not exist), so a read-only place, a missing permission or a name too long for the file
system is reported as `CommandError` before any training or rendering.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from autograph.cli.errors import CommandError


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@contextlib.contextmanager
def writing(flag: str, target: str | os.PathLike[str]) -> Iterator[None]:
    """Report a write that fails after the work anyway (a full disk) as a CommandError
    naming the option and the file."""
    try:
        yield
    except OSError as error:
        raise CommandError(f"{flag}: could not write {target} ({_reason(error)})") from None


def writable_file(path: str | os.PathLike[str], flag: str) -> Path:
    """`path` once its directory exists and a file can be written there (`flag` names the
    option in errors, e.g. "--plot")."""
    target = Path(path).expanduser()
    try:
        if target.is_dir():
            raise CommandError(f"{flag} {path}: is a directory; give a file name")
        existed = target.exists()
    except OSError as error:  # e.g. a name too long for the file system
        raise CommandError(f"{flag} {path}: cannot write this file ({_reason(error)})") from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"{flag} {path}: cannot create the directory {target.parent} ({_reason(error)})"
        ) from None
    try:
        with open(target, "ab"):
            pass
        if not existed:
            target.unlink()
    except OSError as error:
        raise CommandError(f"{flag} {path}: cannot write this file ({_reason(error)})") from None
    return target


def writable_dir(path: str | os.PathLike[str], flag: str) -> Path:
    """`path` once it exists as a directory in which files can be written."""
    target = Path(path).expanduser()
    if target.exists() and not target.is_dir():
        raise CommandError(f"{flag} {path}: exists and is not a directory")
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as error:
        raise CommandError(f"{flag} {path}: cannot write into it ({_reason(error)})") from None
    return target
