"""No silent wrong answers (issue 8): each test here failed before its fix."""

import threading

import numpy as np
import pytest

from autograph import Tensor, Value, is_grad_enabled, no_grad, scope

# -- grad mode and scopes are per thread (as in PyTorch) ---------------------------------


def run_threads(*targets):
    errors = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as error:  # reported in the main thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, built = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            assert built.wait(10)
            seen["quiet"] = (Value(2.0) * 3).requires_grad

    def recording():
        assert inside.wait(10)
        seen["enabled"] = is_grad_enabled()
        seen["recorded"] = (Value(2.0) * 3).requires_grad
        seen["tensor"] = (Tensor([1.0], requires_grad=True) * 3).requires_grad
        built.set()

    run_threads(quiet, recording)
    assert seen == {"quiet": False, "enabled": True, "recorded": True, "tensor": True}


def test_overlapping_no_grad_blocks_in_two_threads_restore_recording():
    # thread 1 enters, thread 2 enters, thread 1 leaves, thread 2 leaves: with one
    # process-wide switch, thread 2 restored "off" (what it saw when it entered)
    steps = [threading.Event() for _ in range(3)]

    def first():
        with no_grad():
            steps[0].set()
            assert steps[1].wait(10)
        steps[2].set()

    def second():
        assert steps[0].wait(10)
        with no_grad():
            steps[1].set()
            assert steps[2].wait(10)

    run_threads(first, second)
    assert is_grad_enabled()
    assert (Value(1.0) * 2).requires_grad


def test_scopes_are_per_thread():
    inside, built = threading.Event(), threading.Event()
    seen = {}

    def scoped():
        with scope("layer1"):
            inside.set()
            assert built.wait(10)
            seen["scoped"] = (Value(1.0) * 2).scope

    def plain():
        assert inside.wait(10)
        seen["plain"] = (Value(1.0) * 2).scope
        built.set()

    run_threads(scoped, plain)
    assert seen == {"scoped": "layer1", "plain": None}


def test_no_grad_is_also_a_decorator():
    @no_grad()
    def evaluate(x):
        return x * 2

    assert not evaluate(Value(1.0)).requires_grad
    assert is_grad_enabled()


# -- axes, shapes and indices are checked as NumPy checks them --------------------------

from autograph.engine.broadcast import ShapeError  # noqa: E402


@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [(0, 1), [0], None, 1.0, "0"])
def test_softmax_takes_one_int_axis(method, axis):
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(TypeError, match=rf"{method}: axis must be one int"):
        getattr(t, method)(axis)


@pytest.mark.parametrize(
    ("axes", "error", "message"),
    [
        ((1, 2), ShapeError, "transpose: axis 2 is out of range for a tensor with 2 dims"),
        ((-3, 0), ShapeError, "transpose: axis -3 is out of range"),
        ((0, 0), ShapeError, "transpose: repeated axis"),
        ((0,), ShapeError, "transpose: .* is not a permutation of the 2 axes"),
        ((0.0, 1.0), TypeError, "transpose: axes must be integers, got float 0.0"),
        (("1", "0"), TypeError, "transpose: axes must be integers, got str '1'"),
    ],
)
def test_transpose_refuses_what_numpy_refuses(axes, error, message):
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(error, match=message):
        t.transpose(*axes)
    assert t.transpose(-1, 0).shape == (3, 2)  # negative axes are fine, as in NumPy


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((2.0, 3.0), "reshape: shape must be integers, got float 2.0"),
        ((2.5,), "reshape: shape must be integers, got float 2.5"),
        (("6",), "reshape: shape must be integers, got str '6'"),
        (((2, "3"),), "reshape: shape must be integers, got str '3'"),
    ],
)
def test_reshape_refuses_non_integer_sizes(shape, message):
    with pytest.raises(TypeError, match=message):
        Tensor(np.ones(6)).reshape(*shape)
    assert Tensor(np.ones(6)).reshape(np.int64(2), 3).shape == (2, 3)
    assert Tensor(np.ones(6)).reshape(np.array([3, 2])).shape == (3, 2)


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [1.0, "0", (0, 1.5), True])
def test_reductions_refuse_non_integer_axes(method, axis):
    with pytest.raises(TypeError, match=rf"{method}: axis must be an int or a tuple of ints"):
        getattr(Tensor(np.ones((2, 3))), method)(axis=axis)


