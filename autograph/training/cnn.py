"""The textbook's convolutional net on MNIST (chapter 7's train_convnet.py): SimpleConvNet,
Adam with lr 0.001, mini-batches of 100, float32.

`train_convnet` runs `fit` for whole epochs (each image once per epoch, shuffled) and
measures train and test accuracy after each one, 1,000 images per forward pass (a conv
net's activations for 10,000 images would take gigabytes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograph.nn.convnet import SimpleConvNet
from autograph.optim import CosineAnnealingLR, make_optimizer
from autograph.training.loop import History, Log, StepCallback, fit

EVAL_BATCH = 1000
SCHEDULES = ("cosine", "constant")


def as_images(x: np.ndarray, shape: tuple[int, int, int] = (1, 28, 28)) -> np.ndarray:
    """MNIST rows (N, 784) as images (N, 1, 28, 28); images are returned as they are."""
    x = np.asarray(x)
    if x.ndim == 2 and x.shape[1] == int(np.prod(shape)):
        return x.reshape(len(x), *shape)
    if x.ndim == 4:
        return x
    raise ValueError(
        f"expected images (N, C, H, W) or rows (N, {int(np.prod(shape))}), got {x.shape}"
    )


def train_convnet(
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray | None = None,
    t_test: np.ndarray | None = None,
    *,
    epochs: int = 5,
    batch_size: int = 100,
    lr: float = 0.001,
    optimizer: str = "adam",
    hidden_size: int = 100,
    weight_init_std: float | str = "he",
    dtype: Any = np.float32,
    seed: int | None = 0,
    quiet: bool = False,
    log: Log | None = print,
    callback: StepCallback | None = None,
    schedule: str = "cosine",
) -> tuple[SimpleConvNet, History]:
    """Train the book's SimpleConvNet (conv 30x5x5 - relu - pool 2 - affine 100 - relu -
    affine 10) for `epochs` passes over the training images; returns (model, history).

    `weight_init_std`: He's init by default (faster to a high accuracy than the book's
    std 0.01, which SimpleConvNet itself keeps as its default). `schedule`: "cosine" (the
    default) lowers the learning rate along half a cosine from `lr` to 0 over the run, step
    by step; "constant" keeps `lr`, as the book's 20 epochs do."""
    x_train = as_images(x_train)
    x_test = None if x_test is None else as_images(x_test)
    rng = np.random.default_rng(seed)
    model = SimpleConvNet(
        tuple(x_train.shape[1:]),
        hidden_size=hidden_size,
        weight_init_std=weight_init_std,
        rng=rng,
        dtype=dtype,
    )
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
    steps_per_epoch = max(len(x_train) // batch_size, 1)
    iters = epochs * steps_per_epoch
    opt = make_optimizer(optimizer, model.parameters(), lr)
    history = fit(
        model,
        x_train,
        t_train,
        x_test,
        t_test,
        optimizer=opt,
        iters=iters,
        batch_size=batch_size,
        sampling="epoch",
        seed=seed,
        quiet=quiet,
        log=log,
        eval_batch_size=EVAL_BATCH,
        callback=callback,
        scheduler=CosineAnnealingLR(opt, T_max=iters) if schedule == "cosine" else None,
    )
    return model, history
