"""The per-node check: which op node of a graph has a wrong local gradient."""

from __future__ import annotations

import numpy as np
import pytest

from autograph import Function, LayerOp, Tensor, Value
from autograph.engine import rules
from autograph.nn import textbook as tb
from autograph.testing import GradcheckError, gradcheck
from autograph.testing.nodes import check_nodes, first_wrong_node, save_wrong_nodes
from autograph.viz.adapter import from_autograph

rng = np.random.default_rng(3)


class SigmoidForgetsOut(tb.Sigmoid):
    def backward(self, dout):
        return dout * (1.0 - self.out)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


class CubeWrong(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x * x


def mixed_graph(sigmoid_layer):
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="x")
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True, label="W")
    h = (x @ w).tanh()
    s = LayerOp(sigmoid_layer)(h)
    return (Cube.apply(s) * 2 + h).sum(), x, w


def test_a_correct_graph_of_built_in_and_custom_ops_has_no_wrong_node() -> None:
    loss, _, _ = mixed_graph(tb.Sigmoid())
    assert check_nodes(loss) == []


def test_the_wrong_custom_node_is_found_among_built_in_ones() -> None:
    loss, _, _ = mixed_graph(SigmoidForgetsOut())
    found = first_wrong_node(loss)
    assert found is not None and found.op == "SigmoidForgetsOut" and found.input == 0
    model = from_autograph(loss)
    assert model.nodes[found.node].op == "SigmoidForgetsOut"  # the model's index too
    s = 1 / (
        1 + np.exp(-np.asarray(model.nodes[model.edges[model.inputs[found.node][0]].source].data))
    )
    np.testing.assert_allclose(found.got / found.expected, 1 / s, rtol=1e-4)  # the missing factor
    assert [m.op for m in check_nodes(loss)] == ["SigmoidForgetsOut"]


def test_a_broken_built_in_rule_is_found_and_nodes_come_in_topological_order(monkeypatch) -> None:
    monkeypatch.setitem(rules.RULES, "tanh", lambda m, g, out, xs, i, p: g * (1 - out))
    x = Value(0.7, label="x")
    y = Cube.apply(x.tanh())
    z = CubeWrong.apply(y) + y
    found = check_nodes(z)
    assert [m.op for m in found] == ["tanh", "CubeWrong"]  # inputs first
    assert first_wrong_node(z).op == "tanh"
    assert "tanh (node 1) sends input 0 (x): got" in found[0].message


def test_kinks_are_not_blamed() -> None:
    x = Tensor(np.array([[0.0, 1.0], [-1.0, 0.0]]), requires_grad=True)
    assert check_nodes((x.relu() * 3).sum()) == []
    assert check_nodes((LayerOp(tb.Relu())(x) * 3).sum()) == []


def test_gradcheck_names_the_wrong_node() -> None:
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="x")
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True, label="W")
    op = LayerOp(SigmoidForgetsOut())
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, w: (op((x @ w).tanh()) * 2).sum(), [x, w])
    error = info.value
    assert "the first op whose own gradient is wrong: SigmoidForgetsOut (node" in str(error)
    assert error.wrong_node.op == "SigmoidForgetsOut" and error.root is not None


def test_the_wrong_edge_is_drawn(tmp_path) -> None:
    pytest.importorskip("graphviz")
    loss, _, _ = mixed_graph(SigmoidForgetsOut())
    found, paths = save_wrong_nodes(loss, tmp_path / "graph")
    assert {p.suffix for p in paths} == {".svg", ".png"}
    svg = (tmp_path / "graph.svg").read_text()
    assert "expected" in svg and "SigmoidForgetsOut" in svg
