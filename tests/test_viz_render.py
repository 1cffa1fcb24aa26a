"""Rendering through Graphviz: SVG parsed as XML with every textbook number on its edge,
PNG with Hangul glyphs, and the early, helpful failure when `dot` is missing."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograph import Value
from autograph.viz import GraphvizNotFound, draw, render_source, save, to_dot
from autograph.viz import render as render_module
from autograph.viz.adapter import analyze
from autograph.viz.gallery import apple, apple_orange, build, render_gallery
from autograph.viz.labels import GRAD_COLOR

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)
SVG = "{http://www.w3.org/2000/svg}"


def svg_groups(svg: bytes | str) -> dict[str, list[tuple[str, str | None, float]]]:
    """title of each node/edge group -> its texts as (text, fill, y), top to bottom."""
    root = ET.fromstring(svg)
    groups = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") not in ("node", "edge"):
            continue
        title = g.find(f"{SVG}title").text
        texts = [(t.text or "", t.get("fill"), float(t.get("y"))) for t in g.iter(f"{SVG}text")]
        groups[title] = sorted(texts, key=lambda item: item[2])
    return groups


def edge_numbers(groups: dict, junction: str) -> tuple[str, str, bool]:
    """(value, gradient, value drawn above gradient) of an edge's junction."""
    texts = groups[junction]
    values = [t for t in texts if t[1] in (None, "black")]
    grads = [t for t in texts if t[1] == GRAD_COLOR]
    assert len(values) == 1 and len(grads) == 1, texts
    return values[0][0], grads[0][0], values[0][2] < grads[0][2]


def leaf_junction(root: Value, label: str) -> str:
    graph = analyze(root)
    k = next(k for k, n in enumerate(graph.nodes) if n.label == label)
    ((c, i),) = graph.uses[k]
    return f"e{c}_{i}"


@needs_dot
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_apple_svg_numbers_on_the_right_edges(lang: str) -> None:
    price = apple(lang=lang)
    groups = svg_groups(render_source(to_dot(price), "svg"))
    names = {"en": ("apple", "apple_num", "tax"), "ko": ("사과", "사과 개수", "소비세")}[lang]
    for label, value, grad in zip(names, ["100", "2", "1.1"], ["2.2", "110", "200"], strict=True):
        j = leaf_junction(price, label)
        assert edge_numbers(groups, j) == (value, grad, True)
        # the drawn line really connects that leaf to that junction
        k = analyze(price).nodes.index(next(n for n in analyze(price).nodes if n.label == label))
        assert f"n{k}->{j}:w" in groups and f"{j}:e->n{analyze(price).uses[k][0][0]}" in groups
        assert groups[f"n{k}"][0][0] == label  # the leaf's name, at the left end
    assert edge_numbers(groups, "e_out") == ("220", "1", True)
    mul = [t for t in groups if t.startswith("e") and "->" not in t]
    assert sorted(edge_numbers(groups, j)[:2] for j in mul) == sorted(
        [("100", "2.2"), ("2", "110"), ("200", "1.1"), ("1.1", "200"), ("220", "1")]
    )


@needs_dot
def test_apple_orange_svg_numbers() -> None:
    price = apple_orange()
    groups = svg_groups(render_source(to_dot(price), "svg"))
    for label, value, grad in [
        ("apple", "100", "2.2"),
        ("apple_num", "2", "110"),
        ("orange", "150", "3.3"),
        ("orange_num", "3", "165"),
        ("tax", "1.1", "650"),
    ]:
        assert edge_numbers(groups, leaf_junction(price, label)) == (value, grad, True)
    junctions = [t for t in groups if t.startswith("e") and "->" not in t]
    pairs = sorted(edge_numbers(groups, j)[:2] for j in junctions)
    assert pairs == sorted(
        [
            ("100", "2.2"),
            ("2", "110"),
            ("150", "3.3"),
            ("3", "165"),
            ("200", "1.1"),
            ("450", "1.1"),
            ("650", "1.1"),
            ("1.1", "650"),
            ("715", "1"),
        ]
    )
    # the textbook's circles
    ops = sorted(groups[f"n{k}"][0][0] for k, n in enumerate(analyze(price).nodes) if n.op)
    assert ops == ["+", "×", "×", "×"]


