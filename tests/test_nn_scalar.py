"""Scalar nets over Values: micrograd-compatible Neuron, Layer, MLP, and the moons demo."""

from __future__ import annotations

import random

import numpy as np
import pytest

from autograph import Value, walk
from autograph.nn.scalar import MLP, Layer, Neuron
from autograph.training import moons_loss, train_moons


def test_mlp_shape_and_parameter_count_match_micrograd() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337  # micrograd's demo prints 337
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert [n.nonlin for n in model.layers[-1].neurons] == [False]
    assert all(n.nonlin for n in model.layers[0].neurons)
    out = model([1.0, -1.0])
    assert isinstance(out, Value)
    assert isinstance(Layer(2, 3)([1.0, 2.0]), list)


def test_weights_are_drawn_like_micrograd() -> None:
    random.seed(42)
    model = MLP(2, [3, 1])
    random.seed(42)
    expected = [random.uniform(-1, 1) for _ in range(2 * 3 + 3)]
    first = [w.data for n in model.layers[0].neurons for w in n.w]
    second = [w.data for w in model.layers[1].neurons[0].w]
    assert first + second == expected
    assert all(n.b.data == 0 for layer in model.layers for n in layer.neurons)


def test_neuron_is_one_dot_node_plus_activation() -> None:
    n = Neuron(5, rng=random.Random(0))
    out = n([1.0, 2.0, 3.0, 4.0, 5.0])
    assert out.op == "relu"
    (pre,) = out.parents
    assert pre.op == "dot"
    assert len(pre.parents) == 11  # 5 weights, 5 inputs, the bias
    expected = sum(w.data * x for w, x in zip(n.w, [1, 2, 3, 4, 5], strict=True))
    assert pre.data == pytest.approx(expected)


def test_graph_is_tagged_by_layer_and_neuron() -> None:
    model = MLP(2, [3, 2, 1], rng=random.Random(0))
    out = model([0.5, -0.5])
    scopes = {getattr(node, "scope", None) for node in walk(out) if node.op}
    assert scopes == {f"layer0/neuron{j}" for j in range(3)} | {
        f"layer1/neuron{j}" for j in range(2)
    } | {"layer2/neuron0"}
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layer0/neuron0/w0", "layer0/neuron0/w1", "layer0/neuron0/b"]


def test_scalar_mlp_gradients_match_numerical() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 3))
    y = np.where(rng.random(6) > 0.5, 1, -1)
    model = MLP(3, [4, 4, 1], rng=random.Random(1))
    # Nonzero biases: with b = 0, a sample whose inputs to a layer are all 0 (dead ReLUs)
    # sits exactly on the next ReLU's kink, where central differences give 1/2.
    for k, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            neuron.b.data = 0.1 * (k + 1) + 0.05 * j
    loss, _ = moons_loss(model, X, y)
    model.zero_grad()
    loss.backward()
    h = 1e-6
    for p in model.parameters():
        old = p.data
        p.data = old + h
        plus = moons_loss(model, X, y)[0].data
        p.data = old - h
        minus = moons_loss(model, X, y)[0].data
        p.data = old
        assert p.grad == pytest.approx((plus - minus) / (2 * h), abs=1e-7)


def test_moons_short_run_learns() -> None:
    # A shorter version of micrograd's demo (the full one: examples/moons.py).
    model, history, (X, y) = train_moons(steps=25, n_samples=40, data_seed=3)
    assert history.loss[-1] < history.loss[0] / 3
    assert history.final_train_acc >= 0.9
    assert set(np.unique(y)) == {-1, 1} and len(X) == 40
