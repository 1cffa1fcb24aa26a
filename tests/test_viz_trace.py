"""Step-through backward (trace text, frames), JSON export, doctests, and `autograph draw`."""

from __future__ import annotations

import argparse
import doctest
import importlib
import json
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from autograph import Tensor, Value, walk
from autograph.cli import CommandError
from autograph.cli.draw import add_parser
from autograph.viz import frame_dots, record_steps, to_dict, to_json, trace, write_frames
from autograph.viz import render as render_module
from autograph.viz.expression import build_expression
from autograph.viz.gallery import apple, apple_orange

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


# -- trace -----------------------------------------------------------------------------


def test_trace_apple_orange() -> None:
    price = apple_orange()
    before = [n.grad for n in walk(price)]
    text = trace(price)
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[0] == (
        "step 1/4: price = × with upstream 1: + (= 650) gets 1 × 1.1 = 1.1; tax gets 1 × 650 = 650"
    )
    assert lines[1] == (
        "step 2/4: + (= 650) with upstream 1.1: × (= 200) gets 1.1 × 1 = 1.1; "
        "× (= 450) gets 1.1 × 1 = 1.1"
    )
    assert "orange gets 1.1 × 3 = 3.3; orange_num gets 1.1 × 150 = 165" in text
    assert "apple gets 1.1 × 2 = 2.2; apple_num gets 1.1 × 100 = 110" in text
    assert [n.grad for n in walk(price)] == before  # tracing stores nothing


def test_trace_does_not_touch_grads_and_matches_backward() -> None:
    x = Value(2.0, label="x")
    y = x * x + x
    graph = record_steps(y)  # the model, with the backward pass as `steps`
    seed, steps = graph.seed, graph.steps
    assert x.grad == 0 and seed == 1.0
    got = sum(g for s in steps for _i, p, _l, g in s.inputs if graph.nodes[p].label == "x")
    y.backward()
    assert got == x.grad == 5.0


def test_trace_tensor_has_no_local_number() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    loss = (w * w).sum()
    text = trace(loss)
    # w * w: each of the two edges carries upstream × the other input
    assert text.count("w gets [1, 2]") == 2 and "local" not in text


def test_module_doctests() -> None:
    for name in (
        "autograph.viz",
        "autograph.viz.trace",
        "autograph.viz.fmt",
        "autograph.viz.dot",
        "autograph.viz.expand",
        "autograph.viz.render",
        "autograph.viz.expression",
    ):
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0 and result.attempted > 0, name


# -- frames ----------------------------------------------------------------------------


def test_frames_reveal_gradients_one_step_at_a_time() -> None:
    dots = frame_dots(apple(), captions=False)
    assert len(dots) == 3  # forward, then two multiply steps
    red = [len(re.findall(r'COLOR="#d62728"', d)) for d in dots]
    assert red == [1, 3, 5]  # the seed, then two more gradients per step
    # numbers to come are drawn invisibly, so the layout of every frame is the same
    strip = [re.sub(r'COLOR="(#d62728|transparent)"', "", d) for d in dots]
    strip = [re.sub(r' style=filled fillcolor="#fff1a8"| penwidth=2.5', "", d) for d in strip]
    assert strip[0] == strip[1] == strip[2]
    assert 'fillcolor="#fff1a8"' in dots[1] and 'fillcolor="#fff1a8"' not in dots[0]
    last = frame_dots(apple(), captions=False)[-1]
    assert "transparent" not in last
    with_captions = frame_dots(apple())
    assert "1 × 1.1 = 1.1" in with_captions[1]


@needs_dot
def test_write_frames(tmp_path: Path) -> None:
    paths = write_frames(apple_orange(), tmp_path / "frames")
    assert [p.name for p in paths] == [f"frame_{n:03d}.svg" for n in range(5)]
    assert "3.3" in paths[-1].read_text(encoding="utf-8")


def test_record_frames() -> None:
    dots = frame_dots(apple(), style="record", captions=False)
    assert "grad 2.2" in dots[-1] and 'COLOR="transparent">grad 2.2' in dots[0]


# -- JSON ------------------------------------------------------------------------------


def test_json_export() -> None:
    data = json.loads(to_json(apple_orange(exact=True)))
    assert data["format"] == "autograph-graph" and data["root"] == "n8"
    by_label = {n["label"]: n for n in data["nodes"] if n["label"]}
    assert by_label["price"]["data"] == 715 and by_label["price"]["text"]["data"] == "715"
    assert by_label["orange"]["exact"]["grad"] == "33/10"
    assert by_label["orange"]["text"]["grad"] == "3.3"
    assert by_label["tax"]["role"] == "input" and by_label["price"]["role"] == "output"
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    tax = by_label["tax"]["id"]
    assert edges[(tax, "n8")]["grad"] == 650
    assert len(data["edges"]) == 8


def test_json_tensors_and_non_finite() -> None:
    x = Tensor([[1.0, float("nan")]], requires_grad=True, label="x")
    y = (x * 2).sum()
    y.backward()
    data = to_dict(y)
    node = next(n for n in data["nodes"] if n["label"] == "x")
    assert node["shape"] == [1, 2] and node["dtype"] == "float64"
    assert node["data"] == [[1.0, "nan"]] and node["grad"] == [[2.0, 2.0]]
    json.loads(to_json(y))  # strict JSON: no NaN literal


# -- the command -----------------------------------------------------------------------


def run_draw(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="autograph")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["draw", *argv])
    return args.func(args)


