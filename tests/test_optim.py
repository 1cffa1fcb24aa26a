"""autograph.optim: optimizers and schedulers against PyTorch's, hyper-parameter checks,
state_dict round trips, param_groups."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograph import Tensor, Value
from autograph.nn import Parameter
from autograph.optim import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    ClipGradNorm,
    CosineAnnealingLR,
    Momentum,
    Nesterov,
    RMSprop,
    StepLR,
    WeightDecay,
)

torch = pytest.importorskip("torch")


def _run_both(ours_factory, torch_factory, steps: int = 6, seed: int = 3):
    """The same gradients fed to an autograph optimizer and to PyTorch's; both weights."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(steps)]
    p = Parameter(w0.copy())
    opt = ours_factory([p])
    q = torch.tensor(w0.copy(), requires_grad=True)
    topt = torch_factory([q])
    for g in grads:
        p.grad = g.copy()
        opt.step()
        opt.zero_grad()
        q.grad = torch.tensor(g.copy())
        topt.step()
        topt.zero_grad()
    return p.data, q.detach().numpy()


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda ps: SGD(ps, lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=0.9),
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        ),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01),
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01),
        ),
        (
            lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
            lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        ),
        (
            lambda ps: AdaGrad(ps, lr=0.1, eps=1e-10),
            lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=1e-10),
        ),
        (
            lambda ps: RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8),
            lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8),
        ),
        (
            lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
            lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
        ),
        (lambda ps: AdamW(ps, lr=0.01), lambda ps: torch.optim.AdamW(ps, lr=0.01)),
        (
            lambda ps: AdamW(ps, lr=0.02, weight_decay=0.5),
            lambda ps: torch.optim.AdamW(ps, lr=0.02, weight_decay=0.5),
        ),
    ],
    ids=["sgd", "sgd-momentum", "sgd-dampening-decay", "sgd-nesterov", "adagrad", "rmsprop",
         "adam", "adamw", "adamw-decay"],
)  # fmt: skip
def test_optimizers_agree_with_pytorch(ours, theirs) -> None:
    mine, torchs = _run_both(ours, theirs)
    # Adam's eps enters as ε/√(1-β₂ᵗ) in the textbook's folded step size (PyTorch: ε):
    # a relative difference of about ε/√v, far below 1e-6 here
    np.testing.assert_allclose(mine, torchs, rtol=1e-6, atol=1e-9)


def test_textbook_momentum_is_pytorch_sgd_momentum_at_a_constant_lr() -> None:
    mine, torchs = _run_both(
        lambda ps: Momentum(ps, lr=0.1, momentum=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
    )
    np.testing.assert_allclose(mine, torchs, rtol=1e-12)


def test_sgd_with_momentum_is_pytorch_form_under_a_changing_lr() -> None:
    """PyTorch's buffer holds gradients, not steps: a new lr applies to the whole buffer."""
    p, q = Parameter(np.ones(2)), torch.ones(2, requires_grad=True)
    opt, topt = SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    for k in range(4):
        p.grad, q.grad = np.array([1.0, -2.0]), torch.tensor([1.0, -2.0], dtype=torch.float32)
        opt.step()
        topt.step()
        opt.lr = topt.param_groups[0]["lr"] = 0.1 / (k + 2)
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: Momentum(ps, lr=0.1),
        lambda ps: Nesterov(ps, lr=0.1),
        lambda ps: AdaGrad(ps, lr=0.1),
        lambda ps: RMSprop(ps, lr=0.1),
        lambda ps: Adam(ps, lr=0.1),
        lambda ps: AdamW(ps, lr=0.1),
    ],
)
def test_state_dict_resumes_exactly_through_an_npz_file(make, tmp_path) -> None:
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal((3, 2)), rng.standard_normal(2)] for _ in range(6)]
    w0 = [rng.standard_normal((3, 2)), rng.standard_normal(2)]

    def run(steps, params, opt):
        for g in steps:
            for p, gi in zip(params, g, strict=True):
                p.grad = gi.copy()
            opt.step()
            opt.zero_grad()

    straight = [Parameter(w.copy()) for w in w0]
    run(grads, straight, make(straight))

    first = [Parameter(w.copy()) for w in w0]
    opt = make(first)
    run(grads[:3], first, opt)
    path = tmp_path / "opt.npz"
    np.savez(path, **opt.state_dict())
    resumed = [Parameter(p.data.copy()) for p in first]
    opt2 = make(resumed)
    opt2.lr = 123.0  # overwritten by the file
    with np.load(path) as saved:
        opt2.load_state_dict(saved)
    assert opt2.lr == opt.lr and opt2.steps == 3
    run(grads[3:], resumed, opt2)
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_on_scalar_values() -> None:
    x = Value(2.0)
    opt = Adam([x], lr=0.1)
    x.grad = 1.5
    opt.step()
    state = opt.state_dict()
    assert state["state/0/m"].shape == () and int(state["state/0/step"]) == 1
    y = Value(x.data)
    opt2 = Adam([y], lr=0.1)
    opt2.load_state_dict(state)
    x.grad = y.grad = -0.5
    opt.step()
    opt2.step()
    assert x.data == y.data


