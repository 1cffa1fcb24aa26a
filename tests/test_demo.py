"""`autograph demo`, the main job: shopping figures, rendered graphs, a trained net."""

import shutil
import subprocess
import sys

import pytest


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "autograph", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot (scripts/setup.sh)")
def test_demo_renders_the_shopping_graphs_and_trains(tmp_path):
    result = run_cli("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "price 715, dApple 11/5, dAppleNum 110, dOrange 33/10, dOrangeNum 165, dTax 650" in (
        result.stdout
    )
    graphs = tmp_path / "graphs"
    for name in (
        "apple.svg",
        "apple.png",
        "apple-orange.svg",
        "apple-orange.png",
        "apple.html",
        "apple-orange.html",
    ):
        assert (graphs / name).stat().st_size > 500, name
    assert "715" in (graphs / "apple-orange.svg").read_text()
    assert list((tmp_path / "training").glob("*.png"))
    accuracy = [line for line in result.stdout.splitlines() if "test_acc" in line]
    assert accuracy and float(accuracy[0].split(":")[1]) > 0.9


def test_demo_without_graphviz_fails_with_install_advice(tmp_path):
    result = run_cli("demo", "--out", str(tmp_path), env={"PATH": str(tmp_path)})
    assert result.returncode == 2
    assert "apt-get install graphviz" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_conventions():
    assert run_cli("--help").returncode == 0
    bad = run_cli("frobnicate")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
