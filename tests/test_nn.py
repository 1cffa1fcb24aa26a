"""autograph.nn: the Module registry, save/load, Tensor layers, losses, optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from autograph import Tensor, Value, no_grad
from autograph.nn import (
    MLP,
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    ClipGradNorm,
    Linear,
    Module,
    Momentum,
    Nesterov,
    Parameter,
    ReLU,
    RMSprop,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    WeightDecay,
    hinge,
    init_weight,
    make_optimizer,
    mse,
    numerical_gradient,
    softmax_cross_entropy,
)


class Block(Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = Linear(3, 4, rng=np.random.default_rng(0))
        self.scale = Parameter(np.ones(4))
        self.note = "not a parameter"
        self.array = np.zeros(3)  # plain arrays are not parameters either
        self.heads = [
            Linear(4, 2, rng=np.random.default_rng(1)),
            Linear(4, 1, rng=np.random.default_rng(2)),
        ]

    def forward(self, x: Tensor) -> Tensor:
        h = self.first(x).relu() * self.scale
        return self.heads[0](h).sum() + self.heads[1](h).sum()


def test_registry_is_in_insertion_order_with_paths() -> None:
    names = [name for name, _ in Block().named_parameters()]
    assert names == ["first/W", "first/b", "scale", "head0/W", "head0/b", "head1/W", "head1/b"]


def test_registry_follows_reassignment_and_deletion() -> None:
    block = Block()
    block.scale = 3.0  # no longer a parameter
    assert "scale" not in dict(block.named_parameters())
    block.scale = Parameter(np.ones(4))
    assert list(dict(block.named_parameters()))[-1] == "scale"  # re-registered at the end
    del block.first
    assert not any(k.startswith("first/") for k in dict(block.named_parameters()))


def test_shared_parameter_is_listed_once() -> None:
    seq = Sequential(Linear(2, 2), Linear(2, 2))
    seq.layers[1].W = seq.layers[0].W
    assert len(seq.parameters()) == 3


def test_zero_grad_and_train_eval() -> None:
    block = Block()
    block(Tensor(np.ones((2, 3)))).backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())
    block.eval()
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())


def test_module_call_opens_named_scopes() -> None:
    net = Sequential(Linear(3, 2), ReLU())
    out = net(Tensor(np.ones((1, 3))))
    assert out.scope == "layer1"  # relu, called as the second layer
    assert out._p0.scope == "layer0"  # the bias add of the Linear


def test_save_and_load_round_trip(tmp_path) -> None:
    a, b = Block(), Block()
    for p in b.parameters():
        p.data[...] = 0
    path = tmp_path / "block.npz"
    a.save(path)
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == [name for name, _ in a.named_parameters()]
    array_before = b.first.W.data
    b.load(path)
    assert b.first.W.data is array_before  # loaded in place
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_save_returns_the_path_written(tmp_path) -> None:
    net = Sequential(Linear(2, 2))
    written = net.save(tmp_path / "weights")
    assert written == tmp_path / "weights.npz" and written.is_file()
    Sequential(Linear(2, 2)).load(written)


def test_load_rejects_wrong_keys_and_shapes(tmp_path) -> None:
    net = Sequential(Linear(3, 2))
    wrong_keys = tmp_path / "keys.npz"
    np.savez(wrong_keys, **{"layer0/W": np.zeros((3, 2)), "layer0/bias": np.zeros(2)})
    with pytest.raises(KeyError, match="missing keys.*layer0/b.*unexpected keys.*layer0/bias"):
        net.load(wrong_keys)
    wrong_shape = tmp_path / "shape.npz"
    np.savez(wrong_shape, **{"layer0/W": np.zeros((2, 3)), "layer0/b": np.zeros(2)})
    before = net.layers[0].b.data.copy()
    with pytest.raises(ValueError, match=r"'layer0/W' has shape \(2, 3\).*\(3, 2\)"):
        net.load(wrong_shape)
    np.testing.assert_array_equal(net.layers[0].b.data, before)  # nothing half-loaded


def test_load_never_unpickles(tmp_path) -> None:
    path = tmp_path / "pickled.npz"
    np.savez(path, **{"layer0/W": np.array([object()], dtype=object), "layer0/b": np.zeros(2)})
    with pytest.raises(ValueError, match="pickle"):
        Sequential(Linear(3, 2)).load(path)


def test_scalar_model_save_load(tmp_path) -> None:
    from autograph.nn.scalar import MLP as ScalarMLP

    a, b = ScalarMLP(2, [3, 1]), ScalarMLP(2, [3, 1])
    a.save(tmp_path / "s.npz")
    b.load(tmp_path / "s.npz")
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert isinstance(b.parameters()[0].data, float)


# -- layers ---------------------------------------------------------------------------------


def _check_param_grads(loss_fn, params) -> None:
    """Backward gradients against central differences, for every parameter."""
    for p in params:
        p.grad = None
    loss_fn().backward()
    for p in params:
        with no_grad():
            numeric = numerical_gradient(lambda _: loss_fn().item(), p.data, h=1e-6)
        np.testing.assert_allclose(p.grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_mlp_gradients_match_numerical(activation: str) -> None:
    rng = np.random.default_rng(3)
    net = MLP(4, [5, 3], activation=activation, rng=rng)
    x, t = Tensor(rng.standard_normal((6, 4))), rng.integers(0, 3, 6)
    _check_param_grads(lambda: softmax_cross_entropy(net(x), t), net.parameters())


def test_linear_is_the_affine_formula() -> None:
    rng = np.random.default_rng(4)
    layer = Linear(3, 2, rng=rng)
    x = rng.standard_normal((5, 3))
    np.testing.assert_allclose(layer(Tensor(x)).data, x @ layer.W.data + layer.b.data)
    dY = rng.standard_normal((5, 2))
    layer(Tensor(x)).backward(dY)
    np.testing.assert_allclose(layer.W.grad, x.T @ dY)
    np.testing.assert_allclose(layer.b.grad, dY.sum(axis=0))


def test_activation_layers_and_softmax() -> None:
    x = Tensor(np.array([[-2.0, 0.5, 3.0]]))
    np.testing.assert_allclose(ReLU()(x).data, [[0, 0.5, 3]])
    np.testing.assert_allclose(Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(Tanh()(x).data, np.tanh(x.data))
    s = Softmax()(x).data
    np.testing.assert_allclose(s.sum(), 1.0)
    np.testing.assert_allclose(s, np.exp(x.data) / np.exp(x.data).sum())


@pytest.mark.parametrize(
    "init, std", [(0.01, 0.01), ("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400))]
)
def test_init_weight_std(init, std) -> None:
    w = init_weight(400, 300, init, rng=np.random.default_rng(0), dtype=np.float32)
    assert w.dtype == np.float32 and w.shape == (400, 300)
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < std / 20


def test_init_weight_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="weight_init_std"):
        init_weight(2, 2, "lecun")


def test_linear_keeps_float32() -> None:
    layer = Linear(3, 2, dtype=np.float32)
    y = layer(Tensor(np.ones((4, 3), np.float32)))
    assert y.dtype == np.float32


# -- losses ---------------------------------------------------------------------------------


def test_mse_value_and_gradient() -> None:
    rng = np.random.default_rng(5)
    pred = Parameter(rng.standard_normal((4, 3)))
    target = rng.standard_normal((4, 3))
    assert mse(pred, target).item() == pytest.approx(np.mean((pred.data - target) ** 2))
    _check_param_grads(lambda: mse(pred, target), [pred])


def test_mse_on_values() -> None:
    preds = [Value(1.0), Value(3.0)]
    loss = mse(preds, [0.0, 1.0])
    loss.backward()
    assert loss.data == pytest.approx(2.5)
    assert [p.grad for p in preds] == pytest.approx([1.0, 2.0])


def test_softmax_cross_entropy_indices_and_one_hot_agree() -> None:
    rng = np.random.default_rng(6)
    logits = Parameter(rng.standard_normal((5, 4)) * 10)
    t = rng.integers(0, 4, 5)
    a = softmax_cross_entropy(logits, t).item()
    b = softmax_cross_entropy(logits, np.eye(4)[t]).item()
    x = logits.data - logits.data.max(axis=1, keepdims=True)
    expected = np.mean(np.log(np.exp(x).sum(axis=1)) - x[np.arange(5), t])
    assert a == pytest.approx(expected) and b == pytest.approx(expected)
    _check_param_grads(lambda: softmax_cross_entropy(logits, t), [logits])


def test_hinge_on_tensors_and_values() -> None:
    scores = Parameter(np.array([2.0, 0.5, -0.3, -2.0]))
    labels = np.array([1, 1, 1, -1])
    loss = hinge(scores, labels)
    assert loss.item() == pytest.approx((0 + 0.5 + 1.3 + 0) / 4)
    loss.backward()
    np.testing.assert_allclose(scores.grad, [0, -0.25, -0.25, 0])
    values = [Value(s) for s in scores.data]
    vloss = hinge(values, labels)
    vloss.backward()
    assert vloss.data == pytest.approx(loss.item())
    assert [v.grad for v in values] == pytest.approx(list(scores.grad))
    column = Parameter(scores.data.reshape(4, 1))
    assert hinge(column, labels).item() == pytest.approx(loss.item())  # no (4, 4) broadcast


# -- optimizers -----------------------------------------------------------------------------


def _reference_steps(name: str, w: np.ndarray, grads: list[np.ndarray], lr: float) -> np.ndarray:
    """The textbook's update formulas, written out plainly, for comparison."""
    w = w.copy()
    v = np.zeros_like(w)
    h = np.zeros_like(w)
    m = np.zeros_like(w)
    for k, g in enumerate(grads, start=1):
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":
            v = 0.9 * v - lr * g
            w = w + v
        elif name == "nesterov":
            v_old = v
            v = 0.9 * v - lr * g
            w = w - 0.9 * v_old + 1.9 * v
        elif name == "adagrad":
            h = h + g * g
            w = w - lr * g / (np.sqrt(h) + 1e-7)
        elif name == "rmsprop":
            h = 0.99 * h + 0.01 * g * g
            w = w - lr * g / (np.sqrt(h) + 1e-7)
        elif name in ("adam", "adamw"):
            if name == "adamw":
                w = w * (1 - lr * 0.01)  # decoupled weight decay, PyTorch's default 0.01
            m = 0.9 * m + 0.1 * g
            h = 0.999 * h + 0.001 * g * g
            # bias correction folded into the step size, as in the textbook
            lr_k = lr * np.sqrt(1 - 0.999**k) / (1 - 0.9**k)
            w = w - lr_k * m / (np.sqrt(h) + 1e-8)
    return w


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_matches_reference_formula(name: str) -> None:
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(4)]
    p = Parameter(w0.copy())
    array = p.data
    opt = make_optimizer(name, [p], lr=0.05)
    for g in grads:
        p.grad = g.copy()
        opt.step()
        opt.zero_grad()
        assert p.grad is None
    assert p.data is array  # updated in place
    np.testing.assert_allclose(p.data, _reference_steps(name, w0, grads, 0.05), rtol=1e-12)


