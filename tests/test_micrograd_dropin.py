"""micrograd's own nn.py, run on autograph's Value, trains exactly as it does on micrograd's."""

import random

import pytest

import autograph

micrograd_nn = pytest.importorskip("micrograd.nn")
micrograd_engine = pytest.importorskip("micrograd.engine")


def build(value_cls, monkeypatch):
    monkeypatch.setattr(micrograd_nn, "Value", value_cls)
    random.seed(7)
    model = micrograd_nn.MLP(2, [8, 8, 1])
    xs = [[random.uniform(-2, 2), random.uniform(-2, 2)] for _ in range(12)]
    ys = [1.0 if x[0] * x[1] > 0 else -1.0 for x in xs]
    return model, xs, ys


def step(model, xs, ys, value_cls, k):
    """One step of micrograd's demo loop: loss, backward, SGD update; (loss, gradients)."""
    inputs = [list(map(value_cls, x)) for x in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.data -= (1.0 - 0.9 * k / 100) * p.grad
    return loss.data, grads


def test_micrograd_nn_runs_unchanged_on_autograph_values(monkeypatch):
    ours, xs, ys = build(autograph.Value, monkeypatch)
    theirs, _, _ = build(micrograd_engine.Value, monkeypatch)
    losses = []
    for k in range(3):
        loss_a, grads_a = step(ours, xs, ys, autograph.Value, k)
        loss_b, grads_b = step(theirs, xs, ys, micrograd_engine.Value, k)
        assert loss_a == pytest.approx(loss_b, rel=1e-12, abs=1e-15)
        assert grads_a == pytest.approx(grads_b, rel=1e-9, abs=1e-15)
        losses.append(loss_a)
        # micrograd adds gradients in the order of a `set` of nodes (it varies from run to
        # run), so its updates can differ from ours in the last bit and, steps later, flip a
        # ReLU that sits at 0. Both continue from the same weights, so each step is compared
        # on equal inputs.
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            q.data = p.data
    assert losses[-1] < losses[0]  # and it is really learning
