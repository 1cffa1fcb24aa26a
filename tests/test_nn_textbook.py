"""The notes' hand-written layers agree with autograph's automatic gradients."""

from __future__ import annotations

import numpy as np
import pytest

from autograph import Tensor, Value, softmax_cross_entropy
from autograph.nn import TwoLayerNet, sequel
from autograph.nn import textbook as tb


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_mul_add_layers_shopping_figures() -> None:
    # apple and orange: the figures of the notes
    mul_apple, mul_orange, add, mul_tax = tb.MulLayer(), tb.MulLayer(), tb.AddLayer(), tb.MulLayer()
    apple_price = mul_apple.forward(100, 2)
    orange_price = mul_orange.forward(150, 3)
    price = mul_tax.forward(add.forward(apple_price, orange_price), 1.1)
    d_all, d_tax = mul_tax.backward(1)
    d_apple_price, d_orange_price = add.backward(d_all)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    d_orange, d_orange_num = mul_orange.backward(d_orange_price)
    assert price == pytest.approx(715)
    assert (d_apple, d_apple_num, d_orange, d_orange_num, d_tax) == pytest.approx(
        (2.2, 110, 3.3, 165, 650)
    )
    # and autograph's Values give the same numbers
    a, an, o, on, tax = (Value(v) for v in (100, 2, 150, 3, 1.1))
    p = (a * an + o * on) * tax
    p.backward()
    assert (a.grad, an.grad, o.grad, on.grad, tax.grad) == pytest.approx(
        (d_apple, d_apple_num, d_orange, d_orange_num, d_tax)
    )


def _autograd(fn, x: np.ndarray, dout: np.ndarray) -> np.ndarray:
    xt = Tensor(x, requires_grad=True)
    fn(xt).backward(dout)
    return xt.grad


def test_relu_matches_autograph_and_leaves_dout_alone(rng: np.random.Generator) -> None:
    x = rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 5))
    dout_before = dout.copy()
    layer = tb.Relu()
    y = layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)  # the book's version zeroes it in place
    np.testing.assert_allclose(y, Tensor(x).relu().data)
    np.testing.assert_allclose(dx, _autograd(lambda t: t.relu(), x, dout))
    assert np.all(dx[x <= 0] == 0) and np.any(dx != 0)


def test_relu_fan_out_gradient_is_right(rng: np.random.Generator) -> None:
    # y = relu(x) used twice (L = sum(relu(x) * a) + sum(relu(x) * b)): with an in-place
    # backward the shared upstream array would be corrupted for the second consumer.
    x, a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    layer = tb.Relu()
    layer.forward(x)
    upstream = a + b
    first = layer.backward(upstream)
    second = layer.backward(upstream)
    np.testing.assert_array_equal(first, second)
    xt = Tensor(x, requires_grad=True)
    r = xt.relu()
    ((r * a).sum() + (r * b).sum()).backward()
    np.testing.assert_allclose(first, xt.grad)


def test_sigmoid_matches_autograph(rng: np.random.Generator) -> None:
    x, dout = rng.standard_normal((3, 6)), rng.standard_normal((3, 6))
    layer = tb.Sigmoid()
    np.testing.assert_allclose(layer.forward(x), Tensor(x).sigmoid().data)
    np.testing.assert_allclose(layer.backward(dout), _autograd(lambda t: t.sigmoid(), x, dout))
    # the four-node graph of the notes (×-1, exp, +1, /) gives the same gradient
    np.testing.assert_allclose(
        layer.backward(dout), _autograd(lambda t: 1 / (1 + (-t).exp()), x, dout)
    )