@pytest.mark.parametrize("cls", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_optimizer_minimizes_and_keeps_dtype(cls) -> None:
    target = np.array([1.0, -2.0, 3.0], np.float32)
    p = Parameter(np.zeros(3, np.float32))
    opt = cls([p], lr=0.5 if cls is AdaGrad else 0.1)
    for _ in range(300):
        loss = ((p - target) ** 2).sum()
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.data, target, atol=0.1)


def test_optimizer_on_scalar_values() -> None:
    x = Value(5.0)
    opt = Adam([x], lr=0.3)
    for _ in range(200):
        loss = (x - 2.0) ** 2
        loss.backward()
        opt.step()
        opt.zero_grad()
        assert x.grad == 0
    assert x.data == pytest.approx(2.0, abs=0.05)


def test_weight_decay_and_clipping_hooks() -> None:
    p = Parameter(np.array([1.0, 2.0]))
    g = np.array([3.0, 4.0])
    p.grad = g
    SGD([p], lr=1.0, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [1 - 3.5, 2 - 5.0])
    np.testing.assert_array_equal(g, [3.0, 4.0])  # the hook did not write into the gradient

    q = Parameter(np.zeros(2))
    q.grad = np.array([3.0, 4.0])  # norm 5
    SGD([q], lr=1.0, clip_norm=1.0).step()
    np.testing.assert_allclose(np.linalg.norm(q.data), 1.0, rtol=1e-5)
    r = Parameter(np.zeros(2))
    r.grad = np.array([0.3, 0.4])  # under the limit: untouched
    SGD([r], lr=1.0, hooks=[ClipGradNorm(1.0)]).step()
    np.testing.assert_allclose(r.data, [-0.3, -0.4])
    hook = WeightDecay(0.1)
    s = Parameter(np.ones(1))
    opt = SGD([s], lr=1.0)
    opt.add_hook(hook)
    s.grad = np.zeros(1)
    opt.step()
    np.testing.assert_allclose(s.data, [0.9])


