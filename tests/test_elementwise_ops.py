"""The elementwise ops of issue 9 (sin ... clip, maximum, minimum, where, comparisons):
values and gradients against PyTorch, at the kinks and ties the Hypothesis domains avoid;
Value's exact numbers and IEEE floats; inputs that do not require grad."""

import math
import operator
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograph
from autograph import Tensor, Value, gradients
from autograph.testing import gradcheck
from autograph.testing.strategies import OP_CASES, scalar_examples, tensor_examples
from autograph.viz.expand import replay

torch = pytest.importorskip("torch")
F = torch.nn.functional

NEW_OPS = [
    "sin",
    "cos",
    "tan",
    "sqrt",
    "square",
    "log1p",
    "expm1",
    "leaky_relu",
    "maximum",
    "minimum",
    "clip",
]

NAN, INF = math.nan, math.inf

# (our call, torch's call, inputs): points on kinks, ties, poles and outside domains
POINTS = [
    (lambda x: x.sqrt(), torch.sqrt, [[0.0, -1.0, 4.0, INF, NAN]]),
    (lambda x: x.log1p(), torch.log1p, [[-1.0, -2.0, 0.0, 1e-10]]),
    (lambda x: x.expm1(), torch.expm1, [[0.0, 1e-10, 800.0, -INF]]),
    (lambda x: x.tan(), torch.tan, [[1.5707963267948966, 0.0, -1.0]]),
    (lambda x: x.sin(), torch.sin, [[0.0, 3.0, INF]]),
    (lambda x: x.cos(), torch.cos, [[0.0, 3.0, -INF]]),
    (lambda x: x.square(), torch.square, [[0.0, -3.0, NAN]]),
    (
        lambda x: x.leaky_relu(0.1),
        lambda x: F.leaky_relu(x, 0.1),
        [[0.0, -0.0, -2.0, 2.0, NAN]],
    ),
    (lambda x: x.leaky_relu(), F.leaky_relu, [[0.0, -3.0]]),
    (lambda x, y: x.maximum(y), torch.maximum, [[1.0, 2.0, NAN, 1.0], [1.0, 1.0, 1.0, NAN]]),
    (lambda x, y: x.minimum(y), torch.minimum, [[1.0, 2.0, NAN, 1.0], [1.0, 1.0, 1.0, NAN]]),
    (
        lambda x: x.clip(0.0, 1.0),
        lambda x: torch.clamp(x, 0.0, 1.0),
        [[-1.0, 0.0, 0.5, 1.0, 2.0, NAN]],
    ),
    (lambda x: x.clip(min=0.0), lambda x: torch.clamp(x, min=0.0), [[-1.0, 0.0, 2.0]]),
    (lambda x: x.clip(max=0.0), lambda x: torch.clamp(x, max=0.0), [[-1.0, 0.0, 2.0]]),
    (  # Tensor bounds, ties with them, and min > max (the result is max)
        lambda x, lo, hi: x.clip(lo, hi),
        torch.clamp,
        [
            [0.0, 1.0, 0.5, 3.0, -3.0, 0.5, NAN],
            [0.0, 0.0, 2.0, 2.0, 2.0, 0.0, 0.0],
            [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0],
        ],
    ),
    (
        lambda c, x, y: autograph.where(c.data > 0, x, y),
        lambda c, x, y: torch.where(c > 0, x, y),
        [[1.0, -1.0, 0.0], [1.0, 2.0, NAN], [3.0, NAN, 4.0]],
    ),
]


def _torch_run(call, inputs, seed):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = call(*ts)
    out.backward(torch.tensor(seed, dtype=torch.float64))
    return out.detach().numpy(), [None if t.grad is None else t.grad.numpy() for t in ts]


@pytest.mark.parametrize(("ours", "theirs", "inputs"), POINTS)
@pytest.mark.parametrize("upstream", ["ones", "nan"])
def test_tensor_values_and_gradients_at_kinks_are_torchs(ours, theirs, inputs, upstream):
    seed = np.ones(len(inputs[0])) if upstream == "ones" else np.full(len(inputs[0]), NAN)
    expected, expected_grads = _torch_run(theirs, inputs, seed)
    ts = [Tensor(x, requires_grad=True) for x in inputs]
    with np.errstate(all="ignore"):
        out = ours(*ts)
        out.backward(seed)
    np.testing.assert_array_equal(out.data, expected)
    for k, (t, g) in enumerate(zip(ts, expected_grads, strict=True)):
        if g is None:  # where's condition: used as a constant by both
            assert t.grad is None
        else:
            np.testing.assert_array_equal(t.grad, g, err_msg=f"input {k}")