def test_affine_matches_autograph(rng: np.random.Generator) -> None:
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((5, 3))
    layer = tb.Affine(W, b)
    y = layer.forward(x)
    dx = layer.backward(dout)
    xt, Wt, bt = (Tensor(v, requires_grad=True) for v in (x, W, b))
    yt = xt @ Wt + bt
    yt.backward(dout)
    np.testing.assert_allclose(y, yt.data)
    np.testing.assert_allclose(dx, xt.grad)
    np.testing.assert_allclose(layer.dW, Wt.grad)
    np.testing.assert_allclose(layer.db, bt.grad)


def test_affine_bias_gradient_example_of_the_notes() -> None:
    layer = tb.Affine(np.zeros((2, 3)), np.zeros(3))
    layer.forward(np.ones((2, 2)))
    layer.backward(np.array([[1.0, 2, 3], [4, 5, 6]]))
    np.testing.assert_array_equal(layer.db, [5, 7, 9])


def test_affine_flattens_images(rng: np.random.Generator) -> None:
    x = rng.standard_normal((2, 1, 2, 3))
    layer = tb.Affine(rng.standard_normal((6, 4)), np.zeros(4))
    layer.forward(x)
    assert layer.backward(np.ones((2, 4))).shape == x.shape


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_matches_fused_node(rng: np.random.Generator, one_hot: bool) -> None:
    x = rng.standard_normal((6, 4)) * 3
    t = rng.integers(0, 4, 6)
    target = np.eye(4)[t] if one_hot else t
    layer = tb.SoftmaxWithLoss()
    loss = layer.forward(x, target)
    dx = layer.backward()
    xt = Tensor(x, requires_grad=True)
    node = softmax_cross_entropy(xt, target)
    node.backward()
    assert loss == pytest.approx(node.item(), abs=1e-5)  # differs only by the book's 1e-7
    np.testing.assert_allclose(dx, xt.grad, atol=1e-12)


def test_sequel_layers_match_autograph(rng: np.random.Generator) -> None:
    x = rng.standard_normal((5, 4))
    W1, b1, W2 = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((3, 2))
    dout = rng.standard_normal((5, 2))
    layers = [sequel.Affine(W1, b1), sequel.Sigmoid(), sequel.MatMul(W2)]
    grads_before = [g for layer in layers for g in layer.grads]
    h = x
    for layer in layers:
        h = layer.forward(h)
    d = dout
    for layer in reversed(layers):
        d = layer.backward(d)
    # backward wrote into the same arrays (an optimizer holding them sees the gradients)
    grads_after = [g for layer in layers for g in layer.grads]
    assert all(g is g2 for g, g2 in zip(grads_before, grads_after, strict=True))
    xt, W1t, b1t, W2t = (Tensor(v, requires_grad=True) for v in (x, W1, b1, W2))
    out = (xt @ W1t + b1t).sigmoid() @ W2t
    out.backward(dout)
    np.testing.assert_allclose(h, out.data)
    np.testing.assert_allclose(d, xt.grad)
    np.testing.assert_allclose(layers[0].grads[0], W1t.grad)
    np.testing.assert_allclose(layers[0].grads[1], b1t.grad)
    np.testing.assert_allclose(layers[2].grads[0], W2t.grad)


def test_sequel_sgd_updates_in_place() -> None:
    W = np.ones((2, 2))
    g = np.full((2, 2), 2.0)
    params = [W]
    sequel.SGD(lr=0.5).update(params, [g])
    assert params[0] is W
    np.testing.assert_array_equal(W, np.zeros((2, 2)))


def test_two_layer_net_gradient_check() -> None:
    # The notes' check on 3 samples, at tiny sizes so it runs fast.
    rng = np.random.default_rng(0)
    net = TwoLayerNet(input_size=12, hidden_size=6, output_size=4, rng=rng)
    x = rng.random((3, 12))
    t = np.eye(4)[rng.integers(0, 4, 3)]
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        assert backprop[key].shape == net.params[key].shape
        diff = np.mean(np.abs(backprop[key] - numerical[key]))
        assert diff < 1e-7, (key, diff)
    # and the gradients are not trivially zero
    assert np.abs(backprop["W1"]).max() > 1e-5


