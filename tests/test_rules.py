"""Every rule of the derivative table, checked by Hypothesis against numerical gradients.

The tests are generated from `RULES`: a new op without a case in
`autograph.testing.strategies.OP_CASES` fails `test_every_rule_has_a_case`.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograph import RULES
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