def test_a_boolean_mask_of_the_wrong_length_is_refused():
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(IndexError, match="getitem: boolean index did not match"):
        t[np.array([True, False, True])]
    with pytest.raises(IndexError, match="getitem: boolean index did not match"):
        t[:, np.array([True, False])]
    with pytest.raises(IndexError, match="getitem: boolean index did not match"):
        t[[True, False, True]]
    with pytest.raises(IndexError, match="scatter: boolean index did not match"):
        Tensor(np.ones(1)).scatter(np.array([True, False, True]), (2,))
    assert t[np.array([True, False])].shape == (1, 3)


@pytest.mark.parametrize("index", [np.array(True), True, np.False_, (0, np.array(True))])
def test_a_boolean_scalar_index_is_refused_clearly(index):
    with pytest.raises(IndexError, match="getitem: a boolean scalar index"):
        Tensor(np.ones((2, 3)))[index]


def test_scatter_checks_that_the_tensor_fits_the_index():
    with pytest.raises(ShapeError, match=r"scatter: .*shape \(3,\).* picks shape \(2,\)"):
        Tensor(np.ones(3)).scatter(np.array([0, 1]), (4,))


def test_max_over_an_empty_axis_follows_numpy():
    t = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = t.max(axis=1)  # nothing to reduce per row: shape (0,)
    assert out.shape == (0,)
    out.sum().backward()
    assert t.grad.shape == (0, 3)
    with pytest.raises(ShapeError, match=r"max: cannot reduce over an empty axis"):
        t.max(axis=0)
    with pytest.raises(ShapeError, match=r"max: cannot reduce over an empty axis"):
        t.max()


# -- a gradient seed given as a node stays in the graph ----------------------------------

from autograph import gradients  # noqa: E402


def test_double_vjp_differentiates_through_the_seed():
    # g(v) = v^T J is linear in v; d<g(v), u>/dv = J u (the double-VJP trick for a JVP)
    x = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    v = Tensor([0.0, 0.0, 0.0], requires_grad=True)
    u = np.array([1.0, -2.0, 3.0])
    (vjp,) = gradients(x.exp() * x, [x], v, create_graph=True)
    (jvp,) = gradients(vjp, [v], u)
    np.testing.assert_allclose(jvp, u * (np.exp(x.data) * (1 + x.data)))


def test_a_value_seed_stays_in_the_graph():
    x, v = Value(3.0), Value(2.0)
    (g,) = gradients(x * x, [x], v, create_graph=True)  # 2 x v
    assert g.data == 12.0
    assert gradients(g, [v])[0] == 6.0  # d(2 x v)/dv = 2 x
    y = x * x
    y.backward(Value(2.0))  # a node as the seed of a plain backward: its number is used
    assert x.grad == 12.0


def test_a_seed_node_of_the_wrong_kind_or_shape_is_refused():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="gradient"):
        gradients(x * x, [x], Value(1.0), create_graph=True)
    with pytest.raises(ShapeError, match="gradient of shape"):
        gradients(x * x, [x], Tensor([1.0, 2.0, 3.0]), create_graph=True)


# -- float32 leaves keep float32 gradients under create_graph ----------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x.relu(),  # a 0-d mask is a NumPy bool scalar, which became float64
        lambda x: abs(x),
        lambda x: x**x,
        lambda x: x * np.array(3.0),  # float32 * float64 is float64 (NumPy, PyTorch)
        lambda x: (x * Tensor(np.ones(2))).sum(),
    ],
)
@pytest.mark.parametrize("shape", [(), (2,)])
def test_float32_leaf_gradient_stays_float32_under_create_graph(build, shape):
    x = Tensor(np.full(shape, 1.5, np.float32), requires_grad=True)
    out = build(x).sum()
    out.backward(create_graph=True)
    assert x.grad.dtype == np.float32
    (g,) = gradients(build(x).sum(), [x], create_graph=True)
    assert g.dtype == np.float32
    (plain,) = gradients(build(x).sum(), [x])
    np.testing.assert_allclose(g.data, plain, rtol=1e-6)


def test_astype_is_a_differentiable_cast():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.astype("float32")
    assert y.dtype == np.float32 and y.op == "astype"
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="astype: dtype must be a floating type"):
        x.astype("int32")


# -- the derivative of a constant is zero, not an error ----------------------------------

from fractions import Fraction  # noqa: E402

from autograph import grad, value_and_grad  # noqa: E402


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (grad(lambda x: x), (2.0,)),  # grad(grad(identity)): the inner result is a constant
        (lambda x: 1.0, (2.0,)),
        (lambda x: Value(5.0), (2.0,)),
        (grad(lambda x: 3 * abs(x)), (2.0,)),
        (grad(lambda x: -x), (2.0,)),
        (grad(lambda x, y: x * y), (2.0, 3.0)),
        (grad(lambda x, y: x / y), (2.0, 3.0)),
    ],
)
def test_derivatives_of_constants_are_zero(f, args):
    d = grad(f)(*args)
    assert d == 0 and isinstance(d, float)  # zero of the argument's type


