"""Pictures that read well (issue 12): collapsed big graphs in order with bundled arrows and
uncovered titles, one style whether collapsed or not, no internal ids, a leaf's total
gradient, captions that name nodes as their circles do, exact numbers beside floats."""

from __future__ import annotations

import random
import re
import shutil
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograph import Value, scope
from autograph.nn.scalar import MLP
from autograph.viz import frame_dots, render_source, to_dot, trace
from autograph.viz.expression import build_expression
from autograph.viz.gallery import apple, apple_orange, build, micrograd_step
from autograph.viz.player import player_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
SVG = "{http://www.w3.org/2000/svg}"


def moons_score() -> Value:
    """The graph `autograph train moons --graph` draws: one prediction of MLP(2, [16, 16, 1])."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    score = model([0.5, -0.3])
    score.backward()
    return score


def _groups(svg: bytes) -> dict[str, ET.Element]:
    return {
        g.find(f"{SVG}title").text: g
        for g in ET.fromstring(svg).iter(f"{SVG}g")
        if g.get("class") in ("node", "edge", "cluster")
    }


# -- collapsed big graphs ----------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("which", ["moons", "micrograd_step"])
def test_collapsed_neurons_are_in_order_top_to_bottom(which: str) -> None:
    if which == "moons":
        dot = to_dot(moons_score(), collapse="auto", max_nodes=150)
    else:
        loss = micrograd_step(points=3)
        loss.backward()
        dot = to_dot(loss, collapse="auto", max_nodes=200)
    layers: dict[str, list[tuple[int, float]]] = {}
    for title, g in _groups(render_source(dot, "svg")).items():
        if g.get("class") != "node" or not re.fullmatch(r"b\d+", title):
            continue
        first = g.find(f".//{SVG}text")
        match = re.fullmatch(r"neuron(\d+)", first.text or "")
        if match:
            layer = g.find(f".//{SVG}a").get("{http://www.w3.org/1999/xlink}title")
            layers.setdefault(layer.rsplit("/", 1)[0], []).append(
                (int(match.group(1)), float(first.get("y")))
            )
    assert len([ys for ys in layers.values() if len(ys) == 16]) == 2, layers.keys()
    for layer, found in layers.items():
        by_number = [y for _, y in sorted(found)]
        assert by_number == sorted(by_number), (layer, sorted(found))


def test_arrows_between_collapsed_layers_are_bundled_with_a_count() -> None:
    dot = to_dot(moons_score(), collapse="auto", max_nodes=150)
    visible = [e for e in re.findall(r"^\s*(b\d+ -> b\d+.*)$", dot, re.M) if "invis" not in e]
    counts = sorted(re.search(r'label="([\d,]+) edges"', e).group(1) for e in visible)
    assert counts == ["16", "256", "32"]  # inputs -> layer0, layer0 -> layer1, layer1 -> out
    assert all("lhead=cluster_" in e for e in visible)  # ending at the layer's border
    # the pairs are not drawn (a 16 × 16 bar); only chains keeping each layer in order
    hidden = [e for e in re.findall(r"^\s*(b\d+ -> .*)$", dot, re.M) if "invis" in e]
    assert len(hidden) == 2 and all(e.count("->") == 15 for e in hidden)


def _bezier_points(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of cubic Béziers (Graphviz's edges: `M p C p p p p p p ...`)."""
    numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
    pts = list(zip(numbers[0::2], numbers[1::2], strict=False))
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for t in (j / 20 for j in range(1, 21)):
            u = 1 - t
            out.append(
                tuple(
                    u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * e
                    for a, b, c, e in zip(p0, p1, p2, p3, strict=True)
                )
            )
    return out