def test_two_layer_net_matches_hand_written_layers() -> None:
    rng = np.random.default_rng(1)
    net = TwoLayerNet(8, 5, 3, weight_init_std=0.5, rng=rng)
    x, t = rng.standard_normal((7, 8)), rng.integers(0, 3, 7)
    p = net.params
    a1, relu, a2, last = (
        tb.Affine(p["W1"], p["b1"]),
        tb.Relu(),
        tb.Affine(p["W2"], p["b2"]),
        tb.SoftmaxWithLoss(),
    )
    loss = last.forward(a2.forward(relu.forward(a1.forward(x))), t)
    a1.backward(relu.backward(a2.backward(last.backward())))
    grads = net.gradient(x, t)
    assert net.loss(x, t) == pytest.approx(loss, abs=1e-5)
    np.testing.assert_allclose(grads["W1"], a1.dW, atol=1e-12)
    np.testing.assert_allclose(grads["b1"], a1.db, atol=1e-12)
    np.testing.assert_allclose(grads["W2"], a2.dW, atol=1e-12)
    np.testing.assert_allclose(grads["b2"], a2.db, atol=1e-12)


def test_two_layer_net_trains_as_the_notes_loop_does() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((200, 10))
    t = (x[:, 0] + x[:, 1] > 0).astype(int)
    net = TwoLayerNet(10, 16, 2, weight_init_std=0.1, rng=rng)
    before = net.loss(x, t)
    for _ in range(300):
        idx = rng.choice(200, 20)
        grad = net.gradient(x[idx], t[idx])
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.5 * grad[key]
    assert net.loss(x, t) < before / 3
    assert net.accuracy(x, t) > 0.9
    assert net.accuracy(x, np.eye(2)[t]) == net.accuracy(x, t)


@pytest.mark.parametrize("style", ["in place", "assign"])
def test_two_layer_net_params_assignment_trains_the_net(style: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, 10))
    t = (x[:, 0] - x[:, 2] > 0).astype(int)
    net = TwoLayerNet(10, 16, 2, weight_init_std=0.1, rng=rng, dtype=np.float32)
    params = net.params
    before = net.loss(x, t)
    for _ in range(300):
        idx = rng.choice(200, 20)
        grad = net.gradient(x[idx], t[idx])
        for key in ("W1", "b1", "W2", "b2"):
            if style == "in place":
                params[key] -= 0.5 * grad[key]
            else:
                params[key] = params[key] - 0.5 * grad[key]  # the textbook's form
    assert net.loss(x, t) < before / 3
    assert net.accuracy(x, t) > 0.9
    assert net.W1.data.dtype == np.float32


def test_two_layer_net_params_assignment_writes_through_and_checks_shapes() -> None:
    net = TwoLayerNet(4, 3, 2, rng=np.random.default_rng(0))
    held = net.W1.data
    net.params["W1"] = np.ones((4, 3))
    assert net.W1.data is held  # written in place: an optimizer holding it sees the change
    np.testing.assert_array_equal(net.W1.data, 1.0)
    np.testing.assert_array_equal(net.params["W1"], 1.0)
    with pytest.raises(ValueError, match=r"params\['b1'\].*\(4,\).*\(3,\)"):
        net.params["b1"] = np.zeros(4)
    with pytest.raises(KeyError, match="W3"):
        net.params["W3"] = np.zeros(2)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert {k: v.shape for k, v in net.params.items()}["W2"] == (3, 2)


def test_two_layer_net_accuracy_checks_float_labels() -> None:
    net = TwoLayerNet(2, 4, 3, rng=np.random.default_rng(0))
    x, t = np.ones((3, 2)), np.array([0, 1, 2])
    assert net.accuracy(x, t.astype(float)) == net.accuracy(x, t)
    with pytest.raises(ValueError, match="labels must be integers"):
        net.accuracy(x, t + 0.5)
