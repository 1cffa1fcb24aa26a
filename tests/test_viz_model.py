"""The graph model between engine and picture: the adapter fills it from the engine's own
backward pass, every drawing function accepts it directly (a graph no engine made), bad
models are refused by name, options travel as one frozen value, and expansion covers every
op of the derivative table."""

from __future__ import annotations

import ast
import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograph import RULES, Tensor, Value, walk
from autograph.testing.strategies import OP_CASES, scalar_examples, tensor_examples
from autograph.viz import DrawOptions, draw, frame_dots, to_dict, to_dot, trace
from autograph.viz import steps as steps_module
from autograph.viz.adapter import as_graph, from_autograph
from autograph.viz.expand import EXPANSIONS, REPLAY, expand
from autograph.viz.gallery import apple, apple_orange
from autograph.viz.model import Edge, Graph, ModelError, Node, Sent, Step, check

VIZ = Path(__file__).resolve().parent.parent / "autograph" / "viz"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def hand_made() -> Graph:
    """y = x · w with a made-up op name, scopes written with dots (as module paths are),
    and its backward pass: what an adapter for another engine would produce."""
    nodes = [
        Node(label="x", data=3.0, role="input", requires_grad=True, grad=5.0),
        Node(label="w", data=5.0, role="parameter", scope=("enc", "lin"), requires_grad=True),
        Node(op="mystery_mul", data=15.0, scope=("enc", "lin"), requires_grad=True, grad=1.0),
    ]
    nodes[1].grad = 3.0
    edges = [Edge(0, 2, 0, 3.0, 5.0), Edge(1, 2, 1, 5.0, 3.0)]
    steps = [Step(1, 2, 1.0, [Sent(0, 0, 5.0, 5.0), Sent(1, 1, 3.0, 3.0)])]
    return Graph(nodes, edges, steps, seed=1.0, scope_separator=".")


# -- the model drawn without any engine -------------------------------------------------


def test_a_model_from_elsewhere_is_drawn_traced_and_exported() -> None:
    graph = hand_made()
    dot = to_dot(graph)
    assert ">mystery_mul<" in dot  # an op autograph does not know is drawn as written
    assert 'tooltip="enc.lin"' in dot and ">lin<" in dot  # clusters by the dotted path
    assert '<FONT COLOR="#d62728">5</FONT>' in dot and '<FONT COLOR="#d62728">3</FONT>' in dot
    assert trace(graph) == (
        "step 1/1: mystery_mul (= 15) with upstream 1: x gets 1 × 5 = 5; w gets 1 × 3 = 3"
    )
    frames = frame_dots(graph, captions=False)
    assert len(frames) == 2 and 'COLOR="transparent">5<' in frames[0]
    data = to_dict(graph)
    assert data["scope_separator"] == "." and data["nodes"][1]["scope"] == "enc.lin"
    assert data["steps"][0]["inputs"][1] == {"input": 1, "node": "n1", "local": 3.0, "grad": 3.0}
    assert draw(graph).graph is graph
    assert to_dot(graph, collapse=1).count("b0 [") == 1  # collapse by the model's scopes


@needs_dot
def test_a_model_from_elsewhere_gets_frames_and_a_player(tmp_path: Path) -> None:
    from autograph.viz import write_frames
    from autograph.viz.player import player_html

    paths = write_frames(hand_made(), tmp_path / "frames")
    assert [p.name for p in paths] == ["frame_000.svg", "frame_001.svg"]
    page = player_html(hand_made())
    assert page.count("<svg") == 2 and '"name": "mystery_mul (= 15)"' in page


def test_an_edge_noted_with_its_expected_gradient_is_drawn_marked() -> None:
    """Room for the later issue's checker: one wrong edge, got vs expected."""
    graph = hand_made()
    graph.edges[0].notes["expected"] = 4.0
    dot = to_dot(graph)
    assert "got 5" in dot and "expected 4" in dot and dot.count('color="#e07b00"') == 2
    assert to_dict(graph)["edges"][0]["expected"] == 4.0
    graph.edges[0].notes["expected"] = 5.0  # as expected: nothing to mark
    assert "expected" not in to_dot(graph) and "#e07b00" not in to_dot(graph)