def test_load_state_dict_checks_everything_before_changing_anything() -> None:
    p = Parameter(np.ones((2, 2)))
    opt = Adam([p], lr=0.1)
    p.grad = np.ones((2, 2))
    opt.step()
    good = opt.state_dict()
    other = Adam([Parameter(np.ones((2, 2)))], lr=0.5)
    before = other.state_dict()
    bad_cases = [
        ({k: v for k, v in good.items() if k != "beta1"}, KeyError, "missing keys \\['beta1'\\]"),
        ({**good, "state/5/m": np.ones((2, 2))}, KeyError, "unexpected keys \\['state/5/m'\\]"),
        ({**good, "state/0/h": np.ones((2, 2))}, KeyError, "unexpected keys"),
        ({**good, "state/0/m": np.ones(3)}, ValueError, "state/0/m has shape \\(3,\\)"),
        ({**good, "state/0/v": np.full((2, 2), np.nan)}, ValueError, "non-finite"),
        ({**good, "lr": np.array(np.nan)}, ValueError, "lr must be a finite number >= 0"),
        ({**good, "beta2": np.array(1.0)}, ValueError, "beta2 must be a number in \\[0, 1\\)"),
        ({**good, "steps": np.array(-1)}, ValueError, "steps must be a count"),
    ]
    for state, error, message in bad_cases:
        with pytest.raises(error, match=message):
            other.load_state_dict(state)
        after = other.state_dict()
        assert after.keys() == before.keys()
        assert all(np.array_equal(after[k], before[k]) for k in before)


@pytest.mark.parametrize("cls", list(OPTIMIZERS.values()))
@pytest.mark.parametrize("lr", [math.nan, math.inf, -0.1, "0.1", None, True])
def test_every_optimizer_refuses_a_meaningless_lr(cls, lr) -> None:
    with pytest.raises((ValueError, TypeError), match=f"{cls.__name__}: lr must be"):
        cls([Parameter(np.ones(2))], lr=lr)


