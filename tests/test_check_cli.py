"""`autograph check FILE.py`: the notes' layers pass, the two broken ones are named and drawn."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograph.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "tests" / "data" / "ch5_layers.py"
CORRECT = ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"]
BROKEN = ["BrokenSigmoid", "BrokenAffine"]


def test_the_notes_layers_pass_and_the_two_broken_ones_are_named(tmp_path) -> None:
    """The acceptance run, end to end, as a learner types it. (Its time, under 30 s, is
    measured and reported outside the test suite: the suite asserts no timings.)"""
    out = tmp_path / "pictures"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "autograph", "check", str(LAYERS), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    verdicts = {line.split()[1].rstrip(":"): line.split()[0] for line in lines[:8]}
    assert verdicts == {**dict.fromkeys(CORRECT, "ok"), **dict.fromkeys(BROKEN, "WRONG")}
    # the minimal examples (x = 0, dout = 1: got 1/2 where y(1 - y) = 1/4; db not summed)
    sigmoid = next(line for line in lines if line.startswith("WRONG  BrokenSigmoid"))
    assert re.search(
        r": dx\[\d, \d\] got 0.5 expected 0.25 \(input x, minimal example x=\[\[0\.", sigmoid
    )
    affine = next(line for line in lines if line.startswith("WRONG  BrokenAffine"))
    shape = r"db has shape \(\d, (\d)\), expected \(\1,\) like b: not summed over the batch"
    assert re.search(shape, affine)
    relu = next(line for line in lines if line.startswith("ok     Relu"))
    assert "warning: backward writes into dout in place" in relu
    assert "8 checked in" in run.stdout and "6 ok, 2 wrong" in run.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{n}.{ext}" for n in BROKEN for ext in ("png", "svg"))
    for name in BROKEN:
        svg = (out / f"{name}.svg").read_text()
        assert name in svg and "got" in svg and "expected" in svg
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_name_picks_and_all_ok_exits_0_without_leaving_a_directory(tmp_path, capsys) -> None:
    out = tmp_path / "never"
    code, stdout, _ = _main(
        capsys, "check", str(LAYERS), "--name", "Sigmoid", "--name", "AddLayer", "--out", str(out)
    )
    assert code == 0
    assert [line.split()[:2] for line in stdout.splitlines()[:2]] == [
        ["ok", "Sigmoid"],
        ["ok", "AddLayer"],
    ]
    assert not out.exists()


def test_bad_input_exits_2_with_the_problem_named(tmp_path, capsys) -> None:
    code, _, err = _main(capsys, "check", str(LAYERS), "--name", "Nope")
    assert code == 2 and "autograph: " in err and "no op named Nope (found: MulLayer" in err

    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\n\nclass A:\n    x = undefined_name\n")
    code, _, err = _main(capsys, "check", str(broken))
    assert code == 2
    assert f"{broken} does not import: line 4: NameError: name 'undefined_name'" in err
    assert "Traceback" not in err

    broken.write_text("def f(:\n")
    code, _, err = _main(capsys, "check", str(broken))
    assert code == 2 and "does not import: line 1: SyntaxError" in err

    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    code, _, err = _main(capsys, "check", str(empty))
    assert code == 2 and "no custom ops found" in err

    code, _, err = _main(capsys, "check", str(tmp_path / "missing.py"))
    assert code == 2 and "not a Python file" in err

    a_file = tmp_path / "a_file"
    a_file.write_text("")
    code, _, err = _main(capsys, "check", str(LAYERS), "--out", str(a_file))
    assert code == 2 and "--out" in err and "not a directory" in err


def test_an_op_that_cannot_be_inferred_is_reported_and_exits_2(tmp_path, capsys) -> None:
    source = tmp_path / "scale.py"
    source.write_text(
        textwrap.dedent(
            """
            class Scale:
                def __init__(self, gamma):
                    self.gamma = gamma

                def forward(self, x):
                    return x * self.gamma

                def backward(self, dout):
                    return dout * self.gamma
            """
        )
    )
    code, stdout, err = _main(capsys, "check", str(source), "--out", str(tmp_path / "o"))
    assert code == 2
    assert stdout.startswith("??     Scale: cannot check: Scale: its constructor takes gamma")
    assert "could not check Scale" in err


def test_base_classes_are_skipped_and_main_blocks_do_not_run(tmp_path, capsys) -> None:
    source = tmp_path / "layers.py"
    source.write_text(
        textwrap.dedent(
            """
            import numpy as np

            class Layer:
                def forward(self, x):
                    raise NotImplementedError

                def backward(self, dout):
                    raise NotImplementedError

            class Tanh(Layer):
                def forward(self, x):
                    self.out = np.tanh(x)
                    return self.out

                def backward(self, dout):
                    return dout * (1 - self.out**2)

            if __name__ == "__main__":
                raise SystemExit("a notebook's training loop")
            """
        )
    )
    code, stdout, _ = _main(capsys, "check", str(source), "--out", str(tmp_path / "o"))
    assert code == 0, stdout
    lines = stdout.splitlines()
    assert lines[0] == "skip   Layer: forward or backward is not implemented"
    assert lines[1] == "ok     Tanh" and "1 checked in" in lines[2]


def test_function_subclasses_are_found_too(tmp_path, capsys) -> None:
    source = tmp_path / "ops.py"
    source.write_text(
        textwrap.dedent(
            """
            from autograph import Function

            class Square(Function):
                @staticmethod
                def forward(ctx, x):
                    ctx.save_for_backward(x)
                    return x * x

                @staticmethod
                def backward(ctx, grad):
                    (x,) = ctx.saved_tensors
                    return grad * x  # forgets the 2
            """
        )
    )
    code, stdout, _ = _main(capsys, "check", str(source), "--out", str(tmp_path / "o"))
    assert code == 1 and stdout.startswith("WRONG  Square: dx")
    assert "Function" not in [line.split()[1] for line in stdout.splitlines()[:1]]


@pytest.mark.parametrize("option", ["--examples=0", "--examples=-3"])
def test_examples_must_be_positive(capsys, option) -> None:
    code, _, err = _main(capsys, "check", str(LAYERS), option)
    assert code == 2 and "--examples must be at least 1" in err
