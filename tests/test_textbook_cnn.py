"""The textbook's ch. 6-7 layers (hand-written backward) agree with autograph's automatic
gradients, and SimpleConvNet keeps the book's interface."""

from __future__ import annotations

import re

import numpy as np
import pytest

from autograph import Tensor, gradients
from autograph.engine.tensor import batch_norm, conv2d, dropout, max_pool2d
from autograph.nn import SimpleConvNet
from autograph.nn import textbook as tb
from autograph.nn import textbook_cnn as tc


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def _grads(fn, arrays, dout):
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    return out.data, gradients(out, leaves, dout)


def test_col2im_is_the_adjoint_of_im2col(rng):
    x = rng.standard_normal((2, 3, 7, 6))
    cols = tc.im2col(x, 3, 2, stride=2, pad=1)
    c = rng.standard_normal(cols.shape)
    back = tc.col2im(c, x.shape, 3, 2, stride=2, pad=1)
    assert np.isclose(np.sum(cols * c), np.sum(x * back))  # <im2col(x), c> = <x, col2im(c)>


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (1, 2)])
def test_convolution_layer_matches_autograph(rng, stride, pad):
    x, W, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.random(4)
    layer = tc.Convolution(W, b, stride, pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    ours, (gx, gw, gb) = _grads(lambda x, w, b: conv2d(x, w, b, stride, pad), [x, W, b], dout)
    np.testing.assert_allclose(out, ours, atol=1e-12)
    np.testing.assert_allclose(dx, gx, atol=1e-12)
    np.testing.assert_allclose(layer.dW, gw, atol=1e-12)
    np.testing.assert_allclose(layer.db, gb, atol=1e-12)


@pytest.mark.parametrize("ties", [False, True])
def test_pooling_layer_matches_autograph(rng, ties):
    x = (
        rng.integers(0, 3, (2, 3, 6, 8)).astype(float)
        if ties
        else rng.standard_normal((2, 3, 6, 8))
    )
    layer = tc.Pooling(2, 2, stride=2)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    ours, (gx,) = _grads(lambda x: max_pool2d(x, 2, 2), [x], dout)
    np.testing.assert_array_equal(out, ours)
    np.testing.assert_array_equal(dx, gx)  # both send a tie's gradient to the first maximum


def test_dropout_layer_is_the_books_and_autographs_is_pytorchs(rng):
    x = rng.standard_normal((50, 40))
    layer = tc.Dropout(0.3, rng=np.random.default_rng(1))
    y = layer.forward(x)
    np.testing.assert_array_equal(y, x * layer.mask)  # no rescaling in training
    dout = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(dout), dout * layer.mask)
    np.testing.assert_allclose(layer.forward(x, train_flg=False), 0.7 * x)
    # autograph's inverted dropout: the same kept elements, scaled by 1/(1-p); its gradient too
    ours, (gx,) = _grads(lambda t: dropout(t, 0.3, rng=np.random.default_rng(2)), [x], dout)
    kept = ours != 0
    np.testing.assert_allclose(ours[kept], x[kept] / 0.7)
    np.testing.assert_allclose(gx, dout * kept / 0.7)


@pytest.mark.parametrize("shape", [(6, 5), (4, 2, 3, 3)])
def test_batch_normalization_layer_matches_autograph(rng, shape):
    x = rng.standard_normal(shape) * 2 + 1
    features = int(np.prod(shape[1:]))
    gamma, beta = rng.standard_normal(features), rng.standard_normal(features)
    layer = tc.BatchNormalization(gamma, beta)
    out = layer.forward(x)
    dout = rng.standard_normal(shape)
    dx = layer.backward(dout)
    flat = x.reshape(shape[0], -1)  # the book normalizes each feature of the flattened input

    def ours_bn(x, g, b):
        return batch_norm(x, None, None, g, b, training=True, eps=1e-6)

    ours, (gx, gg, gb) = _grads(ours_bn, [flat, gamma, beta], dout.reshape(flat.shape))
    np.testing.assert_allclose(out, ours.reshape(shape), atol=1e-10)
    np.testing.assert_allclose(dx, gx.reshape(shape), atol=1e-10)
    np.testing.assert_allclose(layer.dgamma, gg, atol=1e-10)
    np.testing.assert_allclose(layer.dbeta, gb, atol=1e-10)
    # the book's running average (momentum 0.9) is PyTorch's momentum 0.1 on the mean
    np.testing.assert_allclose(layer.running_mean, 0.1 * flat.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.1 * flat.var(axis=0))  # biased


