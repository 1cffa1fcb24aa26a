"""The habits of "Deep Learning from Scratch" readers: vol. 1's TwoLayerNet (seeded weights,
`layers`, `lastLayer`, drawn by layer) and vol. 2's chapter 1 (layers, optimizers, spiral data,
Trainer), checked against the numbers the books' own code gives.

The pinned numbers below were printed by the books' published code (deep-learning-from-scratch
`ch05/two_layer_net.py`; deep-learning-from-scratch-2 `dataset/spiral.py`,
`common/optimizer.py`, `common/trainer.py`, `ch01/train.py`), run with NumPy 2 (its `np.int`
read as `int`).
"""

from __future__ import annotations

import numpy as np
import pytest

from autograph import Tensor
from autograph.data import spiral
from autograph.engine import numerical
from autograph.nn import Linear, ReLU, TwoLayerNet, numerical_gradient, sequel
from autograph.training import Trainer

# -- vol. 1, chapter 5 -----------------------------------------------------------------------


def test_global_seed_gives_the_books_weights() -> None:
    np.random.seed(0)
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    np.random.seed(0)  # the book's __init__, line by line
    W1 = 0.01 * np.random.randn(784, 50)
    b1 = np.zeros(50)
    W2 = 0.01 * np.random.randn(50, 10)
    b2 = np.zeros(10)
    for name, array in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        np.testing.assert_array_equal(net.params[name], array)
    np.random.seed(0)
    again = TwoLayerNet(784, 50, 10, weight_init_std=0.01)
    np.testing.assert_array_equal(again.params["W2"], W2)


def test_layers_and_last_layer_are_the_books_over_the_same_parameters(tmp_path) -> None:
    np.random.seed(1)
    net = TwoLayerNet(4, 5, 3)
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert list(net.layers.keys()) == ["Affine1", "Relu1", "Affine2"]
    affine1, relu1, affine2 = net.layers.values()
    assert isinstance(affine1, Linear) and isinstance(relu1, ReLU)
    assert affine1.W is net.W1 and affine1.b is net.b1 and affine2.W is net.W2
    x = np.random.default_rng(0).standard_normal((6, 4))
    t = np.array([0, 1, 2, 0, 1, 2])
    # the book's predict and loss, written as in ch05/two_layer_net.py
    y = Tensor(x)
    for layer in net.layers.values():
        y = layer.forward(y)
    np.testing.assert_allclose(y.data, net.predict(x))
    assert float(net.lastLayer.forward(y, t).data) == pytest.approx(net.loss(x, t))
    # trains, saves under the book's keys
    before = net.params["W1"].copy()
    grads = net.gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        net.params[key] -= 0.1 * grads[key]
    assert not np.array_equal(before, net.layers["Affine1"].W.data)
    path = net.save(tmp_path / "net.npz")
    with np.load(path) as saved:
        assert sorted(saved.files) == ["W1", "W2", "b1", "b2"]
    assert [name for name, _ in net.named_parameters()] == ["W1", "b1", "W2", "b2"]


def test_loss_node_draws_as_the_books_layer_boxes() -> None:
    from autograph.viz import to_dot

    np.random.seed(2)
    net = TwoLayerNet(4, 3, 2)
    x = np.random.default_rng(0).standard_normal((5, 4))
    dot = to_dot(net.loss_node(x, np.array([0, 1, 1, 0, 1])), collapse=1)
    boxes = [line for line in dot.splitlines() if 'tooltip="' in line and "shape=box" in line]
    names = {line.split('tooltip="')[1].split('"')[0] for line in boxes}
    assert {"Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"} <= names
    order = [dot.index(f">{name}</B>") for name in ("Affine1", "Relu1", "Affine2")]
    assert all(o > 0 for o in order)
    edges = [line.strip() for line in dot.splitlines() if "->" in line]
    ids = {name: line.split()[0] for line in boxes for name in [line.split('tooltip="')[1][:-2]]}
    chain = ["Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"]
    for a, b in zip(chain, chain[1:], strict=False):
        assert f"{ids[a]} -> {ids[b]}" in edges