def test_optimizer_skips_parameters_without_gradients() -> None:
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    a.grad = np.ones(2)
    SGD([a, b], lr=0.5).step()
    np.testing.assert_allclose(a.data, [0.5, 0.5])
    np.testing.assert_allclose(b.data, [1, 1])


def test_make_optimizer_errors() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        make_optimizer("lbfgs", [Parameter(np.ones(1))], 0.1)
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)


# -- review fixes ---------------------------------------------------------------------------


def test_mse_never_broadcasts_the_target() -> None:
    from autograph.engine.broadcast import ShapeError

    column = Tensor(np.array([[1.0], [2.0], [3.0]]))
    assert mse(column, [1, 2, 3]).item() == 0.0  # (3,) against (3, 1): element by element
    assert mse(Tensor(np.array([1.0, 2.0, 3.0])), [[1], [2], [3]]).item() == 0.0
    with pytest.raises(ShapeError, match=r"\(3, 1\).*\(2,\)"):
        mse(column, [1, 2])
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(3, 2\)"):
        mse(Tensor(np.zeros((2, 3))), np.zeros((3, 2)))
    with pytest.raises(ShapeError, match=r"\(4,\).*\(2,\)"):
        hinge(Tensor(np.zeros(4)), [1, -1])


def test_optimizer_refuses_a_single_parameter_and_non_leaves() -> None:
    p = Parameter(np.ones((2, 3)))
    for opt in (SGD, Adam):
        with pytest.raises(
            TypeError,
            match=r"pass a list of parameters, e\.g\. "
            r"model\.parameters\(\)",
        ):
            opt(p, lr=0.1)
    with pytest.raises(TypeError, match="pass a list of parameters"):
        SGD(Value(1.0), lr=0.1)
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"params\[1\] is the result of an operation"):
        SGD([w, w * 2], lr=0.1)
    with pytest.raises(ValueError, match=r"params\[0\] does not require grad"):
        SGD([Tensor(np.ones(2))], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[1\] is a ndarray"):
        SGD([p, np.ones(2)], lr=0.1)
    p.grad = np.ones((2, 3))
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, 0.9)