def test_zero_derivatives_keep_types_and_shapes():
    assert grad(lambda x: 7)(Fraction(1, 3)) == 0 and isinstance(grad(lambda x: 7)(3), int)
    g = grad(lambda x: Tensor([1.0]).sum())(np.array([1.0, 2.0], np.float32))
    assert g.shape == (2,) and g.dtype == np.float32 and not g.any()
    assert value_and_grad(lambda x: 4.0)(1.0) == (4.0, 0.0)
    assert grad(grad(lambda x: x * x))(2.0) == 2.0
    assert grad(grad(grad(lambda x: x * x)))(2.0) == 0.0
    with pytest.raises(TypeError, match="grad\\(f\\): f must return a Value, a Tensor or a number"):
        grad(lambda x: "one")(1.0)


# -- 0 ** y and relu: selects, not masks -------------------------------------------------

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("y", [0.5, 2.0, 0.0, 3.0, -1.0, -0.5])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_power_of_zero_gradients_match_torch(y):
    tx = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    (tx**ty).backward()
    x, v = Value(0.0), Value(y)
    (x**v).backward()
    assert (x.grad, v.grad) == (tx.grad.item(), ty.grad.item())
    t, u = Tensor([0.0, 2.0], requires_grad=True), Tensor([y, y], requires_grad=True)
    (t**u).sum().backward()
    assert (t.grad[0], u.grad[0]) == (tx.grad.item(), ty.grad.item())
    # the recorded backward pass gives the same first derivatives
    (gv,) = gradients(Value(0.0) ** v, [v], create_graph=True)
    (gu,) = gradients((Tensor([0.0]) ** u[:1]).sum(), [u], create_graph=True)
    assert gv.data == ty.grad.item() and gu.data[0] == ty.grad.item()


def test_second_derivative_of_a_power_at_zero_is_not_nan():
    v = Value(2.0)
    (g,) = gradients(Value(0.0) ** v, [v], create_graph=True)
    assert gradients(g, [v])[0] == 0.0  # d/dy of the masked 0


def test_relu_sends_zero_where_torch_does_even_for_nan_upstream():
    nan = float("nan")
    tx = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    tx.relu().backward(torch.tensor([nan, nan, 1.0]))
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().backward(np.array([nan, nan, 1.0]))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    v = Value(-1.0)
    v.relu().backward(nan)
    assert v.grad == 0.0 and isinstance(v.grad, float)
    # and in the recorded backward pass
    x = Tensor([-1.0, 2.0], requires_grad=True)
    (g,) = gradients(x.relu(), [x], Tensor([nan, 1.0]), create_graph=True)
    np.testing.assert_array_equal(g.data, [0.0, 1.0])
    w = Value(-1.0)
    (gw,) = gradients(w.relu(), [w], Value(nan), create_graph=True)
    assert gw.data == 0.0


