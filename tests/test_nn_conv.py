"""autograph.nn's image layers against torch.nn's: same arguments and defaults, same outputs
and gradients with the same weights, the same train/eval behaviour; buffers saved."""

import numpy as np
import pytest

from autograph import Tensor, walk
from autograph.engine.broadcast import ShapeError
from autograph.nn import (
    Adam,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Sequential,
)

torch = pytest.importorskip("torch")


def _close(ours, theirs, atol=1e-10):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-9, atol=atol)


def test_conv2d_module_matches_torch_with_the_same_weights():
    rng = np.random.default_rng(0)
    ours = Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), rng=rng)
    theirs = torch.nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2)).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    x = rng.standard_normal((2, 3, 7, 6))
    y, ty = ours(Tensor(x)), theirs(torch.tensor(x))
    _close(y.data, ty)
    y.sum().backward()
    ty.sum().backward()
    _close(ours.weight.grad, theirs.weight.grad)
    _close(ours.bias.grad, theirs.bias.grad)
    assert [name for name, _ in ours.named_parameters()] == ["weight", "bias"]
    assert repr(ours) == (
        "Conv2d(3, 4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2))"
    )
    assert repr(Conv2d(1, 30, 5)) == repr(torch.nn.Conv2d(1, 30, 5))


def test_conv2d_default_init_is_pytorchs_uniform():
    conv = Conv2d(6, 8, 3, rng=np.random.default_rng(1))
    bound = 1 / np.sqrt(6 * 3 * 3)  # kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), ...)
    theirs = torch.nn.Conv2d(6, 8, 3)
    assert np.abs(theirs.weight.detach().numpy()).max() <= bound
    for p in (conv.weight.data, conv.bias.data):
        assert np.abs(p).max() <= bound
    assert abs(conv.weight.data.std() - bound / np.sqrt(3)) < 0.1 * bound  # uniform's std
    he = Conv2d(6, 8, 3, init="he", rng=np.random.default_rng(1), dtype=np.float32)
    assert he.weight.dtype == np.float32 and not he.bias.data.any()
    assert abs(he.weight.data.std() - np.sqrt(2 / 54)) < 0.02
    assert Conv2d(1, 2, 3, bias=False).bias is None
    with pytest.raises(ValueError, match="groups=1"):
        Conv2d(2, 2, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        Conv2d(2, 2, 3, padding_mode="reflect")


def test_pooling_and_flatten_modules_match_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 8))
    pairs = [
        (MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
        (AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (
            AvgPool2d(3, 2, 1, count_include_pad=False),
            torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        ),
        (Flatten(), torch.nn.Flatten()),
    ]
    for ours, theirs in pairs:
        _close(ours(Tensor(x)).data, theirs(torch.tensor(x)))
    out, indices = MaxPool2d(2, return_indices=True)(Tensor(x))
    np.testing.assert_array_equal(
        indices, torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))[1]
    )


@pytest.mark.parametrize(
    "ours, theirs, shape",
    [
        (lambda **k: BatchNorm1d(3, **k), lambda **k: torch.nn.BatchNorm1d(3, **k), (5, 3)),
        (lambda **k: BatchNorm1d(3, **k), lambda **k: torch.nn.BatchNorm1d(3, **k), (4, 3, 6)),
        (lambda **k: BatchNorm2d(3, **k), lambda **k: torch.nn.BatchNorm2d(3, **k), (4, 3, 5, 2)),
    ],
)
@pytest.mark.parametrize(
    "options",
    [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}, {"eps": 0.1}],
    ids=str,
)
def test_batch_norm_modules_match_torch_in_training_and_evaluation(ours, theirs, shape, options):
    a, b = ours(**options), theirs(**options).double()
    rng = np.random.default_rng(3)
    if a.affine:
        a.weight.data[...] = rng.standard_normal(3)
        with torch.no_grad():
            b.weight.copy_(torch.tensor(a.weight.data))
    for step in range(3):  # three training steps, then evaluation
        x = rng.standard_normal(shape) * (step + 1) + step
        y, ty = a(Tensor(x, requires_grad=True)), b(torch.tensor(x, requires_grad=True))
        _close(y.data, ty)
    if a.track_running_stats:
        _close(a.running_mean.data, b.running_mean)
        _close(a.running_var.data, b.running_var)
    a.eval()
    b.eval()
    x = rng.standard_normal(shape)
    _close(a(Tensor(x)).data, b(torch.tensor(x)))
    with pytest.raises(ShapeError, match="expected input of shape"):
        a(Tensor(np.ones((2, 4))))


def test_batch_norm_buffers_are_saved_and_loaded_but_never_trained(tmp_path):
    net = Sequential(Linear(4, 3), BatchNorm1d(3), ReLU())
    assert [name for name, _ in net.named_parameters()] == [
        "layer0/W",
        "layer0/b",
        "layer1/weight",
        "layer1/bias",
    ]
    assert [name for name, _ in net.named_buffers()] == [
        "layer1/running_mean",
        "layer1/running_var",
    ]
    Adam(net.parameters(), lr=0.1)  # the buffers are not parameters: the optimizer accepts
    net(Tensor(np.random.default_rng(4).standard_normal((8, 4))))
    path = net.save(tmp_path / "net.npz")
    other = Sequential(Linear(4, 3), BatchNorm1d(3), ReLU())
    other.load(path)
    np.testing.assert_array_equal(other[1].running_mean.data, net[1].running_mean.data)
    np.testing.assert_array_equal(other[1].running_var.data, net[1].running_var.data)
    assert set(np.load(path).files) == set(net.state_dict())


