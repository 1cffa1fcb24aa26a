"""A micrograd-size training step (about 65,000 nodes) drawn as a clustered summary.

    python examples/draw_mlp_summary.py [OUT.svg]

Each neuron's nodes are created inside `scope("mlp")/scope("layerN")/scope("neuronJ")`, so
the renderer can draw one box per neuron inside one cluster per layer.
"""

import random
import sys

from autograph import Value, scope, walk
from autograph.viz import save

rng = random.Random(0)
sizes = (2, 16, 16, 1)
layers = []
for li, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
    neurons = []
    for j in range(nout):
        with scope("mlp"), scope(f"layer{li}"), scope(f"neuron{j}"):
            neurons.append(([Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(nin)],
                            Value(0.0, label="b")))
    layers.append(neurons)

losses = []
for _ in range(100):
    xs = [Value(rng.uniform(-2, 2)) for _ in range(sizes[0])]
    for li, neurons in enumerate(layers):
        out = []
        for j, (ws, b) in enumerate(neurons):
            with scope("mlp"), scope(f"layer{li}"), scope(f"neuron{j}"):
                act = b
                for w, x in zip(ws, xs, strict=True):
                    act = act + w * x
                out.append(act.tanh())
        xs = out
    with scope("loss"):
        losses.append((xs[0] - 1) ** 2)
with scope("loss"):
    loss = losses[0]
    for term in losses[1:]:
        loss = loss + term
loss.backward()
print(f"{len(walk(loss)):,} nodes")
path = save(loss, sys.argv[1] if len(sys.argv) > 1 else "mlp-summary.svg",
            collapse="auto", heatmap=True)
print(path)
