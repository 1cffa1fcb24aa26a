"""The textbook's SimpleConvNet drawn by layer, with the tensor shapes on the edges.

    python examples/draw_convnet.py [OUT.png]

One training batch (100 random images) goes through the net and back; `collapse=1` draws
each of the layers' scopes (Conv1, Relu1, Pool1, Affine1, Relu2, Affine2) as one box, and
`shapes=True` labels each arrow between two boxes with the shape of the tensor it carries.
"""

import sys

import numpy as np

from autograph import Tensor, softmax_cross_entropy
from autograph.nn import SimpleConvNet
from autograph.viz import save

rng = np.random.default_rng(0)
net = SimpleConvNet(rng=rng, dtype=np.float32)
images = Tensor(rng.random((100, 1, 28, 28), dtype=np.float32), label="images")
loss = softmax_cross_entropy(net(images), rng.integers(0, 10, 100))
loss.label = "loss"
loss.backward()
path = save(
    loss,
    sys.argv[1] if len(sys.argv) > 1 else "simple_convnet.png",
    collapse=1,
    shapes=True,
    style="record",  # top to bottom: a chain of layers reads down the page
    rankdir="TB",
    title="SimpleConvNet: one batch, by layer",
)
print(path)
