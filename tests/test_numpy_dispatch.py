"""NumPy functions applied to Tensors run autograph's ops (issue 9): each checked against
NumPy on the data; unsupported functions, `out=` and `np.asarray` of a graph name the
problem; HIPS autograd's habit of NumPy inside `grad(f)`."""

import numpy as np
import pytest

import autograph
from autograph import ShapeError, Tensor
from autograph.testing import gradcheck

torch = pytest.importorskip("torch")

A = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])

# (NumPy function, extra arguments): each dispatches to the op with a rule
DISPATCHED = [
    (np.exp, (), {}),
    (np.log, (), {}),  # (on |x| + 0.5, below)
    (np.tanh, (), {}),
    (np.sin, (), {}),
    (np.cos, (), {}),
    (np.tan, (), {}),
    (np.sqrt, (), {}),
    (np.square, (), {}),
    (np.log1p, (), {}),
    (np.expm1, (), {}),
    (np.negative, (), {}),
    (np.abs, (), {}),
    (np.sum, (), {}),
    (np.sum, (), {"axis": 0}),
    (np.sum, (1,), {"keepdims": True}),
    (np.mean, (), {"axis": (0, 1)}),
    (np.max, (), {"axis": 1}),
    (np.amax, (), {}),
    (np.reshape, ((3, 2),), {}),
    (np.reshape, (-1,), {}),
    (np.transpose, (), {}),
    (np.swapaxes, (0, 1), {}),
    (np.ravel, (), {}),
    (np.expand_dims, (1,), {}),
    (np.squeeze, (), {}),
    (np.clip, (0.6, 1.8), {}),
    (np.broadcast_to, ((4, 2, 3),), {}),
    (np.maximum, (1.0,), {}),
    (np.minimum, (np.array([1.0, 0.8, 1.7]),), {}),
    (np.add, (np.ones(3),), {}),
    (np.subtract, (2.0,), {}),
    (np.multiply, (np.arange(3.0),), {}),
    (np.divide, (3.0,), {}),
    (np.power, (2,), {}),
    (np.matmul, (np.ones((3, 2)),), {}),
    (np.dot, (np.ones(3),), {}),
]


@pytest.mark.parametrize(("fn", "args", "kwargs"), DISPATCHED)
def test_numpy_functions_run_autograph_ops(fn, args, kwargs):
    data = np.abs(A) + 0.5  # inside every domain (log, sqrt, log1p)
    t = Tensor(data, requires_grad=True)
    out = fn(t, *args, **kwargs)
    assert isinstance(out, Tensor) and out.requires_grad, "recorded, not an object array"
    np.testing.assert_allclose(out.data, fn(data, *args, **kwargs))
    assert gradcheck(lambda x: fn(x, *args, **kwargs), [t])


def test_numpy_functions_with_the_tensor_second():
    t = Tensor(A, requires_grad=True)
    for fn in (np.add, np.subtract, np.multiply, np.maximum, np.minimum):
        out = fn(np.ones(3), t)
        assert isinstance(out, Tensor), fn.__name__
        np.testing.assert_array_equal(out.data, fn(np.ones(3), A))
    out = np.matmul(np.ones((4, 2)), t)
    assert isinstance(out, Tensor) and out.shape == (4, 3)
    out = np.where(A > 0, 0.0, t)
    np.testing.assert_array_equal(out.data, np.where(A > 0, 0.0, A))
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, np.where(A > 0, 0.0, 1.0))


def test_ndarray_op_tensor_calls_the_tensors_reflected_op():
    calls = []

    class Spy(Tensor):
        __slots__ = ()

        def __radd__(self, other):
            calls.append("radd")
            return super().__radd__(other)

        def __rmul__(self, other):
            calls.append("rmul")
            return super().__rmul__(other)

    t = Spy([1.0, 2.0], requires_grad=True)
    out = np.ones(2) + t
    out2 = np.float64(3.0) * t
    assert calls == ["radd", "rmul"]
    assert isinstance(out, Tensor) and isinstance(out2, Tensor)


