"""Custom ops: `Function` (PyTorch's shape) and `LayerOp` (the notes' layer objects)."""

from __future__ import annotations

import numpy as np
import pytest

from autograph import CustomOpError, Function, LayerOp, Tensor, Value, gradients, no_grad
from autograph.engine import op_name
from autograph.nn import sequel
from autograph.nn import textbook as tb
from autograph.viz.adapter import from_autograph
from autograph.viz.dot import to_dot
from autograph.viz.expand import replay

rng = np.random.default_rng(7)


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class Exp(Function):
    """Saves its output, as PyTorch's examples do."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class NumpyTanh(Function):
    """Forward and backward in NumPy: right once, not differentiable twice."""

    @staticmethod
    def forward(ctx, x):
        ctx.y = np.tanh(x.data)
        return ctx.y

    @staticmethod
    def backward(ctx, grad):
        return grad.data * (1 - ctx.y**2)


class Power(Function):
    """A constant argument (the exponent) passed through; its gradient is None."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return x**n

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.n * x ** (ctx.n - 1), None


def test_function_on_tensors_matches_the_built_in_ops() -> None:
    data = rng.standard_normal((3, 4))
    x, x2 = Tensor(data, requires_grad=True), Tensor(data, requires_grad=True)
    w = rng.standard_normal((3, 4))
    (Square.apply(x) * w).sum().backward()
    (x2 * x2 * w).sum().backward()
    np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-15)
    y = Square.apply(x)
    assert y.op == "custom" and op_name(y) == "Square" and isinstance(y, Tensor)


def test_function_on_values_and_exact_numbers() -> None:
    from fractions import Fraction

    x = Value(Fraction(3, 2))
    y = Square.apply(x)
    y.backward()
    assert isinstance(y, Value) and y.data == Fraction(9, 4) and x.grad == 3


def test_constant_arguments_pass_through_and_need_no_gradient() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    Power.apply(x, 3).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data**2)


def test_backward_written_with_autograph_ops_is_differentiable_again() -> None:
    x = Tensor([0.5, -1.0], requires_grad=True)
    (g,) = gradients(Square.apply(Square.apply(x)).sum(), [x], create_graph=True)  # 4 x^3
    np.testing.assert_allclose(g.data, 4 * x.data**3)
    (h,) = gradients(g.sum(), [x])  # 12 x^2
    np.testing.assert_allclose(h, 12 * x.data**2)
    # the saved output is the op's own result node, so the second derivative flows through it
    v = Value(0.3)
    (dv,) = gradients(Exp.apply(v), [v], create_graph=True)
    (ddv,) = gradients(dv, [v])
    assert dv.data == pytest.approx(np.exp(0.3)) and ddv == pytest.approx(np.exp(0.3))


def test_numpy_backward_is_right_once_and_refuses_a_second_derivative() -> None:
    x = Tensor([0.1, 0.7], requires_grad=True)
    (g,) = gradients(NumpyTanh.apply(x).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, 1 - np.tanh(x.data) ** 2)
    with pytest.raises(CustomOpError, match=r"NumpyTanh.*cannot be differentiated again"):
        gradients(g.sum(), [x])


def test_not_recorded_under_no_grad() -> None:
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = Square.apply(x)
    assert y.is_leaf and y.params is None and not y.requires_grad


