"""How many BLAS threads a training run uses, chosen from the size of its matrix products.

OpenBLAS's worker threads spin while they wait for work. On the textbook's small products
(a batch of 100 through a 784×50 layer, a fraction of a millisecond each) a second thread
gains little when the machine is idle, and when another program keeps a core busy the
spinning threads fight it for the CPU: `autograph train mnist` measured 4 s idle but 46-68 s
with one busy core under the default threads, and 4.2 s either way with one thread. So runs
whose largest product per step is small use one BLAS thread (through threadpoolctl, for the
run only); runs with big products keep the library's default, where the threads pay off.
docs/nn.md has the measurements.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

# Multiply-adds of the largest matrix product of one step below which one thread is used:
# 2**26 ≈ 6.7e7 (a few milliseconds on one core). The MNIST net's is 100·784·50 ≈ 3.9e6.
SMALL_PRODUCT = 1 << 26


def largest_product(shapes: Iterable[tuple[int, ...]], batch_size: int) -> int:
    """Multiply-adds of the largest `batch × fan_in × fan_out` product over the 2-D weight
    shapes (0 if there are none)."""
    sizes = [batch_size * int(np.prod(s)) for s in shapes if len(s) == 2]
    return max(sizes, default=0)


def choose_threads(shapes: Iterable[tuple[int, ...]], batch_size: int) -> int | None:
    """1 for small products (and for nets without weight matrices), None (the library's
    default) for big ones."""
    return 1 if largest_product(shapes, batch_size) < SMALL_PRODUCT else None


def check_threads(value: Any) -> int | str | None:
    """`blas_threads` as `fit` takes it: "auto", None (leave as is) or a count >= 1."""
    if value is None or value == "auto":
        return value
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"blas_threads must be 'auto', None or a count >= 1, got {value!r}")
    return int(value)


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Run the block with at most `limit` BLAS threads (None: no change)."""
    if limit is None:
        yield
        return
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=limit, user_api="blas"):
        yield
