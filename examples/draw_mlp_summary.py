"""A micrograd-size training step (about 65,000 nodes) drawn as a clustered summary.

    python examples/draw_mlp_summary.py [OUT.svg]

`micrograd_step()` creates each neuron's nodes inside
`scope("mlp")/scope("layerN")/scope("neuronJ")`, so the renderer can draw one box per neuron
inside one cluster per layer (see its source in autograph/viz/gallery.py).
"""

import sys

from autograph import walk
from autograph.viz import save
from autograph.viz.gallery import micrograd_step

loss = micrograd_step()
loss.backward()
print(f"{len(walk(loss)):,} nodes")
path = save(
    loss, sys.argv[1] if len(sys.argv) > 1 else "mlp-summary.svg", collapse="auto", heatmap=True
)
print(path)