@needs_dot
@pytest.mark.parametrize("which", ["moons", "micrograd_step", "partial"])
def test_arrows_never_cross_a_cluster_title(which: str) -> None:
    if which == "moons":
        dot = to_dot(moons_score(), collapse="auto", max_nodes=150)
    else:
        loss = micrograd_step(points=3 if which == "micrograd_step" else 1, sizes=(2, 4, 4, 1))
        loss.backward()
        collapse = "auto" if which == "micrograd_step" else ["mlp/layer0"]
        dot = to_dot(loss, collapse=collapse, max_nodes=60 if which != "partial" else None)
    groups = _groups(render_source(dot, "svg"))
    titles = []
    for g in groups.values():
        if g.get("class") == "cluster":
            t = g.find(f".//{SVG}text")
            x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
            half = 0.3 * size * len(t.text)  # DejaVu Sans: about 0.6 em per character
            titles.append((t.text, x - half, x + half, y - size, y + 0.25 * size))
    assert titles
    for title, g in groups.items():
        if g.get("class") != "edge":
            continue
        for path in g.iter(f"{SVG}path"):
            for px, py in _bezier_points(path.get("d")):
                for name, x0, x1, y0, y1 in titles:
                    assert not (x0 <= px <= x1 and y0 <= py <= y1), (title, name)


def test_collapsing_a_graph_without_scopes_changes_nothing() -> None:
    price = apple()
    assert to_dot(price, collapse=1) == to_dot(price)
    z = build_expression("(x + 1) * 2 - x", {"x": 3})
    z.backward()
    for style in ("textbook", "record"):
        assert to_dot(z, collapse=1, style=style) == to_dot(z, style=style)


def test_collapsed_boxes_keep_values_and_gradients_on_edges_to_nodes() -> None:
    loss = micrograd_step(points=1, sizes=(2, 3, 1))
    loss.backward()
    dot = to_dot(loss, collapse=["mlp/layer0"], max_nodes=None)
    # the three tanh outputs of the collapsed layer enter the next layer through junctions
    into_layer1 = re.findall(r"^\s*b\d+ -> (e\d+_\d+):m:w \[arrowhead=none\]", dot, re.M)
    assert len(into_layer1) == 3
    for j in into_layer1:
        row = re.search(rf"^\s*{j} \[shape=plain label=<(.*)> tooltip", dot, re.M).group(1)
        assert 'COLOR="#d62728"' in row  # its gradient, in red
    assert "shape=circle" in dot  # the rest keeps the textbook's circles


# -- no internal ids anywhere a person reads ---------------------------------------------

ID = re.compile(r"\b(?:n|b|e)\d+(?:_\d+)?\b")


def _read_by_people(dot: str) -> list[str]:
    """Every label's text (tags stripped) and every tooltip of a DOT text."""
    texts = []
    for label in re.findall(r"label=<(.*?)>[\];]", dot):
        texts.append(re.sub(r"<[^>]*>", " ", label))
    texts += re.findall(r'tooltip="([^"]*)"', dot)
    texts += re.findall(r'label="([^"]*)"', dot)
    return texts


def test_no_internal_ids_in_labels_tooltips_or_captions() -> None:
    x = Value(3.0)  # unnamed leaves, as in micrograd's examples
    with scope("layer"):
        y = (x * 2 + 1).relu() ** 2 + Value(1.5)
    y.backward()
    dots = [
        to_dot(y, **options)
        for options in (
            {},
            {"style": "record"},
            {"collapse": 1},
            {"collapse": 1, "style": "record"},
            {"colors": True, "heatmap": True, "local_derivatives": True},
        )
    ]
    dots += frame_dots(y)
    dots.append(to_dot(moons_score(), collapse="auto", max_nodes=150))
    for dot in dots:
        for text in _read_by_people(dot):
            assert not ID.search(text), text
    assert not ID.search(trace(y))


# -- a leaf's total gradient ---------------------------------------------------------------


def _leaf_rows(dot: str, label: str) -> list[str]:
    match = re.search(rf"^\s*n\d+ \[shape=plaintext label=<(.*)> tooltip=\"{label}\"\]", dot, re.M)
    assert match, label
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<TD[^>]*>(.*?)</TD>", match.group(1))]


