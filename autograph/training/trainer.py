"""The sequel's `Trainer` (Deep Learning from Scratch 2, `common/trainer.py`), for models with
the book's `params`/`grads` lists (`autograph.nn.sequel`).

    from autograph.data import spiral
    from autograph.nn.sequel import SGD, TwoLayerNet
    from autograph.training import Trainer

    x, t = spiral.load_data()
    model = TwoLayerNet(input_size=2, hidden_size=10, output_size=3)
    trainer = Trainer(model, SGD(lr=1.0))
    trainer.fit(x, t, max_epoch=300, batch_size=30, eval_interval=10)
    trainer.plot("loss.png")  # the book shows a window; this writes a PNG

`fit` runs the book's loop: each epoch shuffles the data with NumPy's global generator
(`np.random.permutation`), takes `len(x) // batch_size` batches, and every `eval_interval`
iterations prints and records the mean loss since the last record, so with the same seeds
`loss_list` holds the book's numbers. Differences: parameters shared by identity have their
gradients summed (the book's `remove_duplicate`), but its guess that two arrays of equal
values are one transposed weight is not made (it can merge two distinct weights); a batch
larger than the data, or a NaN loss, raises instead of training on nothing or on NaN.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from autograph.training import threads as blas
from autograph.training.loop import Log, TrainingDiverged, check_finite, diverged
from autograph.training.plots import plot_curve


def remove_duplicate(params: list[Any], grads: list[Any]) -> tuple[list[Any], list[Any]]:
    """Each parameter once, with the gradients of its repeats added (new lists; the model's
    gradient arrays are not written)."""
    out_params: list[Any] = []
    out_grads: list[Any] = []
    for p, g in zip(params, grads, strict=True):
        for i, q in enumerate(out_params):
            if q is p:
                out_grads[i] = out_grads[i] + g
                break
        else:
            out_params.append(p)
            out_grads.append(g)
    return out_params, out_grads


def clip_grads(grads: list[Any], max_norm: float) -> None:
    """Scale every gradient in place so that their global L2 norm is at most `max_norm`."""
    total = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


class Trainer:
    def __init__(self, model: Any, optimizer: Any) -> None:
        for name in ("params", "grads", "forward", "backward"):
            if not hasattr(model, name):
                raise TypeError(
                    f"Trainer: the model has no {name!r}; it trains the sequel's models "
                    f"(params/grads lists, forward(x, t), backward()); for autograph modules "
                    f"use autograph.training.fit"
                )
        if not hasattr(optimizer, "update"):
            raise TypeError("Trainer: the optimizer has no update(params, grads)")
        self.model, self.optimizer = model, optimizer
        self.loss_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0

    def fit(
        self,
        x: np.ndarray,
        t: np.ndarray,
        max_epoch: int = 10,
        batch_size: int = 32,
        max_grad: float | None = None,
        eval_interval: int | None = 20,
        *,
        log: Log | None = print,
    ) -> list[float]:
        """Train for `max_epoch` epochs; returns `loss_list` (one mean loss per record)."""
        x, t = np.asarray(x), np.asarray(t)
        data_size = len(x)
        for name, n in (("max_epoch", max_epoch), ("batch_size", batch_size)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"Trainer.fit: {name} must be a whole number >= 1, got {n!r}")
        if eval_interval is not None and (
            not isinstance(eval_interval, int | np.integer) or eval_interval < 1
        ):
            raise ValueError(
                f"Trainer.fit: eval_interval must be >= 1 or None, got {eval_interval!r}"
            )
        if max_grad is not None and not (math.isfinite(max_grad) and max_grad > 0):
            raise ValueError(f"Trainer.fit: max_grad must be a finite number > 0, got {max_grad!r}")
        if len(t) != data_size:
            raise ValueError(f"Trainer.fit: x has {data_size} rows but t has {len(t)}")
        max_iters = data_size // batch_size
        if max_iters == 0:
            raise ValueError(
                f"Trainer.fit: batch_size {batch_size} is larger than the data ({data_size} "
                f"rows): an epoch would have no batch"
            )
        check_finite("Trainer.fit: x", x)
        check_finite("Trainer.fit: t", t)
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        threads = blas.choose_threads((np.shape(p) for p in model.params), batch_size)
        total_loss, loss_count, step = 0.0, 0, 0
        last: float | None = None
        start = time.time()
        with blas.blas_threads(threads):
            for _ in range(max_epoch):
                idx = np.random.permutation(np.arange(data_size))  # the book's shuffle
                x, t = x[idx], t[idx]
                for iters in range(max_iters):
                    step += 1
                    batch = slice(iters * batch_size, (iters + 1) * batch_size)
                    loss = float(model.forward(x[batch], t[batch]))
                    if not math.isfinite(loss):
                        error: TrainingDiverged = diverged(
                            step, loss, last, getattr(optimizer, "lr", None)
                        )
                        raise error
                    last = loss
                    model.backward()
                    params, grads = remove_duplicate(model.params, model.grads)
                    if max_grad is not None:
                        clip_grads(grads, max_grad)
                    optimizer.update(params, grads)
                    total_loss += loss
                    loss_count += 1
                    if eval_interval is not None and iters % eval_interval == 0:
                        avg = total_loss / loss_count
                        if log is not None:
                            log(
                                f"| epoch {self.current_epoch + 1} |  iter {iters + 1} / "
                                f"{max_iters} | time {int(time.time() - start)}[s] | loss "
                                f"{avg:.2f}"
                            )
                        self.loss_list.append(float(avg))
                        total_loss, loss_count = 0.0, 0
                self.current_epoch += 1
        return self.loss_list

    def plot(self, path: str | os.PathLike[str] = "trainer_loss.png", ylim: Any = None) -> Path:
        """Write the loss curve as a PNG (the book's `plot()` opens a window instead);
        returns the path."""
        if not self.loss_list:
            raise ValueError("Trainer.plot: nothing to plot yet (call fit with an eval_interval)")
        return plot_curve(
            self.loss_list, path, xlabel=f"iterations (x{self.eval_interval})", ylim=ylim
        )
