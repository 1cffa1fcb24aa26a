"""Mini-batches: epoch-wise shuffled batches, and the textbook's sampling with replacement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np


class MiniBatches:
    """Iterate over (x_batch, t_batch) pairs of one epoch; iterate again for the next epoch.

    `shuffle` reorders the samples each epoch with a seeded generator (reproducible);
    `drop_last` skips a final batch smaller than `batch_size`.

    >>> x, t = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [len(tb) for _, tb in MiniBatches(x, t, batch_size=2, shuffle=False)]
    [2, 2, 1]
    """

    def __init__(
        self,
        x: np.ndarray,
        t: np.ndarray | None = None,
        batch_size: int = 100,
        *,
        shuffle: bool = True,
        seed: int | None = None,
        drop_last: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if t is not None and len(t) != len(x):
            raise ValueError(f"x has {len(x)} samples but t has {len(t)}")
        self.x, self.t = x, t
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n, b = len(self.x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.x)
        order = self.rng.permutation(n) if self.shuffle else None
        for k in range(len(self)):
            rows: Any = (
                order[k * self.batch_size : (k + 1) * self.batch_size]
                if order is not None
                else slice(k * self.batch_size, (k + 1) * self.batch_size)
            )
            if self.t is None:
                yield self.x[rows]
            else:
                yield self.x[rows], self.t[rows]


def iterate_minibatches(
    x: np.ndarray,
    t: np.ndarray | None = None,
    batch_size: int = 100,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_last: bool = False,
) -> Iterator[Any]:
    """One epoch of mini-batches (see `MiniBatches`)."""
    return iter(MiniBatches(x, t, batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last))


def sample_indices(
    n: int,
    batch_size: int,
    *,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    replace: bool = True,
) -> Iterator[np.ndarray]:
    """Endless batches of row indices into `n` rows.

    `replace=True` draws each batch with replacement, as the notes' training loop does
    (`np.random.choice(train_size, batch_size)` every step); `replace=False` walks shuffled
    passes without replacement, reshuffling when the rest of a pass cannot fill a batch.

    >>> one_pass = sample_indices(6, 2, seed=0, replace=False)
    >>> sorted(int(i) for _ in range(3) for i in next(one_pass))
    [0, 1, 2, 3, 4, 5]
    """
    if n < 1 or batch_size < 1:
        raise ValueError(f"sample_indices needs n >= 1 and batch_size >= 1, got {n}, {batch_size}")
    rng = np.random.default_rng(seed) if rng is None else rng
    if replace:
        while True:
            yield rng.integers(0, n, batch_size)
    order, cursor = rng.permutation(n), 0
    while True:
        if cursor + batch_size > n:
            order, cursor = rng.permutation(n), 0
        yield order[cursor : cursor + batch_size]
        cursor += batch_size