@needs_dot
def test_record_style_svg() -> None:
    groups = svg_groups(draw(apple(), style="record").svg())
    texts = [t[0] for g in groups.values() for t in g]
    for expected in ("data 100", "grad 2.2", "data 220", "grad 1", "grad 110", "grad 200"):
        assert expected in texts


@needs_dot
@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is missing")
def test_hangul_png_has_real_glyphs(tmp_path: Path) -> None:
    """A font covers Hangul (the set-up installs fonts-nanum), our font list names it, and
    two different Hangul words give different pixels."""
    import subprocess

    from autograph.viz.labels import FONT

    covering = subprocess.run(
        ["fc-list", ":charset=c0ac", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert covering.strip(), "no font draws Hangul: apt-get install fonts-nanum"
    families = {f.strip() for line in covering.splitlines() for f in line.split(",")}
    assert any(name in families for name in FONT.split(",")), (FONT, families)
    pngs = []
    for word in ("사과", "소비"):
        x = Value(1.0, label=word)
        pngs.append(render_source(to_dot(x * 2, show_grads=False), "png"))
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert pngs[0] != pngs[1]
    out = save(apple_orange(lang="ko"), tmp_path / "shop.png")
    assert out.read_bytes().startswith(b"\x89PNG")


@needs_dot
def test_save_formats(tmp_path: Path) -> None:
    price = apple()
    assert save(price, tmp_path / "a.svg").read_text(encoding="utf-8").lstrip().startswith("<")
    assert save(price, tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert save(price, tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in draw(price)._repr_svg_()


@needs_dot
def test_render_gallery(tmp_path: Path) -> None:
    paths = render_gallery(tmp_path)
    names = {p.name for p in paths}
    for name in (
        "apple.svg",
        "apple.png",
        "apple-orange.svg",
        "apple-orange.png",
        "apple.html",
        "apple-orange.html",
        "sigmoid-expanded.svg",
        "chain-rule.png",
        "apple-orange-ko.png",
        "apple-orange-record.svg",
    ):
        assert name in names and (tmp_path / name).stat().st_size > 0
    ET.fromstring((tmp_path / "sigmoid.svg").read_bytes())


def test_without_dot_text_works_and_rendering_fails_early(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    price = build("apple")
    assert save(price, tmp_path / "a.dot").read_text(encoding="utf-8").startswith("digraph")
    assert '"nodes"' in save(price, tmp_path / "a.json").read_text(encoding="utf-8")
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        save(price, tmp_path / "a.svg")
    assert not (tmp_path / "a.svg").exists()
    assert draw(price)._repr_svg_() is None
    with pytest.raises(GraphvizNotFound):
        render_gallery(tmp_path / "g")


@needs_dot
def test_inputs_are_drawn_in_argument_order():
    # `b - a` must never read as a - b: input 0 above input 1 at every op
    from autograph.viz.expression import build_expression

    root = build_expression("(b - a) / (d - c)", {"a": 2, "b": 10, "c": 1, "d": 3})
    root.backward()
    groups = svg_groups(render_source(to_dot(root), "svg"))
    y = {
        texts[0][0]: texts[0][2]
        for title, texts in groups.items()
        if "->" not in title and texts and texts[0][0] in "abcd"
    }
    assert y["b"] < y["a"] and y["d"] < y["c"], y
    price = apple_orange()
    groups = svg_groups(render_source(to_dot(price), "svg"))
    y = {texts[0][0]: texts[0][2] for title, texts in groups.items() if "->" not in title and texts}
    assert y["apple"] < y["apple_num"] < y["orange"] < y["orange_num"]


# -- escaping, through the real `dot` (issue 8) -----------------------------------------

NASTY = [
    *("node", "edge", "graph", "digraph", "subgraph", "strict", "cluster_0", "n0", "e_out"),
    *("]", "]]", "a]", "[", "{", "}", ";", "->", "--", '"', "'", "<B>x</B>", "&amp;", "&#92;"),
    *("\\", "\\\\", "a\\\\b", "end\\", "\\N", "\\G", "\\E", "\\T", "\\H", "\\L", "\\l", "\\n"),
    *("", " ", "  two  spaces ", "\t", "\x00", "\r\n", "line1\nline2", "x\x7fy"),
    *("/", "//", "a/b", "사과", "\U0001f600", "\u200b", "\ufffd"),
]


def drawn(text: str) -> str:
    """What Graphviz should draw for a label: control characters dropped, lines joined (a
    label with nothing left is drawn as a space: an empty HTML-like label is an error)."""
    kept = "".join(c for c in text if c == "\n" or (c >= " " and c != "\x7f"))
    return kept.replace("\n", "") if kept else " "


def texts_of(svg: bytes, cls: str, title: str) -> list[str] | None:
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        t = g.find(f"{SVG}title")
        if g.get("class") == cls and t is not None and t.text == title:
            return [x.text or "" for x in g.iter(f"{SVG}text")]
    return None


def spaced(text: str) -> str:
    """Text with its spacing normalised: Graphviz writes runs of spaces (and no-break
    spaces) in its own way so that they show."""
    return " ".join(text.replace("\xa0", " ").split())


def _nasty_graph(labels: list[str], scopes: list[str]) -> Value:
    """One term per (label, scope): a leaf named `label`, created inside `scope`."""
    from autograph import scope, sum_values

    terms = []
    for label, scope_name in zip(labels, scopes, strict=True):
        with scope(scope_name):
            a = Value(1.0, label=label)
        term = a * Value(2.0, label=label)
        term.label = label
        terms.append(term)
    total = sum_values(terms)
    total.backward()
    return total


def _check_drawn(labels: list[str], scopes: list[str]) -> None:
    """Graphviz accepts every style of the graph, draws each leaf's label as written and
    titles each cluster with its scope's name."""
    root = _nasty_graph(labels, scopes)
    for options in (
        {"style": "record", "local_derivatives": True},
        {"collapse": 1},
        {"colors": True, "heatmap": True, "local_derivatives": True, "title": labels[0]},
    ):
        render_source(to_dot(root, max_nodes=None, **options), "svg")
    svg = render_source(to_dot(root, max_nodes=None), "svg")
    graph = analyze(root)
    leaves = [k for k, n in enumerate(graph.nodes) if n.is_leaf and n.requires_grad]
    for k in leaves:
        label = graph.nodes[k].label
        drawn_text = texts_of(svg, "node", f"n{k}")
        assert drawn_text is not None
        if label:  # an unnamed leaf is a dot
            assert spaced("".join(drawn_text)) == spaced(drawn(label)), (label, drawn_text)
    paths = {
        tuple(s.split("/")[:depth])
        for s in scopes
        if s
        for depth in range(1, len(s.split("/")) + 1)
    }
    titles = [texts_of(svg, "cluster", f"cluster_{m}") for m in range(len(paths))]
    assert sorted(spaced("".join(t or [])) for t in titles) == sorted(
        spaced(drawn(p[-1])) for p in paths
    )


@needs_dot
def test_nasty_labels_and_scope_names_render_as_written() -> None:
    _check_drawn(NASTY, ["ok"] * len(NASTY))  # labels
    scope_names = [n for n in NASTY if _is_scope_path(n)]  # (the engine refuses the rest)
    _check_drawn(["x"] * len(scope_names), scope_names)


@needs_dot
def test_frames_with_nasty_names_render() -> None:
    from autograph.viz import frame_dots

    names = ["]", "\\N", "node", "\t"]
    for source in frame_dots(_nasty_graph(names, names)):
        render_source(source, "svg")


def _is_scope_path(name: str) -> bool:
    """A name `scope()` accepts: no empty segment between its '/'s."""
    return bool(name) and "" not in name.split("/")


@needs_dot
@given(label=st.text(max_size=12), scope_name=st.text(max_size=8).filter(_is_scope_path))
def test_any_label_and_scope_name_render_as_written(label: str, scope_name: str) -> None:
    _check_drawn([label], [scope_name])


@needs_dot
def test_backslashes_are_drawn_as_written() -> None:
    x = Value(1.0, label="a\\\\b")  # two backslashes
    y = Value(2.0, label="\\N")  # Graphviz's escape for "this node's name"
    z = x * y
    z.label = "c\\d"
    z.backward()
    for style in ("textbook", "record"):
        svg = render_source(to_dot(z, style=style), "svg").decode("utf-8")
        root = ET.fromstring(svg)
        texts = [t.text or "" for t in root.iter(f"{SVG}text")]
        joined = " ".join(texts)
        assert "a\\\\b" in joined and "\\N" in joined and "c\\d" in joined, texts
        assert "n0" not in texts and "n1" not in texts  # \N was not expanded