def test_where_selects_and_its_gradient_goes_to_the_chosen_side():
    from autograph.engine import where

    c = np.array([True, False, True])
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([10.0], requires_grad=True)
    out = where(c, x, y)
    np.testing.assert_array_equal(out.data, [1.0, 10.0, 3.0])
    (out * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(y.grad, [2.0])
    assert where(c, x, 0.0).dtype == x.dtype


# -- cross-entropy's fused gradient is right for any targets -----------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from autograph import softmax_cross_entropy  # noqa: E402
from autograph.testing import gradcheck  # noqa: E402

finite = st.floats(-3, 3, allow_nan=False)


@given(
    logits=hnp.arrays(np.float64, (3, 4), elements=finite),
    target=hnp.arrays(np.float64, (3, 4), elements=st.floats(0, 2, allow_nan=False)),
)
@settings(deadline=None, max_examples=50)
def test_soft_targets_that_do_not_sum_to_one_get_the_right_gradient(logits, target):
    x = Tensor(logits, requires_grad=True)
    assert gradcheck(lambda t: softmax_cross_entropy(t, target), [x], atol=1e-6, rtol=1e-4)
    tx = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(tx, torch.tensor(target)).backward()
    softmax_cross_entropy(x, target).backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- data changed between the forward and the backward pass ------------------------------

MODIFIED = "modified by an inplace operation"


def test_rebinding_a_values_data_before_backward_raises():
    w, x = Value(2.0, label="w"), Value(3.0)
    y = w * x
    w.data -= 0.1 * 4.0  # an optimizer step before backward (a rebinding for numbers)
    with pytest.raises(RuntimeError, match=MODIFIED) as error:
        y.backward()
    assert "'w'" in str(error.value) and "'*'" in str(error.value)


def test_updating_a_tensors_array_before_backward_raises():
    w = Tensor(np.ones(3), requires_grad=True)
    loss = (w * Tensor([1.0, 2.0, 3.0])).sum()
    w.data -= 0.1 * np.ones(3)  # what SGD does: in place on the array, through the setter
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()
    with pytest.raises(RuntimeError, match=MODIFIED):
        gradients(loss, [w])


def test_an_optimizer_step_between_forward_and_backward_raises():
    from autograph.nn import SGD, Linear

    layer = Linear(3, 2)
    loss = layer(Tensor(np.ones((4, 3)))).sum()
    SGD(layer.parameters(), lr=0.1).step()  # no gradients yet: nothing moves
    loss.backward()  # fine
    SGD(layer.parameters(), lr=0.1).step()  # now the weights change
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_a_result_whose_data_changed_cannot_be_differentiated_through():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp's rule uses its output
    z = (y * 2).sum()
    y.data = np.zeros(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        z.backward()


def test_writes_that_cannot_mix_values_are_fine():
    w = Value(2.0)
    w.data = 3.0  # before the forward pass
    y = w * w
    unrelated = Value(1.0)
    unrelated.data = 5.0  # not in the graph
    y.backward()
    assert w.grad == 6.0
    w.data -= 0.1 * w.grad  # after backward, then a new forward pass: the training loop
    w.grad = 0
    (w * w).backward()
    assert w.grad == pytest.approx(2 * 2.4)


# -- in-place ops on nodes, as in PyTorch ------------------------------------------------

IN_PLACE_OPS = [
    lambda w, d: w.__iadd__(d),
    lambda w, d: w.__isub__(d),
    lambda w, d: w.__imul__(d),
    lambda w, d: w.__itruediv__(d),
]


@pytest.mark.parametrize("update", IN_PLACE_OPS)
@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_in_place_op_on_a_leaf_that_requires_grad_raises_outside_no_grad(update, kind):
    w = Value(2.0) if kind == "value" else Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf .* that requires grad .* in-place operation"):
        update(w, 0.5)


def test_sgd_step_written_as_in_place_ops_under_no_grad():
    w = Tensor(np.ones(3), requires_grad=True)
    array = w.data
    for _ in range(2):
        (w * w).sum().backward()
        with no_grad():
            w -= 0.25 * w.grad
        assert w.is_leaf and w.requires_grad and w.grad is not None
        w.grad = None
    assert w.data is array  # updated in place, as NumPy's -= does
    np.testing.assert_allclose(array, 0.25)
    v = Value(2.0)
    for _ in range(2):
        (v * v).backward()
        with no_grad():
            v -= 0.25 * v.grad
        v.grad = 0
    assert v.is_leaf and v.requires_grad and v.data == 0.5


def test_in_place_ops_under_no_grad_update_each_kind_of_data():
    with no_grad():
        t = Tensor(np.ones(2, np.float32), requires_grad=True)
        t *= np.array([2.0, 3.0])  # float64 operand: cast into the float32 array
        t /= 2
        t += Tensor([1.0, 1.0])
        assert t.dtype == np.float32 and t.data.tolist() == [2.0, 2.5]
        with pytest.raises(ShapeError, match=r"\+=: .*shape \(2, 2\).*shape \(2,\)"):
            t += np.ones((2, 2))


def test_in_place_update_between_forward_and_backward_is_detected():
    w = Tensor(np.ones(3), requires_grad=True)
    loss = (w * w).sum()
    with no_grad():
        w -= 0.1
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_in_place_ops_on_other_nodes():
    x = Tensor([1.0, 2.0])  # data: needs no gradient
    array = x.data
    x += 1  # nothing to record: in place
    assert x.data is array and array.tolist() == [2.0, 3.0]
    y = Tensor([1.0, 1.0], requires_grad=True)
    before = x
    x += y  # would need recording: a new node (the name is rebound), as x = x + y
    assert x is not before and x.op == "+" and before.data.tolist() == [2.0, 3.0]


def test_setting_a_values_grad_to_none_resets_it():
    x = Value(3.0)
    (x * x).backward()
    x.grad = None
    (x * x).backward()
    assert x.grad == 6.0


# -- crashes -----------------------------------------------------------------------------

from autograph import affine  # noqa: E402
from autograph.engine import enter_scope  # noqa: E402
from autograph.engine.mode import set_scope  # noqa: E402


def test_affine_refuses_a_bias_that_enlarges_the_output():
    x, w = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.ones((3, 4)))
    with pytest.raises(ShapeError, match=r"affine: a bias of shape \(5, 1, 4\) would enlarge"):
        affine(x, w, Tensor(np.ones((5, 1, 4)), requires_grad=True))
    assert affine(x, w, Tensor(np.ones((2, 1)))).shape == (2, 4)  # broadcasts into it: fine


def test_backward_after_a_create_graph_backward_accumulates():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    (x * x).sum().backward()  # crashed: a raw gradient added to a node inside NumPy
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])
    assert x.grad.dtype == np.float32
    v = Value(3.0)
    (v * v).backward(create_graph=True)
    (v * v).backward()
    assert v.grad.data == 12.0