def test_lr_zero_is_allowed_as_in_pytorch() -> None:
    p = Parameter(np.ones(2))
    p.grad = np.ones(2)
    SGD([p], lr=0.0).step()
    np.testing.assert_array_equal(p.data, 1.0)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: SGD(ps, 0.1, momentum=-0.5), "momentum must be a finite number >= 0"),
        (lambda ps: SGD(ps, 0.1, momentum=math.nan), "momentum must be"),
        (lambda ps: SGD(ps, 0.1, dampening=1.5), "dampening must be a number in \\[0, 1\\]"),
        (lambda ps: SGD(ps, 0.1, nesterov=True), "nesterov=True needs a momentum > 0"),
        (lambda ps: SGD(ps, 0.1, nesterov=1), "nesterov must be True or False"),
        (lambda ps: SGD(ps, 0.1, weight_decay=-1), "weight_decay must be a finite number >= 0"),
        (lambda ps: Momentum(ps, 0.1, momentum=math.inf), "Momentum: momentum must be"),
        (lambda ps: Nesterov(ps, 0.1, momentum=-1), "Nesterov: momentum must be"),
        (lambda ps: AdaGrad(ps, 0.1, eps=-1e-7), "AdaGrad: eps must be"),
        (lambda ps: RMSprop(ps, 0.1, decay_rate=1.5), "RMSprop: decay_rate must be"),
        (lambda ps: RMSprop(ps, 0.1, alpha=math.nan), "RMSprop: decay_rate must be"),
        (lambda ps: Adam(ps, 0.1, beta1=1.0), "Adam: beta1 must be a number in \\[0, 1\\)"),
        (lambda ps: Adam(ps, 0.1, betas=(0.9, -0.1)), "Adam: beta2 must be"),
        (lambda ps: Adam(ps, 0.1, eps=math.nan), "Adam: eps must be"),
        (lambda ps: AdamW(ps, 0.1, weight_decay=math.inf), "AdamW: weight_decay must be"),
        (lambda ps: SGD(ps, 0.1, clip_norm=0), "ClipGradNorm: max_norm must be a finite num"),
        (lambda ps: SGD(ps, 0.1, hooks=[WeightDecay(math.nan)]), "WeightDecay: rate must be"),
    ],
)  # fmt: skip
def test_meaningless_hyper_parameters_are_refused(make, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        make([Parameter(np.ones(2))])


def test_lr_set_later_is_checked_too() -> None:
    opt = SGD([Parameter(np.ones(2))], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got nan"):
        opt.lr = math.nan
    with pytest.raises(ValueError, match="lr must be"):
        opt.param_groups[0]["lr"] = -1
    assert opt.lr == 0.1


def test_param_groups_read_and_write_through() -> None:
    p = Parameter(np.ones(2))
    opt = SGD([p], lr=0.1, momentum=0.9)
    (group,) = opt.param_groups
    assert group["params"] == [p] and group["lr"] == 0.1 and group["momentum"] == 0.9
    for g in opt.param_groups:  # PyTorch's idiom for a manual lr change
        g["lr"] = 0.01
    assert opt.lr == 0.01
    group["momentum"] = 0.5
    assert opt.momentum == 0.5
    with pytest.raises(KeyError, match="'betas'"):
        group["betas"] = (0.9, 0.99)  # not an SGD option: never silently ignored
    with pytest.raises(ValueError, match="momentum must be"):
        group["momentum"] = -1


def test_parameter_groups_and_repeated_parameters_are_refused() -> None:
    p = Parameter(np.ones(2))
    with pytest.raises(TypeError, match="parameter groups with their own options"):
        SGD([{"params": [p], "lr": 0.1}], lr=0.1)
    with pytest.raises(ValueError, match=r"params\[1\] is params\[0\] again"):
        SGD([p, p], lr=0.1)


def test_clipping_comes_before_weight_decay_as_in_pytorch() -> None:
    p = Parameter(np.array([3.0, 4.0]))
    p.grad = np.array([3.0, 4.0])  # norm 5: clipped to norm 1, then + 0.5·W
    SGD([p], lr=1.0, weight_decay=0.5, clip_norm=1.0).step()
    expected = np.array([3.0, 4.0]) - (np.array([0.6, 0.8]) + 0.5 * np.array([3.0, 4.0]))
    np.testing.assert_allclose(p.data, expected, rtol=1e-5)
    assert isinstance(ClipGradNorm(1.0), ClipGradNorm)


def _torch_lrs(make_sched, epochs: int, lr: float = 0.5) -> list[float]:
    q = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([q], lr=lr)
    sched = make_sched(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def _our_lrs(make_sched, epochs: int, lr: float = 0.5) -> list[float]:
    p = Parameter(np.zeros(1))
    opt = SGD([p], lr=lr)
    sched = make_sched(opt)
    lrs = [opt.lr]
    for _ in range(epochs):
        p.grad = np.zeros(1)
        opt.step()
        sched.step()
        lrs.append(opt.lr)
        assert sched.get_last_lr() == [opt.lr]
    return lrs


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (3, 0.1), (7, 0.9)])
def test_step_lr_matches_pytorch(step_size: int, gamma: float) -> None:
    ours = _our_lrs(lambda o: StepLR(o, step_size, gamma), 25)
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size, gamma), 25)
    assert ours == theirs  # the same recursive formula: equal floats, not just close


@pytest.mark.parametrize("T_max, eta_min", [(1, 0.0), (5, 0.0), (10, 0.01), (7, 0.2)])
def test_cosine_annealing_lr_matches_pytorch(T_max: int, eta_min: float) -> None:
    ours = _our_lrs(lambda o: CosineAnnealingLR(o, T_max, eta_min), 4 * T_max + 3)
    theirs = _torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max, eta_min), 4 * T_max + 3
    )
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert min(ours) >= 0


def test_scheduler_state_dict_and_checks() -> None:
    opt = SGD([Parameter(np.zeros(1))], lr=1.0)
    sched = StepLR(opt, 2, 0.5)
    for _ in range(3):
        sched.step()
    state = sched.state_dict()
    opt2 = SGD([Parameter(np.zeros(1))], lr=opt.lr)
    sched2 = StepLR(opt2, 2, 0.5)
    sched2.load_state_dict(state)
    for _ in range(3):
        sched.step()
        sched2.step()
    assert opt2.lr == opt.lr == 0.125
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="step_size must be a whole number >= 1"):
            StepLR(opt, bad)
    with pytest.raises(ValueError, match="T_max must be a whole number >= 1"):
        CosineAnnealingLR(opt, 0)
    with pytest.raises(ValueError, match="eta_min must be a finite number >= 0"):
        CosineAnnealingLR(opt, 5, eta_min=math.nan)
    with pytest.raises(ValueError, match="gamma must be"):
        StepLR(opt, 1, gamma=-0.1)
    with pytest.raises(TypeError, match="needs an autograph optimizer"):
        StepLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), 1)


def test_a_tensor_that_needs_no_grad_is_still_refused() -> None:
    with pytest.raises(ValueError, match="does not require grad"):
        AdamW([Tensor(np.ones(2))])
