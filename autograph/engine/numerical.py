"""Central differences: the one numerical derivative that every check in autograph uses.

`numerical_jacobian` perturbs the elements of an array *in place*, one at a time, and
evaluates a function at x + eps and x - eps. Everything numerical builds on it:
`autograph.testing.numerical_grad` and `gradcheck`, and the textbook's
`numerical_gradient(f, x)` (`autograph.nn`), whose `f` ignores its argument and reads the
perturbed weights through the net (`lambda W: net.loss(x, t)`): that only works because the
perturbation is in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograph.engine.node import Node, no_grad


def numerical_jacobian(evaluate: Callable[[], Any], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d evaluate() / d x by central differences, as a matrix (outputs, elements of x).

    `x` must be a writable array whose elements `evaluate` reads; each is set to x ± eps in
    place and restored afterwards, even if `evaluate` raises. `evaluate()` returns a number,
    an array or a node; its outputs are flattened to float64. Runs under `no_grad`.

    >>> w = np.array([1.0, 2.0])
    >>> numerical_jacobian(lambda: (w**2).sum(), w, eps=1e-4).round(6)
    array([[2., 4.]])
    """
    if not isinstance(x, np.ndarray) or not x.flags.writeable:
        raise TypeError("numerical_jacobian needs a writable NumPy array to perturb in place")
    flat = x.reshape(-1)
    if x.size and not np.shares_memory(flat, x):
        raise ValueError("numerical_jacobian needs an array it can perturb in place (contiguous)")
    columns = []
    with no_grad():
        for k in range(flat.size):
            saved = flat[k]
            try:
                flat[k] = saved + eps
                up = _outputs(evaluate())
                flat[k] = saved - eps
                down = _outputs(evaluate())
            finally:
                flat[k] = saved
            columns.append((up - down) / (2 * eps))
    if not columns:
        return np.zeros((_outputs(evaluate()).size, 0))
    return np.stack(columns, axis=1)


def _outputs(result: Any) -> np.ndarray:
    data = result.data if isinstance(result, Node) else result
    return np.array(data, dtype=np.float64).reshape(-1)


def numerical_gradient(f: Callable[[Any], Any], x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """The textbook's `numerical_gradient(f, x)`: d f(x) / d x for a function that returns one
    number, perturbing `x` in place (so `f = lambda W: net.loss(x, t)` works, as in the
    book). Returns an array of x's shape and dtype.

    >>> x = np.array([3.0, 4.0])
    >>> numerical_gradient(lambda x: np.sum(x**2), x)
    array([6., 8.])
    """
    jacobian = numerical_jacobian(lambda: f(x), x, h)
    if jacobian.shape[0] != 1:
        raise ValueError(
            f"numerical_gradient: f must return a single number, got {jacobian.shape[0]} values"
        )
    return jacobian.reshape(x.shape).astype(x.dtype, copy=False)
