"""Train on MNIST with autograph.nn and autograph.training: the notes' run, plots included.

    python examples/train_mnist.py [--data ../shared/data/mnist] [--iters 10000]
        [--optimizer sgd] [--compare] [--out mnist_training.png]

`--compare` trains with each of the textbook's ch. 6 optimizers (SGD, Momentum, AdaGrad,
Adam) for 2,000 steps of a 784-100-100-10 ReLU net and prints their final test accuracy.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from autograph.data import load_mnist
from autograph.nn import MLP, TwoLayerNet, make_optimizer
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
        for name, lr in (("sgd", 0.01), ("momentum", 0.01), ("adagrad", 0.01), ("adam", 0.001)):
            model = MLP(784, [100, 100, 10], rng=np.random.default_rng(0), dtype=np.float32)
            history = fit(
                model,
                x_train,
                t_train,
                x_test,
                t_test,
                iters=2000,
                optimizer=make_optimizer(name, model.parameters(), lr),
                log=None,
            )
            print(
                f"{name:9} lr {lr:<6} final loss {np.mean(history.loss[-100:]):.4f}  "
                f"test acc {history.final_test_acc:.4f}  ({history.wall_time:.1f} s)"
            )
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
