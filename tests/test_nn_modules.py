"""Modules as PyTorch and DeZero users expect them: containers filled after assignment,
ModuleList/ModuleDict, named_modules, state_dict, NumPy inputs, Linear.weight, and `load` on
files that are not what they claim."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograph import Tensor, Value
from autograph.engine.node import walk
from autograph.nn import (
    MLP,
    SGD,
    Linear,
    Module,
    ModuleDict,
    ModuleList,
    NpzError,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from autograph.nn.scalar import MLP as ScalarMLP
from autograph.nn.scalar import Neuron


class Filled(Module):
    """The issue's case: an empty list attribute, filled after the assignment."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = []
        self.layers.append(Linear(2, 3, rng=np.random.default_rng(0)))
        self.layers.append(Linear(3, 1, rng=np.random.default_rng(1)))
        self.heads = {}
        self.heads["out"] = Linear(1, 1, rng=np.random.default_rng(2))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x).tanh()
        return self.heads["out"](x)


def test_a_list_filled_after_assignment_is_trained_and_saved(tmp_path) -> None:
    net = Filled()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["layer0/W", "layer0/b", "layer1/W", "layer1/b", "out/W", "out/b"]
    x = np.random.default_rng(3).standard_normal((8, 2))
    before = [p.data.copy() for p in net.parameters()]
    opt = SGD(net.parameters(), lr=0.1)
    loss = (net(x) ** 2).mean()
    loss.backward()
    opt.step()
    assert all(not np.array_equal(a, p.data) for a, p in zip(before, net.parameters(), strict=True))
    path = net.save(tmp_path / "filled.npz")
    with np.load(path) as saved:
        assert sorted(saved.files) == sorted(names)
    other = Filled()
    other.load(path)
    np.testing.assert_array_equal(other(x).data, net(x).data)


