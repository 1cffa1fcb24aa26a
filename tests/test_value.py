"""Value: micrograd compatibility, exact arithmetic, backward semantics, bad input."""

import gc
import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograph import Value, dot, gradients, no_grad, scope, sum_values, walk
from autograph.testing import gradcheck
from autograph.testing.strategies import expression_dags, floats_in


def test_micrograd_readme_example():
    # micrograd's README example, run unchanged; its published output is 24.7041, 138.8338,
    # 645.5773.
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-12)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-12)


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)


@given(expression_dags())
def test_same_numbers_as_micrograd(expr):
    micrograd = pytest.importorskip("micrograd.engine")

    # micrograd 0.1.0's Value has no tanh/sigmoid/exp: compare on the ops it has
    assume(all(name in {"+", "-", "*", "/", "neg", "square"} for name, _ in expr.steps))
    xs = [0.3, -1.2, 0.7][: expr.n_inputs]
    ours = [Value(x) for x in xs]
    theirs = [micrograd.Value(x) for x in xs]
    out_ours, out_theirs = expr(*ours), expr(*theirs)
    out_ours.backward()
    out_theirs.backward()
    assert out_ours.data == pytest.approx(out_theirs.data, rel=1e-12, abs=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        assert a.grad == pytest.approx(b.grad, rel=1e-12, abs=1e-12)


def test_grad_starts_at_zero_and_every_node_keeps_its_gradient():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c + a
    assert a.grad == 0 and c.grad == 0
    d.backward()
    assert (d.grad, c.grad, a.grad, b.grad) == (1.0, 1.0, 4.0, 2.0)


# -- the shopping examples (seeds README §2) -----------------------------------------------


def apple_graph(tax):
    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    tax = Value(tax, "tax")
    apple_price = apple * apple_num
    price = apple_price * tax
    price.backward()
    return price, apple, apple_num, tax


def apple_orange_graph(tax):
    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
    tax = Value(tax, "tax")
    price = (apple * apple_num + orange * orange_num) * tax
    price.backward()
    return price, apple, apple_num, orange, orange_num, tax


def test_apple_float():
    price, apple, apple_num, tax = apple_graph(1.1)
    assert price.data == pytest.approx(220)
    assert (apple.grad, apple_num.grad, tax.grad) == (pytest.approx(2.2), pytest.approx(110), 200)


def test_apple_orange_float_matches_the_notes_bit_for_bit():
    price, apple, apple_num, orange, orange_num, tax = apple_orange_graph(1.1)
    assert price.data == 715.0000000000001
    assert orange.grad == 3.3000000000000003  # printed this way in the notes
    assert apple.grad == 2.2
    assert apple_num.grad == 110.00000000000001
    assert orange_num.grad == 165.0
    assert tax.grad == 650


def test_apple_orange_exact():
    price, apple, apple_num, orange, orange_num, tax = apple_orange_graph(Fraction(11, 10))
    assert price.data == 715 and type(price.data) is Fraction
    assert apple.grad == Fraction(11, 5)
    assert orange.grad == Fraction(33, 10)
    assert (apple_num.grad, orange_num.grad, tax.grad) == (110, 165, 650)
    assert str(orange.grad) == "33/10"


def test_exact_through_division_and_integer_powers():
    x = Value(Fraction(1, 3))
    y = (x**2 + 1) / (x - 2) + x**-1
    y.backward()
    expected = (Fraction(1, 9) + 1) / (Fraction(1, 3) - 2) + 3
    assert y.data == expected and type(y.data) is Fraction
    # d/dx [(x^2+1)/(x-2) + 1/x] = (2x(x-2) - (x^2+1)) / (x-2)^2 - 1/x^2
    t = Fraction(1, 3)
    assert x.grad == (2 * t * (t - 2) - (t * t + 1)) / (t - 2) ** 2 - 1 / t**2


def test_inexact_ops_on_exact_data_give_floats():
    x = Value(Fraction(1, 2))
    for y in (x.exp(), x.log(), x.tanh(), x.sigmoid(), x**0.5):
        assert isinstance(y.data, float)
    assert x.relu().data == Fraction(1, 2)


def test_chain_rule_example():
    # z = t**2, t = x + y  =>  dz/dx = 2t
    x, y = Value(3.0, "x"), Value(4.0, "y")
    z = (x + y) ** 2
    z.backward()
    assert (z.data, x.grad, y.grad) == (49.0, 14.0, 14.0)


# -- backward semantics --------------------------------------------------------------------


def test_second_backward_accumulates_on_leaves_exactly():
    # micrograd issue #53: x*x*x gives 27, then 45. Here leaves accumulate (as in PyTorch)
    # and intermediates are recomputed, so the second call adds exactly 27 again.
    x = Value(3.0)
    y = x * x * x
    y.backward()
    assert x.grad == 27.0
    y.backward()
    assert x.grad == 54.0
    x.grad = 0
    y.backward()
    assert x.grad == 27.0


def test_zero_grad_resets_every_leaf():
    a, b = Value(1.0), Value(2.0)
    y = a * b + a
    y.backward()
    y.zero_grad()
    assert (a.grad, b.grad) == (0, 0)


def test_fan_out_counts_every_edge():
    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0
    b = Value(2.0)
    c = b * 3  # a reused non-leaf
    d = c * c + c
    d.backward()
    assert b.grad == (2 * 6 + 1) * 3


def test_chain_a_million_deep_has_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    assert sys.getrecursionlimit() < 1_000_000
    y.backward()
    assert x.grad == 1.0
    assert len(walk(y)) == 2_000_001  # each step adds a node and a constant leaf
    del y  # freeing a deep chain must not overflow the C stack either
    gc.collect()


def test_no_grad_records_nothing():
    a = Value(2.0)
    with no_grad():
        b = a * 3
    assert b.is_leaf and not b.requires_grad
    c = a * 3
    assert not c.is_leaf and c.parents[0] is a


def test_detach_cuts_the_graph():
    a = Value(2.0)
    b = (a * a).detach()
    c = b * a
    c.backward()
    assert a.grad == 4.0 and b.grad == 0


def test_tensor_style_retain_grad_off_keeps_only_leaves():
    a = Value(2.0)
    b = a * 3
    c = b * b
    c.backward(retain_grad=False)
    assert a.grad == 36.0 and b.grad == 0


def test_backward_with_gradient_seed():
    a = Value(2.0)
    (a * 5).backward(gradient=0.5)
    assert a.grad == 2.5


def test_backward_on_something_that_needs_no_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Value(2.0, requires_grad=False).backward()


def test_gradients_leaves_grad_untouched():
    x, y = Value(2.0), Value(5.0)
    z = x * y + x
    gx, gy, gz = gradients(z, [x, y, Value(1.0)])
    assert (gx, gy, gz) == (6.0, 2.0, 0)
    assert x.grad == 0 and y.grad == 0


def test_scope_tags_nodes():
    a = Value(1.0)
    with scope("layer1"), scope("neuron3"):
        b = a * 2
    assert b.scope == "layer1/neuron3"
    assert getattr(a, "scope", None) is None


# -- fused n-ary nodes ---------------------------------------------------------------------


def test_dot_is_one_node_and_matches_the_chain():
    ws = [Value(w) for w in (0.5, -1.0, 2.0)]
    xs = [1.0, 2.0, 3.0]
    b = Value(0.25)
    y = dot(ws, xs, b)
    assert y.op == "dot" and len(y.parents) == 7
    y.backward()
    assert y.data == 0.5 - 2.0 + 6.0 + 0.25
    assert [w.grad for w in ws] == xs and b.grad == 1


def test_sum_values_is_one_node():
    vs = [Value(float(k)) for k in range(5)]
    s = sum_values(vs)
    assert s.op == "sum" and len(s.parents) == 5 and s.data == 10.0
    s.backward()
    assert all(v.grad == 1.0 for v in vs)


# -- higher order --------------------------------------------------------------------------


def nth_derivative(f, x, n):
    x = Value(x)
    y = f(x)
    derivatives = []
    for _ in range(n):
        (y,) = gradients(y, [x], create_graph=True)
        derivatives.append(y.data)
    return derivatives


@given(floats_in())
def test_tanh_derivatives_up_to_four(x):
    t = math.tanh(x)
    s = 1 - t * t
    expected = [s, -2 * t * s, (6 * t * t - 2) * s, 8 * t * s * (2 - 3 * t * t)]
    assert nth_derivative(lambda v: v.tanh(), x, 4) == pytest.approx(expected, abs=1e-9)


@given(floats_in())
def test_cube_derivatives_up_to_four(x):
    assert nth_derivative(lambda v: v**3, x, 4) == pytest.approx([3 * x * x, 6 * x, 6, 0], abs=1e-9)


def test_backward_create_graph_puts_nodes_in_grad():
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    dydx = x.grad
    assert isinstance(dydx, Value) and dydx.data == 12.0
    x.grad = 0
    dydx.backward()
    assert x.grad == 12.0  # d/dx 3x^2 = 6x


def test_functional_grad_nests():
    from autograph import grad

    assert grad(lambda x: x**3)(2.0) == 12.0
    assert grad(grad(lambda x: x**3))(2.0) == 12.0
    assert grad(grad(grad(lambda x: x**3)))(2.0) == 6.0


# -- numbers for people, bad input, IEEE ---------------------------------------------------


def test_repr_and_str():
    assert repr(Value(0.1 + 0.2)) == "Value(data=0.30000000000000004, grad=0)"
    assert str(Value(2.5)) == "Value(data=2.5, grad=0)"  # micrograd's print (issue 9)
    assert repr(Value(Fraction(11, 10), "tax")) == "Value(data=11/10, grad=0, label='tax')"


@pytest.mark.parametrize("bad", ["abc", None, [1.0], 1j, object()])
def test_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_value_of_value_is_refused_with_advice():
    with pytest.raises(TypeError, match="node.data"):
        Value(Value(2))


def test_unsupported_operands_raise_type_error():
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        Value(1.0) * np.ones(3)  # no silent object arrays of Values


def test_numpy_scalars_are_numbers():
    v = Value(np.float32(1.5)) * np.float64(2.0)
    assert v.data == 3.0 and type(v.data) is float


def test_ieee_semantics():
    assert Value(1.0) / 0.0 is not None and (Value(1.0) / 0.0).data == math.inf
    assert (Value(-1.0) / 0.0).data == -math.inf
    assert math.isnan((Value(0.0) / 0.0).data)
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).log().data)
    assert Value(1000.0).exp().data == math.inf
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    nan = Value(math.nan)
    assert math.isnan(nan.relu().data)
    with pytest.raises(ZeroDivisionError):
        Value(Fraction(1, 2)) / 0  # exact data has no inf


def test_gradcheck_over_random_dags_with_shared_subexpressions():
    @given(expression_dags(), st.lists(floats_in(), min_size=3, max_size=3))
    def check(expr, xs):
        inputs = [Value(x, f"x{k}") for k, x in enumerate(xs[: expr.n_inputs])]
        assert gradcheck(expr, inputs, atol=1e-5, rtol=1e-4)

    check()


def test_exact_graphs_keep_exact_gradients_through_int_division():
    a, b = Value(Fraction(11, 10)), Value(3)
    (a / b).backward()
    assert a.grad == Fraction(1, 3) and type(a.grad) is Fraction
    assert b.grad == Fraction(-11, 90)


def test_int_division_follows_python():
    assert (Value(1) / Value(4)).data == 0.25  # int / int is a float, as in Python
    assert (Value(1) / 0).data == math.inf  # ... so it follows IEEE
    assert (Value(Fraction(1)) / 4).data == Fraction(1, 4)


def test_huge_exact_powers_fall_back_to_float_instead_of_hanging():
    assert (Value(3) ** 10**10).data == math.inf
    assert (Value(Fraction(1, 3)) ** -(10**9)).data == math.inf
    assert (Value(3) ** 100).data == 3**100  # still exact when it is reasonable
