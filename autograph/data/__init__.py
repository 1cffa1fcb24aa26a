"""Data: MNIST from IDX files, mini-batches, small generated datasets, and the sequel's spiral
(`autograph.data.spiral.load_data`)."""

from autograph.data import spiral
from autograph.data.batches import MiniBatches, iterate_minibatches, sample_indices
from autograph.data.mnist import (
    MNIST_FILES,
    MNISTError,
    MNISTNotFound,
    download_mnist,
    load_mnist,
    mnist_root,
    read_idx,
    write_idx,
)
from autograph.data.toy import make_moons, make_spiral

__all__ = [
    "MNIST_FILES",
    "MNISTError",
    "MNISTNotFound",
    "MiniBatches",
    "download_mnist",
    "iterate_minibatches",
    "load_mnist",
    "make_moons",
    "make_spiral",
    "mnist_root",
    "read_idx",
    "sample_indices",
    "spiral",
    "write_idx",
]
