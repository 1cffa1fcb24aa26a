"""What the training panel reads from a net at a recorded step: its graph, the per-layer
norms, and (2-D data) the decision boundary. Nothing here changes the net.

- A Tensor net's panel graph is the step's own loss graph (the parameters still hold its
  gradients when a `StepInfo` arrives). A scalar net's loss over a whole data set has
  tens of thousands of nodes, so its panel shows the graph of one prediction (the first
  training point), as `autograph train moons --graph` draws it; its gradients come from a
  backward pass of that prediction, after which the training gradients are put back.
- Norms: ‖gradient‖ and ‖weights‖ of each layer's parameters (training gradients).
- The boundary: the net's answer on a grid over the data, as classes and how sure it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograph.engine.node import no_grad
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value, sum_values
from autograph.viz.adapter import as_graph
from autograph.viz.collapse import Plan
from autograph.viz.model import Graph

Norms = list[tuple[str, float, float]]  # (layer, ‖gradient‖, ‖weights‖)


def is_scalar_net(loss: Any) -> bool:
    """Whether the step's loss is a scalar `Value` graph (one node per number)."""
    return isinstance(loss, Value)


def step_graph(loss: Any) -> Graph:
    """The model of a Tensor net's step: its loss graph with the gradients it holds."""
    return as_graph(loss, local_derivatives=False)


def probe_graph(model: Any, point: Sequence[float]) -> Graph:
    """The graph of a scalar net's prediction at `point`, after its own backward pass;
    the parameters' gradients are what they were before."""
    params = list(model.parameters())
    saved = [p.grad for p in params]
    try:
        for p in params:
            p.grad = 0
        out = model([float(v) for v in point])
        root = sum_values(out) if isinstance(out, list | tuple) else out
        root.backward()
        return as_graph(root, local_derivatives=False)
    finally:
        for p, g in zip(params, saved, strict=True):
            p.grad = g


def _squares(x: Any) -> float:
    if x is None:
        return 0.0
    if isinstance(x, int | float):
        return float(x) * float(x)
    a = np.asarray(x, dtype=float)
    return float(np.vdot(a, a))


def norms_from_graph(graph: Graph, plan: Plan | None) -> Norms:
    """Per collapsed box (else per parameter node), the norms of the parameters in it."""
    groups: dict[str, list[float]] = {}
    for k, node in enumerate(graph.nodes):
        if node.role != "parameter":
            continue
        m = plan.box[k] if plan is not None else None
        if plan is not None and m is not None:
            name = graph.scope_separator.join(plan.boxes[m].path) or plan.boxes[m].name
        else:
            name = node.label or f"parameter {k}"
        sums = groups.setdefault(name, [0.0, 0.0])
        sums[0] += _squares(node.grad)
        sums[1] += _squares(node.data)
    return [(name, math.sqrt(g), math.sqrt(w)) for name, (g, w) in groups.items()]


def norms_from_names(model: Any) -> Norms:
    """Per layer (the first part of each parameter's name, `layer0/neuron3/w1` ->
    `layer0`), the norms of its parameters: for scalar nets, whose gradients are Values'."""
    groups: dict[str, list[float]] = {}
    if hasattr(model, "named_parameters"):
        pairs = list(model.named_parameters())
    else:
        pairs = [(f"p{i}", p) for i, p in enumerate(getattr(model, "parameters", list)())]
    for name, p in pairs:
        sums = groups.setdefault(name.split("/", 1)[0], [0.0, 0.0])
        sums[0] += _squares(p.grad)
        sums[1] += _squares(p.data)
    return [(name, math.sqrt(g), math.sqrt(w)) for name, (g, w) in groups.items()]


def class_labels(t: Any) -> np.ndarray:
    """Targets as class numbers: one-hot rows by their arg-max, {-1, +1} as {0, 1}."""
    t = np.asarray(t)
    if t.ndim > 1:
        return np.argmax(t, axis=1)
    if t.size and set(np.unique(t).tolist()) <= {-1, 1}:
        return (t > 0).astype(int)
    return t.astype(int)


def scalar_mlp_layers(model: Any) -> list[tuple[np.ndarray, np.ndarray, bool]] | None:
    """(W, b, ReLU?) per layer of a scalar MLP of Neurons (micrograd's shape), else None."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, list | tuple) or not layers:
        return None
    out = []
    for layer in layers:
        neurons = getattr(layer, "neurons", None)
        if not neurons or not all(hasattr(n, "w") and hasattr(n, "b") for n in neurons):
            return None
        W = np.array([[float(w.data) for w in n.w] for n in neurons], dtype=float).T
        b = np.array([float(n.b.data) for n in neurons], dtype=float)
        out.append((W, b, bool(getattr(neurons[0], "nonlin", False))))
    return out


def _scores(model: Any, grid: np.ndarray, dtype: Any) -> np.ndarray:
    """The net's outputs on the grid's points, one row per point."""
    with no_grad():
        layers = scalar_mlp_layers(model)
        if layers is not None:  # the same arithmetic as the Values, for every point at once
            a = grid
            for W, b, relu in layers:
                a = a @ W + b
                if relu:
                    a = np.maximum(a, 0.0)
            return a
        if dtype is None:  # another scalar net: one call per point
            rows = []
            for point in grid:
                out = model([float(v) for v in point])
                outs = out if isinstance(out, list | tuple) else [out]
                rows.append([float(o.data) for o in outs])
            return np.array(rows)
        return np.asarray(model(Tensor(grid.astype(dtype))).data, dtype=float)


class Boundary:
    """A square grid over 2-D data, and the net's decision on it as classes and confidence
    (0: unsure, 1: sure), row 0 at the top."""

    def __init__(self, x: np.ndarray, t: Any, *, cells: int = 64) -> None:
        x = np.asarray(x, dtype=float)
        self.points, self.labels = x, class_labels(t)
        low, high = x.min(axis=0), x.max(axis=0)
        centre, half = (low + high) / 2, float(np.max(high - low)) / 2 * 1.15 + 0.1
        self.extent = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
        xs = np.linspace(self.extent[0], self.extent[1], cells)
        ys = np.linspace(self.extent[3], self.extent[2], cells)  # top row first
        gx, gy = np.meshgrid(xs, ys)
        self.shape = gx.shape
        self.grid = np.column_stack([gx.ravel(), gy.ravel()])

    @staticmethod
    def applies(x: Any) -> bool:
        a = np.asarray(x) if x is not None else None
        return a is not None and a.ndim == 2 and a.shape[1] == 2 and len(a) > 0

    def decide(self, model: Any, dtype: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(classes, confidence) on the grid; `dtype`: the Tensor net's input dtype, or None
        for a scalar net."""
        scores = _scores(model, self.grid, dtype)
        scores = scores.reshape(len(self.grid), -1)
        if scores.shape[1] == 1:  # one score: its sign is the class, as in micrograd's demo
            s = scores[:, 0]
            classes, sure = (s > 0).astype(int), np.tanh(np.abs(s))
        else:
            z = scores - scores.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            k = scores.shape[1]
            classes = np.argmax(p, axis=1)
            sure = (p.max(axis=1) - 1 / k) / (1 - 1 / k)
        return classes.reshape(self.shape), sure.reshape(self.shape)