def test_numerical_gradient_is_the_engines_one() -> None:
    assert numerical_gradient is numerical.numerical_gradient
    np.random.seed(3)
    net = TwoLayerNet(3, 4, 2)
    x, t = np.random.default_rng(0).standard_normal((2, 3)), np.array([0, 1])
    grad = numerical_gradient(lambda W: net.loss(x, t), net.params["W1"])  # the book's call
    np.testing.assert_allclose(grad, net.gradient(x, t)["W1"], atol=1e-7)


# -- vol. 2, chapter 1 -----------------------------------------------------------------------


def test_spiral_is_the_books_data() -> None:
    x, t = spiral.load_data()
    assert x.shape == (300, 2) and t.shape == (300, 3)
    assert t.sum(axis=0).tolist() == [100, 100, 100] and t.sum(axis=1).tolist() == [1] * 300
    assert np.argmax(t[:100], axis=1).tolist() == [0] * 100  # arm by arm
    np.testing.assert_array_equal(x[0], [0.0, 0.0])
    np.testing.assert_allclose(x[1], [-0.00097698643152699, 0.009952160444476976], rtol=1e-14)
    np.testing.assert_allclose(x[150], [-0.13912045724684738, 0.48025565938927584], rtol=1e-14)
    np.testing.assert_allclose(x[299], [-0.5974310265949212, 0.7894150799558737], rtol=1e-14)
    assert x.sum() == pytest.approx(-13.916731190759947, rel=1e-13)
    x2, _ = spiral.load_data(seed=1985)
    assert not np.array_equal(x, x2)


def test_trainer_reproduces_the_books_chapter_1_run(tmp_path) -> None:
    x, t = spiral.load_data()  # seeds NumPy's generator with 1984, as the book's
    model = sequel.TwoLayerNet(input_size=2, hidden_size=10, output_size=3)
    trainer = Trainer(model, sequel.SGD(lr=1.0))
    lines: list[str] = []
    trainer.fit(x, t, 300, 30, eval_interval=10, log=lines.append)
    losses = trainer.loss_list
    assert len(losses) == 300  # 10 iterations per epoch, recorded at iteration 0
    book_first = [1.0979835927063497, 1.1189180749104568, 1.1299014199094313,
                  1.1212650789399152, 1.1228718231286021]  # fmt: skip
    book_last = [0.11383509508995662, 0.11370117229657824, 0.10868606991116361]
    np.testing.assert_allclose(losses[:5], book_first, rtol=1e-12)
    np.testing.assert_allclose(losses[-3:], book_last, rtol=1e-9)
    assert model.params[0].sum() == pytest.approx(-18.200685864184692, rel=1e-9)
    assert lines[0].startswith("| epoch 1 |  iter 1 / 10 | time ")
    png = trainer.plot(tmp_path / "loss.png")
    assert png.read_bytes().startswith(b"\x89PNG")


BOOK_OPTIMIZERS = {  # 4 updates of [ones((2, 3)), zeros(3)], lr 0.1, grads from RandomState(1)
    "Momentum": (
        [
            0.5945233327405334,
            0.7302056970716683,
            1.8960184948739034,
            1.3080375417501717,
            0.6748381621633502,
            1.457490984604831,
        ],
        [-0.3886122984823114, 0.5055400037907992, 0.15279768886308884],
    ),
    "Nesterov": (
        [
            0.5800942323977847,
            0.5600636697059571,
            2.3259044535726723,
            1.42855175374816,
            0.5492427223576283,
            1.6275327445248022,
        ],
        [-0.4478844146576192, 0.8443231317773185, 0.2556972157764482],
    ),
    "AdaGrad": (
        [
            0.9620762795609636,
            0.9889043043853637,
            1.2212048515882006,
            1.0969542700188715,
            0.9006419319802863,
            1.0620099782805226,
        ],
        [-0.051543052437980505, 0.24230256338637104, 0.008374319013456453],
    ),
    "RMSprop": (
        [
            0.626851233188771,
            0.8881482059307056,
            3.2123710751780106,
            1.9707657129452518,
            0.0074234485538718364,
            1.6199141434103517,
        ],
        [-0.5126253076253472, 2.431772691912401, 0.0851572034846192],
    ),
    "Adam": (
        [
            0.7983827999715546,
            0.9702410277811713,
            1.3386047805612755,
            1.2096668018620753,
            0.7762447656587035,
            1.1569583306595947,
        ],
        [-0.16297896945110502, 0.36468495049513705, 0.028628383493024115],
    ),
}