def test_items_added_later_get_their_scopes_without_enumeration() -> None:
    net = Filled()
    net.layers.append(Linear(1, 1, rng=np.random.default_rng(4)))  # added after __init__
    net.layers[2]._name = None  # as if never named: the call must name it

    class Wrap(Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = net

        def forward(self, x):
            return self.inner.layers[2](self.inner(x))

    out = Wrap()(np.ones((1, 2)))
    scopes = {getattr(n, "scope", None) for n in walk(out)}
    assert {"inner/layer0", "inner/layer1", "inner/out", "inner/layer2"} <= scopes


def test_scalar_neurons_appended_later_scope_as_layer_and_neuron() -> None:
    class Layer(Module):
        _wrap_arrays = False

        def __init__(self) -> None:
            super().__init__()
            self.neurons = []
            for _ in range(3):
                self.neurons.append(Neuron(2))

        def forward(self, x):
            return [n(x) for n in self.neurons]

    layer = Layer()
    outs = layer([1.0, 2.0])
    assert [o.scope for o in outs] == ["neuron0", "neuron1", "neuron2"]
    assert [name for name, _ in layer.named_parameters()][:3] == [
        "neuron0/w0",
        "neuron0/w1",
        "neuron0/b",
    ]


def test_nested_plain_lists_of_modules_are_refused_not_ignored() -> None:
    class Grid(Module):
        def __init__(self) -> None:
            super().__init__()
            self.rows = [[Linear(2, 2)], [Linear(2, 2)]]

    with pytest.raises(TypeError, match=r"rows\[0\] is a list of modules .*ModuleList"):
        Grid().parameters()


def test_dict_keys_must_name_items() -> None:
    class Bad(Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = {1: Linear(2, 2)}

    with pytest.raises(TypeError, match=r"blocks\[1\]: a dict of modules .* string keys"):
        Bad().parameters()


def test_module_list_and_dict() -> None:
    class Net(Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = ModuleList([Linear(2, 4), ReLU()])
            self.layers.append(Linear(4, 3))
            self.heads = ModuleDict({"cls": Linear(3, 2)})
            self.heads["reg"] = Linear(3, 1)

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return self.heads["cls"](x).sum() + self.heads["reg"](x).sum()

    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "layer0/W",
        "layer0/b",
        "layer2/W",
        "layer2/b",
        "cls/W",
        "cls/b",
        "reg/W",
        "reg/b",
    ]
    assert [name for name, _ in net.named_modules()] == [
        "",
        "layer0",
        "layer1",
        "layer2",
        "cls",
        "reg",
    ]
    out = net(np.ones((2, 2)))
    assert {"layer0", "layer1", "layer2", "cls", "reg"} <= {
        getattr(n, "scope", None) for n in walk(out)
    }
    net.layers.insert(0, Tanh())  # everything after it is renamed at once
    assert [n for n, _ in net.layers.named_children()][:2] == ["0", "1"]
    assert [n for n, _ in net.named_parameters()][:2] == ["layer1/W", "layer1/b"]
    del net.layers[0]
    assert [n for n, _ in net.named_parameters()][:2] == ["layer0/W", "layer0/b"]
    assert len(net.layers) == 3 and isinstance(net.layers[1:], ModuleList)
    with pytest.raises(TypeError, match="ModuleList.append: ndarray is not a Module"):
        net.layers.append(np.ones(2))
    with pytest.raises(TypeError, match="non-empty string keys"):
        net.heads["a/b"] = Linear(1, 1)
    assert list(net.heads) == ["cls", "reg"] and "cls" in net.heads


def test_named_modules_train_eval_and_state_dict() -> None:
    model = Sequential(Linear(2, 3), ReLU(), Sequential(Linear(3, 1), Sigmoid()))
    names = [n for n, _ in model.named_modules()]
    assert names == ["", "layer0", "layer1", "layer2", "layer2/layer0", "layer2/layer1"]
    assert all(m.training for m in model.modules())
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train("no")
    state = model.state_dict()
    assert list(state) == ["layer0/W", "layer0/b", "layer2/layer0/W", "layer2/layer0/b"]
    state["layer0/W"][...] = 7.0  # a copy: the model is untouched
    assert not np.any(model.layers[0].W.data == 7.0)
    model.load_state_dict(state)
    assert np.all(model.layers[0].W.data == 7.0)
    partial = {"layer0/W": np.zeros((2, 3)), "extra": np.ones(1)}
    with pytest.raises(KeyError, match="missing keys"):
        model.load_state_dict(partial)
    result = model.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["extra"] and "layer0/b" in result.missing_keys
    assert np.all(model.layers[0].W.data == 0.0)


@pytest.mark.parametrize(
    "module, shape",
    [
        (Linear(3, 2), (4, 3)),
        (MLP(3, [5, 2]), (4, 3)),
        (Sequential(Linear(3, 2), Tanh()), (4, 3)),
        (ReLU(), (4, 3)),
        (Sigmoid(), (4, 3)),
        (Tanh(), (4, 3)),
        (Softmax(), (4, 3)),
    ],
)
def test_every_tensor_module_takes_numpy_arrays(module, shape) -> None:
    x = np.random.default_rng(0).standard_normal(shape)
    out = module(x)
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, module(Tensor(x)).data)


def test_scalar_modules_keep_taking_rows_of_numbers() -> None:
    model = ScalarMLP(2, [3, 1])
    row = np.array([0.5, -1.0])
    assert isinstance(model(row), Value)
    assert model(row).data == model([0.5, -1.0]).data


def test_linear_weight_and_bias_are_the_textbook_parameters() -> None:
    layer = Linear(3, 2)
    assert layer.weight is layer.W and layer.bias is layer.b
    assert layer.weight.shape == (3, 2)  # (in, out) as the textbook; PyTorch's is (out, in)
    new = Parameter(np.zeros((3, 2)))
    layer.weight = new
    assert layer.W is new and [n for n, _ in layer.named_parameters()] == ["W", "b"]
    assert Linear(3, 2, bias=False).bias is None


def test_global_numpy_seed_reproduces_every_layer() -> None:
    np.random.seed(5)
    a = MLP(4, [3, 2])
    np.random.seed(5)
    b = MLP(4, [3, 2])
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    np.random.seed(5)
    book = 0.01 * np.random.RandomState(5).randn(4, 3)  # the textbook's formula
    np.testing.assert_array_equal(Linear(4, 3, init=0.01).W.data, book)


# -- load: files that are not what they claim -------------------------------------------------


def _model() -> MLP:
    return MLP(2, [3], rng=np.random.default_rng(0))


def _assert_untouched(model: MLP, before: list[np.ndarray]) -> None:
    for a, p in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(a, p.data)


def test_load_truncated_archive(tmp_path) -> None:
    model = _model()
    data = _model().save(tmp_path / "ok.npz").read_bytes()
    before = [p.data.copy() for p in model.parameters()]
    for cut in (len(data) // 2, len(data) - 10, 30):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(NpzError, match=rf"cut{cut}\.npz: "):
            model.load(path)
        _assert_untouched(model, before)


def test_load_member_that_is_not_an_array(tmp_path) -> None:
    path = tmp_path / "junk.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("layer0/W.npy", b"these bytes are not an array")
        z.writestr("layer0/b.npy", b"")
    model = _model()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(NpzError, match=r"junk\.npz: 'layer0/W' holds bytes that are not"):
        model.load(path)
    _assert_untouched(model, before)


def test_load_header_claiming_a_trillion_elements(tmp_path) -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    )
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("layer0/W.npy", header.getvalue() + bytes(48))
        z.writestr("layer0/b.npy", header.getvalue())
    model = _model()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(NpzError, match=r"huge\.npz: 'layer0/W' claims shape \(1000000, 1000000\)"):
        model.load(path)
    _assert_untouched(model, before)


def test_load_corrupt_member_data(tmp_path) -> None:
    path = _model().save(tmp_path / "flip.npz")
    data = bytearray(path.read_bytes())
    at = data.index(b"\x93NUMPY") + 130  # inside the first array's numbers
    data[at] ^= 0xFF  # the zip's CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(NpzError, match=r"flip\.npz"):
        _model().load(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(member=st.binary(max_size=300), prefix=st.booleans())
def test_load_any_member_bytes_is_a_clear_error_or_a_fit(tmp_path, member, prefix) -> None:
    """Whatever bytes a member holds, load either works or raises NpzError/KeyError/ValueError
    naming the file (never BadZipFile, AttributeError, MemoryError...)."""
    if prefix:
        member = b"\x93NUMPY\x01\x00" + member
    path = tmp_path / "fuzz.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("layer0/W.npy", member)
        z.writestr("layer0/b.npy", member)
    model = _model()
    before = [p.data.copy() for p in model.parameters()]
    try:
        model.load(path)
    except (KeyError, ValueError) as error:
        assert "fuzz.npz" in str(error) or "MLP.load" in str(error)
        _assert_untouched(model, before)
