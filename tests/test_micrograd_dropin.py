"""micrograd's own nn.py, run on autograph's Value, trains exactly as it does on micrograd's."""

import random

import pytest

import autograph

micrograd_nn = pytest.importorskip("micrograd.nn")
micrograd_engine = pytest.importorskip("micrograd.engine")


def train(value_cls, monkeypatch, steps=3):
    monkeypatch.setattr(micrograd_nn, "Value", value_cls)
    random.seed(7)
    model = micrograd_nn.MLP(2, [8, 8, 1])
    xs = [[random.uniform(-2, 2), random.uniform(-2, 2)] for _ in range(12)]
    ys = [1.0 if x[0] * x[1] > 0 else -1.0 for x in xs]
    history = []
    for k in range(steps):
        inputs = [list(map(value_cls, x)) for x in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        history.append((loss.data, [p.grad for p in model.parameters()]))
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    return history


def test_micrograd_nn_runs_unchanged_on_autograph_values(monkeypatch):
    ours = train(autograph.Value, monkeypatch)
    theirs = train(micrograd_engine.Value, monkeypatch)
    for (loss_a, grads_a), (loss_b, grads_b) in zip(ours, theirs, strict=True):
        assert loss_a == pytest.approx(loss_b, rel=1e-12, abs=1e-15)
        assert grads_a == pytest.approx(grads_b, rel=1e-9, abs=1e-15)
    assert ours[-1][0] < ours[0][0]  # and it is really learning
