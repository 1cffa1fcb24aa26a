"""PyTorch's Tensor habits (issue 9), each checked against torch 2.13: `retain_graph`,
`float(t)`/`int(t)`, `t.size()`/`t.size(dim)`, `view`, `unsqueeze`, `squeeze`, `flatten`,
`pow`, `clamp`, `argmax`/`argmin`, `T`, `mT`, `detach().numpy()`."""

import numpy as np
import pytest

from autograph import ShapeError, Tensor, Value, gradients

torch = pytest.importorskip("torch")

A = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])


def test_backward_accepts_retain_graph():
    for cls in (Value, Tensor):
        x = cls(3.0, requires_grad=True) if cls is Tensor else Value(3.0)
        y = x * x
        y.backward(retain_graph=True)
        y.backward(retain_graph=False)  # the graph is never freed: a second pass works
        assert float(x.grad) == 12.0
        with pytest.raises(TypeError, match="retain_graph"):
            y.backward(retain_graph="yes")
    x = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = gradients((x * x).sum(), [x], retain_graph=True)
    np.testing.assert_array_equal(g, [2.0, 4.0])


@pytest.mark.parametrize("data", [[2.7], [[-2.7]], 3.5, [[[1e10]]]])
def test_float_and_int_of_one_element_as_torch(data):
    t, ref = Tensor(data), torch.tensor(data, dtype=torch.float64)
    assert float(t) == float(ref) and type(float(t)) is float
    assert int(t) == int(ref) and type(int(t)) is int


def test_float_of_several_elements_raises_as_torch():
    for convert in (float, int):
        with pytest.raises(ValueError, match="only one-element tensors"):
            convert(Tensor([1.0, 2.0]))
        with pytest.raises(ValueError, match="only one element tensors"):
            convert(torch.ones(2))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 4)])
def test_size_is_numpys_count_and_torchs_method(shape):
    data = np.ones(shape)
    t, ref = Tensor(data), torch.ones(shape)
    assert t.size == data.size and isinstance(t.size, int)  # NumPy's
    assert t.size() == tuple(ref.size()) and t.numel() == ref.numel() and t.dim() == ref.dim()
    for dim in range(-len(shape), len(shape)):
        assert t.size(dim) == ref.size(dim)
    with pytest.raises(IndexError, match="out of range"):
        t.size(len(shape))
    assert t.size // 1 == data.size and type(t.size + 1) is int


SHAPE_CALLS = [
    ((2, 3), lambda t: t.view(3, 2)),
    ((2, 3), lambda t: t.view(-1)),
    ((2, 3), lambda t: t.view((6, 1))),
    ((2, 3), lambda t: t.unsqueeze(0)),
    ((2, 3), lambda t: t.unsqueeze(-1)),
    ((2, 3), lambda t: t.unsqueeze(1)),
    ((), lambda t: t.unsqueeze(0)),
    ((1, 3, 1), lambda t: t.squeeze()),
    ((1, 3, 1), lambda t: t.squeeze(0)),
    ((1, 3, 1), lambda t: t.squeeze(1)),  # not of length 1: unchanged, as in torch
    ((1, 3, 1), lambda t: t.squeeze((0, 2))),
    ((), lambda t: t.squeeze(0)),
    ((2, 3, 4), lambda t: t.flatten()),
    ((2, 3, 4), lambda t: t.flatten(1)),
    ((2, 3, 4, 5), lambda t: t.flatten(1, 2)),
    ((2, 3, 4), lambda t: t.flatten(0, -2)),
    ((), lambda t: t.flatten()),
    ((2, 3), lambda t: t.T),
    ((2, 3, 4), lambda t: t.mT),
    ((2, 3), lambda t: t.pow(2)),
    ((2, 3), lambda t: t.pow(t)),
    ((2, 3), lambda t: t.clamp(0.2, 0.6)),
    ((2, 3), lambda t: t.clamp(min=0.5)),
    ((2, 3), lambda t: t.clamp(max=0.5)),
    ((2, 3), lambda t: t.clip(0.2, 0.6)),
]


@pytest.mark.parametrize(("shape", "call"), SHAPE_CALLS)
def test_torch_tensor_methods_give_torchs_values_and_gradients(shape, call):
    data = np.random.default_rng(len(shape)).uniform(0.1, 0.9, shape)
    t = Tensor(data, requires_grad=True)
    ref = torch.tensor(data, requires_grad=True)
    out, expected = call(t), call(ref)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy())
    seed = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    np.testing.assert_allclose(t.grad, ref.grad.numpy())


def test_view_refuses_what_torch_refuses():
    t, ref = Tensor(np.ones((2, 3))), torch.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"use \.reshape"):
        t.T.view(-1)
    with pytest.raises(RuntimeError, match=r"Use \.reshape"):
        ref.T.view(-1)
    with pytest.raises(ShapeError, match="view: cannot view shape"):
        t.view(4)
    with pytest.raises(IndexError, match="unsqueeze: dim 3"):
        t.unsqueeze(3)
    with pytest.raises(IndexError):
        ref.unsqueeze(3)


@pytest.mark.parametrize(
    "data", [[[1.0, 3.0], [3.0, 1.0]], [[0.5, 0.5, 0.2]], [2.0, -1.0, 2.0], [[[1.0, 2.0]]]]
)
def test_argmax_and_argmin_as_torch(data):
    t, ref = Tensor(data), torch.tensor(data)
    for name in ("argmax", "argmin"):
        assert int(getattr(t, name)()) == int(getattr(ref, name)())
        for dim in range(-t.ndim, t.ndim):
            for keep in (False, True):
                ours = getattr(t, name)(dim=dim, keepdim=keep)
                np.testing.assert_array_equal(ours, getattr(ref, name)(dim=dim, keepdim=keep))
                assert ours.dtype.kind == "i"  # indices: no gradient, not a Tensor
        assert np.array_equal(getattr(t, name)(axis=0), getattr(np, name)(np.array(data), 0))


def test_detach_numpy():
    t = Tensor(A, requires_grad=True)
    array = (t * 2).detach().numpy()
    assert type(array) is np.ndarray
    np.testing.assert_array_equal(array, 2 * A)
    ref = (torch.tensor(A, requires_grad=True) * 2).detach().numpy()
    np.testing.assert_array_equal(array, ref)
    # a documented difference: t.numpy() gives the data even when t requires grad
    assert t.numpy() is t.data
    with pytest.raises(RuntimeError, match="requires grad"):
        torch.tensor(A, requires_grad=True).numpy()
