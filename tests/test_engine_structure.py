"""The engine's contracts: one constructor of op results, what every node kind declares, the
primitives other layers build on (reset_grad, enter_scope/exit_scope, local_derivative, the
step hook)."""

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from autograph import Tensor, Value, affine, no_grad, scope
from autograph.engine import enter_scope, exit_scope, local_derivative
from autograph.engine import value as value_module
from autograph.engine.backward import backward
from autograph.engine.mode import current_scope, set_scope
from autograph.engine.namespaces import ARRAY, GRAPH, SCALAR, Math
from autograph.engine.node import Node, new_result

ENGINE = Path(__file__).resolve().parents[1] / "autograph" / "engine"


def slots(node: Node) -> dict[str, object]:
    names = [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())]
    assert names, "nodes keep their state in slots"
    return {name: getattr(node, name, "<unset>") for name in names}


@pytest.mark.parametrize(
    ("a_needs", "b_needs", "binary", "recording", "scope_name"),
    list(
        itertools.product([True, False], [True, False], [True, False], [True, False], [None, "s"])
    ),
)
def test_scalar_fast_constructor_builds_the_same_node_as_the_general_one(
    a_needs, b_needs, binary, recording, scope_name
):
    a = Value(2.0, requires_grad=a_needs)
    b = Value(3.0, requires_grad=b_needs) if binary else None
    parents = (a, b) if b is not None else (a,)
    op = "*" if binary else "neg"
    token = enter_scope(scope_name) if scope_name else None
    try:
        if recording:
            fast = value_module._result(6.0, a, b, op)
            general = new_result(Value, 6.0, parents, op)
        else:
            with no_grad():
                fast = value_module._result(6.0, a, b, op)
                general = new_result(Value, 6.0, parents, op)
    finally:
        if scope_name:
            exit_scope(token)
    assert slots(fast) == slots(general)
    assert "<unset>" not in slots(fast).values(), "every slot is set"
    assert fast.requires_grad == (recording and (a_needs or (binary and b_needs)))
    assert fast.parents == (parents if fast.requires_grad else ())
    assert fast.scope == scope_name


def test_every_value_op_goes_through_the_constructors():
    x, y = Value(2.0), Value(3.0)
    results = [x + y, x - y, x * y, x / y, x**y, -x, abs(x), x.exp(), x.log(), x.tanh()]
    results += [x.sigmoid(), x.relu(), 1 + x, 1 - x, 2 * x, 1 / x, 2**x]
    for out in results:
        assert "<unset>" not in slots(out).values(), out.op
        assert out.parents and out.requires_grad


def test_leaves_set_every_slot():
    for leaf in (Value(1.0), Tensor([1.0]), Value.constant(2), Tensor.constant([3.0])):
        assert "<unset>" not in slots(leaf).values()
        assert leaf.is_leaf and leaf.parents == ()


def test_fast_scalar_constant_is_the_same_leaf_as_value_constant():
    with scope("s"):
        fast = value_module._constant(2.5)
        general = Value.constant(2.5)
    assert slots(fast) == slots(general)
    assert (2 * Value(1.0)).parents[0].scope is None  # numbers in arithmetic: constants


def test_requires_grad_comes_from_every_input():
    # only the bias needs a gradient: the result must still be recorded
    x, w = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)))
    b = Tensor(np.zeros(4), requires_grad=True)
    out = affine(x, w, b)
    assert out.requires_grad and out.parents == (x, w, b)
    out.sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0, 2.0, 2.0])
    # n-ary scalar nodes: a later input is enough
    from autograph import dot

    d = dot([Value.constant(1.0)], [Value.constant(2.0)], Value(1.0))
    assert d.requires_grad


def test_every_node_kind_provides_the_declared_contract():
    declared = ["_math", "_broadcasts", "_retains_by_default", "_empty_grad"]
    methods = ["constant", "detach", "_seed", "_accumulate", "_zeros", "_own_gradient", "_assign"]
    for kind in (Value, Tensor):
        for name in declared:
            assert name in vars(kind), f"{kind.__name__} must set {name}"
        for name in methods:
            assert getattr(kind, name) is not getattr(Node, name), f"{kind.__name__}.{name}"
    assert Value._empty_grad == 0 and Tensor._empty_grad is None


def test_math_namespaces_implement_the_protocol():
    members = [name for name in vars(Math) if not name.startswith("_")]
    assert "div" in members and "reshape" in members
    for namespace in (ARRAY, GRAPH):
        for name in members:
            assert getattr(type(namespace), name) is not getattr(Math, name), name
    with pytest.raises(TypeError, match="reshape is an array operation"):
        SCALAR.reshape(1.0, ())


def test_input_slots_are_private_to_node_py():
    for path in sorted(ENGINE.rglob("*.py")):
        if path.name == "node.py":
            continue
        assert not re.search(r"\._p[01]\b", path.read_text()), f"{path.name} touches _p0/_p1"


def test_reset_grad():
    v, t = Value(2.0), Tensor([1.0, 2.0], requires_grad=True)
    (v * v).backward()
    (t * t).sum().backward()
    v.reset_grad()
    t.reset_grad()
    assert v.grad == 0 and t.grad is None
    (v * v).backward()
    assert v.grad == 4.0


def test_enter_and_exit_scope_nest_like_scope():
    assert current_scope() is None
    outer = enter_scope("net")
    inner = enter_scope("layer0")
    v = Value(1.0) * 2
    exit_scope(inner)
    w = Value(1.0) * 2
    exit_scope(outer)
    assert (v.scope, w.scope, current_scope()) == ("net/layer0", "net", None)
    with scope("a") as path:
        token = set_scope("b/c")  # absolute, not nested
        assert current_scope() == "b/c"
        exit_scope(token)
        assert path == current_scope() == "a"


def test_local_derivative_of_scalar_ops():
    a, b = Value(3), Value(4)
    assert local_derivative(a * b, 0) == 4 and local_derivative(a * b, 1) == 3
    assert local_derivative(a - b, 1) == -1
    assert local_derivative(a, 0) is None  # a leaf
    assert local_derivative(Tensor([1.0], requires_grad=True).exp(), 0) is None
    from fractions import Fraction

    q = Value(Fraction(1, 3)) / Value(Fraction(2))
    assert local_derivative(q, 0) == Fraction(1, 2)  # exact stays exact


def test_step_hook_while_backward_stores_gradients():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    p = x * y
    out = p + x
    seen = []
    out.backward(on_step=lambda node, g, sent: seen.append((node, g, sent)))
    # stored as by a plain backward()
    assert (x.grad, y.grad, p.grad, out.grad) == (4.0, 2.0, 1.0, 1.0)
    # the root first, each op node once, after all its consumers
    assert [node for node, _, _ in seen] == [out, p]
    assert seen[0][2] == [(0, p, 1.0), (1, x, 1.0)]
    assert seen[1][1] == 1.0 and seen[1][2] == [(0, x, 3.0), (1, y, 2.0)]


def test_step_hook_gets_shape_reduced_tensor_gradients():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    out = (x + b).sum()
    sent = {}
    backward(out, on_step=lambda node, g, s: sent.update({node.op: s}))
    assert sent["+"][1][2].shape == (3,)
    np.testing.assert_array_equal(b.grad, [2.0, 2.0, 2.0])
