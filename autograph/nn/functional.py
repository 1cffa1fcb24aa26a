"""The layer ops as functions, as `torch.nn.functional`: `import autograph.nn.functional as F`.

Each is one node of the engine (defined in `autograph.engine.tensor`), with PyTorch's
arguments.
"""

from autograph.engine.tensor import (
    affine,
    avg_pool2d,
    batch_norm,
    conv2d,
    dropout,
    flatten,
    max_pool2d,
    set_dropout_seed,
)
from autograph.nn.losses import softmax_cross_entropy

__all__ = [
    "affine",
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "dropout",
    "flatten",
    "max_pool2d",
    "set_dropout_seed",
    "softmax_cross_entropy",
]
