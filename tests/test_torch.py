"""autograph.torch: PyTorch graphs recorded into viz's model and drawn like autograph's."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import autograph.torch as at  # noqa: E402
from autograph import viz  # noqa: E402
from autograph.viz.adapter import from_autograph  # noqa: E402
from autograph.viz.gallery import apple_orange  # noqa: E402
from autograph.viz.model import check as check_model  # noqa: E402

F64 = {"dtype": torch.float64, "requires_grad": True}


def shopping() -> at.Recording:
    apple, apple_num = torch.tensor(100.0, **F64), torch.tensor(2.0, **F64)
    orange, orange_num = torch.tensor(150.0, **F64), torch.tensor(3.0, **F64)
    tax = torch.tensor(1.1, **F64)
    with at.record() as rec:
        price = (apple * apple_num + orange * orange_num) * tax
    rec.name(apple=apple, apple_num=apple_num, orange=orange, orange_num=orange_num, tax=tax).name(
        price=price
    )
    price.backward()
    return rec


def mlp_step(seed: int = 0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 3))
    x, t = torch.randn(4, 6), torch.tensor([0, 2, 1, 2])
    with at.record(model) as rec:
        logits = model(x)
        loss = F.cross_entropy(logits, t)
    loss.backward()
    return model, x, logits, loss, rec


# -- packaging -------------------------------------------------------------------------


def test_import_autograph_never_imports_torch():
    code = (
        "import sys, autograph, autograph.viz, autograph.nn, autograph.cli.main\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    import autograph

    assert autograph.torch.record is at.record  # loaded on first use, like autograph.viz


def test_without_torch_the_error_says_how_to_install_it():
    code = "import sys; sys.modules['torch'] = None\nimport autograph.torch"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert 'pip install "autograph-engine[torch]"' in out.stderr
    assert "torch==2.13.0" in out.stderr


def test_nothing_stays_installed_after_the_block():
    from torch.nn.modules import module

    before = (len(module._global_forward_hooks), len(module._global_forward_pre_hooks))
    _, _, _, _, rec = mlp_step()
    assert (len(module._global_forward_hooks), len(module._global_forward_pre_hooks)) == before
    assert torch._C._len_torch_dispatch_stack() == 0
    n = len(rec.events)
    nn.Linear(2, 2)(torch.randn(1, 2)).sum().backward()  # outside: not recorded
    assert len(rec.events) == n


def test_a_recording_records_one_block():
    rec = at.record()
    with rec:
        pass
    with pytest.raises(RuntimeError, match="one `with` block"), rec:
        pass


# -- the textbook graph, node by node ----------------------------------------------------


def test_apple_orange_draws_the_same_numbers_in_the_same_places():
    ours = shopping().graph()
    theirs = from_autograph(apple_orange())
    check_model(ours)
    assert len(ours.nodes) == len(theirs.nodes) and len(ours.edges) == len(theirs.edges)
    for a, b in zip(ours.nodes, theirs.nodes, strict=True):
        assert (a.op, a.label, a.role, a.kind, a.scope) == (b.op, b.label, b.role, b.kind, b.scope)
        assert float(a.data) == pytest.approx(float(b.data), rel=1e-15)
        assert float(a.grad) == pytest.approx(float(b.grad), rel=1e-15)
    for e, f in zip(ours.edges, theirs.edges, strict=True):
        assert (e.source, e.target, e.input) == (f.source, f.target, f.input)
        assert float(e.value) == float(f.value)
        assert float(e.grad) == pytest.approx(float(f.grad), rel=1e-15)
    for s, t in zip(ours.steps, theirs.steps, strict=True):
        assert (s.number, s.node) == (t.number, t.node)
        assert [(x.input, x.source) for x in s.inputs] == [(y.input, y.source) for y in t.inputs]
        for x, y in zip(s.inputs, t.inputs, strict=True):
            assert float(x.local) == pytest.approx(float(y.local))


def test_apple_orange_dot_and_trace_are_identical_to_autographs():
    rec = shopping()
    for options in ({}, {"local_derivatives": True}, {"style": "record"}):
        assert viz.to_dot(rec, **options) == viz.to_dot(apple_orange(), **options), options
    assert viz.trace(rec) == viz.trace(apple_orange())


# -- an MLP: values, gradients, order, modules -------------------------------------------


def test_mlp_gradients_equal_torch_grad_for_every_parameter():
    model, _, _, _, rec = mlp_step()
    graph = rec.graph()
    check_model(graph)
    by_label = {node.label: node for node in graph.nodes if node.label}
    for name, p in model.named_parameters():
        node = by_label[name]
        assert node.role == "parameter" and node.is_leaf
        np.testing.assert_array_equal(node.grad, p.grad.numpy())
        # and the edges out of it carry what summed to it
        total = sum(graph.edges[e].grad for e in graph.uses[graph.nodes.index(node)])
        np.testing.assert_allclose(total, p.grad.numpy(), rtol=1e-6)
    assert graph.warnings == []


def test_mlp_values_are_the_forward_values():
    _, _, logits, loss, rec = mlp_step()
    graph = rec.graph()
    root = graph.nodes[graph.root]
    assert root.op == "nll_loss" and root.role == "output" and root.kind == "value"
    assert root.data == loss.item() and root.dtype == "float32"
    assert graph.seed == 1
    affine = [k for k, n in enumerate(graph.nodes) if n.op == "affine"]
    np.testing.assert_array_equal(graph.nodes[affine[-1]].data, logits.detach().numpy())
    # addmm(bias, x, W) is drawn as autograph's affine: x, W, b
    sources = [graph.nodes[graph.edge_into(affine[-1], i).source] for i in range(3)]
    assert [s.op for s in sources] == ["sigmoid", "transpose", ""]
    assert sources[2].label == "2.bias"


def test_mlp_modules_are_clusters_and_parameters_named():
    _, _, _, _, rec = mlp_step()
    graph = rec.graph()
    assert graph.scope_separator == "."
    scopes = {(n.op or n.label): n.scope for n in graph.nodes}
    assert scopes["0.weight"] == ("0",) and scopes["2.bias"] == ("2",)
    assert scopes["sigmoid"] == ("1",) and scopes["nll_loss"] == ()
    dot = viz.to_dot(rec)
    assert "σ" in dot and "x·W + b" in dot and "0.weight" in dot


def test_steps_are_pytorchs_backward_order():
    torch.manual_seed(1)
    a = torch.randn(3, **F64)
    b = torch.randn(3, **F64)
    with at.record() as rec:
        c = a * b
        d = c.exp() + c.sin() * a
        out = (d.tanh() + c).sum()
    ran = []
    seen, stack = set(), [out.grad_fn]
    while stack:  # an independent log of the order nodes run in
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if type(fn).__name__ != "AccumulateGrad":
            fn.register_prehook(lambda g, fn=fn: ran.append(fn))
        stack.extend(f for f, _ in fn.next_functions)
    out.backward()
    graph = rec.graph()
    assert [rec.ops[rec.index[fn]] for fn in ran] == [
        rec.ops[rec.sink.passes[-1][k].op] for k in range(len(ran))
    ]
    assert len(graph.steps) == len(ran)
    np.testing.assert_allclose(graph.nodes[graph.nodes.index(_leaf(graph, a))].grad, a.grad)


def _leaf(graph, tensor):
    for node in graph.nodes:
        same_shape = np.shape(node.data) == tuple(tensor.shape)
        if node.is_leaf and same_shape and np.array_equal(node.data, tensor.detach().numpy()):
            return node
    raise AssertionError("leaf not found")


def test_trace_frames_and_json_work_on_a_recording(tmp_path):
    rec = shopping()
    frames = viz.write_frames(rec, tmp_path, format="dot")
    assert len(frames) == 5  # the forward pass and four steps
    data = viz.to_dict(rec)
    assert data["scope_separator"] == "." and len(data["steps"]) == 4
    assert [n["label"] for n in data["nodes"] if n["label"]][-1] == "price"


def test_before_backward_values_only_with_a_warning():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with at.record() as rec:
        y = (x * 3).sum()
    graph = rec.graph()
    assert graph.steps is None and all(e.grad is None for e in graph.edges)
    assert "no backward pass" in graph.warnings[0]
    with pytest.warns(UserWarning, match="no backward pass"):
        viz.to_dot(rec)
    y.backward()
    assert rec.graph().steps is not None


def test_nothing_to_draw_is_a_clear_error():
    with at.record() as rec:
        torch.ones(3) * 2
    with pytest.raises(ValueError, match="needed a gradient"):
        rec.graph()
    with pytest.raises(ValueError, match="inside this recording"):
        shopping().graph(output=torch.ones(1, requires_grad=True) * 2)


def test_several_backward_passes_show_the_last_with_a_warning():
    x = torch.tensor(2.0, **F64)
    with at.record() as rec:
        y = x * x
    y.backward(retain_graph=True)
    y.backward(torch.tensor(10.0, dtype=torch.float64))
    graph = rec.graph()
    assert graph.seed == 10 and graph.nodes[0].grad == 40  # this pass sent 40
    text = " ".join(graph.warnings)
    assert "2 times" in text and ".grad holds another gradient" in text  # x.grad is 44


# -- values changed in place -------------------------------------------------------------


def test_a_value_changed_after_recording_is_drawn_unknown_never_wrong():
    model, _, _, _, rec = mlp_step()
    with torch.no_grad():
        model[0].weight.add_(1.0)  # what optimizer.step() does
    graph = rec.graph()
    w = next(n for n in graph.nodes if n.label == "0.weight")
    assert w.data is None
    assert any("changed in place" in text for text in graph.warnings)
    with pytest.warns(UserWarning, match="changed in place"):
        viz.to_dot(rec)


def test_copy_keeps_values_through_in_place_changes():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    x = torch.randn(2, 3)
    with at.record(model, copy=True) as rec:
        loss = model(x).sum()
    loss.backward()
    before = model.weight.detach().numpy().copy()
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    graph = rec.graph()
    w = next(n for n in graph.nodes if n.label == "weight")
    np.testing.assert_array_equal(w.data, before)
    assert not any("changed in place" in text for text in graph.warnings)


def test_an_in_place_op_in_the_forward_pass_hides_only_what_it_overwrote():
    x = torch.tensor([-1.0, 2.0], **F64)
    with at.record() as rec:
        h = x * 3
        h.relu_()
        y = h.sum()
    y.backward()
    graph = rec.graph()
    ops = {n.op: n for n in graph.nodes if n.op}
    assert ops["*"].data is None  # its output was overwritten by relu_
    np.testing.assert_array_equal(ops["relu"].data, [0.0, 6.0])
    np.testing.assert_array_equal(x.grad, [0.0, 3.0])


# -- bigger models -----------------------------------------------------------------------


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(3 * 4 * 4, 5)

    def forward(self, x):
        h = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.head(h.flatten(1))


def test_a_cnn_records_and_its_gradients_equal_torchs():
    torch.manual_seed(0)
    model = SmallCNN()
    x, t = torch.randn(2, 1, 8, 8), torch.tensor([1, 3])
    with at.record(model) as rec:
        loss = F.cross_entropy(model(x), t)
    loss.backward()
    graph = rec.graph()
    check_model(graph)
    ops = {n.op for n in graph.nodes}
    assert {"conv", "batch_norm", "relu", "max_pool", "reshape", "affine"} <= ops
    by_label = {n.label: n for n in graph.nodes if n.label}
    for name, p in model.named_parameters():
        np.testing.assert_allclose(by_label[name].grad, p.grad.numpy(), rtol=1e-6)
    assert by_label["bn.running_mean"].role == "constant"
    assert viz.to_dot(rec).startswith("digraph")


def test_a_large_transformer_collapses_by_module_into_a_readable_picture():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=36, enable_nested_tensor=False)
    x = torch.randn(2, 5, 8)
    with at.record(model) as rec:
        loss = model(x).pow(2).mean()
    loss.backward()
    graph = rec.graph()
    assert len(graph.nodes) > 2_900
    assert any(n.scope[:3] == ("layers", "0", "self_attn") for n in graph.nodes)
    with pytest.raises(viz.GraphTooLarge):
        viz.to_dot(rec)
    dot = viz.to_dot(rec, collapse="auto")  # the default max_nodes=500
    boxes = [line for line in dot.splitlines() if " [shape=box" in line and "b" in line[:8]]
    assert 36 <= len(boxes) <= 500
    assert "layers.35" in dot
    # one box per layer: 36 layers and the input, everything made inside a layer in its box
    dot = viz.to_dot(rec, collapse=2)
    boxes = [line for line in dot.splitlines() if " [shape=box" in line and "b" in line[:8]]
    assert len(boxes) == 37
    assert all("82 nodes, 12 parameters" in b for b in boxes if 'tooltip="layers.3"' in b)


def test_the_step_through_player_steps_through_pytorchs_pass(tmp_path):
    pytest.importorskip("graphviz")
    if not __import__("shutil").which("dot"):
        pytest.skip("Graphviz's dot is not installed")
    from autograph.viz.player import write_player

    path = write_player(shopping(), tmp_path / "steps.html")
    text = path.read_text(encoding="utf-8")
    assert text.count('class="frame"') == 5
    assert "orange gets 1.1 × 3 = 3.3" in text