@pytest.mark.parametrize(("ours", "theirs", "inputs"), POINTS[:-1])
def test_value_values_and_gradients_at_kinks_are_torchs(ours, theirs, inputs):
    for column in zip(*inputs, strict=True):
        expected, expected_grads = _torch_run(theirs, [[x] for x in column], [1.0])
        vs = [Value(x) for x in column]
        out = ours(*vs)
        out.backward()
        np.testing.assert_array_equal(out.data, expected[0], err_msg=str(column))
        for v, g in zip(vs, expected_grads, strict=True):
            np.testing.assert_array_equal(v.grad, g[0], err_msg=str(column))


@pytest.mark.parametrize("op", NEW_OPS)
def test_second_derivatives_against_torch(op):
    # x away from the kinks; the Hessian-vector products of torch's double backward
    x = np.array([0.3, 1.4, -0.6, 2.2])
    other = np.array([1.1, -0.2, 0.1, 2.0])
    calls = {
        "maximum": (lambda a: (a * a).maximum(a + 0.4), lambda a: torch.maximum(a * a, a + 0.4)),
        "minimum": (lambda a: (a * a).minimum(a + 0.4), lambda a: torch.minimum(a * a, a + 0.4)),
        "clip": (lambda a: (a * a).clip(0.5, 2.0), lambda a: torch.clamp(a * a, 0.5, 2.0)),
        "leaky_relu": (
            lambda a: (a * a - 1).leaky_relu(0.2),
            lambda a: F.leaky_relu(a * a - 1, 0.2),
        ),
        "sqrt": (lambda a: (a * a).sqrt(), lambda a: torch.sqrt(a * a)),
        "log1p": (lambda a: (a * a).log1p(), lambda a: torch.log1p(a * a)),
    }
    ours, theirs = calls[op] if op in calls else (lambda a: getattr(a, op)(), getattr(torch, op))
    t = Tensor(x, requires_grad=True)
    (g,) = gradients((ours(t) * other).sum(), [t], create_graph=True)
    (h,) = gradients((g * other).sum(), [t])
    r = torch.tensor(x, requires_grad=True)
    (rg,) = torch.autograd.grad((theirs(r) * torch.tensor(other)).sum(), [r], create_graph=True)
    (rh,) = torch.autograd.grad((rg * torch.tensor(other)).sum(), [r])
    np.testing.assert_allclose(g.data, rg.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, rh.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("op", sorted(OP_CASES))
@given(data=st.data())
def test_rules_with_inputs_that_do_not_require_grad(op, data):
    """Every case of the table with some inputs constants: each remaining input's gradient
    is still right (the pass skips the constants)."""
    case = OP_CASES[op]
    draw = tensor_examples(op) if case.tensor is not None else scalar_examples(op)
    inputs, build = data.draw(draw)
    if len(inputs) < 2:
        inputs[0].requires_grad = False
        out = build(*inputs)
        assert not out.requires_grad and out.is_leaf  # nothing to record
        return
    constant = data.draw(st.lists(st.booleans(), min_size=len(inputs), max_size=len(inputs)))
    if all(constant):
        constant[data.draw(st.integers(0, len(inputs) - 1))] = False
    for x, is_constant in zip(inputs, constant, strict=True):
        x.requires_grad = not is_constant
    assert gradcheck(build, inputs, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("op", NEW_OPS)
@given(data=st.data())
def test_new_ops_replay_for_pictures(op, data):
    inputs, build = data.draw(tensor_examples(op))
    out = build(*inputs)
    copy, _ = replay(out)
    assert copy.op == op
    np.testing.assert_array_equal(copy.data, out.data)


# -- Value: exact numbers, IEEE floats, comparisons ---------------------------------------


def test_exact_numbers_stay_exact_where_the_result_is():
    x = Value(Fraction(-3, 2))
    assert x.square().data == Fraction(9, 4) and type(x.square().data) is Fraction
    assert x.clip(-1, 1).data == -1 and x.clip(Fraction(-7, 4), 0).data == Fraction(-3, 2)
    assert x.maximum(Fraction(-5, 3)).data == Fraction(-3, 2)
    assert x.minimum(0).data == Fraction(-3, 2)
    assert x.leaky_relu(Fraction(1, 10)).data == Fraction(-3, 20)
    y = x.square() * x.leaky_relu(Fraction(1, 10))
    y.backward()
    assert x.grad == 2 * Fraction(-3, 2) * Fraction(-3, 20) + Fraction(9, 4) * Fraction(1, 10)
    assert type(x.grad) is Fraction
    z = Value(3)
    assert z.square().data == 9 and type(z.square().data) is int
    for fn in ("sin", "cos", "tan", "sqrt", "log1p", "expm1"):
        assert type(getattr(z, fn)().data) is float, fn  # cannot stay exact


def test_value_floats_follow_ieee():
    assert math.isnan(Value(-1.0).sqrt().data)
    assert Value(-0.0).sqrt().data == 0.0 and math.copysign(1, Value(-0.0).sqrt().data) < 0
    assert Value(-1.0).log1p().data == -INF and math.isnan(Value(-2.0).log1p().data)
    assert math.isnan(Value(INF).sin().data) and math.isnan(Value(INF).tan().data)
    assert Value(1000.0).expm1().data == INF and Value(-INF).expm1().data == -1.0
    assert Value(10**400).sqrt().data == pytest.approx(1e200)  # beyond the float range
    assert Value(Fraction(1, 10**400)).sqrt().data == pytest.approx(1e-200)
    assert Value(10**400).log1p().data == pytest.approx(400 * math.log(10))
    assert Value(10**400).leaky_relu().data == 10**400
    assert Value(-(10**400)).leaky_relu(0.5).data == -INF
    assert Value(10**400).square().data == 10**800  # exact
    assert Value(2**40000).square().data == INF  # beyond the exact bound: a float


NUMBERS = st.one_of(
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.fractions(max_denominator=7),
)


@given(a=NUMBERS, b=NUMBERS)
def test_value_comparisons_follow_python_numbers(a, b):
    for op in (operator.lt, operator.le, operator.gt, operator.ge):
        expected = op(a, b)
        assert op(Value(a), b) is expected
        assert op(a, Value(b)) is expected
        assert op(Value(a), Value(b)) is expected
    assert Value(a) != Value(a)  # == stays identity (nodes are dict keys), as micrograd's


def test_value_comparison_with_other_things_raises_as_numbers_do():
    with pytest.raises(TypeError):
        Value(1.0) < "2"  # noqa: B015
    with pytest.raises(TypeError):
        Value(1.0) < Tensor([2.0])  # noqa: B015


@given(
    a=st.lists(st.floats(-3, 3) | st.just(NAN), min_size=3, max_size=3),
    b=st.floats(-3, 3) | st.just(NAN),
)
def test_tensor_comparisons_are_numpys_booleans(a, b):
    t = Tensor(a, requires_grad=True)
    x = np.array(a)
    for op in (operator.lt, operator.le, operator.gt, operator.ge):
        for ours, expected in [
            (op(t, b), op(x, b)),
            (op(b, t), op(b, x)),
            (op(np.full(3, b), t), op(np.full(3, b), x)),
            (op(t, Tensor(np.full(3, b))), op(x, np.full(3, b))),
        ]:
            assert type(ours) is np.ndarray and ours.dtype == bool  # a constant: no graph
            np.testing.assert_array_equal(ours, expected)
    # and torch's, on the same numbers
    np.testing.assert_array_equal(t < b, (torch.tensor(a, dtype=torch.float64) < b).numpy())


def test_functional_forms_take_values_and_tensors():
    v, t = Value(2.0), Tensor([2.0, 0.5], requires_grad=True)
    assert autograph.sin(v).data == math.sin(2.0)
    assert autograph.maximum(0.5, v).data == 2.0 and autograph.maximum(t, 0).op == "maximum"
    assert autograph.minimum(0, t).op == "minimum" and autograph.clamp is autograph.clip
    assert autograph.clip(t, -0.5, 0.5).op == "clip" and autograph.leaky_relu(v).op == "leaky_relu"
    for fn in ("cos", "tan", "sqrt", "square", "log1p", "expm1"):
        assert getattr(autograph, fn)(t).op == fn
    with pytest.raises(TypeError, match=r"sin\(\) takes a Value or a Tensor"):
        autograph.sin(2.0)


def test_bad_arguments_name_the_problem():
    t = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="at least one of min and max"):
        t.clip()
    with pytest.raises(ValueError, match="at least one of min and max"):
        Value(1.0).clamp()
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        t.leaky_relu("0.1")
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        Value(1.0).leaky_relu(True)
    with pytest.raises(TypeError, match="maximum: the other operand"):
        t.maximum("x")
    with pytest.raises(TypeError, match="maximum takes a Value or a number"):
        Value(1.0).maximum("x")
    with pytest.raises(autograph.ShapeError, match="maximum: cannot broadcast"):
        t.maximum(np.ones(3))
    with pytest.raises(autograph.ShapeError, match="clip: cannot broadcast"):
        t.clip(np.zeros(3), 1.0)


def test_dezero_style_functional_forms():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for name in ("exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "square"):
        y = getattr(autograph, name)(x)
        assert y.op == name
        np.testing.assert_allclose(y.data, getattr(x, name)().data)
    y = autograph.sin(x)
    y.backward(np.ones((2, 2)), retain_grad=True, create_graph=True)  # DeZero's keywords
    assert isinstance(x.grad, Tensor)  # gradients as nodes, as DeZero's Variables
    np.testing.assert_allclose(x.grad.data, np.cos(x.data))
