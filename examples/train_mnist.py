"""Train on MNIST with autograph.nn and autograph.training: the notes' run, plots included.

    python examples/train_mnist.py [--data ../shared/data/mnist] [--iters 10000]
        [--optimizer sgd] [--compare] [--out mnist_training.png]

`--compare` trains with each of the textbook's ch. 6 optimizers (SGD, Momentum, AdaGrad,
Adam) for 2,000 steps of a 784-100-100-100-100-10 ReLU net, prints their final loss and
accuracy, and writes the figure to --out (what `autograph compare optimizers` does).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from autograph.data import load_mnist
from autograph.nn import TwoLayerNet, make_optimizer
from autograph.training import fit, plot_history

# $AUTOGRAPH_MNIST if set (what load_mnist() reads), else the project's copy of the files
DEFAULT_DATA = os.environ.get("AUTOGRAPH_MNIST") or (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--iters", type=int, default=10000)
    parser.add_argument("--optimizer", default="sgd")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--out", default="mnist_training.png")
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()

    (x_train, t_train), (x_test, t_test) = load_mnist(args.data)
    if args.compare:
        from autograph.training.compare import compare_optimizers, optimizer_paths
        from autograph.training.compare_plots import plot_optimizers

        runs = compare_optimizers(x_train, t_train, iters=min(args.iters, 2000), log=print)
        print(f"wrote {plot_optimizers(runs, optimizer_paths(), args.out)}")
        return

    net = TwoLayerNet(
        784, 50, 10, weight_init_std=0.01, rng=np.random.default_rng(0), dtype=np.float32
    )
    history = fit(
        net,
        x_train,
        t_train,
        x_test,
        t_test,
        iters=args.iters,
        optimizer=make_optimizer(args.optimizer, net.parameters(), args.lr),
    )
    print(f"Final test accuracy {history.final_test_acc:.4f}; Wall time: {history.wall_time:.1f} s")
    print(f"wrote {plot_history(history, args.out, title='MNIST 784-50-10, ' + args.optimizer)}")


if __name__ == "__main__":
    main()
