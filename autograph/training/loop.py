"""The training loop: `fit`, its `History`, and `accuracy`.

`fit(model, x_train, t_train, x_test, t_test, ...)` runs the notes' loop: each step draws a
random mini-batch (`autograph.data.sample_indices`), runs forward, `backward()` and the
optimizer; once per epoch it measures train and test accuracy and prints
`Step:   600  Train acc 0.90545  Test acc 0.90930`. The inner loop does no per-step Python work
beyond the ops of the net, so it runs at the speed of hand-written NumPy
(benchmarks/bench_mnist.py).

A run never ends quietly with a NaN: training data that holds NaN or infinite values is
refused before the first step, and a loss that becomes NaN or infinite stops the run with
`TrainingDiverged`, which names the step (and carries the history up to it).

`callback=f` calls `f(StepInfo(...))` at every step, after `backward()` and before the update
(so the loss's graph, its gradients and the weights all belong to that step):
`autograph.training.watch.Watch` records a live panel that way.
Without a callback the loop does no extra work.
"""

from __future__ import annotations

import math
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
from autograph.training import threads as blas

Log = Callable[[str], None]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite: `step` is where, `history` what was recorded so far."""

    def __init__(self, message: str, step: int, history: History | None = None) -> None:
        super().__init__(message)
        self.step, self.history = step, history


def diverged(step: int, loss: float, previous: float | None, lr: Any = None) -> TrainingDiverged:
    """The error for a non-finite `loss` at `step` (1-based)."""
    before = f" (it was {previous:.6g} at step {step - 1})" if previous is not None else ""
    hint = (
        f"lower the learning rate (now {lr:g})"
        if isinstance(lr, float | int)
        else ("lower the learning rate")
    )
    return TrainingDiverged(
        f"training diverged at step {step}: the loss is {loss}{before}; {hint}, or check "
        f"the data and the initial weights",
        step,
    )


def check_finite(name: str, array: Any) -> None:
    """Refuse float data holding NaN or infinite values, naming the first bad row."""
    a = np.asarray(array)
    if a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        where = f" (first at row {bad[0]})" if a.ndim else ""
        raise ValueError(f"{name} holds NaN or infinite values{where}")


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


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What a training loop's `callback` sees at each step, after `backward()` and before
    the update: the loss's graph, the parameters' gradients and weights are the step's."""

    step: int  # 1-based: steps done so far
    total: int  # steps the run will take
    loss: Any  # the step's loss node: its graph, with gradients after backward()
    model: Any
    history: History  # what the run has recorded so far (this step's loss included)
    x: Any = None  # the training inputs and targets (2-D inputs: a decision boundary)
    t: Any = None


StepCallback = Callable[[StepInfo], None]


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
    blas_threads: int | str | None = "auto",
    callback: StepCallback | None = None,
    eval_batch_size: int = 10000,
    scheduler: Any = None,
) -> History:
    """Train `model` (a callable Tensor -> logits) for `iters` steps; return the History.

    - `sampling="replace"`: each step draws `batch_size` random rows with replacement (the
      notes' `np.random.choice`); `"epoch"`: shuffled passes without replacement.
    - `eval_every`: steps between accuracy measurements (default: one epoch, n / batch_size
      steps, the notes' 600); a last one is added at the final step.
    - `log`: where the per-epoch lines go (None for silence).
    - `blas_threads`: "auto" (one BLAS thread when the net's matrix products are small, see
      `autograph.training.threads`), a count, or None to leave the library's setting.
    - `callback`: called with a `StepInfo` at every step (after backward, before the
      update), e.g. a
      `autograph.training.watch.Watch` that shows the run live.
    - `eval_batch_size`: rows per forward pass when measuring accuracy (a conv net's
      activations for 10,000 images take gigabytes: use about 1,000).
    - `scheduler`: an `autograph.optim` scheduler, stepped after every update (its "epochs"
      are steps: `CosineAnnealingLR(opt, T_max=iters)` decays over the whole run).

    Raises ValueError for data holding NaN or infinite values, and `TrainingDiverged` (naming
    the step) if the loss becomes NaN or infinite.
    """
    n = len(x_train)
    if n == 0:
        raise ValueError("fit: no training data")
    if sampling not in ("replace", "epoch"):
        raise ValueError(f"sampling must be 'replace' or 'epoch', got {sampling!r}")
    for name, count in (("iters", iters), ("batch_size", batch_size)):
        if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
            raise ValueError(f"fit: {name} must be a whole number >= 1, got {count!r}")
    if eval_every is not None and (not isinstance(eval_every, int | np.integer) or eval_every < 1):
        raise ValueError(f"fit: eval_every must be a whole number >= 1, got {eval_every!r}")
    if len(t_train) != n:
        raise ValueError(f"fit: x_train has {n} rows but t_train has {len(t_train)}")
    for name, array in (("x_train", x_train), ("t_train", t_train)):
        check_finite(f"fit: {name}", array)
    for name, test in (("x_test", x_test), ("t_test", t_test)):
        if test is not None:
            check_finite(f"fit: {name}", test)
    wanted = blas.check_threads(blas_threads)
    threads: int | None
    if wanted == "auto":
        params = model.parameters() if hasattr(model, "parameters") else []
        threads = blas.choose_threads((np.shape(p.data) for p in params), batch_size)
    else:
        threads = None if wanted is None else int(wanted)
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
        # NumPy's overflow warnings would only repeat what TrainingDiverged says, by step
        with blas.blas_threads(threads), np.errstate(over="ignore", invalid="ignore"):
            for step in range(1, iters + 1):
                rows = next(batches)
                # The batch is a constant Tensor (requires_grad=False): backward skips the
                # gradient of the input, the largest matrix product of the step.
                loss = loss_fn(model(Tensor(x_train[rows])), t_train[rows])
                value = float(loss.data)
                if not math.isfinite(value):  # before the update: the weights stay finite
                    error = diverged(step, value, losses[-1] if losses else None, _lr(optimizer))
                    error.history = history
                    raise error
                loss.backward()
                losses.append(value)
                if callback is not None:  # the step's graph and gradients, before the update
                    callback(StepInfo(step, iters, loss, model, history, x_train, t_train))
                optimizer.step()
                optimizer.zero_grad()
                if scheduler is not None:
                    scheduler.step()
                if step % 50 == 0:
                    bar.update(50)
                if step % eval_every == 0 or step == iters:
                    evaluate(step)
    finally:
        bar.close()
        history.wall_time = time.perf_counter() - start
    return history


def _lr(optimizer: Any) -> Any:
    return getattr(optimizer, "lr", None)