@pytest.mark.parametrize("name", list(BOOK_OPTIMIZERS))
def test_sequel_optimizers_give_the_books_numbers_in_place(name: str) -> None:
    params = [np.ones((2, 3)), np.zeros(3)]
    arrays = list(params)
    opt = getattr(sequel, name)(lr=0.1)
    rng = np.random.RandomState(1)
    for _ in range(4):
        opt.update(params, [rng.randn(2, 3), rng.randn(3)])
    assert all(p is a for p, a in zip(params, arrays, strict=True))  # in place
    weights, biases = BOOK_OPTIMIZERS[name]
    np.testing.assert_allclose(params[0].ravel(), weights, rtol=1e-13)
    np.testing.assert_allclose(params[1], biases, rtol=1e-13, atol=1e-15)


def test_sequel_optimizers_refuse_bad_input() -> None:
    for cls in (sequel.SGD, sequel.Momentum, sequel.AdaGrad, sequel.RMSprop, sequel.Adam):
        with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
            cls(lr=float("nan"))
    with pytest.raises(ValueError, match="2 params but 1 grads"):
        sequel.SGD().update([np.ones(1), np.ones(1)], [np.ones(1)])
    opt = sequel.Adam()
    opt.update([np.ones(1)], [np.ones(1)])
    with pytest.raises(ValueError, match="one optimizer per model"):
        opt.update([np.ones(1), np.ones(2)], [np.ones(1), np.ones(2)])


def test_sequel_loss_layers_match_autograph() -> None:
    rng = np.random.default_rng(5)
    x, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    softmax = sequel.Softmax()
    dout = rng.standard_normal((4, 3))
    y = softmax.forward(x)
    xt = Tensor(x, requires_grad=True)
    xt.softmax(-1).backward(dout)
    np.testing.assert_allclose(y, xt.softmax(-1).data)
    np.testing.assert_allclose(softmax.backward(dout), xt.grad, atol=1e-12)

    for target in (labels, np.eye(3)[labels]):  # indices or one-hot rows
        swl = sequel.SoftmaxWithLoss()
        loss = swl.forward(x, target)
        xt = Tensor(x, requires_grad=True)
        from autograph.nn import softmax_cross_entropy

        node = softmax_cross_entropy(xt, labels)
        node.backward()
        assert loss == pytest.approx(node.item(), abs=1e-6)  # the book's 1e-7 in the log
        np.testing.assert_allclose(swl.backward(), xt.grad, atol=1e-12)

    scores, t01 = rng.standard_normal(6), np.array([1, 0, 1, 1, 0, 0])
    sig = sequel.SigmoidWithLoss()
    loss = sig.forward(scores, t01)
    st = Tensor(scores, requires_grad=True)
    p = st.sigmoid()
    bce = -(Tensor(t01) * p.log() + Tensor(1 - t01) * (1 - p).log()).mean()
    bce.backward()
    assert loss == pytest.approx(bce.item(), abs=1e-6)
    np.testing.assert_allclose(sig.backward(), st.grad, atol=1e-12)


def test_trainer_refuses_what_would_silently_train_on_nothing() -> None:
    x, t = spiral.load_data()
    trainer = Trainer(sequel.TwoLayerNet(2, 4, 3), sequel.SGD(lr=1.0))
    with pytest.raises(ValueError, match="batch_size 500 is larger than the data"):
        trainer.fit(x, t, max_epoch=1, batch_size=500)
    with pytest.raises(ValueError, match="nothing to plot"):
        trainer.plot()
    with pytest.raises(TypeError, match="use autograph.training.fit"):
        Trainer(TwoLayerNet(2, 3, 2), sequel.SGD())
    shared = sequel.TwoLayerNet(2, 4, 3)
    shared.params.append(shared.params[0])  # a weight listed twice: gradients are summed
    shared.grads.append(shared.grads[0])
    Trainer(shared, sequel.SGD(lr=0.1)).fit(x, t, max_epoch=1, batch_size=100, log=None)
