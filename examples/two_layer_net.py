"""The notes' training loop, as written, on autograph's TwoLayerNet.

`network.gradient` is autograph's backward pass; the loop itself is the notes' (NumPy's
global generator seeded once, `np.random.choice` mini-batches, `params[key] -= learning_rate
* grad[key]`, train and test accuracy once per epoch, "Wall time" at the end).

    python examples/two_layer_net.py [--data ../shared/data/mnist] [--iters 10000]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from autograph.data import load_mnist
from autograph.nn import TwoLayerNet

# $AUTOGRAPH_MNIST if set (what load_mnist() reads), else the project's copy of the files
DEFAULT_DATA = os.environ.get("AUTOGRAPH_MNIST") or (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--iters", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    (x_train, t_train), (x_test, t_test) = load_mnist(args.data, normalize=True, one_hot_label=True)
    np.random.seed(args.seed)  # the weights and the batches, as in the book's script
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

    # Train Parameters (the notes')
    iters_num = args.iters
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1
    iter_per_epoch = max(train_size // batch_size, 1)
    train_loss_list, train_acc_list, test_acc_list = [], [], []

    start = time.perf_counter()
    for step in range(1, iters_num + 1):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)  # backprop, by autograph
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]
        train_loss_list.append(network.loss(x_batch, t_batch))
        if step % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print(f"Step: {step:4d}\tTrain acc: {train_acc:.5f}\tTest acc: {test_acc:.5f}")
    print("Optimization finished!")
    print(f"Wall time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
