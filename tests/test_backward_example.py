"""docs/backward.md's example runs and prints what the page shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_write_your_own_backward_example(tmp_path) -> None:
    pytest.importorskip("graphviz")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "write_your_own_backward.py"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    lines = run.stdout.splitlines()
    assert lines[0] == "price 715  dApple 2.2  dAppleNum 110  dOrange 3.3  dOrangeNum 165  dTax 650"
    assert "Cube: d/dx [0.75, 12.0]  d2/dx2 [3.0, 12.0]" in lines
    assert "ok     Sigmoid" in lines
    wrong = next(line for line in lines if line.startswith("WRONG  BrokenSigmoid: dx["))
    assert "got 0.5 expected 0.25 (input x, minimal example x=[[0." in wrong
    svg = (tmp_path / "BrokenSigmoid.svg").read_text()
    assert "got [[0.5]" in svg and "expected [[0.25]" in svg
    assert (tmp_path / "BrokenSigmoid.png").exists()
    assert (
        svg.count("MulLayer") == 0 and "MulLayer" in (tmp_path / "shopping-layers.svg").read_text()
    )