def test_objects_that_provide_a_model_are_drawable() -> None:
    class Recorded:
        def __autograph_graph__(self) -> Graph:
            return hand_made()

    assert ">mystery_mul<" in to_dot(Recorded())

    class Broken:
        def __autograph_graph__(self) -> object:
            return "not a graph"

    with pytest.raises(TypeError, match="returned str, not a Graph"):
        to_dot(Broken())
    with pytest.raises(TypeError, match="autograph Value or Tensor, .*__autograph_graph__"):
        to_dot(42)
    with pytest.raises(ValueError, match="roles= maps autograph nodes"):
        to_dot(hand_made(), roles={Value(1.0): "input"})


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda g: g.edges.append(Edge(2, 1, 1)), "topological order"),
        (lambda g: g.edges.append(Edge(0, 9, 0)), "outside 0..2"),
        (lambda g: setattr(g.edges[1], "input", 3), "input positions must be 0..1"),
        (lambda g: setattr(g.nodes[0], "op", "*"), "is an op .* without inputs"),
        (lambda g: setattr(g.nodes[2], "op", ""), "has inputs but no op"),
        (lambda g: setattr(g.nodes[0], "role", "weight"), "role 'weight'"),
        (lambda g: setattr(g.nodes[0], "kind", "matrix"), "kind 'matrix'"),
        (lambda g: setattr(g.nodes[0], "scope", "a/b"), "scope must be a tuple"),
        (lambda g: g.steps[0].inputs.append(Sent(1, 0, None, 1.0)), "input 1 of node 2 is not"),
        (lambda g: setattr(g.steps[0], "node", 0), "node 0 is not an operation"),
        (lambda g: setattr(g.steps[0], "number", 2), "step 1 is numbered 2"),
    ],
)
def test_bad_models_are_refused_by_name(change, message) -> None:
    graph = hand_made()
    change(graph)
    with pytest.raises(ModelError, match=message):
        Graph(graph.nodes, graph.edges, graph.steps, graph.seed)
    with pytest.raises(ModelError, match="at least one node"):
        Graph([], [])


# -- the autograph adapter ----------------------------------------------------------------


def _examples() -> list[Value | Tensor]:
    x = Value(2.0, label="x")
    fan = x * x + x
    fan.backward()
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="t")
    w = Tensor(np.ones((3, 2)), requires_grad=True, label="w")
    tensor = ((t @ w).relu() * 2).sum()
    tensor.backward()
    return [apple(), apple_orange(exact=True), fan, tensor]


@pytest.mark.parametrize("k", range(4))
def test_the_adapter_builds_valid_models_from_the_engines_pass(k: int) -> None:
    root = _examples()[k]
    graph = from_autograph(root)
    check(graph)  # the adapter skips validation for speed: its output must pass it
    # every edge's gradient is what the engine's backward pass sent along it, and the
    # gradients a leaf received add up to its .grad
    for j, (leaf, node) in enumerate(zip(walk(root), graph.nodes, strict=True)):
        if node.is_leaf and node.requires_grad:
            received = [graph.edges[e].grad for e in graph.uses[j]]
            if isinstance(leaf, Value):
                assert sum(received[1:], received[0]) == leaf.grad == node.grad  # exact
            else:
                np.testing.assert_allclose(np.sum(received, axis=0), leaf.grad)


def test_edge_gradients_come_from_the_engines_step_hook(monkeypatch) -> None:
    calls = []
    real = steps_module.propagate

    def spy(root, seed, **kw):
        calls.append(kw)
        return real(root, seed, **kw)

    monkeypatch.setattr(steps_module, "propagate", spy)
    price = apple()
    to_dot(price)
    assert len(calls) == 1 and calls[0]["wanted"] == {} and calls[0]["on_step"] is not None
    before = [n.grad for n in walk(price)]
    trace(price)
    assert [n.grad for n in walk(price)] == before  # recording stores nothing on the nodes


def test_viz_applies_the_derivative_table_in_one_marked_place() -> None:
    """Viz never re-implements the engine: no viz function applies the derivative table or
    sums gradients back to shapes (local derivatives come from `rules.local_derivative`)."""
    users = []
    for path in sorted(VIZ.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef):
                names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
                if names & {"RULES", "rule_for", "sum_to", "sum_broadcast_axes"}:
                    users.append(f"{path.name}:{func.name}")
    assert users == []


def test_tensor_edges_show_gradients_without_retain_grad() -> None:
    x = Tensor([[1.0, 2.0]], requires_grad=True, label="x")
    w = Tensor([[1.0], [1.0]], requires_grad=True, label="w")
    y = (x @ w).sum()
    y.backward()  # keeps only the leaves' gradients
    graph = from_autograph(y)
    matmul = next(k for k, n in enumerate(graph.nodes) if n.op == "@")
    (e,) = graph.uses[matmul]
    np.testing.assert_array_equal(graph.edges[e].grad, [[1.0]])
    np.testing.assert_array_equal(graph.nodes[matmul].grad, [[1.0]])


