"""PyTorch's loss modules: the same numbers and gradients as torch.nn's."""

from __future__ import annotations

import numpy as np
import pytest

from autograph import Tensor
from autograph.engine.broadcast import ShapeError
from autograph.nn import BCELoss, CrossEntropyLoss, MSELoss

torch = pytest.importorskip("torch")


def _both(ours, theirs, x: np.ndarray, t: np.ndarray, t_torch):
    """(our loss, our grad, torch's loss, torch's grad) for input x."""
    xa = Tensor(x.copy(), requires_grad=True)
    loss = ours(xa, t)
    (loss.sum() if loss.ndim else loss).backward()
    xt = torch.tensor(x.copy(), requires_grad=True)
    tloss = theirs(xt, t_torch)
    (tloss.sum() if tloss.ndim else tloss).backward()
    return loss.data, xa.grad, tloss.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_pytorch(reduction: str) -> None:
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    ours, g, theirs, tg = _both(
        MSELoss(reduction), torch.nn.MSELoss(reduction=reduction), x, t, torch.tensor(t)
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target", ["indices", "probabilities"])
def test_cross_entropy_loss_matches_pytorch(reduction: str, target: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)) * 3
    if target == "indices":
        t = rng.integers(0, 4, 6)
        tt = torch.tensor(t)
    else:
        t = rng.dirichlet(np.ones(4), 6)
        tt = torch.tensor(t)
    ours, g, theirs, tg = _both(
        CrossEntropyLoss(reduction), torch.nn.CrossEntropyLoss(reduction=reduction), x, t, tt
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-15)


def test_cross_entropy_loss_one_sample_and_errors() -> None:
    x = np.array([1.0, 2.0, 0.5])
    ours, g, theirs, tg = _both(
        CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), x, np.array(1), torch.tensor(1)
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)
    with pytest.raises(ShapeError, match="class axis is the last"):
        CrossEntropyLoss()(np.zeros((2, 3, 4)), np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\)"):
        CrossEntropyLoss("none")(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="reduction must be one of mean, sum, none"):
        CrossEntropyLoss("avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_loss_matches_pytorch(reduction: str) -> None:
    rng = np.random.default_rng(2)
    p = 1 / (1 + np.exp(-rng.standard_normal((7, 2)) * 4))
    t = rng.integers(0, 2, (7, 2)).astype(float)
    ours, g, theirs, tg = _both(
        BCELoss(reduction), torch.nn.BCELoss(reduction=reduction), p, t, torch.tensor(t)
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-9)


def test_bce_loss_clamps_its_logs_at_minus_100_as_pytorch() -> None:
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-300])
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    ours = BCELoss("none")(Tensor(p), t).data
    theirs = torch.nn.BCELoss(reduction="none")(torch.tensor(p), torch.tensor(t)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    x = Tensor(p, requires_grad=True)
    BCELoss()(x, t).backward()
    assert np.all(np.isfinite(x.grad))  # never 0 * inf = nan at the clamp


def test_bce_loss_refuses_what_is_not_a_probability() -> None:
    with pytest.raises(ValueError, match="must be a probability in \\[0, 1\\]"):
        BCELoss()(np.array([0.5, 1.5]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="probability"):
        BCELoss()(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(ShapeError, match=r"input shape \(3,\) and target shape \(2,\)"):
        BCELoss()(np.full(3, 0.5), np.ones(2))
