"""Numerical gradients and a torch-shaped `gradcheck`, shipped for users' own tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograph.engine.backward import gradients
from autograph.engine.node import Node, no_grad
from autograph.engine.numerical import numerical_jacobian
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value


class GradcheckError(AssertionError):
    """Analytical and numerical gradients disagree; the message names where, worst first,
    and which op node's own gradient is wrong when one is (`wrong_node`, a
    `nodes.NodeMismatch`, of the graph `root`: draw it with `nodes.save_wrong_nodes`)."""

    def __init__(self, message: str, root: Node | None = None, wrong_node: Any = None) -> None:
        super().__init__(message)
        self.root = root
        self.wrong_node = wrong_node


def numerical_grad(f: Callable[[Any], Any], x: Any, eps: float = 1e-6) -> Any:
    """d f / d x by central differences in float64: (f(x + eps) - f(x - eps)) / 2 eps.

    `x` may be a number, a `Value`, an array or a `Tensor`; `f` is called with the same kind
    (perturbed copies, under `no_grad`) and must return one number (or a one-number node).
    Returns a float for scalars and an array of x's shape otherwise.
    """
    if isinstance(x, Value) or isinstance(x, int | float) and not isinstance(x, bool):
        box = np.array([float(x.data if isinstance(x, Value) else x)])
        wrap: Callable[[float], Any] = Value if isinstance(x, Value) else float
        jacobian = numerical_jacobian(lambda: f(wrap(float(box[0]))), box, eps)
        return float(_single_output(jacobian, ())[()])
    is_tensor = isinstance(x, Tensor)
    base = np.array(x.data if is_tensor else x, dtype=np.float64)
    jacobian = numerical_jacobian(
        lambda: f(Tensor(base.copy()) if is_tensor else base.copy()), base, eps
    )
    return _single_output(jacobian, base.shape)


def _single_output(jacobian: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if jacobian.shape[0] != 1:
        raise ValueError(
            f"numerical_grad: f must return a single number, got {jacobian.shape[0]} values"
        )
    return jacobian.reshape(shape)


def _as_float64_leaf(node: Any, k: int) -> Node:
    if isinstance(node, Value):
        return Value(float(node.data), node.label, requires_grad=node.requires_grad)
    if isinstance(node, Tensor):
        return Tensor(
            np.array(node.data, dtype=np.float64),
            requires_grad=node.requires_grad,
            label=node.label,
        )
    raise TypeError(f"gradcheck: input {k} is a {type(node).__name__}, not a Value or Tensor")


def _index(flat_k: int, data: Any) -> tuple[int, ...]:
    return tuple(int(k) for k in np.unravel_index(flat_k, np.shape(data)))


def _name(node: Node, k: int) -> str:
    return f"input {k}" + (f" ({node.label!r})" if node.label else "")


def _flat_data(node: Node) -> np.ndarray:
    return np.asarray(node.data, dtype=np.float64).reshape(-1)


def _set_element(node: Node, k: int, value: float) -> None:
    if isinstance(node, Value):
        node.data = float(value)  # a Python float, never a NumPy scalar
    else:
        node.data.reshape(-1)[k] = value


def _output_vector(fn: Callable[..., Any], leaves: Sequence[Node]) -> np.ndarray:
    with no_grad():
        out = fn(*leaves)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}")
    return np.asarray(out.data, dtype=np.float64).reshape(-1).copy()


def _set_flat(leaf: Node, flat_values: np.ndarray) -> None:
    """Write `flat_values` into `leaf`'s data, element by element (its dtype kept)."""
    for k, value in enumerate(flat_values):
        _set_element(leaf, k, float(value))


def _numerical_jacobian(
    fn: Callable[..., Any], leaves: Sequence[Node], which: int, eps: float
) -> np.ndarray:
    """Columns: d output / d element of input `which` (central differences)."""
    node = leaves[which]
    if isinstance(node, Tensor):
        return numerical_jacobian(lambda: _output_vector(fn, leaves), node.data, eps)
    box = np.array([float(node.data)])  # a Value's number, perturbed through a one-element box

    def evaluate() -> np.ndarray:
        node.data = float(box[0])
        return _output_vector(fn, leaves)

    try:
        return numerical_jacobian(evaluate, box, eps)
    finally:
        node.data = float(box[0])


def _analytical_jacobian(
    out: Node, leaves: Sequence[Node], checked: Sequence[int]
) -> list[np.ndarray]:
    """Rows: one backward pass per output element, d output_k / d input."""
    size = np.asarray(out.data).size
    rows: list[list[np.ndarray]] = [[] for _ in checked]
    for k in range(size):
        seed = np.zeros(size)
        seed[k] = 1.0
        seed_arg: Any = (
            float(seed[0]) if isinstance(out, Value) else seed.reshape(np.shape(out.data))
        )
        grads = gradients(out, [leaves[i] for i in checked], seed_arg)
        for row, g in zip(rows, grads, strict=True):
            row.append(np.asarray(g, dtype=np.float64).reshape(-1))
    return [np.stack(r, axis=0) for r in rows]