def test_dropout_module_train_and_eval():
    drop = Dropout(0.25, rng=np.random.default_rng(5))
    x = Tensor(np.ones((100, 100)))
    kept = drop(x).data != 0
    assert abs(kept.mean() - 0.75) < 0.02
    drop.eval()
    assert drop(x) is x
    assert repr(Dropout()) == repr(torch.nn.Dropout())
    with pytest.raises(ValueError, match="between 0 and 1"):
        Dropout(-0.1)
    with pytest.raises(ValueError, match="inplace"):
        Dropout(inplace=True)


def test_a_small_cnn_trains():
    rng = np.random.default_rng(6)
    net = Sequential(
        Conv2d(1, 4, 3, padding=1, rng=rng),
        BatchNorm2d(4),
        ReLU(),
        MaxPool2d(2),
        Dropout(0.1, rng=rng),
        Flatten(),
        Linear(4 * 4 * 4, 2, rng=rng),
    )
    x = rng.standard_normal((32, 1, 8, 8))
    t = (x[:, 0, :4].sum(axis=(1, 2)) > x[:, 0, 4:].sum(axis=(1, 2))).astype(int)
    from autograph.nn import softmax_cross_entropy

    opt = Adam(net.parameters(), lr=0.01)
    losses = []
    for _ in range(60):
        loss = softmax_cross_entropy(net(Tensor(x)), t)
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    net.eval()
    assert (np.argmax(net(Tensor(x)).data, axis=1) == t).mean() > 0.9


@pytest.mark.parametrize("p", [0.2, 0.5, 1.0])
def test_dropout_scaling_and_eval_as_torch(p):
    ours = Dropout(p, rng=np.random.default_rng(7))
    theirs = torch.nn.Dropout(p)
    x = np.ones((200, 100))
    y, ty = ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy()
    # the masks differ (different generators); what is kept is scaled alike, 1/(1-p)
    for kept in (y[y != 0], ty[ty != 0]):
        np.testing.assert_allclose(np.unique(kept), [1 / (1 - p)] if p < 1 else [])
    assert abs((y != 0).mean() - (ty != 0).mean()) < 0.02
    ours.eval()
    theirs.eval()
    _close(ours(Tensor(x)).data, theirs(torch.tensor(x)))


def _small_cnn(rng):
    return Sequential(
        Conv2d(1, 3, 3, padding=1, rng=rng),
        BatchNorm2d(3),
        ReLU(),
        MaxPool2d(2),
        Dropout(0.2, rng=rng),
        Flatten(),
        Linear(3 * 3 * 3, 2, rng=rng),
    )


def test_a_cnn_graph_is_checked_node_by_node_and_expanded():
    # every image op is rebuilt from its node (viz's REPLAY: same window, mask, statistics),
    # so the per-node gradient check and expand() work on a CNN's graph
    from autograph.nn import softmax_cross_entropy
    from autograph.testing import check_nodes
    from autograph.viz.expand import expand

    rng = np.random.default_rng(8)
    net = _small_cnn(rng)
    loss = softmax_cross_entropy(net(Tensor(rng.standard_normal((4, 1, 6, 6)))), [0, 1, 1, 0])
    loss.backward()
    ops = {node.op for node in walk(loss)}
    assert {"conv2d", "batch_norm", "max_pool2d", "dropout", "flatten"} <= ops
    assert check_nodes(loss) == []
    copy = expand(loss)
    np.testing.assert_allclose(copy.data, loss.data)
    (weight,) = [n for n in walk(copy) if n.is_leaf and n.shape == (3, 1, 3, 3)]
    np.testing.assert_allclose(weight.grad, net[0].weight.grad)  # the same backward


def test_a_cnn_drawn_collapsed_by_layer_with_shapes():
    from autograph.nn import softmax_cross_entropy
    from autograph.viz import to_dot

    rng = np.random.default_rng(9)
    net = _small_cnn(rng)
    loss = softmax_cross_entropy(net(Tensor(rng.standard_normal((4, 1, 6, 6)))), [0, 1, 1, 0])
    loss.backward()
    dot = to_dot(loss, collapse=1, shapes=True)
    for shape in ("4×1×6×6", "4×3×6×6", "4×3×3×3", "4×27"):
        assert f'[label="{shape}"]' in dot, shape
    for layer in range(7):
        assert f"<B>layer{layer}</B>" in dot
    assert 'label="4×' not in to_dot(loss, collapse=1)  # shapes only when asked for


def test_draw_command_labels_a_cnns_layers_with_shapes(tmp_path, capsys):
    from autograph.cli.main import main

    script = tmp_path / "net.py"
    script.write_text(
        "import numpy as np\n"
        "from autograph import Tensor\n"
        "from autograph.nn import Conv2d, Flatten, Linear, MaxPool2d, Sequential\n"
        "rng = np.random.default_rng(0)\n"
        "net = Sequential(Conv2d(1, 2, 3, rng=rng), MaxPool2d(2), Flatten(), Linear(8, 3))\n"
        "out = net(Tensor(rng.random((5, 1, 6, 6)))).sum()\n"
        "out.backward()\n"
    )
    dot = tmp_path / "net.dot"
    argv = ["draw", "--module", str(script), "--collapse", "1", "-o", str(dot)]
    assert main([*argv, "--shapes"]) == 0
    text = dot.read_text()
    for shape in ("5×1×6×6", "5×2×4×4", "5×2×2×2", "5×8"):
        assert f'[label="{shape}"]' in text, shape
    assert main(argv) == 0
    assert "5×2×4×4" not in dot.read_text()
