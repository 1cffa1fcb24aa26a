"""The notes' gradient check: numerical gradients against backprop on 3 MNIST samples.

`numerical_gradient` perturbs every weight by ±1e-4 (central differences, 2 forward passes
per weight: slow, about 80,000 passes here); `gradient` is autograph's backward pass. The
mean absolute differences should be about 1e-6 or smaller.

    python examples/gradient_check.py [--data ../shared/data/mnist]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from autograph.data import MNISTError, load_mnist
from autograph.nn import TwoLayerNet

# $AUTOGRAPH_MNIST if set (what load_mnist() reads), else the project's copy of the files
DEFAULT_DATA = os.environ.get("AUTOGRAPH_MNIST") or (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    try:
        (x_train, t_train), _ = load_mnist(args.data, normalize=True, one_hot_label=True)
        source = "MNIST"
    except MNISTError as error:
        print(f"({error}; using random images instead)")
        rng = np.random.default_rng(0)
        x_train = rng.random((3, 784)).astype(np.float32)
        t_train = np.eye(10)[rng.integers(0, 10, 3)]
        source = "random"

    np.random.seed(0)  # the book's weights for this seed
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    x_batch, t_batch = x_train[:3], t_train[:3]

    start = time.perf_counter()
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    numerical_time = time.perf_counter() - start
    start = time.perf_counter()
    grad_backprop = network.gradient(x_batch, t_batch)
    backprop_time = time.perf_counter() - start

    print(f"3 {source} samples, 784-50-10 (float64)")
    worst = 0.0
    for key in ("W1", "b1", "W2", "b2"):
        diff = float(np.average(np.abs(grad_backprop[key] - grad_numerical[key])))
        worst = max(worst, diff)
        print(f"{key}: {diff:.3e}")
    print(
        f"numerical: {numerical_time:.2f} s, backprop: {backprop_time * 1e3:.2f} ms "
        f"({numerical_time / backprop_time:,.0f}x faster)"
    )
    ok = worst < 1e-6
    print("OK: backprop agrees with the numerical gradient" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