def test_expr_trace(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_draw(["--expr", "(x + y)**2", "--set", "x=3", "--set", "y=4", "--trace"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "step 1/2: **2 (= 49) with upstream 1: + (= 7) gets 1 × 14 = 14\n"
        "step 2/2: + (= 7) with upstream 14: x gets 14 × 1 = 14; "
        "y gets 14 × 1 = 14\n"
    )


def test_expr_dot_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_draw(["--expr", "sigmoid(x * 2) - exp(-x) / 3", "--set", "x=1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph autograph {") and ">σ<" in out and ">exp<" in out


def test_expr_exact() -> None:
    z = build_expression("a * 1.1", {"a": Fraction(3)}, exact=True)
    assert z.data == Fraction(33, 10)


@pytest.mark.parametrize(
    "expr, message",
    [
        ("__import__('os').system('x')", "only one-argument calls"),
        ("x.real", "Attribute is not allowed"),
        ("x if x else y", "IfExp is not allowed"),
        ("[x]", "List is not allowed"),
        ("x @ x", "BinOp is not allowed"),
        ("(x +", "cannot parse"),
        ("y * 2", "y has no value; pass --set y=NUMBER"),
        ("'a' * x", "is not a number"),
        ("3 * 4", "no variables"),
        ("exp", "is a function"),
    ],
)
def test_expr_rejected(expr: str, message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run_draw(["--expr", expr, "--set", "x=1"] if "y" not in expr else ["--expr", expr])


def test_command_errors() -> None:
    with pytest.raises(CommandError, match="nothing to draw"):
        run_draw([])
    with pytest.raises(CommandError, match="not both"):
        run_draw(["apple", "--expr", "x", "--set", "x=1"])
    with pytest.raises(CommandError, match="NAME=VALUE"):
        run_draw(["--expr", "x", "--set", "x"])
    with pytest.raises(CommandError, match="not a number"):
        run_draw(["--expr", "x", "--set", "x=abc"])
    with pytest.raises(CommandError, match="unknown format"):
        run_draw(["apple", "-o", "a.xyz"])
    with pytest.raises(CommandError, match="collapse"):
        run_draw(["--expr", "x" + " + x" * 600, "--set", "x=1"])
    with pytest.raises(SystemExit):
        run_draw(["banana"])
    with pytest.raises(CommandError, match="apple has no input banana"):
        run_draw(["apple", "--set", "banana=3"])


def test_frames_refuse_long_backward_passes() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(201):
        y = y * 1.01
    with pytest.raises(ValueError, match="201 steps, more than max_steps=200"):
        frame_dots(y)
    assert len(frame_dots(y, max_steps=None, captions=False)) == 202


def test_command_without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="apt-get install graphviz"):
        run_draw(["apple", "-o", str(tmp_path / "a.png")])
    with pytest.raises(CommandError, match="apt-get install graphviz"):
        run_draw(["apple", "--html", str(tmp_path / "a.html")])
    assert run_draw(["apple", "-o", str(tmp_path / "a.dot")]) == 0
    assert run_draw(["apple-orange", "-o", str(tmp_path / "a.json")]) == 0
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["nodes"]


@needs_dot
def test_command_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_draw(["apple-orange", "-o", str(tmp_path / "shop.svg"), "--korean"]) == 0
    assert "귤" in (tmp_path / "shop.svg").read_text(encoding="utf-8")
    assert (
        run_draw(["apple", "-o", str(tmp_path / "a.out"), "--format", "png", "--style", "record"])
        == 0
    )
    assert (tmp_path / "a.out").read_bytes().startswith(b"\x89PNG")
    assert (
        run_draw(
            [
                "sigmoid-expanded",
                "--local-derivatives",
                "--steps",
                str(tmp_path / "steps"),
                "--html",
                str(tmp_path / "s.html"),
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "steps").glob("frame_*.svg"))) == 5
    assert "<svg" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert run_draw(["apple", "--set", "apple=120", "-o", str(tmp_path / "b.dot")]) == 0
    assert ">120<" in (tmp_path / "b.dot").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().err


def test_full_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    from autograph import cli

    parser = cli.build_parser()
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["draw", "--help"])
    assert info.value.code == 0
    assert "--local-derivatives" in capsys.readouterr().out
    assert cli.main(["draw", "--expr", "x * 2", "--set", "x=nope"]) == 2
    assert "autograph: not a number" in capsys.readouterr().err


def test_draw_refuses_ambiguous_input(capsys: pytest.CaptureFixture[str]) -> None:
    from autograph.cli import CommandError

    with pytest.raises(CommandError, match="--set x is given twice"):
        run_draw(["--expr", "x", "--set", "x=3", "--set", "x=4"])
    with pytest.raises(CommandError, match="--no-backward is for --expr"):
        run_draw(["apple", "--no-backward"])
    assert run_draw(["--expr", "x", "--set", "x=3", "--trace"]) == 0
    assert "single leaf" in capsys.readouterr().out


def test_tensor_trace_is_one_line_per_step() -> None:
    import numpy as np

    from autograph import Tensor

    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="x")
    lines = trace((x * x).relu().sum()).splitlines()
    assert len(lines) == 3 and all(line.startswith("step ") for line in lines)
    assert lines[0] == "step 1/3: Σ (= 55) with upstream 1: ReLU (2×3) gets [[1, 1, 1], [1, 1, 1]]"
    assert lines[-1].endswith("x gets [[0, 1, 2], [3, 4, 5]]; x gets [[0, 1, 2], [3, 4, 5]]")
