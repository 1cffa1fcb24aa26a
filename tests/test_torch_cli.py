"""`autograph draw --module FILE[:NAME]`: draw what a user's Python file builds."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from autograph.cli.main import main

MLP = textwrap.dedent(
    """
    import torch
    import autograph.torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())
    with autograph.torch.record(model) as rec:
        loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward()
    """
)


def write(tmp_path, text, name="model.py"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_draws_the_recording_a_file_defines(tmp_path, capsys):
    pytest.importorskip("torch")
    path = write(tmp_path, MLP)
    assert main(["draw", "--module", str(path), "--trace"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("step 1/") and "0.weight gets" in out
    assert main(["draw", "--module", f"{path}:rec", "-o", str(tmp_path / "g.json")]) == 0
    assert '"scope_separator": "."' in (tmp_path / "g.json").read_text(encoding="utf-8")
    if shutil.which("dot"):
        assert main(["draw", "--module", str(path), "-o", str(tmp_path / "g.svg")]) == 0
        assert "0.weight" in (tmp_path / "g.svg").read_text(encoding="utf-8")


def test_an_autograph_value_in_a_file_draws_too(tmp_path, capsys):
    path = write(tmp_path, "from autograph import Value\nz = Value(3, 'x') * 2\nz.backward()\n")
    assert main(["draw", "--module", str(path)]) == 0
    assert capsys.readouterr().out.startswith("digraph")


@pytest.mark.parametrize(
    ("text", "spec", "message"),
    [
        ("x = 1\n", "", "defines nothing drawable"),
        ("raise KeyError('oops')\n", "", "running it failed: KeyError: 'oops'"),
        ("import sys\nsys.exit(3)\n", "", "it exited (3)"),
        (
            "from autograph import Value\na = Value(1)\nb = Value(2)\n",
            "",
            "several drawable objects (a, b): choose one with --module",
        ),
        ("x = 1\n", ":y", "defines no 'y'"),
        ("x = 1\n", ":x", "x is a int, which cannot be drawn"),
    ],
)
def test_a_file_that_draws_nothing_is_a_clear_error(tmp_path, capsys, text, spec, message):
    path = write(tmp_path, text)
    assert main(["draw", "--module", f"{path}{spec}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograph: ") and message in err and "Traceback" not in err


def test_module_is_one_of_the_sources(tmp_path, capsys):
    path = write(tmp_path, "x = 1\n")
    assert main(["draw", "apple", "--module", str(path)]) == 2
    assert "give --module alone" in capsys.readouterr().err
    assert main(["draw", "--module", str(tmp_path / "missing.py")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["draw", "--module", str(path), "--set", "x=1"]) == 2
    assert "--module draws what the file built" in capsys.readouterr().err


def test_the_examples_draw_from_the_command_line(capsys):
    pytest.importorskip("torch")
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples"
    assert main(["draw", "--module", str(examples / "torch_mlp.py"), "--trace"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("step 1/7: loss = nll_loss with upstream 1:")
    assert main(["draw", "--module", f"{examples / 'torch_check.py'}:report"]) == 0
    dot = capsys.readouterr().out
    assert "got [0.5, 1, 1.5]" in dot and "expected [1, 2, 3]" in dot