def test_scalar_parameter_with_zero_gradient_is_still_updated() -> None:
    p = Value(1.0)
    opt = Momentum([p], lr=0.1)
    p.grad = 1.0
    opt.step()
    p.grad = 0.0
    opt.step()  # v = 0.9 * -0.1: the momentum coasts
    assert p.data == pytest.approx(0.81)
    q = Value(1.0)
    q.grad = 0.0
    SGD([q], lr=0.1, weight_decay=0.5).step()
    assert q.data == pytest.approx(0.95)
    t = Parameter(np.ones(2))  # a Tensor without a gradient is still skipped
    SGD([t], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(t.data, [1.0, 1.0])


def test_list_attributes_register_exactly_their_parameter_items() -> None:
    class Net(Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = Value(1.0)
            self.acts = [self.w * 2, self.w * 3]  # op results: not parameters
            self.consts = [Value(1.0, requires_grad=False)]
            self.mixed = [Parameter(np.ones(2)), Tensor(np.zeros(2))]

    net = Net()
    assert [name for name, _ in net.named_parameters()] == ["w", "mixed0"]
    assert net.parameters()[1] is net.mixed[0]
    assert list(net.state_dict()) == ["w", "mixed0"]


def test_parameters_leaves_no_reference_cycles() -> None:
    import gc

    model = Sequential(
        Linear(3, 4, rng=np.random.default_rng(0)),
        ReLU(),
        Sequential(Linear(4, 2, rng=np.random.default_rng(1))),
    )
    names = [name for name, _ in model.named_parameters()]
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            model.parameters()
            model.zero_grad()
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert [name for name, _ in model.named_parameters()] == names


def test_load_gives_clear_errors_for_files_that_are_not_saved_modules(tmp_path) -> None:
    model = MLP(2, [3], rng=np.random.default_rng(0))
    npy = tmp_path / "weights.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match=r"weights\.npy: holds a single array .*\.npy"):
        model.load(npy)
    strings = tmp_path / "strings.npz"
    np.savez(strings, **{"layer0/W": np.full((2, 3), "a"), "layer0/b": np.zeros(3)})
    with pytest.raises(ValueError, match=r"strings\.npz: 'layer0/W' holds <U1 data, not numbers"):
        model.load(strings)
    objects = tmp_path / "objects.npz"
    np.savez(objects, **{"layer0/W": np.array([{}] * 6).reshape(2, 3), "layer0/b": np.zeros(3)})
    with pytest.raises(ValueError, match=r"objects\.npz: 'layer0/W' holds Python objects"):
        model.load(objects)
    junk = tmp_path / "junk.npz"
    junk.write_text("hello")
    with pytest.raises(ValueError, match=r"junk\.npz: not a NumPy \.npz file"):
        model.load(junk)
    with pytest.raises(FileNotFoundError, match=r"missing\.npz: no such file"):
        model.load(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="not numbers"):
        model.load_state_dict({"layer0/W": np.full((2, 3), "a"), "layer0/b": np.zeros(3)})
    model.load(model.save(tmp_path / "ok.npz"))  # the round trip still works


def test_float_class_indices_are_taken_as_integers() -> None:
    logits = Tensor(np.random.default_rng(0).standard_normal((4, 3)))
    ints = np.array([0, 1, 2, 1])
    expected = softmax_cross_entropy(logits, ints).item()
    assert softmax_cross_entropy(logits, ints.astype(np.float32)).item() == expected
    assert softmax_cross_entropy(logits, Tensor(ints.astype(float))).item() == expected
    for bad in ([0.5, 1, 2, 1], [0, 1, np.nan, 1]):
        with pytest.raises(ValueError, match="labels must be integers"):
            softmax_cross_entropy(logits, np.array(bad))
    one_hot = np.eye(3)[ints]  # probability rows stay floats
    assert softmax_cross_entropy(logits, one_hot).item() == pytest.approx(expected)