def test_json_export_holds_the_backward_pass() -> None:
    data = json.loads(json.dumps(to_dict(apple())))
    assert data["version"] == 2 and data["seed"] == 1
    first = data["steps"][0]
    assert first["node"] == data["root"] and first["upstream"] == 1
    assert [(i["local"], i["grad"]) for i in first["inputs"]] == [(1.1, 1.1), (200, 200)]


# -- options -------------------------------------------------------------------------------


def test_options_are_one_frozen_value() -> None:
    price = apple()
    options = DrawOptions(style="record", precision=4)
    assert to_dot(price, options) == to_dot(price, style="record", precision=4)
    assert to_dot(price, options, style="textbook") == to_dot(price, precision=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.style = "textbook"  # type: ignore[misc]
    assert options.replace(colors=True).colors and not options.colors
    assert DrawOptions(collapse="mlp/layer1").collapse == ("mlp/layer1",)


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"style": "fancy"}, "unknown style 'fancy'"),
        ({"precision": 0}, "precision must be"),
        ({"max_nodes": -1}, "max_nodes must be"),
        ({"collapse": 0}, "collapse depth must be at least 1"),
        ({"collapse": [1, 2]}, "collapse takes"),
        ({"rankdir": "RL"}, "unknown rankdir 'RL'"),
        ({"rankdir": "TB"}, "rankdir='TB' is for style='record'"),
    ],
)
def test_bad_options_are_named(keywords, message) -> None:
    with pytest.raises(ValueError, match=message):
        to_dot(apple(), **keywords)


def test_unknown_option_is_named() -> None:
    with pytest.raises(TypeError, match="unknown drawing option colour"):
        to_dot(apple(), colour=True)


# -- expansion covers the whole derivative table ------------------------------------------


def test_every_op_can_be_replayed() -> None:
    assert sorted(set(RULES) - set(REPLAY)) == [], "add these ops to expand.REPLAY"
    assert set(EXPANSIONS) >= {"sigmoid", "tanh", "affine"}


def _check_replay(root, ops) -> None:
    """Replaying (ops=()) gives the same numbers to the last digit or two (softmax cross-
    entropy keeps its target one-hot, so class indices replay by the one-hot formula);
    expanding, the same up to rounding (tanh as (e - 1)/(e + 1) cancels near 0)."""
    root.backward()
    copy = expand(root, ops)

    def same(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        if ops == ():
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)

    same(copy.data, root.data)
    originals = [n for n in walk(root) if n.is_leaf and n.requires_grad]
    copies = [n for n in walk(copy) if n.is_leaf and n.requires_grad]
    assert len(originals) == len(copies)
    for a, b in zip(originals, copies, strict=True):
        same(b.grad, a.grad)


@pytest.mark.parametrize("op", sorted(op for op, c in OP_CASES.items() if c.scalar is not None))
@given(data=st.data())
def test_value_graphs_replay_and_expand_to_the_same_gradients(op, data) -> None:
    inputs, build = data.draw(scalar_examples(op))
    root = build(*inputs) * 1.5
    _check_replay(root, ())
    root = build(*[Value(x.data, x.label) for x in inputs]) * 1.5
    _check_replay(root, None)


@pytest.mark.parametrize("op", sorted(op for op, c in OP_CASES.items() if c.tensor is not None))
@given(data=st.data())
def test_tensor_graphs_replay_and_expand_to_the_same_gradients(op, data) -> None:
    inputs, build = data.draw(tensor_examples(op))
    out = build(*inputs)
    weights = np.linspace(0.5, 1.5, out.data.size).reshape(out.data.shape)
    _check_replay((out * weights).sum(), ())
    fresh = [Tensor(x.data, requires_grad=True, label=x.label) for x in inputs]
    _check_replay((build(*fresh) * weights).sum(), None)


def test_expanding_affine_shows_its_gradients() -> None:
    from autograph import affine

    x = Tensor([[1.0, 2.0]], label="x")
    w = Tensor([[1.0, 0.0, 2.0], [0.5, 1.0, 0.0]], requires_grad=True, label="W")
    b = Tensor([0.1, 0.2, 0.3], requires_grad=True, label="b")
    loss = affine(x, w, b).sum()
    loss.backward()
    expanded = expand(loss)
    assert [n.op for n in walk(expanded) if n.op] == ["@", "+", "sum"]
    w2 = next(n for n in walk(expanded) if n.label == "W")
    np.testing.assert_array_equal(w2.grad, w.grad)
    graph = as_graph(expanded)
    matmul = next(k for k, n in enumerate(graph.nodes) if n.op == "@")
    (e,) = graph.uses[matmul]
    np.testing.assert_array_equal(graph.edges[e].grad, np.ones((1, 3)))  # re-run backward
    assert "[[1, 1, 1]]" in to_dot(expanded)