@pytest.mark.parametrize("name", ["a//b", "a/", "/a", "", "/"])
def test_scope_names_with_an_empty_segment_are_refused(name):
    with pytest.raises(ValueError, match="empty"), scope(name):
        pass
    with pytest.raises(ValueError, match="empty"):
        enter_scope(name)
    with pytest.raises(ValueError, match="empty"):
        set_scope(name)
    assert Value(1.0).scope is None  # nothing was left open


def test_scope_names_must_be_strings():
    with pytest.raises(TypeError, match="scope name must be a str"):
        enter_scope(3)


# -- exact numbers stay bounded, whatever the path ---------------------------------------

import math  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

from autograph.engine.exact import EXACT_BITS, bounded  # noqa: E402


def exact_size(x):
    if isinstance(x, Fraction):
        return max(x.numerator.bit_length(), x.denominator.bit_length())
    return x.bit_length() if isinstance(x, int) else 0


@pytest.mark.parametrize(
    "build",
    [
        lambda x: ((x**63) ** 63) ** 63,  # nested powers got past the power guard
        lambda x: (((x**63) ** 63) ** 63) ** 63,
        lambda x: x**40000,
        lambda x: _repeat(x, lambda v: v * v, 20),  # repeated squaring: products
        lambda x: _repeat(x, lambda v: v * v + v, 20),  # and sums
        lambda x: _repeat(x / Value(Fraction(7)), lambda v: v * v, 20),  # Fractions
    ],
)
def test_exact_results_are_bounded_whatever_the_path(build):
    start = time.perf_counter()
    x = Value(3)
    y = build(x)
    y.backward()
    assert time.perf_counter() - start < 5, "exact arithmetic ran away"
    for v in (y.data, x.grad):
        assert exact_size(v) <= EXACT_BITS
        assert not (isinstance(v, float) and math.isnan(v))


def _repeat(x, step, n):
    for _ in range(n):
        x = step(x)
    return x


def test_bounded_keeps_small_exact_numbers_and_floats_the_huge_ones():
    assert bounded(3**100) == 3**100 and bounded(Fraction(1, 3)) == Fraction(1, 3)
    assert bounded(2**70000) == math.inf and bounded(-(2**70000)) == -math.inf
    assert bounded(Fraction(1, 2**70000)) == 0.0
    assert bounded(Fraction(2**70000 + 1, 2**70000)) == 1.0
    assert (Value(Fraction(1, 3)) * 3).data == 1


def test_a_power_that_would_overflow_a_float_gives_inf():
    assert (Value(2**2000) ** 100).data == math.inf


# -- unclear errors made clear -----------------------------------------------------------


def test_huge_and_special_numbers_in_value_functions():
    assert Value(10**400).sigmoid().data == 1.0 and Value(-(10**400)).sigmoid().data == 0.0
    assert Value(10**400).tanh().data == 1.0
    assert Value(Fraction(-(10**400), 3)).exp().data == 0.0
    assert Value(Fraction(1, 10**400)).log().data == pytest.approx(-400 * math.log(10))
    assert Value(10**400).log().data == pytest.approx(400 * math.log(10))


def test_decimal_and_numpy_special_values():
    assert math.isnan(Value(Decimal("NaN")).data)
    assert Value(Decimal("-Infinity")).data == -math.inf
    assert Value(Decimal("0.1")).data == Fraction(1, 10)
    with pytest.raises(ValueError, match="signaling NaN"):
        Value(Decimal("sNaN"))
    assert Value(np.bool_(True)).data == 1 and Value(True).data == 1


def test_tensor_of_big_integers():
    assert Tensor([2**64]).data.tolist() == [float(2**64)]
    with pytest.raises(OverflowError, match=r"Tensor\(\): .*too large for float64"):
        Tensor([2**2000])
    with pytest.raises(TypeError, match=r"Tensor\(\) takes numbers, got NoneType None"):
        Tensor([1, None])