def test_a_leafs_total_gradient_is_shown_where_edges_do_not_tell_it() -> None:
    x = Value(2.0, label="x")
    y = x * x + x
    y.backward()
    assert _leaf_rows(to_dot(y), "x") == ["x", "grad 5"]  # edges carry 2, 2 and 1
    assert "grad 2.2" not in to_dot(apple())  # used once: the edge already says it
    y.backward()  # accumulated: 10, while one pass sends 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _leaf_rows(to_dot(y), "x") == ["x", "grad 10"]
        a = Value(3.0, label="a")
        b = a * 4
        b.backward()
        b.backward()
        assert _leaf_rows(to_dot(b), "a") == ["a", "grad 8"]  # used once, twice the pass
    # frames: the total appears with the last step, drawn invisibly before (same layout)
    frames = frame_dots(x * x + x, captions=False)
    assert 'COLOR="transparent" POINT-SIZE="10">grad 5<' in frames[0]
    assert 'COLOR="#d62728" POINT-SIZE="10">grad 5<' in frames[-1]


# -- captions --------------------------------------------------------------------------------


def test_captions_name_nodes_as_their_circles_do() -> None:
    z = build_expression("log(x) + 1", {"x": 1})
    assert trace(z).splitlines() == [
        "step 1/2: +1 (= 1) with upstream 1: log (= 0) gets 1 × 1 = 1",
        "step 2/2: log (= 0) with upstream 1: x gets 1 × 1 = 1",
    ]
    assert "log(0)" not in trace(z) and "+(" not in trace(z)
    assert trace(build("chain-rule")).startswith("step 1/2: z = **2 with upstream 1: t gets")
    expanded = trace(build("sigmoid-expanded"))
    assert "step 1/4: y = 1÷ with upstream 1: +1 (= 2) gets" in expanded
    assert "×(-1) (= 0) with upstream -0.25: x gets -0.25 × -1 = 0.25" in expanded
    frames = frame_dots(z)
    assert "+1 (= 1) with upstream 1" in frames[1]


@needs_dot
def test_player_names_nodes_as_their_circles_do() -> None:
    page = player_html(build_expression("log(x) + 1", {"x": 1}))
    assert '"name": "log (= 0)"' in page and '"name": "+1 (= 1)"' in page


# -- exact numbers, and local derivatives of constants ------------------------------------


@needs_dot
def test_exact_shows_where_floats_would_differ(tmp_path: Path) -> None:
    from tests.test_viz_trace import run_draw

    assert run_draw(["apple-orange", "-o", str(tmp_path / "float.svg")]) == 0
    assert run_draw(["apple-orange", "--exact", "-o", str(tmp_path / "exact.svg")]) == 0
    plain = (tmp_path / "float.svg").read_text(encoding="utf-8")
    exact = (tmp_path / "exact.svg").read_text(encoding="utf-8")
    assert plain != exact
    for note in ("float 715.0000000000001", "float 3.3000000000000003", "float 110.00000000000001"):
        assert note in exact and note not in plain
    record = to_dot(apple_orange(exact=True), style="record")
    assert "float 3.3000000000000003" in record and "float 715.0000000000001" in record


def test_record_style_has_no_local_derivative_for_a_constant_exponent() -> None:
    x = Value(3.0, label="x")
    y = x**2
    y.backward()
    dot = to_dot(y, style="record", local_derivatives=True)
    assert re.findall(r"local ([^<]*)<", dot) == ["6"]  # d(x**2)/dx only


def test_collapsed_pictures_are_the_same_in_every_process() -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys; from autograph.viz.gallery import micrograd_step; "
        "from autograph.viz import to_dot; l = micrograd_step(points=2); l.backward(); "
        "sys.stdout.write(to_dot(l, collapse='auto', max_nodes=60, heatmap=True) + "
        "to_dot(l, collapse=2, style='record'))"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            cwd=root,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        ).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1