class TooFew(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad


class BadShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum()


class Broadcasting(Function):
    """x + b: the bias gets the full-shaped gradient, summed back (PyTorch's rule)."""

    @staticmethod
    def forward(ctx, x, b):
        return x + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Mutates(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.mask = x.data <= 0
        return Tensor(np.where(ctx.mask, 0.0, x.data))

    @staticmethod
    def backward(ctx, grad):
        grad.data[ctx.mask] = 0
        return grad


class GradForConstant(Function):
    @staticmethod
    def forward(ctx, x, n):
        return x * n

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class TwoOutputs(Function):
    @staticmethod
    def forward(ctx, x):
        return x, x

    @staticmethod
    def backward(ctx, grad):
        return grad


def _backward(fn, *args):
    fn.apply(*args).sum().backward()


def test_contract_errors_name_the_op() -> None:
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    with pytest.raises(CustomOpError, match=r"TooFew.backward returned 1 gradient\(s\); expected"):
        _backward(TooFew, x, y)
    with pytest.raises(
        CustomOpError, match=r"BadShape.backward .* shape \(\) for input 0 \(x\), .*\(2, 3\)"
    ):
        _backward(BadShape, x)
    with pytest.raises(CustomOpError, match=r"Mutates.backward modified its input gradient"):
        _backward(Mutates, x)  # the upstream gradient of sum() is read-only: NumPy refuses
    with pytest.raises(CustomOpError, match=r"Mutates.backward modified its input gradient"):
        (Mutates.apply(x) * y).sum().backward()  # a writable one: the write is found after
    with pytest.raises(CustomOpError, match=r"GradForConstant.*input 1 \(n\).*return None"):
        _backward(GradForConstant, x, 2.0)
    with pytest.raises(CustomOpError, match=r"TwoOutputs.forward returned 2 outputs"):
        TwoOutputs.apply(x)
    with pytest.raises(TypeError, match=r"Square: inputs mix Values and Tensors"):
        TooFew.__name__ = "Square"  # (any name: the message names the class)
        TooFew.apply(x, Value(1.0))
    TooFew.__name__ = "TooFew"
    with pytest.raises(TypeError, match=r"Square.apply needs at least one Value or Tensor"):
        Square.apply(3.0)


def test_broadcast_gradients_are_summed_back_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x_data, b_data = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x, b = Tensor(x_data, requires_grad=True), Tensor(b_data, requires_grad=True)
    w = rng.standard_normal((4, 3))
    (Broadcasting.apply(x, b) * w).sum().backward()

    class TorchBroadcasting(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, b):
            return x + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    tx = torch.tensor(x_data, requires_grad=True)
    tb_ = torch.tensor(b_data, requires_grad=True)
    (TorchBroadcasting.apply(tx, tb_) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(b.grad, tb_.grad.numpy(), rtol=1e-15)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-15)


def test_custom_node_is_drawn_with_its_own_name() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = Square.apply(x).sum()
    y.backward()
    graph = from_autograph(y)
    assert [n.op for n in graph.nodes if n.op] == ["Square", "sum"]
    assert ">Square<" in to_dot(y)


# -- layer objects ---------------------------------------------------------------------


class BookRelu:
    """The notes' Relu, writing into dout."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class AffineForgetsSum(tb.Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout
        return dx


def test_shopping_with_mul_and_add_layers_on_values() -> None:
    apple, apple_num = Value(100, label="apple"), Value(2, label="apple_num")
    orange, orange_num = Value(150, label="orange"), Value(3, label="orange_num")
    tax = Value(1.1, label="tax")
    mul = LayerOp(tb.MulLayer())  # one object used three times: each call keeps its state
    all_price = LayerOp(tb.AddLayer())(mul(apple, apple_num), mul(orange, orange_num))
    price = mul(all_price, tax)
    price.backward()
    assert round(price.data) == 715
    assert (apple.grad, apple_num.grad, orange_num.grad, tax.grad) == pytest.approx(
        (2.2, 110, 165, 650)
    )
    assert orange.grad == pytest.approx(3.3)
    assert op_name(price) == "MulLayer"


def test_textbook_layers_match_autograph() -> None:
    x_data = rng.standard_normal((4, 3))
    w_data, b_data = rng.standard_normal((3, 5)), rng.standard_normal(5)
    labels = rng.integers(0, 5, 4)
    t = np.eye(5)[labels]

    x = Tensor(x_data, requires_grad=True)
    affine = LayerOp(tb.Affine(w_data.copy(), b_data.copy()))
    h = LayerOp(BookRelu())(affine(x))
    loss = LayerOp(tb.SoftmaxWithLoss())(LayerOp(tb.Sigmoid())(h) * 2.0, t)
    (loss * 3.0).backward()  # the loss layer's gradients are scaled by the upstream 3

    x2 = Tensor(x_data, requires_grad=True)
    w2, b2 = Tensor(w_data, requires_grad=True), Tensor(b_data, requires_grad=True)
    from autograph import softmax_cross_entropy

    loss2 = softmax_cross_entropy(((x2 @ w2 + b2).relu().sigmoid()) * 2.0, t)
    (loss2 * 3.0).backward()
    assert loss.data == pytest.approx(loss2.data, rel=1e-6)  # the book's log(y + 1e-7)
    np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-6, atol=1e-9)
    w, b = affine.parameters
    assert (w.label, b.label) == ("W", "b")
    np.testing.assert_allclose(w.grad, w2.grad, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.grad, b2.grad, rtol=1e-6, atol=1e-9)
    assert w.data is affine.layer.W  # the parameter shares the layer's array


def test_sequel_layers_with_params_and_grads_lists() -> None:
    w_data, b_data = rng.standard_normal((3, 2)), rng.standard_normal(2)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    op = LayerOp(sequel.Affine(w_data, b_data), params=("W", "b"))
    (op(x) ** 2).sum().backward()
    x2, w2, b2 = (Tensor(a, requires_grad=True) for a in (x.data, w_data, b_data))
    ((x2 @ w2 + b2) ** 2).sum().backward()
    for mine, theirs in zip([x, *op.parameters], [x2, w2, b2], strict=True):
        np.testing.assert_allclose(mine.grad, theirs.grad, rtol=1e-12)
    assert [p.label for p in op.parameters] == ["W", "b"]


def test_book_relu_writing_into_dout_is_harmless_inside_autograph() -> None:
    x = Tensor(np.array([[1.0, -0.5], [-2.0, 3.0]]), requires_grad=True)
    relu = LayerOp(BookRelu())
    y = relu(x)
    (y * 2 + y * x).sum().backward()  # the gradient of y fans out to two consumers
    np.testing.assert_allclose(x.grad, np.where(x.data > 0, 2 + 2 * x.data, 0.0))
    assert relu.mutates_dout


def test_reused_layer_object_keeps_each_calls_state() -> None:
    relu = LayerOp(BookRelu())
    a = Tensor([1.0, -1.0], requires_grad=True)
    b = Tensor([-1.0, 1.0], requires_grad=True)
    (relu(a) + relu(b) * 3).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 3.0])


def test_layer_gradient_shapes_are_strict_and_named() -> None:
    op = LayerOp(AffineForgetsSum(rng.standard_normal((3, 2)), rng.standard_normal(2)))
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    with pytest.raises(
        CustomOpError,
        match=r"AffineForgetsSum.backward .* shape \(4, 2\) for parameter b \(stored db\), "
        r"which has shape \(2,\)",
    ):
        op(x).sum().backward()


def test_layer_missing_gradient_for_an_input_that_needs_one() -> None:
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    t = Tensor(np.eye(3)[[0, 2]], requires_grad=True)
    loss = LayerOp(tb.SoftmaxWithLoss())(x, t)
    with pytest.raises(CustomOpError, match=r"no gradient for input 1 \(t\), which needs one"):
        loss.backward()


def test_layer_second_derivative_refused_with_the_layer_named() -> None:
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    (g,) = gradients(LayerOp(tb.Sigmoid())(x).sum(), [x], create_graph=True)
    s = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(g.data, s * (1 - s))
    with pytest.raises(CustomOpError, match=r"Sigmoid.*cannot be differentiated again"):
        gradients(g.sum(), [x])


def test_replaying_a_layer_graph_leaves_the_original_untouched() -> None:
    op = LayerOp(tb.Affine(rng.standard_normal((3, 2)), rng.standard_normal(2)))
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True, label="x")
    loss = (op(x) ** 2).sum()
    loss.backward()
    before = [p.grad.copy() for p in op.parameters]
    copy, _ = replay(loss)
    copy.backward()
    for p, g in zip(op.parameters, before, strict=True):
        np.testing.assert_array_equal(p.grad, g)
    assert op.layer.W is op.parameters[0].data  # still shared after the replayed call


def test_layer_op_takes_an_object_not_a_class() -> None:
    with pytest.raises(TypeError, match="LayerOp takes a layer object"):
        LayerOp(tb.Relu)


class SquareTimes(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * 2 * a * b, grad * a * a


def test_each_backward_pass_runs_the_users_backward_afresh() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    z = SquareTimes.apply(a, b)
    seed = np.ones(2)
    z.backward(seed)
    b.requires_grad = False  # later passes ask for input 0 only
    for scale in (2.0, 3.0):
        seed *= scale  # in place: the same seed object with new numbers
        a.grad = None
        z.backward(seed)
        np.testing.assert_allclose(a.grad, seed * 2 * a.data * b.data)
    # changing an input's data after the forward pass is refused, as PyTorch refuses it
    a.data = a.data * 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward(seed)