def _tiny(rng, dtype=np.float64):
    net = SimpleConvNet(
        (1, 8, 8),
        {"filter_num": 3, "filter_size": 3},
        hidden_size=5,
        output_size=4,
        weight_init_std=0.3,
        rng=rng,
        dtype=dtype,
    )
    return net, rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 4, 6)


def test_simple_convnet_gradient_matches_the_books_layers(rng):
    net, x, t = _tiny(rng)
    p = {k: v.copy() for k, v in net.params.items()}
    layers = [
        tc.Convolution(p["W1"], p["b1"]),
        tb.Relu(),
        tc.Pooling(2, 2, stride=2),
        tb.Affine(p["W2"], p["b2"]),
        tb.Relu(),
        tb.Affine(p["W3"], p["b3"]),
    ]
    h = x
    for layer in layers:
        h = layer.forward(h)
    last = tb.SoftmaxWithLoss()
    assert last.forward(h, t) == pytest.approx(net.loss(x, t), rel=1e-6)
    dout = last.backward()
    for layer in reversed(layers):
        dout = layer.backward(dout)
    grads = net.gradient(x, t)
    books = {
        "W1": layers[0].dW,
        "b1": layers[0].db,
        "W2": layers[3].dW,
        "b2": layers[3].db,
        "W3": layers[5].dW,
        "b3": layers[5].db,
    }
    for name, g in grads.items():
        np.testing.assert_allclose(g, books[name], rtol=1e-9, atol=1e-12, err_msg=name)


def test_simple_convnet_gradient_matches_numerical_gradient(rng):
    net, x, t = _tiny(rng)
    numerical = net.numerical_gradient(x[:3], t[:3])
    for name, g in net.gradient(x[:3], t[:3]).items():
        np.testing.assert_allclose(g, numerical[name], rtol=1e-4, atol=1e-7, err_msg=name)


def test_simple_convnet_interface(rng, tmp_path):
    net = SimpleConvNet(rng=rng, dtype=np.float32)
    assert net.W1.shape == (30, 1, 5, 5) and net.W2.shape == (4320, 100)
    x = rng.random((7, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, 7)
    assert net.predict(x).shape == (7, 10) and net.predict(x).dtype == np.float32
    whole = net.accuracy(x, t, batch_size=100)
    assert net.accuracy(x, t, batch_size=2) == whole  # batches change nothing
    assert net.accuracy(x, np.eye(10)[t]) == whole  # one-hot labels too
    before = net.params["W1"].copy()
    net.params["W1"] -= 1.0  # the live array: the book's update trains the net
    np.testing.assert_allclose(net.W1.data, before - 1.0)
    path = net.save_params(tmp_path / "convnet.npz")
    assert sorted(np.load(path).files) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    other = SimpleConvNet(rng=np.random.default_rng(9), dtype=np.float32).load_params(path)
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    with pytest.raises(ValueError, match="does not fit|shape"):
        SimpleConvNet(hidden_size=50).load_params(path)
    with pytest.raises(ValueError, match="unknown conv_param"):
        SimpleConvNet(conv_param={"filters": 3})


def _box_arrows(dot: str) -> dict[tuple[str, str], str]:
    """(tail box name, head box name) -> the arrow's label, from a collapsed picture."""
    names = dict(re.findall(r"^  (b\d+) \[shape=box.*?<B>(.*?)</B>", dot, re.M))
    arrows = re.findall(r"^  (b\d+) -> (b\d+)(?: \[(.*)\])?$", dot, re.M)
    found = {}
    for a, b, attrs in arrows:
        label = re.search(r'label="([^"]*)"', attrs or "")
        found[(names[a], names[b])] = label.group(1) if label else ""
    return found


def test_simple_convnet_drawn_by_layer_with_shapes_on_the_edges(rng):
    from autograph.viz import to_dot

    net = SimpleConvNet(rng=rng, dtype=np.float32)
    loss = net.loss_node(rng.random((4, 1, 28, 28), dtype=np.float32), [1, 2, 3, 4])
    loss.backward()
    dot = to_dot(loss, collapse=1, shapes=True)
    assert _box_arrows(dot) == {
        ("(inputs)", "Conv1"): "4×1×28×28",
        ("Conv1", "Relu1"): "4×30×24×24",
        ("Relu1", "Pool1"): "4×30×24×24",
        ("Pool1", "Affine1"): "4×4320",
        ("Affine1", "Relu2"): "4×100",
        ("Relu2", "Affine2"): "4×100",
    }
    # the last arrow goes into the loss node, which draws the logits' shape and dtype
    assert "(4, 10) float32" in dot