def test_unsupported_numpy_functions_name_themselves():
    t = Tensor(A, requires_grad=True)
    for call, name in [
        (lambda: np.sort(t), "np.sort"),
        (lambda: np.concatenate([t, t]), "np.concatenate"),
        (lambda: np.sign(t), "np.sign"),
        (lambda: np.add.accumulate(t), "np.add.accumulate"),
        (lambda: np.linalg.norm(t), "np.linalg.norm"),
        (lambda: np.sum(t, dtype=np.float32), "np.sum"),
        (lambda: np.dot(np.ones((2, 2, 3)), Tensor(np.ones((3, 2)))), "np.dot"),
    ]:
        with pytest.raises(TypeError, match=name.replace(".", r"\.")):
            call()


def test_out_arguments_raise():
    t = Tensor(A)
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=\.\.\.\)"):
        np.add(t, 1.0, out=np.empty((2, 3)))
    array = np.zeros((2, 3))
    with pytest.raises(TypeError, match=r"array = array \+ tensor"):
        array += t
    with pytest.raises(TypeError, match=r"np\.sum\(\.\.\., out=\.\.\.\)"):
        np.sum(t, out=np.empty(()))


def test_queries_give_plain_numpy_values():
    t = Tensor(A, requires_grad=True)
    assert np.shape(t) == (2, 3) and np.ndim(t) == 2 and np.size(t) == 6
    assert np.allclose(t, A) and np.array_equal(t, A)
    np.testing.assert_array_equal(np.isnan(t), np.zeros((2, 3), bool))
    np.testing.assert_array_equal(np.argmax(t, axis=1), np.argmax(A, axis=1))
    np.testing.assert_array_equal(np.greater(t, 0), A > 0)
    assert np.count_nonzero(t > 0) == 4


def test_asarray_of_a_tensor_is_its_data_or_refuses_as_torch():
    constant = Tensor(A)
    assert np.asarray(constant) is constant.data
    np.testing.assert_array_equal(np.array(constant, dtype=np.float32), A.astype(np.float32))
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(Tensor(A, requires_grad=True))
    with pytest.raises(RuntimeError):  # torch refuses the same
        np.asarray(torch.tensor(A, requires_grad=True))
    copied = np.array(constant)
    assert copied is not constant.data and np.array_equal(copied, A)
    assert np.asarray(constant, copy=False) is constant.data
    with pytest.raises(ValueError, match="without a copy"):
        np.asarray(constant, dtype=np.float32, copy=False)
    with pytest.raises(ValueError):  # as NumPy's own arrays
        np.asarray(A, dtype=np.float32, copy=False)


def test_reductions_by_ufunc_methods():
    t = Tensor(A, requires_grad=True)
    np.testing.assert_array_equal(np.add.reduce(t).data, np.add.reduce(A))
    np.testing.assert_array_equal(np.maximum.reduce(t, axis=1).data, np.maximum.reduce(A, axis=1))


def test_np_squeeze_follows_numpy_and_the_method_follows_torch():
    t = Tensor(np.ones((1, 3)))
    with pytest.raises(ShapeError, match="np.squeeze: axis 1"):
        np.squeeze(t, axis=1)
    with pytest.raises(ValueError):
        np.squeeze(np.ones((1, 3)), axis=1)
    assert t.squeeze(1).shape == tuple(torch.ones(1, 3).squeeze(1).shape) == (1, 3)


def test_hips_autograd_style_numpy_inside_grad():
    def tanh(x):  # HIPS autograd's README example, unchanged
        y = np.exp(-2.0 * x)
        return (1.0 - y) / (1.0 + y)

    assert autograph.grad(tanh)(np.array(1.0)) == pytest.approx(1 - np.tanh(1.0) ** 2)
    x = np.array([0.5, -1.0, 2.0])
    g = autograph.grad(lambda x: np.sum(np.tanh(x) * np.sin(x)))(x)
    np.testing.assert_allclose(g, (1 - np.tanh(x) ** 2) * np.sin(x) + np.tanh(x) * np.cos(x))
    second = autograph.grad(autograph.grad(lambda x: np.sum(np.square(x) * x)))(np.array(2.0))
    assert second == pytest.approx(12.0)