def _worst(
    analytical: np.ndarray, numerical: np.ndarray, atol: float, rtol: float
) -> tuple[float, tuple[int, int]] | None:
    excess = np.abs(analytical - numerical) - (atol + rtol * np.abs(numerical))
    # a NaN on either side is a failure, even on both: the function is undefined there
    excess = np.where(np.isnan(analytical) | np.isnan(numerical), np.inf, excess)
    if not np.any(excess > 0):
        return None
    out_k, in_k = np.unravel_index(int(np.nanargmax(excess)), excess.shape)
    return float(excess[out_k, in_k]), (int(out_k), int(in_k))


def gradcheck(
    fn: Callable[..., Any],
    inputs: Node | Sequence[Node],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
    seed: int = 0,
) -> bool:
    """Check `fn`'s backward pass against central differences, in float64 (as torch's).

    `inputs` are Values/Tensors; those with `requires_grad` are checked (float64 copies are
    made, so the caller's nodes are untouched). `fn(*inputs)` may return any shape: every
    element of the Jacobian is compared with |analytical - numerical| <= atol + rtol *
    |numerical|. On failure the message names the input and element with the worst error.
    `fast_mode` compares one random direction per input instead of the whole Jacobian (one
    backward pass and two forward passes per input), then pins down the element only when
    that check fails.
    """
    originals = [inputs] if isinstance(inputs, Node) else list(inputs)
    leaves = [_as_float64_leaf(node, k) for k, node in enumerate(originals)]
    checked = [k for k, leaf in enumerate(leaves) if leaf.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True")
    out = fn(*leaves)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}")
    checked = [k for k in checked if np.size(leaves[k].data)]
    if not checked or not np.size(out.data):
        return True  # an empty Jacobian has nothing to disagree about

    if fast_mode:
        rng = np.random.default_rng(seed)
        out_shape = np.shape(out.data)
        v = rng.standard_normal(out_shape) if out_shape else float(rng.standard_normal())
        grads = gradients(out, [leaves[i] for i in checked], v)
        suspects = []
        for i, g in zip(checked, grads, strict=True):
            leaf = leaves[i]
            u = rng.standard_normal(np.shape(leaf.data))
            base = _flat_data(leaf).copy()
            flat_u = u.reshape(-1)
            try:
                _set_flat(leaf, base + eps * flat_u)
                up = _output_vector(fn, leaves)
                _set_flat(leaf, base - eps * flat_u)
                down = _output_vector(fn, leaves)
            finally:
                _set_flat(leaf, base)
            numerical = float(np.dot(np.reshape(v, -1), (up - down) / (2 * eps)))
            analytical = float(np.dot(np.asarray(g, dtype=np.float64).reshape(-1), flat_u))
            if not abs(analytical - numerical) <= atol + rtol * abs(numerical):
                suspects.append(i)
        if not suspects:
            return True
        checked = suspects  # fall through to the full check to name the element

    jacobians = _analytical_jacobian(out, leaves, checked)
    failures = []
    for i, a in zip(checked, jacobians, strict=True):
        n = _numerical_jacobian(fn, leaves, i, eps)
        worst = _worst(a, n, atol, rtol)
        if worst is not None:
            excess, (out_k, in_k) = worst
            failures.append((excess, i, out_k, in_k, a[out_k, in_k], n[out_k, in_k]))
    if not failures:
        if fast_mode:  # the direction check failed but no element does: report that
            failures.append((np.inf, checked[0], 0, 0, np.nan, np.nan))
        else:
            return True
    failures.sort(key=lambda f: -f[0])
    _, i, out_k, in_k, a_val, n_val = failures[0]
    leaf = leaves[i]
    where = "" if np.ndim(leaf.data) == 0 else (f" element {_index(in_k, leaf.data)}")
    out_where = "" if np.ndim(out.data) == 0 else (f" of output element {_index(out_k, out.data)}")
    message = (
        f"gradcheck failed: {_name(leaf, i)}{where}{out_where}: analytical {float(a_val)!r} "
        f"vs numerical {float(n_val)!r} (atol={atol}, rtol={rtol}); "
        f"{len(failures)} input(s) disagree"
    )
    if raise_exception:
        culprit = _blame(out, eps, atol, rtol)
        if culprit is not None:
            message += f"; the first op whose own gradient is wrong: {culprit.message}"
        raise GradcheckError(message, out, culprit)
    return False


def _blame(out: Node, eps: float, atol: float, rtol: float) -> Any:
    """The first node whose local gradient is wrong (`nodes.first_wrong_node`), or None when
    every node is right on its own or the check cannot run."""
    from autograph.testing.nodes import first_wrong_node  # (it draws: imports viz)

    try:
        return first_wrong_node(out, eps=eps, atol=atol, rtol=rtol)
    except Exception:  # the message without a culprit is still the full report
        return None
