"""check_layer / check_op: hand-written backward code checked with Hypothesis."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograph import Function, LayerOp, Tensor
from autograph.nn import sequel
from autograph.nn import textbook as tb
from autograph.testing import (
    CheckFailed,
    MutatesGradientWarning,
    SpecError,
    check_layer,
    check_op,
)
from autograph.testing.strategies import ScaledExp

FEW = 25  # examples per check in these tests (the default is larger)


def quiet_check(layer, **options):
    """check_layer without the dout warning (tests that want it catch it themselves)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MutatesGradientWarning)
        return check_layer(layer, raise_exception=False, max_examples=FEW, **options)


# -- layers as the notes write them ----------------------------------------------------


class NotesRelu:
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


class SigmoidForgetsOut(tb.Sigmoid):
    def backward(self, dout):
        return dout * (1.0 - self.out)


class AffineForgetsSum(tb.Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout
        return dx


class AffineTransposedDW(tb.Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = dout.T @ self.x
        return dx


class SequelAffineForgetsSum(sequel.Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.grads[1][...] = dout[0]  # the first row only
        return dx


@pytest.mark.parametrize(
    "layer",
    [tb.MulLayer, tb.AddLayer, tb.Relu, tb.Sigmoid, tb.Affine, tb.SoftmaxWithLoss]
    + [sequel.MatMul, sequel.Affine, sequel.Sigmoid, NotesRelu],
)
def test_the_books_layers_pass(layer) -> None:
    result = quiet_check(layer)
    assert result.ok, result.report()
    assert result.examples == FEW and result.failure is None


def test_a_sigmoid_that_forgets_the_output_is_found_with_a_minimal_example() -> None:
    result = quiet_check(SigmoidForgetsOut)
    assert not result.ok
    worst = result.failure.worst
    assert (worst.input, worst.gradient, worst.kind) == ("x", "dx", "value")
    # shrunk: x = 0 (y = 1/2), so got 1/2 · dout against 1/4 · dout
    assert np.all(result.failure.example.arrays["x"] == 0)
    assert worst.got[worst.index] == pytest.approx(0.5 * result.failure.dout[worst.index])
    assert worst.expected[worst.index] == pytest.approx(0.25 * result.failure.dout[worst.index])
    assert np.all(result.failure.dout == 1)
    line = result.line()
    assert line.startswith("WRONG  SigmoidForgetsOut: dx[") and "got 0.5 expected 0.25" in line
    assert "(input x, minimal example x=[[0." in line and "dout=[[1." in line


def test_a_bias_gradient_not_summed_over_the_batch_is_found() -> None:
    result = quiet_check(AffineForgetsSum)
    worst = result.failure.worst
    assert (worst.input, worst.gradient, worst.kind) == ("b", "db", "shape")
    assert "not summed over the batch" in worst.message
    batch = result.failure.example.arrays["x"].shape[0]
    assert worst.got.shape == (batch, *result.failure.example.arrays["b"].shape)


def test_stored_gradients_are_checked_in_the_sequels_lists_too() -> None:
    result = quiet_check(SequelAffineForgetsSum)
    worst = result.failure.worst
    assert (worst.input, worst.gradient, worst.kind) == ("b", "grads[1]", "value")
    assert result.failure.example.arrays["x"].shape[0] > 1  # the first row is all of a batch of 1


def test_a_transposed_weight_gradient_is_found() -> None:
    result = quiet_check(AffineTransposedDW)
    worst = result.failure.worst
    assert worst.input == "W" and worst.gradient == "dW"
    assert worst.kind == "value" or "transposed?" in worst.message


def test_an_object_is_checked_with_its_parameter_shapes() -> None:
    layer = tb.Affine(np.zeros((4, 2)), np.zeros(2))
    result = quiet_check(layer)
    assert result.ok, result.report()
    assert {shapes[0][1] for shapes in result.shapes} == {4}  # x has W's 4 rows
    assert layer.W.sum() == 0  # the learner's object is untouched (a copy is checked)
    assert not quiet_check(AffineForgetsSum(np.zeros((3, 2)), np.zeros(2))).ok


def test_batches_of_one_and_more_are_drawn() -> None:
    result = quiet_check(tb.Sigmoid)
    batches = {shapes[0][0] for shapes in result.shapes}
    assert 1 in batches and max(batches) > 1


def test_targets_are_one_hot_rows_and_loss_layers_use_their_default_dout() -> None:
    result = quiet_check(tb.SoftmaxWithLoss)
    assert result.ok
    assert result.spec.loss and [a.name for a in result.spec.inputs if a.target] == ["t"]
    assert any("t: a target" in note for note in result.spec.notes)


def test_the_notes_one_sample_softmax_is_wrong_for_a_batch() -> None:
    """The notes' chapter-3 softmax (max and sum over the whole array) and a cross-entropy
    without the division by the batch size do not go with (y - t) / batch_size."""

    def softmax(a):
        e = np.exp(a - np.max(a))
        return e / np.sum(e)

    class SoftmaxWithLoss(tb.SoftmaxWithLoss):
        def forward(self, x, t):
            self.t, self.y = t, softmax(x)
            return -np.sum(t * np.log(self.y + 1e-7))

        def backward(self, dout=1):
            return (self.y - self.t) / self.t.shape[0]

    result = quiet_check(SoftmaxWithLoss)
    assert not result.ok and result.failure.example.arrays["x"].shape[0] > 1


# -- what the check tolerates and what it warns about ------------------------------------


def test_relu_kinks_are_skipped_not_failed() -> None:
    class ReluStrict(tb.Relu):  # the other subgradient at 0: 1 instead of 0
        def backward(self, dout):
            return np.where(self.mask & (self._x < 0), 0.0, dout)

        def forward(self, x):
            self._x = x
            return super().forward(x)

    for layer in (tb.Relu, ReluStrict):
        result = quiet_check(layer)
        assert result.ok and result.skipped_points > 0, result.report()


def test_ties_of_a_max_are_skipped() -> None:
    class RowMax:
        def forward(self, x):
            self.x = x
            return x.max(axis=1)

        def backward(self, dout):
            return (self.x == self.x.max(axis=1, keepdims=True)) * dout[:, None]

    result = quiet_check(RowMax)
    assert result.ok and result.skipped_points > 0, result.report()


def test_writing_into_dout_is_a_warning_not_a_failure() -> None:
    with pytest.warns(MutatesGradientWarning, match="NotesRelu: backward writes into dout"):
        result = check_layer(NotesRelu, max_examples=FEW)
    assert result.ok and "backward writes into dout in place" in result.line()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MutatesGradientWarning)
        check_layer(tb.Relu, max_examples=FEW)  # the out-of-place one: no warning


def test_state_kept_between_calls_fails() -> None:
    class StickyRelu:
        def __init__(self):
            self.mask = None

        def forward(self, x):
            if self.mask is None:  # computed once, used for every later call
                self.mask = x <= 0
            return np.where(x <= 0, 0.0, x)

        def backward(self, dout):
            return np.where(self.mask, 0.0, dout)

    result = quiet_check(StickyRelu)
    assert result.failure.worst.kind == "state", result.report()
    assert "state kept from an earlier call" in result.line()


def test_a_divisor_at_zero_is_outside_the_domain() -> None:
    class Reciprocal:
        def forward(self, x):
            self.x = x
            return 1 / x

        def backward(self, dout):
            return -dout / self.x**2

    result = quiet_check(Reciprocal)
    assert result.ok and result.rejected > 0


def test_explicit_domain_shapes_and_init() -> None:
    class Log:
        def forward(self, x):
            self.x = x
            return np.log(x)

        def backward(self, dout):
            return dout / self.x

    assert quiet_check(Log, domain=(0.5, 3.0)).ok
    assert quiet_check(Log, domain={"x": st.floats(0.5, 3.0)}).ok

    class Scale:
        def __init__(self, gamma, name):
            self.gamma, self.name, self.dgamma = gamma, name, None

        def forward(self, x):
            self.x = x
            return x * self.gamma

        def backward(self, dout):
            self.dgamma = (dout * self.x).sum(axis=0)
            return dout * self.gamma

    with pytest.raises(SpecError, match=r"constructor takes gamma, name.*init="):
        check_layer(Scale)
    result = quiet_check(Scale, shapes={"x": ("N", "n"), "gamma": ("n",)}, init={"name": "s"})
    assert result.ok, result.report()
    with pytest.raises(SpecError, match="shapes names 'y'"):
        check_layer(Scale, shapes={"y": (2,), "gamma": ("n",)}, init={"name": "s"})


def test_a_layer_that_cannot_run_on_inferred_shapes_asks_for_a_spec() -> None:
    class NeedsThreeAxes:
        def forward(self, x):
            return x.transpose(0, 2, 1)

        def backward(self, dout):
            return dout.transpose(0, 2, 1)

    with pytest.raises(SpecError, match=r"cannot run it on the inferred shapes \(x: \(2, 2\)\)"):
        check_layer(NeedsThreeAxes)
    assert quiet_check(NeedsThreeAxes, shapes={"x": ("N", 2, 3)}).ok


def test_broadcasting_where_the_op_claims_it() -> None:
    assert check_op(ScaledExp, broadcast=True, max_examples=FEW).ok
    result = quiet_check(tb.MulLayer, broadcast=True)  # its dy is not summed back
    assert not result.ok and result.failure.worst.kind == "shape"


def test_check_failed_is_an_assertion_with_the_report() -> None:
    with pytest.raises(CheckFailed, match=r"WRONG  SigmoidForgetsOut: dx") as info:
        check_layer(SigmoidForgetsOut, max_examples=FEW)
    assert isinstance(info.value, AssertionError) and not info.value.result.ok


def test_the_search_is_reproducible() -> None:
    first, second = quiet_check(SigmoidForgetsOut), quiet_check(SigmoidForgetsOut)
    assert first.line() == second.line()


def test_a_failure_picture_marks_the_wrong_edge(tmp_path) -> None:
    pytest.importorskip("graphviz")
    result = quiet_check(AffineForgetsSum)
    paths = result.save_picture(tmp_path)
    assert sorted(p.name for p in paths)[0].startswith("AffineForgetsSum.")
    from autograph.testing.picture import failure_graph

    root, graph = failure_graph(result)
    marked = [e for e in graph.edges if "expected" in e.notes]
    assert len(marked) == 1 and graph.nodes[marked[0].source].label == "b"
    assert graph.nodes[marked[0].target].op == "AffineForgetsSum"
    assert marked[0].grad.shape == result.failure.worst.got.shape  # drawn as it was given
    svg = next(p for p in paths if p.suffix == ".svg").read_text()
    assert "got" in svg and "expected" in svg and "AffineForgetsSum" in svg


# -- Functions ---------------------------------------------------------------------------


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class SquareWrong(Square):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


class SquareTooMany(Square):
    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class ClassState(Function):
    """Keeps its input on the class, not on ctx: the last call wins."""

    last = None

    @staticmethod
    def forward(ctx, x):
        ClassState.last = x.data.copy()
        return Tensor(x.data**2)

    @staticmethod
    def backward(ctx, grad):
        return grad * 2 * ClassState.last


def test_functions_are_checked_through_autograph() -> None:
    assert check_op(Square, max_examples=FEW).ok
    result = check_op(SquareWrong, max_examples=FEW, raise_exception=False)
    assert result.failure.worst.kind == "value" and "dx" in result.line()
    result = check_op(SquareTooMany, max_examples=FEW, raise_exception=False)
    assert result.failure.worst.kind == "error"
    assert "SquareTooMany.backward returned 2 gradient(s); expected 1" in result.line()
    result = check_op(ClassState, max_examples=FEW, raise_exception=False)
    assert result.failure.worst.kind == "state", result.report()


def test_autograph_is_a_second_reference_when_the_forward_uses_its_ops() -> None:
    from autograph.testing.infer import Example
    from autograph.testing.subjects import FunctionSubject, LayerSubject

    x, y = np.array([[0.5, -1.0]]), np.array([[2.0, 0.3]])
    dout = np.array([[1.0, 2.0]])
    ex = Example({"N": 1, "d0": 2}, {"x": x, "y": y})
    subject = FunctionSubject(Square)
    np.testing.assert_allclose(subject.reference(ex, dout, x**2)["x"], 2 * x * dout)
    ref = LayerSubject(tb.MulLayer).reference(ex, dout, x * y)  # x * y runs on Tensors too
    np.testing.assert_allclose(ref["x"], y * dout)
    np.testing.assert_allclose(ref["y"], x * dout)
    assert LayerSubject(tb.Sigmoid).reference(ex, dout, None) is None  # np.exp: NumPy only


def test_check_op_takes_layer_ops_and_layers() -> None:
    assert check_op(LayerOp(tb.Sigmoid()), max_examples=FEW).ok
    assert not check_op(SigmoidForgetsOut, max_examples=FEW, raise_exception=False).ok
    with pytest.raises(TypeError, match="check_op takes a Function subclass"):
        check_op(np.exp)


# -- inside the user's own Hypothesis tests ------------------------------------------------


@settings(max_examples=3, deadline=None)
@given(scale=st.floats(0.5, 2.0))
def test_inside_a_users_given_test(scale) -> None:
    class Scaled(tb.Sigmoid):
        def forward(self, x):
            return super().forward(x * scale)

        def backward(self, dout):
            return super().backward(dout) * scale

    assert check_layer(Scaled, max_examples=10).ok
    with pytest.raises(CheckFailed):
        check_layer(SigmoidForgetsOut, max_examples=10)


def test_a_state_failure_is_drawn_with_the_gradient_after_the_earlier_call() -> None:
    from autograph.testing.picture import failure_graph

    class StickyScale:
        def __init__(self):
            self.x = None

        def forward(self, x):
            if self.x is None:
                self.x = x
            return x * x

        def backward(self, dout):
            return 2 * self.x * dout

    result = quiet_check(StickyScale)
    worst = result.failure.worst
    assert worst.kind == "state"
    _, graph = failure_graph(result)
    (edge,) = [e for e in graph.edges if "expected" in e.notes]
    np.testing.assert_allclose(edge.grad, worst.got)
    np.testing.assert_allclose(edge.notes["expected"], worst.expected)
    assert not np.allclose(edge.grad, edge.notes["expected"])


class Power(Function):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return x**n

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.n * x ** (ctx.n - 1), None


def test_constant_arguments_of_forward() -> None:
    assert check_op(Power, constants={"n": 3}, max_examples=FEW).ok

    class Dropoutish:
        """A flag with a default is left at it; a required one is given as a constant."""

        def forward(self, x, scale, train_flg=True):
            self.scale = scale if train_flg else 1.0
            return x * self.scale

        def backward(self, dout):
            return dout * self.scale

    result = quiet_check(Dropoutish, constants={"scale": 0.5})
    assert result.ok and [a.name for a in result.spec.inputs] == ["x"]
    with pytest.raises(SpecError, match="constants names 'k'"):
        check_op(Power, constants={"k": 3})


def test_a_forward_that_writes_into_its_input_is_warned_about_not_failed() -> None:
    class DoubleInPlace:
        def forward(self, x):
            x *= 2  # the caller's x is changed
            return x

        def backward(self, dout):
            return 2 * dout

    result = quiet_check(DoubleInPlace)
    assert result.ok, result.report()
    assert "warning: forward writes into its input in place" in result.line()


def test_a_forward_that_is_not_a_function_of_its_inputs_fails() -> None:
    class Drifting:
        def __init__(self):
            self.calls = 0

        def forward(self, x):
            self.calls += 1
            return x * self.calls

        def backward(self, dout):
            return dout * self.calls

    result = quiet_check(Drifting)
    # found by the differences (two values for the same inputs) or by the state check,
    # whichever the minimal example shows (at x = 0 the forward's drift is invisible)
    assert result.failure.worst.kind in ("error", "state")
    assert "state" in result.line()
    from autograph.testing.compare import NotAFunction, numerical

    layer, x = Drifting(), np.array([1.0, 2.0])
    with pytest.raises(NotAFunction, match="for the same inputs: it keeps state"):
        numerical(lambda: float(layer.forward(x).sum()), x, 1e-6)
