"""The `autograph` command as a whole: bad destinations are refused before any work, with
`autograph: ...` on stderr and exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograph.cli import main


def _blocked(tmp_path: Path) -> Path:
    """A path whose parent is a regular file: nothing can ever be created under it."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    return blocker / "sub"


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--out", "{blocked}"],
        ["draw", "apple", "-o", "{blocked}/a.svg"],
        ["draw", "apple", "--html", "{blocked}/a.html"],
        ["draw", "apple", "--steps", "{blocked}/frames"],
        ["draw", "apple", "-o", "{tmp}/" + "n" * 300 + ".svg"],
    ],
)
def test_unwritable_destinations_exit_2_before_work(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(blocked=_blocked(tmp_path), tmp=tmp_path) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr()
    assert err.err.startswith("autograph: ") and "Traceback" not in err.err
    assert "cannot" in err.err
    assert err.out == ""  # refused before printing any result
