"""Every rule of the derivative table, checked by Hypothesis against numerical gradients.

The tests are generated from `RULES`: a new op without a case in
`autograph.testing.strategies.OP_CASES` fails `test_every_rule_has_a_case`.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograph import RULES, Tensor, Value, enable_grad, gradients
from autograph.testing import gradcheck
from autograph.testing.strategies import OP_CASES, scalar_examples, tensor_examples

SCALAR_OPS = sorted(op for op, case in OP_CASES.items() if case.scalar is not None)
TENSOR_OPS = sorted(op for op, case in OP_CASES.items() if case.tensor is not None)


def test_every_rule_has_a_case():
    missing = sorted(set(RULES) - set(OP_CASES))
    assert not missing, f"ops with no domain/strategy in OP_CASES: {missing}"
    assert not sorted(set(OP_CASES) - set(RULES)), "OP_CASES names ops that are not in RULES"
    for op, case in OP_CASES.items():
        assert case.scalar is not None or case.tensor is not None, op


@pytest.mark.parametrize("op", SCALAR_OPS)
@given(data=st.data())
def test_value_rule_matches_numerical_gradient(op, data):
    inputs, build = data.draw(scalar_examples(op))
    out = build(*inputs)
    assert out.op == op  # the case really exercises this rule
    assert gradcheck(build, inputs, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("op", TENSOR_OPS)
@given(data=st.data())
def test_tensor_rule_matches_numerical_gradient(op, data):
    inputs, build = data.draw(tensor_examples(op))
    out = build(*inputs)
    assert out.op == op
    assert gradcheck(build, inputs, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("op", TENSOR_OPS)
@given(data=st.data())
def test_tensor_rule_in_fast_mode(op, data):
    inputs, build = data.draw(tensor_examples(op))
    assert gradcheck(build, inputs, atol=1e-6, rtol=1e-4, fast_mode=True)


@pytest.mark.parametrize("op", TENSOR_OPS)
@given(data=st.data())
def test_tensor_rule_second_derivatives(op, data):
    # gradcheck a function that itself computes gradients with create_graph=True: this
    # checks every rule's recorded (GRAPH-namespace) form, i.e. Hessian-vector products
    inputs, build = data.draw(tensor_examples(op))
    weights = np.random.default_rng(0).standard_normal(np.shape(build(*inputs).data))

    def first_derivatives(*xs):
        with enable_grad():
            out = build(*xs)
            grads = gradients((out * weights).sum(), list(xs), create_graph=True)
            return sum(((g * x).sum() for g, x in zip(grads, xs, strict=True)), Tensor(0.0))

    assert gradcheck(first_derivatives, inputs, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("op", SCALAR_OPS)
@given(data=st.data())
def test_value_rule_second_derivatives(op, data):
    inputs, build = data.draw(scalar_examples(op))

    def first_derivatives(*xs):
        with enable_grad():
            grads = gradients(build(*xs), list(xs), create_graph=True)
            return sum((g * x for g, x in zip(grads, xs, strict=True)), Value(0.0))

    assert gradcheck(first_derivatives, inputs, atol=1e-5, rtol=1e-4)


def _some_constant(data, inputs):
    """Mark a random subset of `inputs` as constants (requires_grad=False), keeping at least
    one that requires grad."""
    wanted = data.draw(st.lists(st.booleans(), min_size=len(inputs), max_size=len(inputs)))
    if not any(wanted):
        wanted[data.draw(st.integers(0, len(inputs) - 1))] = True
    for x, w in zip(inputs, wanted, strict=True):
        x.requires_grad = w


@pytest.mark.parametrize("op", TENSOR_OPS)
@given(data=st.data())
def test_tensor_rule_with_some_inputs_constant(op, data):
    # the rules' paths for a gradient wanted by some inputs only (conv2d keeps its columns
    # only for the weight's gradient, batch_norm its x-hat only when any input needs it)
    inputs, build = data.draw(tensor_examples(op))
    _some_constant(data, inputs)
    out = build(*inputs)
    assert out.op == op and out.requires_grad
    assert gradcheck(build, inputs, atol=1e-6, rtol=1e-4)

    def first_derivatives(*xs):
        weights = np.random.default_rng(0).standard_normal(np.shape(out.data))
        with enable_grad():
            wrt = [x for x in xs if x.requires_grad]
            grads = gradients((build(*xs) * weights).sum(), wrt, create_graph=True)
            return sum(((g * x).sum() for g, x in zip(grads, wrt, strict=True)), Tensor(0.0))

    assert gradcheck(first_derivatives, inputs, atol=1e-5, rtol=1e-4)
