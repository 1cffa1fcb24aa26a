"""conv2d, max_pool2d, avg_pool2d, batch_norm, dropout and flatten against PyTorch: forward
values and gradients on small cases over strides, paddings, dilations and modes, and the
choices where PyTorch had to make one (ties, NaN, all-padding windows). The gradients are
also checked against numerical differentiation by the generated tests of tests/test_rules.py.
"""

import itertools

import numpy as np
import pytest

from autograph import Tensor, gradients, no_grad
from autograph.engine.broadcast import ShapeError
from autograph.engine.tensor import (
    avg_pool2d,
    batch_norm,
    conv2d,
    dropout,
    flatten,
    max_pool2d,
    set_dropout_seed,
)
from autograph.testing import gradcheck

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _pair(a, b, atol=1e-10):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=atol)


def _both(shape, seed):
    array = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)


def _backward_both(ours, theirs, seed=1):
    g = np.random.default_rng(seed).standard_normal(theirs.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))


CONV_CASES = [
    dict(stride=s, padding=p, dilation=d)
    for s, p, d in itertools.product([1, 2, (2, 1)], [0, 1, (2, 0), "same", "valid"], [1, 2])
    if not (p == "same" and s != 1)
]


@pytest.mark.parametrize("args", CONV_CASES, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_pytorch(args, bias):
    x, tx = _both((2, 3, 7, 6), 0)
    w, tw = _both((4, 3, 3, 2), 1)
    b, tb = _both((4,), 2) if bias else (None, None)
    y, ty = conv2d(x, w, b, **args), F.conv2d(tx, tw, tb, **args)
    _pair(y.data, ty.detach().numpy())
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy())
    _pair(w.grad, tw.grad.numpy())
    if bias:
        _pair(b.grad, tb.grad.numpy())


def test_conv2d_in_float32_stays_float32_and_close_to_pytorch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 1, 12, 12)).astype(np.float32)
    w = rng.standard_normal((6, 1, 5, 5)).astype(np.float32)
    weight = Tensor(w, requires_grad=True)
    y = conv2d(Tensor(x), weight)
    assert y.dtype == np.float32
    y.sum().backward()
    assert weight.grad.dtype == np.float32
    tw = torch.tensor(w, requires_grad=True)
    ty = F.conv2d(torch.tensor(x), tw)
    ty.sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(weight.grad, tw.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_conv2d_of_one_image_and_errors():
    x, w = Tensor(np.ones((2, 5, 5))), Tensor(np.ones((3, 2, 3, 3)))
    assert conv2d(x, w).shape == (3, 3, 3)  # (C, H, W) is one image, as in PyTorch
    with pytest.raises(ShapeError, match="has 2 channels but the weight"):
        conv2d(x, Tensor(np.ones((3, 1, 3, 3))))
    with pytest.raises(ShapeError, match="larger than the input"):
        conv2d(x, Tensor(np.ones((3, 2, 7, 7))))
    with pytest.raises(ValueError, match="'same' needs stride 1"):
        conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="groups=1"):
        conv2d(x, w, groups=2)
    with pytest.raises(ShapeError, match=r"bias must have shape \(3,\)"):
        conv2d(x, w, Tensor(np.ones(2)))
    with pytest.raises(TypeError, match="weight must be a Tensor"):
        conv2d(x, np.ones((3, 2, 3, 3)))
    with pytest.raises(ShapeError, match=r"\(N, C, H, W\)"):
        conv2d(Tensor(np.ones((5, 5))), w)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        conv2d(x, w, stride=0)


def test_conv2d_keeps_its_columns_only_when_the_weight_gets_a_gradient():
    x, w = Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    assert conv2d(x, w).params.cols is not None
    with no_grad():
        assert conv2d(x, w).params.cols is None
    assert conv2d(x, w.detach()).params.cols is None


def test_conv2d_gradients_when_only_some_inputs_require_grad():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((2, 2, 5, 4)))
    w = Tensor(rng.standard_normal((3, 2, 2, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(3))
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride=2, padding=1), [x, w, b])
    x.requires_grad, w.requires_grad = True, False
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, dilation=(2, 1)), [x, w, b])


POOL_CASES = [
    dict(kernel_size=k, stride=s, padding=p, ceil_mode=c)
    for k, s, p, c in itertools.product([2, 3, (2, 3)], [None, 1, 2], [0, 1], [False, True])
]


@pytest.mark.parametrize("args", POOL_CASES, ids=str)
@pytest.mark.parametrize("dilation", [1, 2])
def test_max_pool2d_matches_pytorch(args, dilation):
    x, tx = _both((2, 3, 7, 8), 4)
    y, indices = max_pool2d(x, **args, dilation=dilation, return_indices=True)
    ty, tindices = F.max_pool2d(tx, **args, dilation=dilation, return_indices=True)
    _pair(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(indices, tindices.numpy())
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("args", POOL_CASES, ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 5])
def test_avg_pool2d_matches_pytorch(args, count_include_pad, divisor_override):
    x, tx = _both((2, 3, 7, 8), 5)
    options = dict(count_include_pad=count_include_pad, divisor_override=divisor_override)
    y, ty = avg_pool2d(x, **args, **options), F.avg_pool2d(tx, **args, **options)
    _pair(y.data, ty.detach().numpy())
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy())


