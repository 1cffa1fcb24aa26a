"""autograph.torch.check: the recorded backward pass, node by node, against central
differences of each node alone; the first wrong node's edges marked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import autograph.torch as at  # noqa: E402
from autograph import viz  # noqa: E402

F64 = {"dtype": torch.float64, "requires_grad": True}


class Square(torch.autograd.Function):
    """x², with a backward that forgets the 2 when `broken`."""

    broken = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x if Square.broken else 2 * g * x


class Scale(torch.autograd.Function):
    """k·x for a number k, written with two ops in its forward."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        y = x * k
        return y + 0.0

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def recorded(broken: bool):
    Square.broken = broken
    x = torch.tensor([1.0, -2.0, 3.0], **F64)
    w = torch.tensor(0.5, **F64)
    with at.record() as rec:
        y = (Square.apply(x * w).sin() + Scale.apply(x, 3.0)).sum()
    rec.name(x=x, w=w, y=y)
    y.backward()
    return rec, x, w


def test_a_correct_graph_passes():
    rec, _, _ = recorded(broken=False)
    report = at.check(rec)
    assert report.ok and report.first_wrong is None
    assert [n.name for n in report.nodes if n.skipped] == []
    assert all(c.expected is not None for n in report.nodes for c in n.inputs)
    assert "all gradients agree" in str(report)


def test_a_broken_backward_is_found_at_its_own_node_and_marked():
    rec, x, w = recorded(broken=True)
    report = at.check(rec)
    assert not report.ok
    wrong = report.first_wrong
    assert wrong is not None and report.graph.nodes[wrong.node].op == "Square"
    assert [n.name for n in report.wrong] == [wrong.name]  # downstream nodes are fine
    (bad,) = [c for c in wrong.inputs if not c.ok]
    u = (x * w).detach().numpy()
    upstream = np.cos(u**2)  # what sin sent back to Square
    np.testing.assert_allclose(bad.got, upstream * u)  # the broken backward: g·x
    np.testing.assert_allclose(bad.expected, upstream * 2 * u, rtol=1e-6)
    edge = report.graph.edge_into(wrong.node, bad.input)
    np.testing.assert_array_equal(edge.notes["expected"], bad.expected)
    dot = viz.to_dot(report)
    assert "got [" in dot and "expected [" in dot
    assert f"step {wrong.step}: {wrong.name} sent" in str(report)


def test_a_function_with_several_ops_in_its_forward_is_replayed_whole():
    rec, _, _ = recorded(broken=False)
    report = at.check(rec)
    scale = [n for n in report.nodes if report.graph.nodes[n.node].op == "Scale"]
    assert len(scale) == 1 and scale[0].inputs and scale[0].ok


def test_check_needs_the_backward_pass():
    x = torch.tensor(1.0, **F64)
    with at.record() as rec:
        (x * 2).sum()
    with pytest.raises(ValueError, match="call backward"):
        at.check(rec)


def test_large_inputs_are_checked_along_random_directions():
    torch.manual_seed(0)
    model = torch.nn.Linear(40, 30).double()
    x = torch.randn(50, 40, dtype=torch.float64)
    with at.record(model) as rec:
        loss = torch.tanh(model(x)).sum()
    loss.backward()
    report = at.check(rec, max_elements=1000)
    assert report.ok, str(report)
    notes = [c.note for n in report.nodes for c in n.inputs if c.note]
    assert any("random directions" in note for note in notes)


def test_random_ops_are_skipped_not_misjudged():
    x = torch.ones(20, **F64)
    with at.record() as rec:
        # dropout runs as x * mask (the mask a recorded leaf): checked as a product
        y = torch.nn.functional.dropout(x, 0.5, training=True).sum()
        # rrelu draws its slopes inside the op: it cannot be run again
        z = torch.nn.functional.rrelu(y - 30.0, training=True)
    z.backward()
    report = at.check(rec)
    assert report.ok
    (skipped,) = [n for n in report.nodes if n.skipped]
    assert "rrelu_with_noise" in skipped.skipped and "random" in skipped.skipped


UNARY = {
    "exp": torch.exp,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sin": torch.sin,
    "square": lambda t: t * t,
    "softmax": lambda t: torch.softmax(t, dim=-1),
    "log_softmax": lambda t: torch.log_softmax(t, dim=-1),
}
BINARY = {
    "+": torch.add,
    "-": torch.sub,
    "*": torch.mul,
    "/": lambda a, b: a / (b * b + 1),  # smooth: no kink for central differences
    "@": lambda a, b: a @ b.T,
}

floats = st.floats(-2, 2, allow_nan=False, width=64)


@given(
    unary=st.sampled_from(sorted(UNARY)),
    binary=st.sampled_from(sorted(BINARY)),
    rows=st.integers(1, 3),
    cols=st.integers(1, 3),
    data=st.data(),
)
def test_recorded_gradients_agree_with_central_differences(unary, binary, rows, cols, data):
    values = data.draw(st.lists(floats, min_size=2 * rows * cols, max_size=2 * rows * cols))
    a = torch.tensor(values[: rows * cols], **F64).reshape(rows, cols).detach().requires_grad_()
    b = torch.tensor(values[rows * cols :], **F64).reshape(rows, cols).detach().requires_grad_()
    with at.record() as rec:
        out = UNARY[unary](BINARY[binary](a, b)).sum()
    out.backward()
    report = at.check(rec)
    assert report.ok, str(report)
    rec.name(a=a, b=b)
    labelled = {n.label: n for n in rec.graph().nodes if n.label}
    for name, tensor in (("a", a), ("b", b)):  # and the leaves hold what PyTorch accumulated
        np.testing.assert_allclose(labelled[name].grad, tensor.grad.numpy(), rtol=1e-12)
