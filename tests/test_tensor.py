"""Tensor: construction, broadcasting gradients, shapes and their errors, dtypes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograph import ShapeError, Tensor, Value, gradients, no_grad, softmax_cross_entropy
from autograph.testing import gradcheck, numerical_grad
from autograph.testing.strategies import (
    ANY,
    arrays_in,
    broadcastable_shapes,
    expression_dags,
)


def test_default_dtype_is_float64_and_float32_on_request():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor([1.0], "float32").dtype == np.float32
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(3).shape == ()
    assert Tensor(True).dtype == np.float64


def test_float32_stays_float32_through_ops_and_gradients():
    w = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 3), np.float32))
    y = ((x @ w) * 2.0 + 1).relu().sum()
    assert y.dtype == np.float32
    y.backward()
    assert w.grad.dtype == np.float32


def test_arrays_of_the_right_dtype_are_shared_not_copied():
    a = np.zeros(3)
    assert Tensor(a).data is a
    assert Tensor(a, "float32").data is not a


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], np.array(["x"]), {1: 2}, None])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="Tensor"):
        Tensor(bad)


def test_ragged_and_integer_dtype_requests_are_refused():
    with pytest.raises(ValueError, match="rectangular"):
        Tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="floating"):
        Tensor([1], "int32")
    with pytest.raises(TypeError, match="node"):
        Tensor(Tensor([1.0]))


def test_shape_mismatch_names_the_op_and_both_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4,)))
    with pytest.raises(ShapeError, match=r"\+: cannot broadcast shapes \(2, 3\) and \(4,\)"):
        a + b
    with pytest.raises(ShapeError, match=r"@: shapes \(2, 3\) and \(4,\) are not aligned"):
        a @ b
    with pytest.raises(ShapeError, match=r"@: .*\(2, 3\) and \(2, 3\)"):
        a @ a
    with pytest.raises(ShapeError, match="scalar"):
        Tensor(2.0) @ a
    with pytest.raises(ShapeError, match="reshape"):
        a.reshape(4)
    with pytest.raises(ShapeError, match="axis 2 is out of range"):
        a.sum(axis=2)


def test_unsupported_operands():
    with pytest.raises(TypeError):
        Tensor([1.0]) + "a"
    with pytest.raises(TypeError):
        Tensor([1.0]) + Value(1.0)


def test_ndarray_on_the_left_gives_a_tensor():
    w = Tensor(np.ones(3), requires_grad=True)
    y = np.arange(3.0) * w
    assert isinstance(y, Tensor)
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0, 2.0]


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\) needs a gradient"):
        y.backward()
    with pytest.raises(ShapeError, match="gradient of shape"):
        y.backward(np.ones(3))
    y.backward(np.full((2, 3), 0.5))
    assert np.all(x.grad == 1.0)


def test_leaves_default_to_no_grad_like_pytorch():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0, 2.0]) * 2).sum().backward()


def test_only_leaves_keep_grad_unless_asked():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    k = (h * 3).retain_grad()
    y = (k + h).sum()
    y.backward()
    assert h.grad is None and k.grad.tolist() == [1.0, 1.0]
    y.backward(retain_grad=True)
    assert h.grad.tolist() == [4.0, 4.0]


def test_textbook_affine_bias_gradient_is_the_batch_sum():
    # seeds README §3: dY = [[1,2,3],[4,5,6]] gives dB = [5,7,9]
    x = Tensor(np.random.default_rng(0).standard_normal((2, 2)))
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    y = x @ w + b
    y.backward(np.array([[1.0, 2, 3], [4, 5, 6]]))
    assert b.grad.tolist() == [5.0, 7.0, 9.0]
    assert np.allclose(w.grad, x.data.T @ np.array([[1.0, 2, 3], [4, 5, 6]]))


@given(
    broadcastable_shapes(2).flatmap(
        lambda ss: st.tuples(arrays_in(ANY, ss[0]), arrays_in(ANY, ss[1]))
    )
)
def test_broadcast_gradients_have_the_input_shapes(arrays):
    a, b = (Tensor(x, requires_grad=True) for x in arrays)
    (a * b + a).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    expected_b = np.broadcast_to(a.data, np.broadcast_shapes(a.shape, b.shape))
    assert np.allclose(b.grad.sum(), expected_b.sum())


def test_accumulated_leaf_grads_are_independent_arrays():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10  # must not change b.grad
    assert b.grad.tolist() == [1.0, 1.0]


def test_getitem_with_repeated_indices_adds_up():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([0, 0, 3])].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0, 1.0]


def test_softmax_cross_entropy_indices_equal_one_hot_and_textbook_gradient():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    a = Tensor(logits, requires_grad=True)
    b = Tensor(logits, requires_grad=True)
    la, lb = softmax_cross_entropy(a, labels), softmax_cross_entropy(b, np.eye(3)[labels])
    assert la.item() == pytest.approx(lb.item())
    la.backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert np.allclose(a.grad, (p - np.eye(3)[labels]) / 4)
    # the textbook's version, with its 1e-7 inside the log
    textbook = -np.sum(np.log(p[np.arange(4), labels] + 1e-7)) / 4
    assert la.item() == pytest.approx(textbook, abs=1e-6)


def test_softmax_cross_entropy_bad_targets():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\)"):
        softmax_cross_entropy(x, np.array([0, 3]))
    with pytest.raises(ShapeError, match="target shape"):
        softmax_cross_entropy(x, np.zeros((2, 2)))


def test_softmax_is_max_shifted():
    y = Tensor([1000.0, 1001.0]).softmax()
    assert np.all(np.isfinite(y.data)) and y.data.sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(Tensor([-1000.0, 0.0]).log_softmax().data))


def test_ieee_through_numpy():
    with np.errstate(divide="ignore", invalid="ignore"):
        y = Tensor([1.0, -1.0, 0.0]) / 0.0
    assert y.data[0] == math.inf and y.data[1] == -math.inf and math.isnan(y.data[2])


def test_no_grad_and_detach():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = w * 2
    assert not y.requires_grad and y.is_leaf
    assert not w.detach().requires_grad


def test_numerical_grad_on_arrays_and_tensors():
    x = np.array([1.0, 2.0, 3.0])
    g = numerical_grad(lambda a: (a**2).sum(), x)
    assert np.allclose(g, 2 * x, atol=1e-6)
    g = numerical_grad(lambda t: (t * t).sum(), Tensor(x))
    assert np.allclose(g, 2 * x, atol=1e-6)
    assert numerical_grad(lambda v: v**3, 2.0) == pytest.approx(12.0, rel=1e-8)


def test_gradcheck_names_the_input_and_element_with_the_worst_error():
    from autograph.engine import rules
    from autograph.testing import GradcheckError

    good = rules.RULES["exp"]
    rules.RULES["exp"] = lambda m, g, out, xs, i, p: g * out * (1 + (xs[0] > 1.5))
    try:
        x = Tensor([[0.0, 1.0], [2.0, 0.5]], requires_grad=True, label="weights")
        with pytest.raises(GradcheckError, match=r"input 0 \('weights'\) element \(1, 0\)"):
            gradcheck(lambda t: t.exp(), [x])
        with pytest.raises(GradcheckError, match="weights"):
            gradcheck(lambda t: t.exp().sum(), [x], fast_mode=True)
        assert gradcheck(lambda t: t.exp(), [x], raise_exception=False) is False
    finally:
        rules.RULES["exp"] = good
    assert gradcheck(lambda t: t.exp(), [x])


def test_gradients_of_unused_inputs_are_zeros():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([[1.0]], requires_grad=True)
    ga, gb = gradients((a * 3).sum(), [a, b])
    assert ga.tolist() == [3.0, 3.0] and gb.tolist() == [[0.0]]


@given(expression_dags(), st.integers(0, 2**16))
def test_random_dags_agree_between_value_and_tensor(expr, seed):
    xs = np.random.default_rng(seed).uniform(-2, 2, size=(expr.n_inputs, 3))
    tensors = [Tensor(x, requires_grad=True) for x in xs]
    out = expr(*tensors)
    out.sum().backward()
    for column in range(3):
        values = [Value(float(x[column])) for x in xs]
        expr(*values).backward()
        for t, v in zip(tensors, values, strict=True):
            t_grad = np.zeros(3) if t.grad is None else t.grad  # unused input: no gradient
            assert t_grad[column] == pytest.approx(v.grad, rel=1e-9, abs=1e-12)


def test_tensor_higher_order():
    x = Tensor([0.5, -1.0], requires_grad=True)
    (g,) = gradients(x.tanh().sum(), [x], create_graph=True)
    (h,) = gradients(g.sum(), [x])
    t = np.tanh(x.data)
    assert np.allclose(h, -2 * t * (1 - t * t))


def test_a_gradient_of_the_wrong_shape_names_the_op_and_both_shapes(monkeypatch):
    from autograph.engine import rules

    monkeypatch.setitem(rules.RULES, "exp", lambda m, g, out, xs, i, p: m.reshape(g, (-1,)))
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(
        ShapeError,
        match=r"gradient of 'exp': shape \(6,\) is not a broadcast "
        r"of the input's shape \(2, 3\)",
    ):
        x.exp().sum().backward()


def test_an_op_without_a_rule_names_the_op():
    x = Value(1.0)
    y = x * 2
    y.op = "frobnicate"
    with pytest.raises(NotImplementedError, match="no derivative rule for op 'frobnicate'"):
        y.backward()


def test_affine_is_one_node_equal_to_matmul_plus_bias():
    from autograph import affine

    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)))
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(2), requires_grad=True)
    y = affine(x, w, b)
    assert y.op == "affine" and len(y.parents) == 3
    assert np.allclose(y.data, x.data @ w.data + b.data)
    y.backward(np.array([[1.0, 2.0]] * 4))
    assert b.grad.tolist() == [4.0, 8.0]
    with pytest.raises(
        ShapeError,
        match=r"affine: x of shape \(4, 3\) and weight of shape "
        r"\(2, 3\) do not fit",
    ):
        affine(x, Tensor(np.ones((2, 3))))


def test_max_ties_share_the_gradient_equally():
    x = Tensor([1.0, 1.0, 0.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.5, 0.0]
    y = Tensor([[2.0, 2.0], [1.0, 3.0]], requires_grad=True)
    y.max(axis=1).sum().backward()
    assert y.grad.tolist() == [[0.5, 0.5], [0.0, 1.0]]


def test_tensor_leaves_accumulate_across_backward_calls():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x * x).sum()
    y.backward()
    assert x.grad.tolist() == [3.0, 12.0]
    y.backward()
    assert x.grad.tolist() == [6.0, 24.0]
    y.zero_grad()
    assert x.grad is None


def test_float32_leaf_grad_stays_float32_when_accumulating_float64():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * np.ones(3)).sum()  # a float64 constant makes the graph float64
    y.backward()
    y.backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_boolean_masks_inside_tuple_indices_match_numpy():
    data = np.arange(24.0).reshape(2, 3, 4)
    mask = np.array([True, False, True, True])
    for index in [
        (slice(None), slice(None), mask),
        (0, slice(None), mask),
        (np.ones((2, 3), bool), slice(1, None)),
        (1, [0, 0, 2]),
    ]:
        x = Tensor(data, requires_grad=True)
        y = x[index]
        assert y.shape == data[index].shape and np.array_equal(y.data, data[index])
        y.sum().backward()
        expected = np.zeros_like(data)
        np.add.at(expected, index, 1.0)
        assert np.array_equal(x.grad, expected)


def test_cross_entropy_over_nd_logits_averages_over_all_rows():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((2, 3, 5))
    labels = rng.integers(0, 5, (2, 3))
    x = Tensor(logits, requires_grad=True)
    loss = softmax_cross_entropy(x, labels)
    flat = Tensor(logits.reshape(6, 5))
    assert loss.item() == pytest.approx(softmax_cross_entropy(flat, labels.reshape(6)).item())
    loss.backward()
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert np.allclose(x.grad, (p - np.eye(5)[labels]) / 6)


def test_negative_class_labels_are_refused():
    with pytest.raises(ValueError, match="class indices must be in"):
        softmax_cross_entropy(Tensor([[0.0, 0.0, 5.0], [1.0, 2.0, 3.0]]), np.array([-1, 0]))


# -- issue 9: one softmax_cross_entropy; sum_to's error describes its own call -----------


def test_one_softmax_cross_entropy_takes_whole_float_labels():
    import autograph.nn

    torch = pytest.importorskip("torch")
    assert autograph.nn.softmax_cross_entropy is softmax_cross_entropy
    a = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
    logits = Tensor(a, requires_grad=True)
    by_int = softmax_cross_entropy(logits, np.array([2, 0]))
    by_float = softmax_cross_entropy(logits, np.array([2.0, 0.0]))
    assert by_int.data == by_float.data
    expected = torch.nn.functional.cross_entropy(torch.tensor(a), torch.tensor([2, 0]))
    assert by_float.data == pytest.approx(expected.item(), rel=1e-12)
    by_float.backward()
    probabilities = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad, (probabilities - np.eye(3)[[2, 0]]) / 2)
    with pytest.raises(ValueError, match="labels must be integers"):
        softmax_cross_entropy(logits, np.array([0.5, 1.0]))


def test_sum_to_names_the_forward_call():
    with pytest.raises(ShapeError, match=r"sum_to: cannot sum a tensor of shape \(2, 3\) to"):
        Tensor(np.ones((2, 3))).sum_to((4,))