def test_max_pool2d_ties_nan_and_all_padding_windows_as_pytorch():
    cases = [
        (np.ones((1, 1, 3, 3)), dict(kernel_size=2, stride=1)),  # ties: the first maximum
        (np.array([[[[1.0, np.nan], [3.0, 2.0]]]]), dict(kernel_size=2)),  # NaN is the max
        (np.zeros((1, 1, 1, 1)), dict(kernel_size=2, padding=1, dilation=2)),  # -inf, no grad
    ]
    for array, args in cases:
        x, tx = Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)
        y, ty = max_pool2d(x, **args), F.max_pool2d(tx, **args)
        np.testing.assert_array_equal(y.data, ty.detach().numpy())
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_array_equal(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("args", POOL_CASES[:8], ids=str)
def test_max_pool2d_sends_ties_to_the_first_maximum_as_pytorch(args):
    # small integers: most windows hold ties (both the tiled path, stride = kernel, and the
    # general one)
    array = np.random.default_rng(11).integers(0, 3, (2, 3, 8, 9)).astype(np.float64)
    x, tx = Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)
    y, indices = max_pool2d(x, **args, return_indices=True)
    ty, tindices = F.max_pool2d(tx, **args, return_indices=True)
    np.testing.assert_array_equal(indices, tindices.numpy())
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy())


def test_pool_errors_name_the_problem():
    x = Tensor(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="more than half the kernel"):
        max_pool2d(x, 2, padding=2)
    with pytest.raises(ShapeError, match="larger than the input"):
        avg_pool2d(x, 5)
    with pytest.raises(ValueError, match="divisor_override"):
        avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        max_pool2d(x, (2, 2, 2))


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_pytorch(shape, training, affine):
    x, tx = _both(shape, 6)
    rng = np.random.default_rng(7)
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    tmean, tvar = torch.tensor(mean), torch.tensor(var)
    w, tw = _both((3,), 8) if affine else (None, None)
    b, tb = _both((3,), 9) if affine else (None, None)
    y = batch_norm(x, mean, var, w, b, training=training, momentum=0.1, eps=1e-5)
    ty = F.batch_norm(tx, tmean, tvar, tw, tb, training=training, momentum=0.1, eps=1e-5)
    _pair(y.data, ty.detach().numpy())
    _pair(mean, tmean.numpy())  # updated in place in training (unbiased variance), else kept
    _pair(var, tvar.numpy())
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy(), atol=1e-9)
    if affine:
        _pair(w.grad, tw.grad.numpy())
        _pair(b.grad, tb.grad.numpy())


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        batch_norm(Tensor(np.ones((1, 3))), None, None, training=True)
    with pytest.raises(ValueError, match="needs running_mean and running_var"):
        batch_norm(Tensor(np.ones((2, 3))), None, None, training=False)
    with pytest.raises(ShapeError, match=r"running_mean must be an array of shape \(3,\)"):
        batch_norm(Tensor(np.ones((2, 3))), np.zeros(2), np.ones(3))


def test_dropout_scales_by_one_over_keep_and_sends_gradient_through_the_mask():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = dropout(x, 0.3, rng=np.random.default_rng(0))
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    (g,) = gradients(y.sum(), [x])
    np.testing.assert_array_equal(g, y.data)
    assert dropout(x, 0.3, training=False) is x  # evaluation: the input itself, as PyTorch
    assert dropout(x, 0.0) is x
    assert not dropout(x, 1.0).data.any()  # p = 1 drops everything
    with pytest.raises(ValueError, match="between 0 and 1"):
        dropout(x, 1.5)
    assert dropout(Tensor(np.ones(3, np.float32)), 0.5).dtype == np.float32


def test_dropout_seed_makes_masks_repeatable():
    x = Tensor(np.ones(100))
    set_dropout_seed(5)
    first = dropout(x, 0.5).data
    set_dropout_seed(5)
    np.testing.assert_array_equal(dropout(x, 0.5).data, first)


@pytest.mark.parametrize("dims", [(0, -1), (1, -1), (1, 2), (-2, -1), (2, 2)])
def test_flatten_matches_pytorch(dims):
    x, tx = _both((2, 3, 4, 5), 10)
    y, ty = flatten(x, *dims), torch.flatten(tx, *dims)
    assert y.shape == tuple(ty.shape)
    _pair(y.data, ty.detach().numpy())
    assert y.op == "flatten"
    _backward_both(y, ty)
    _pair(x.grad, tx.grad.numpy())
    with pytest.raises(ValueError, match="comes after"):
        flatten(x, 2, 1)
