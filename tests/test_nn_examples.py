"""The nn examples run and print the figures they promise (the quick ones only: the MNIST
examples read ../shared/data, which tests must not depend on)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_textbook_layers_example() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "textbook_layers.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "price: 715"
    assert lines[1] == (
        "dApple: 2.2, dAppleNum: 110, dOrange: 3.3000000000000003, dOrangeNum: 165, dTax: 650"
    )
    for line in lines[2:6]:  # each hand-written layer against autograph
        assert float(line.rsplit("=", 1)[1]) < 1e-12, line
    final_accuracy = float(lines[-1].rsplit(" ", 1)[1])
    assert final_accuracy >= 0.9
