"""Habits people bring along: graphviz's `render`/`view`, micrograd's `draw_dot`, and the
classic slips the drawing warns about (no backward yet; several backwards, no zero_grad)."""

from __future__ import annotations

import inspect
import shutil
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from autograph import Tensor, Value
from autograph.viz import Drawing, GraphvizNotFound, draw, draw_dot, save, to_dict, to_dot
from autograph.viz import render as render_module
from autograph.viz.gallery import apple

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
NEVER = r"backward\(\) has not run on this graph .* call root\.backward\(\) before drawing"


# -- warnings ---------------------------------------------------------------------------


def test_drawing_before_backward_warns_and_says_what_to_do(tmp_path: Path) -> None:
    x = Value(2.0, label="x")
    y = x * 3
    for make in (
        lambda: to_dot(y),
        lambda: draw(y),
        lambda: save(y, tmp_path / "y.dot"),
        lambda: to_dict(y),
        lambda: to_dot(y, style="record"),
    ):
        with pytest.warns(UserWarning, match=NEVER) as record:
            make()
        assert len(record) == 1
        assert record[0].filename == __file__  # pointed at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_dot(y, show_grads=False)  # a forward-only picture, on purpose
        to_dot(Value(2.0, requires_grad=False) * 3)  # nothing could have a gradient
        y.backward()
        to_dot(y)


def test_tensor_graph_before_backward_warns() -> None:
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    with pytest.warns(UserWarning, match=NEVER):
        to_dot((w * 2).sum())


def _no_warning(make) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make()


def test_accumulated_gradients_are_pointed_out() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    _no_warning(lambda: to_dot(y))
    y.backward()  # no zero_grad(): x.grad is now 8, one pass sends 4
    stale = r"over several backward\(\) calls \(x: \.grad is 8 but one backward pass sends it 4\)"
    with pytest.warns(UserWarning, match=stale):
        to_dot(y)
    with pytest.warns(UserWarning, match=r"call zero_grad\(\) before each backward\(\)"):
        draw(y)
    _no_warning(lambda: to_dot(y, show_grads=False))
    y.zero_grad()
    y.backward()
    _no_warning(lambda: to_dot(y))


def test_accumulated_over_two_losses_and_for_tensors_and_fractions() -> None:
    w = Value(Fraction(1, 3), label="w")
    first, second = w * 3, w * 5
    first.backward()
    second.backward()  # w.grad = 8: more than the pass from `second` sends
    with pytest.warns(UserWarning, match=r"w: \.grad is 8 but one backward pass sends it 5"):
        to_dot(second)
    t = Tensor(np.ones(2, dtype="float32"), requires_grad=True, label="t")
    loss = (t * 0.1).sum()
    loss.backward()
    _no_warning(lambda: to_dot(loss))  # float32 rounding is not "accumulated"
    loss.backward()
    with pytest.warns(UserWarning, match="t: .grad is"):
        to_dot(loss)


# -- graphviz's render and view ------------------------------------------------------------


@needs_dot
def test_render_like_graphviz(tmp_path: Path) -> None:
    drawing = draw(apple())
    path = drawing.render("shop", directory=tmp_path)
    assert path == str(tmp_path / "shop.svg")
    assert Path(path).read_text(encoding="utf-8").lstrip().startswith("<")
    assert (tmp_path / "shop").read_text(encoding="utf-8") == drawing.source  # the source
    path = drawing.render("shop2", directory=tmp_path, format="png", cleanup=True)
    assert Path(path).read_bytes().startswith(b"\x89PNG") and not (tmp_path / "shop2").exists()
    out = drawing.render(outfile=tmp_path / "out" / "shop.pdf")
    assert out == str(tmp_path / "out" / "shop.pdf") and Path(out).read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match="cannot render to 'gif'"):
        drawing.render("x", directory=tmp_path, format="gif")
    signature = inspect.signature(Drawing.render)
    assert list(signature.parameters)[1:6] == ["filename", "directory", "view", "cleanup", "format"]


@needs_dot
def test_view_opens_the_rendered_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graphviz
    import graphviz.backend.viewing as viewing

    opened = []  # graphviz opens it with xdg-open, open or startfile, by platform
    monkeypatch.setattr(
        graphviz.Source,
        f"_view_{viewing.PLATFORM}",
        staticmethod(lambda path, quiet: opened.append(path)),
    )
    path = draw(apple()).view("shop", directory=tmp_path)
    assert opened == [path] and Path(path).exists()


def test_render_without_dot_fails_early(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        draw(apple()).render("x", directory=tmp_path)
    assert not (tmp_path / "x").exists()


# -- micrograd's draw_dot ---------------------------------------------------------------


def test_draw_dot_takes_micrograds_arguments() -> None:
    params = inspect.signature(draw_dot).parameters
    assert [(p.name, p.default) for p in list(params.values())[:3]] == [
        ("root", inspect.Parameter.empty),
        ("format", "svg"),
        ("rankdir", "LR"),
    ]
    # micrograd's notebook, line for line
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot(y)
    assert isinstance(dot, Drawing) and dot.format == "svg"
    assert "rankdir=LR" in dot.source and "grad 1" in dot.source  # micrograd's boxes
    tb = draw_dot(y, format="png", rankdir="TB")
    assert tb.format == "png" and "rankdir=TB" in tb.source
    assert "shape=circle" in draw_dot(y, style="textbook").source
    with pytest.raises(ValueError, match="unknown rankdir 'BT'"):
        draw_dot(y, rankdir="BT")
    with pytest.raises(ValueError, match="cannot render to 'jpg'"):
        draw_dot(y, format="jpg")


@needs_dot
def test_draw_dot_displays_and_renders(tmp_path: Path) -> None:
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot(y, format="png")
    assert "<svg" in dot._repr_svg_()  # Jupyter shows it inline
    assert dot.render("gout", directory=tmp_path) == str(tmp_path / "gout.png")
    assert (tmp_path / "gout.png").read_bytes().startswith(b"\x89PNG")
