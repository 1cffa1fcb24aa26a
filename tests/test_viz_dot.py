"""The DOT text: golden shopping graphs, numbers on the right edges, determinism, escaping,
deep chains, the size guard and the clustered summary of a micrograd-size graph.

None of these need Graphviz. Regenerate the golden files with AUTOGRAPH_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from autograph import Tensor, Value, scope, walk
from autograph.viz import GraphTooLarge, to_dot
from autograph.viz.adapter import analyze
from autograph.viz.expand import expand
from autograph.viz.fmt import format_data, format_number
from autograph.viz.gallery import apple, apple_orange, build, micrograd_step, sigmoid
from autograph.viz.labels import escape_html, heat_color, quote

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parent.parent


def _junction_rows(dot: str, name: str) -> list[str]:
    """The texts in the label of junction node `name`, top to bottom (tags stripped)."""
    match = re.search(
        rf'^\s*{re.escape(name)} \[shape=plain label=<(.*)>(?: tooltip="[^"]*")?\]$', dot, re.M
    )
    assert match, f"no junction {name}"
    cells = re.findall(r"<TD[^>]*>(.*?)</TD>", match.group(1))
    return [re.sub(r"<[^>]+>", "", c) for c in cells]


def _junction_of(root: Value, label: str) -> str:
    """The junction id of the (only) edge leaving the leaf labelled `label`."""
    graph = analyze(root)
    k = next(k for k, n in enumerate(graph.nodes) if n.label == label)
    ((c, i),) = graph.uses[k]
    return f"e{c}_{i}"


# -- golden files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["apple", "apple-orange"])
@pytest.mark.parametrize("style", ["textbook", "record"])
def test_golden_dot(name: str, style: str) -> None:
    dot = to_dot(build(name), style=style)
    path = GOLDEN / f"{name}-{style}.dot"
    if os.environ.get("AUTOGRAPH_REGEN_GOLDEN"):
        path.write_text(dot, encoding="utf-8")
        pytest.fail(
            f"regenerated {path.name}: inspect the diff, then run again without "
            "AUTOGRAPH_REGEN_GOLDEN"
        )
    assert dot == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; inspect it and regenerate with AUTOGRAPH_REGEN_GOLDEN=1"
    )


# -- the textbook's numbers, each on its own edge --------------------------------------


def test_apple_numbers_on_their_edges() -> None:
    price = apple()
    dot = to_dot(price)
    # (value above the line, gradient below it) for the edge leaving each input
    for label, value, grad in [
        ("apple", "100", "2.2"),
        ("apple_num", "2", "110"),
        ("tax", "1.1", "200"),
    ]:
        assert _junction_rows(dot, _junction_of(price, label)) == [value, "", grad]
    # the intermediate 200 carries 1.1 back; the output carries 220 and the seed 1
    graph = analyze(price)
    mul1 = next(k for k, n in enumerate(graph.nodes) if n.op == "*" and k != len(graph.nodes) - 1)
    ((c, i),) = graph.uses[mul1]
    assert _junction_rows(dot, f"e{c}_{i}") == ["200", "", "1.1"]
    assert _junction_rows(dot, "e_out") == ["price", "220", "", "1"]


@pytest.mark.parametrize("exact", [False, True])
def test_apple_orange_numbers(exact: bool) -> None:
    price = apple_orange(exact=exact)
    if exact:
        assert price.data == 715 and isinstance(price.data, Fraction)
    else:
        assert price.data == pytest.approx(715) and price.data != 715  # 715.0000000000001
    dot = to_dot(price)
    expected = [
        ("apple", "100", "2.2", None),
        ("apple_num", "2", "110", "110.00000000000001"),
        ("orange", "150", "3.3", "3.3000000000000003"),
        ("orange_num", "3", "165", None),
        ("tax", "1.1", "650", None),
    ]
    # exact numbers say what floating point gives where its digits differ (issue 12)
    for label, value, grad, in_float in expected:
        note = [f"float {in_float}"] if exact and in_float else []
        assert _junction_rows(dot, _junction_of(price, label)) == [value, "", grad, *note]
    note = ["float 715.0000000000001"] if exact else []
    assert _junction_rows(dot, "e_out") == ["price", "715", *note, "", "1"]
    rows = {tuple(_junction_rows(dot, j)) for j in re.findall(r"^\s*(e\d+_\d+) \[", dot, re.M)}
    for middle in [("200", "", "1.1"), ("450", "", "1.1"), ("650", "", "1.1")]:
        assert middle in rows
    # a float picture rounds them away; an exact one shows them only as its float notes
    assert ("715.0000000000001" in dot) == exact and ("3.3000000000000003" in dot) == exact


def test_full_precision_on_request() -> None:
    dot = to_dot(apple_orange(), precision=None)
    assert "715.0000000000001" in dot and "3.3000000000000003" in dot


def test_textbook_marks() -> None:
    dot = to_dot(build("apple-orange"))
    assert "rankdir=LR" in dot
    assert dot.count(">×<") == 3 and dot.count(">+<") == 1
    assert 'COLOR="#d62728"' in dot  # gradients in red
    chain = to_dot(build("chain-rule"))
    assert ">**2<" in chain  # the constant exponent is written into the circle
    assert "shape=point" not in chain  # ... and not drawn as a leaf
    assert ">+<" in chain


def test_no_gradients_before_backward() -> None:
    x = Value(2.0, label="x")
    y = x * 3
    with pytest.warns(UserWarning, match="backward"):  # and says so
        dot = to_dot(y)
    assert "#d62728" not in dot
    y.backward()
    assert "#d62728" in to_dot(y)


def test_local_derivatives_show_chain_rule_products() -> None:
    price = apple()
    dot = to_dot(price, local_derivatives=True)
    # multiply swaps its inputs: d(apple*num)/d(apple) = num = 2, upstream 1.1
    assert _junction_rows(dot, _junction_of(price, "apple"))[-2:] == ["local 2", "1.1 × 2 = 2.2"]
    assert _junction_rows(dot, _junction_of(price, "tax"))[-2:] == ["local 200", "1 × 200 = 200"]
    record = to_dot(price, style="record", local_derivatives=True)
    assert "local 2<" in record and "local 100<" in record


def test_record_style_boxes() -> None:
    dot = to_dot(apple(), style="record")
    assert re.search(r"<TD>apple</TD><TD>data 100</TD><TD><FONT[^>]*>grad 2.2</FONT>", dot)
    assert dot.count("_op [shape=ellipse") == 2


# -- fused and expanded views ---------------------------------------------------------


def test_sigmoid_fused_and_expanded_agree() -> None:
    fused = sigmoid({"x": 0.7})
    expanded = expand(fused)
    assert [n.op for n in walk(fused) if n.op] == ["sigmoid"]
    assert [n.op for n in walk(expanded) if n.op] == ["*", "exp", "+", "/"]
    x1 = next(n for n in walk(fused) if n.label == "x")
    x2 = next(n for n in walk(expanded) if n.label == "x")
    y = fused.data
    assert x1.grad == pytest.approx(y * (1 - y)) and x2.grad == pytest.approx(y * (1 - y))
    assert ">σ<" in to_dot(fused)
    dot = to_dot(expanded)
    for mark in (">×(-1)<", ">exp<", ">+1<", ">1÷<"):
        assert mark in dot
    assert build("sigmoid-expanded").data == pytest.approx(0.5)


def test_tanh_expansion() -> None:
    x = Value(0.3, label="x")
    y = x.tanh()
    y.backward()
    e = expand(y, ["tanh"])
    assert e.data == pytest.approx(y.data)
    assert next(n for n in walk(e) if n.label == "x").grad == pytest.approx(x.grad)
    with pytest.raises(ValueError, match="no expansion"):
        expand(y, ["nope"])


# -- tensors --------------------------------------------------------------------------


def test_tensor_nodes_show_shape_dtype_and_values() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], label="X")
    w = Tensor(np.full((2, 3), 0.5), requires_grad=True, label="W")
    big = Tensor(np.linspace(0, 1, 100).reshape(50, 2), "float32", label="big", requires_grad=True)
    y = (x @ w).sum() + (big * 2).sum()
    y.backward()
    dot = to_dot(y)
    assert "(2, 2) float64" in dot and "(2, 3) float64" in dot and "(50, 2) float32" in dot
    assert "[[1, 2],<BR/> [3, 4]]" in dot  # small: every value
    assert "0..1, mean 0.5" in dot  # large: a summary
    assert "[[4, 4, 4],<BR/> [6, 6, 6]]" in dot  # W's gradient (leaf), in red
    assert "2..2, mean 2" in dot  # big's gradient, summarised
    assert _junction_rows(dot, "e_out")[-1] == "1"  # the seed
    assert "(2, 3) float64" in to_dot(y, style="record")


# -- colours ---------------------------------------------------------------------------


def test_roles_heatmap_and_legend() -> None:
    with scope("layer"):
        w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    y = (w * x + 1).tanh()
    y.backward()
    graph = analyze(y)
    roles = {graph.nodes[k].label or graph.nodes[k].op: r for k, r in enumerate(graph.roles)}
    assert roles["w"] == "parameter" and roles["x"] == "input" and roles["tanh"] == "output"
    assert "constant" in graph.roles
    dot = to_dot(y, colors=True, heatmap=True, fold_constants=False)
    assert "legend [" in dot and ">parameter<" in dot and ">|gradient|<" in dot
    assert 'fillcolor="#cdeccd"' in dot  # the parameter's role colour
    # vanishing gradients are blue, exploding ones red, 1 is white
    assert heat_color(1e-9) == "#4271d6" and heat_color(1e9) == "#de2d26"
    assert heat_color(1.0) == "#ffffff"
    assert analyze(y, roles={x: "constant"}).roles[graph.index[x]] == "constant"


def test_module_weights_made_outside_their_scope_are_parameters() -> None:
    w = Value(0.5, label="w0")  # as autograph.nn creates weights: before forward's scope
    x = Value(2.0)
    with scope("layer0"), scope("neuron0"):
        act = (w * x).relu()
    y = act * 3
    y.backward()
    graph = analyze(y)
    assert graph.roles[graph.index[w]] == "parameter"
    assert graph.roles[graph.index[x]] == "input"
    assert graph.scope(graph.index[w]) == "layer0/neuron0"
    dot = to_dot(y)
    cluster = dot[dot.index(">neuron0<") :]
    assert f"n{graph.index[w]} [shape=plaintext label=<w0>" in cluster.split("}")[0]


# -- numbers ---------------------------------------------------------------------------


def test_every_op_has_a_symbol() -> None:
    from autograph import RULES
    from autograph.viz.labels import OP_SYMBOLS

    assert sorted(set(RULES) - set(OP_SYMBOLS)) == []


def test_number_formatting() -> None:
    assert format_number(715.0000000000001) == "715"
    assert format_number(3.3000000000000003) == "3.3"
    assert format_number(110.00000000000001) == "110"
    assert format_number(-0.0) == "0"
    assert format_number(Fraction(33, 10)) == "3.3"
    assert format_number(Fraction(-1, 3)) == "-1/3"
    assert format_number(float("nan")) == "nan" and format_number(-float("inf")) == "-inf"
    assert format_number(1e-12) == "1e-12"
    assert format_number(2.0) == "2"
    assert format_data(np.float32(0.1)) == "0.1"


# -- determinism -----------------------------------------------------------------------


def test_same_dot_in_processes_with_different_hash_seeds() -> None:
    code = (
        "import sys; from autograph.viz.gallery import build; from autograph.viz import "
        "to_dot, to_json, trace; g = build('apple-orange', lang='ko'); "
        "sys.stdout.buffer.write((to_dot(g) + to_dot(g, style='record', colors=True) + "
        "to_json(g) + trace(g)).encode())"
    )
    outputs = []
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, env=env, cwd=REPO, check=True
        )
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "사과".encode() in outputs[0]


# -- escaping --------------------------------------------------------------------------

HOSTILE = 'a"b<c>&d\\e\nf\'g{h}|i]\\"x\\l'


def test_escape_functions() -> None:
    assert escape_html("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;"
    assert escape_html("a\nb\x00c") == "a<BR/>bc"
    # Graphviz reads \\ as one backslash and \N as the node's name even in HTML-like
    # labels: each backslash is doubled (test_viz_render checks the drawn text)
    assert escape_html("a\\b") == "a\\\\b"
    assert escape_html("]") == "&#93;" and escape_html("x]") == "x]"  # "]" alone: an error
    assert quote('say "hi"\\\n') == '"say \\"hi\\"\\\\\\n"'


@pytest.mark.parametrize("style", ["textbook", "record"])
def test_hostile_labels_are_escaped(style: str) -> None:
    with scope(HOSTILE):
        a = Value(1.0, label=HOSTILE)
    b = a * Value(2.0, label="<TABLE>")
    b.label = '"; node [label="pwned'
    b.backward()
    dot = to_dot(b, style=style, colors=True)
    assert "pwned" in dot and 'node [label="pwned' not in dot
    labels = re.sub(r'tooltip="(?:[^"\\]|\\.)*"', "", dot)  # quoted strings aside
    assert "<TABLE>" not in labels and "&lt;TABLE&gt;" in labels
    # every label is inside <...> (HTML-like) or a properly quoted string: no raw quote
    # or newline from the user reaches the DOT text, so every line is a whole statement
    statement = re.compile(
        r"^\s*(digraph |graph \[|node \[|edge \[|subgraph |label=|}|"
        r"(n|e)[\w:]*( \[| ->)|out \[|legend)"
    )
    for line in dot.splitlines():
        assert statement.match(line), line
    assert "&lt;c&gt;&amp;d\\\\e<BR/>f&#39;g{h}|i]\\\\&quot;x\\\\l" in dot
    assert '"a\\"b<c>&d\\\\e\\nf\'g{h}|i]\\\\\\"x\\\\l"' in dot  # the tooltip


# -- scale -----------------------------------------------------------------------------


def test_deep_chain_without_recursion_error() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y + 1
    y.backward()
    dot = to_dot(y, max_nodes=None)
    assert dot.count(">+1<") == 100_000
    assert dot.rstrip().endswith("}")
    with pytest.raises(GraphTooLarge, match="collapse"):
        to_dot(y)


def test_micrograd_size_graph_gives_a_clustered_summary() -> None:
    loss = micrograd_step()
    loss.backward()
    n = len(walk(loss))
    assert n > 60_000
    with pytest.raises(GraphTooLarge) as info:
        to_dot(loss)
    assert f"{n:,} nodes" in str(info.value) and "collapse='auto'" in str(info.value)
    start = time.perf_counter()
    dot = to_dot(loss, collapse="auto", heatmap=True)
    assert time.perf_counter() - start < 10
    boxes = re.findall(r"^\s*b\d+ \[", dot, re.M)
    assert len(boxes) == 16 + 16 + 1 + 1 + 1  # each neuron, the loss, the inputs
    for cluster in ("mlp", "layer0", "layer1", "layer2"):
        assert f'label=<<FONT COLOR="#555555">{cluster}</FONT>>' in dot
    assert "503 nodes, 3 parameters" in dot  # a first-layer neuron over 100 points
    assert "3,317 nodes, 17 parameters" in dot
    assert "max |grad|" in dot and "legend [" in dot
    # depth 2 gives one box per layer
    layers = to_dot(loss, collapse=2)
    assert len(re.findall(r"^\s*b\d+ \[", layers, re.M)) == 3 + 1 + 1
    one = to_dot(loss, collapse=["mlp/layer1"], max_nodes=None)
    assert len(re.findall(r"^\s*b\d+ \[", one, re.M)) == 1  # only that layer
