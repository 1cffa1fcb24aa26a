"""The training loop: `fit`, its `History`, and `accuracy`.

`fit(model, x_train, t_train, x_test, t_test, ...)` runs the notes' loop: each step draws a
random mini-batch (`autograph.data.sample_indices`), runs forward, `backward()` and the
optimizer; once per epoch it measures train and test accuracy and prints
`Step:   600  Train acc 0.90545  Test acc 0.90930`. The inner loop does no per-step Python work
beyond the ops of the net, so it runs at the speed of hand-written NumPy
(benchmarks/bench_mnist.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograph.data.batches import sample_indices
from autograph.engine.node import no_grad
from autograph.engine.tensor import Tensor
from autograph.nn.losses import class_indices, softmax_cross_entropy

Log = Callable[[str], None]


@dataclass
class History:
    """What a run recorded: the loss of every step, and accuracies at each evaluation."""

    loss: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)  # the step of each evaluation
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    wall_time: float = 0.0

    @property
    def final_test_acc(self) -> float | None:
        return self.test_acc[-1] if self.test_acc else None

    @property
    def final_train_acc(self) -> float | None:
        return self.train_acc[-1] if self.train_acc else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "loss": self.loss,
            "steps": self.steps,
            "train_acc": self.train_acc,
            "test_acc": self.test_acc,
            "wall_time": self.wall_time,
        }


def accuracy(
    model: Callable[[Tensor], Tensor], x: np.ndarray, t: np.ndarray, *, batch_size: int = 10000
) -> float:
    """Fraction of rows whose arg-max score is the label (one-hot labels are fine too).

    A Module in training mode is measured in evaluation mode (dropout off, batch norm on its
    running statistics, which are left untouched), then put back in training mode.
    """
    t = np.asarray(t)
    t = np.argmax(t, axis=1) if t.ndim > 1 else class_indices(t, "accuracy")
    correct = 0
    switch = getattr(model, "training", False) is True and callable(getattr(model, "eval", None))
    if switch:
        model.eval()  # type: ignore[attr-defined]
    try:
        with no_grad():
            for start in range(0, len(x), batch_size):
                scores = model(Tensor(x[start : start + batch_size])).data
                correct += int(np.sum(np.argmax(scores, axis=1) == t[start : start + batch_size]))
    finally:
        if switch:
            model.train()  # type: ignore[attr-defined]
    return correct / len(x) if len(x) else 0.0


def progress_bar(total: int, quiet: bool, desc: str) -> Any:
    """A tqdm bar of `total` steps on stderr, shown only on a terminal and unless `quiet`."""
    from tqdm.auto import tqdm

    # To stderr, and only on a terminal: logs and pipes get the per-epoch lines alone.
    disable = quiet or not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return tqdm(
        total=total,
        desc=desc,
        file=sys.stderr,
        disable=disable,
        unit="step",
        dynamic_ncols=True,
        leave=False,
    )


def fit(
    model: Any,
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray | None = None,
    t_test: np.ndarray | None = None,
    *,
    optimizer: Any,
    iters: int = 10000,
    batch_size: int = 100,
    loss_fn: Callable[[Tensor, Any], Tensor] = softmax_cross_entropy,
    eval_every: int | None = None,
    seed: int | None = 0,
    sampling: str = "replace",
    quiet: bool = False,
    log: Log | None = print,
    eval_batch_size: int = 10000,
) -> History:
    """Train `model` (a callable Tensor -> logits) for `iters` steps; return the History.

    - `sampling="replace"`: each step draws `batch_size` random rows with replacement (the
      notes' `np.random.choice`); `"epoch"`: shuffled passes without replacement.
    - `eval_every`: steps between accuracy measurements (default: one epoch, n / batch_size
      steps, the notes' 600); a last one is added at the final step.
    - `log`: where the per-epoch lines go (None for silence).
    - `eval_batch_size`: rows per forward pass when measuring accuracy (a conv net's
      activations for 10,000 images take gigabytes: use about 1,000).
    """
    n = len(x_train)
    if n == 0:
        raise ValueError("fit: no training data")
    if sampling not in ("replace", "epoch"):
        raise ValueError(f"sampling must be 'replace' or 'epoch', got {sampling!r}")
    epoch = max(n // batch_size, 1)
    eval_every = eval_every or epoch
    rng = np.random.default_rng(seed)
    history = History()
    losses = history.loss
    bar = progress_bar(iters, quiet, "train")
    say = log
    if log is not None and not bar.disable:
        say = bar.write  # print above the bar, not through it

    def evaluate(step: int) -> None:
        history.steps.append(step)
        train_acc = accuracy(model, x_train, t_train, batch_size=eval_batch_size)
        history.train_acc.append(train_acc)
        line = f"Step: {step:5d}  Train acc {train_acc:.5f}"
        if x_test is not None and t_test is not None:
            test_acc = accuracy(model, x_test, t_test, batch_size=eval_batch_size)
            history.test_acc.append(test_acc)
            line += f"  Test acc {test_acc:.5f}"
        if say is not None:
            say(line)

    batches = sample_indices(n, batch_size, rng=rng, replace=sampling == "replace")
    start = time.perf_counter()
    try:
        for step in range(1, iters + 1):
            rows = next(batches)
            # The batch is a constant Tensor (requires_grad=False): backward skips the
            # gradient of the input, the largest matrix product of the step.
            loss = loss_fn(model(Tensor(x_train[rows])), t_train[rows])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(float(loss.data))
            if step % 50 == 0:
                bar.update(50)
            if step % eval_every == 0 or step == iters:
                evaluate(step)
    finally:
        bar.close()
    history.wall_time = time.perf_counter() - start
    return history
