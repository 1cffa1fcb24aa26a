"""The shopping examples print every figure of the textbook (floats and exact)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "shopping.py"), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_shopping_float_figures():
    out = run()
    assert "price 220.00000000000003" in out  # 100 * 2 * 1.1 in floating point
    assert "dApple 2.2  dAppleNum 110.00000000000001  dTax 200.0\n" in out
    assert "price 715.0000000000001" in out
    assert "dOrange 3.3000000000000003  dOrangeNum 165.0  dTax 650.0\n" in out
    assert "(x + y)**2 = 49.0  dz/dx 14.0  dz/dy 14.0" in out


def test_shopping_exact_figures():
    out = run("--exact")
    assert "price 220\n" in out
    assert "dApple 11/5  dAppleNum 110  dTax 200\n" in out
    assert "price 715\n" in out
    assert "dApple 11/5  dAppleNum 110  dOrange 33/10  dOrangeNum 165  dTax 650\n" in out
