"""What to feed an op under check, read from its code without annotations (`check_layer`,
`check_op`), and the Hypothesis strategies that draw it.

The rules (docs/backward.md, "What the check feeds your layer"):

1. Names. The required arguments of `forward` after `self`/`ctx` are the op's inputs (one
   with a default keeps it); the required arguments of a layer class's `__init__` are its
   constructor parameters.
2. Shapes. An argument named like a weight matrix (`W`, `W1`, `w`, `weight`) is a matrix
   (n, k); one named like a bias (`b`, `b1`, `bias`) is a vector (k,) of the matrix before
   it; matrices chain (each one's rows are the previous one's columns). Every other input is
   a batch (N, n), n being the first matrix's rows (or one size shared by all such inputs).
   N is drawn from 2, 1 and 3 (batches of one and of more; 2 first, and shrinking never
   trades it for a later one, because a batch of 2 shows what summing over it does); other
   sizes from 1 to 3. `broadcast=True` draws mutually broadcastable shapes for the batch
   inputs instead.
3. Targets. After one trial run, an input that backward returns no gradient for (beyond
   the ones it returns, or None) is a target: one-hot rows of the first input's shape (the
   `t` of `SoftmaxWithLoss.forward(x, t)`).
4. Values. Multiples of 0.1 in [-3, 3] (examples read well, ties happen, as at a max; a
   kink at 0 is met exactly, and a divisor is either 0, where the forward is not finite and
   the example is skipped as outside the domain, or at least 0.1 away from it). Upstream
   gradients: multiples of 0.1 with 0.5 <= |x| <= 2, never 0 (which would hide any error).
5. Loss layers. A layer whose forward returns one number and whose backward's `dout` has a
   default (`backward(self, dout=1)`) is checked with that default, as the book calls it.

Where these fail (other parameter names, other shapes), pass `shapes={"x": ("N", 4), "gamma":
(4,)}` (ints, or names of sizes drawn per example: "N" is the batch), `targets=("t",)`,
`init=` / `constants=` (constructor / forward arguments passed as given), and `domain` (a
`Domain`, a `(low, high)` pair, or a Hypothesis strategy of floats; or a dict of them by
input name).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograph.testing.strategies import Domain, floats_in

Shape = tuple[int | str, ...]
DomainLike = Domain | tuple[float, float] | st.SearchStrategy[float]

BATCH = "N"
BATCH_SIZES = (2, 1, 3)  # sampled_from shrinks towards the first
MAX_SIDE = 3
_MATRIX = re.compile(r"^(W|w|weight|weights)\d*$")
_BIAS = re.compile(r"^(b|bias|biases)\d*$")


def is_parameter_name(name: str) -> bool:
    """Named like a weight matrix or a bias (rule 2)."""
    return bool(_MATRIX.match(name) or _BIAS.match(name))


class SpecError(ValueError):
    """The check cannot tell what to feed the op; the message says which spec to pass."""


@dataclass(frozen=True)
class ArgSpec:
    """One array the check draws: an input of forward or a constructor parameter."""

    name: str
    shape: Shape
    target: bool = False  # one-hot rows, no gradient
    elements: Any = None  # a strategy of floats (None: the default domain)


@dataclass(frozen=True)
class OpSpec:
    """Everything the check draws for one op."""

    name: str
    inputs: tuple[ArgSpec, ...]
    params: tuple[ArgSpec, ...] = ()
    loss: bool = False  # backward called with its default dout
    broadcast: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)  # how each rule was applied

    @property
    def differentiable(self) -> list[ArgSpec]:
        return [a for a in (*self.inputs, *self.params) if not a.target]


def default_elements() -> st.SearchStrategy[float]:
    """Rule 4: multiples of 0.1 in [-3, 3] (one draw each; shrinking goes to 0)."""
    return st.integers(-30, 30).map(lambda k: k / 10)


def _dout_value(k: int) -> float:
    """0 -> 1.0, then 1.1, 1.2, ... 2.0, 0.5, ... 0.9 (k // 2), negative for odd k."""
    magnitude = 0.5 + ((k // 2 + 5) % 16) / 10
    return -magnitude if k % 2 else magnitude


def dout_elements() -> st.SearchStrategy[float]:
    """Upstream gradients: multiples of 0.1 with 0.5 <= |x| <= 2, never 0 (which would hide
    any error); shrinking goes to 1."""
    return st.integers(0, 31).map(_dout_value)


def elements_of(domain: DomainLike | None) -> st.SearchStrategy[float]:
    if domain is None:
        return default_elements()
    if isinstance(domain, Domain):
        return floats_in(domain)
    if isinstance(domain, st.SearchStrategy):
        return domain
    if isinstance(domain, tuple) and len(domain) == 2:
        return floats_in(Domain(float(domain[0]), float(domain[1])))
    raise SpecError(
        f"domain must be a Domain, a (low, high) pair or a Hypothesis strategy, got {domain!r}"
    )


def positional_names(method: Callable[..., Any], *, skip: int, required: bool = False) -> list[str]:
    try:
        params = list(inspect.signature(method).parameters.values())[skip:]
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and not (required and p.default is not p.empty)
    ]


def infer_shapes(
    names: Sequence[str], fixed: Mapping[str, tuple[int, ...]], notes: list[str]
) -> dict[str, Shape]:
    """Rule 2, over constructor parameters then inputs, in order. `fixed`: known shapes."""
    shapes: dict[str, Shape] = {}
    dims = 0
    last_columns: int | str | None = None
    first_rows: int | str | None = None
    for name in names:
        if name in fixed:
            shape: Shape = fixed[name]
            if len(shape) == 2 and _MATRIX.match(name):
                first_rows = shape[0] if first_rows is None else first_rows
                last_columns = shape[1]
            shapes[name] = shape
        elif _MATRIX.match(name):
            rows: int | str = last_columns if last_columns is not None else f"d{dims}"
            dims += last_columns is None
            columns = f"d{dims}"
            dims += 1
            shapes[name] = (rows, columns)
            first_rows = rows if first_rows is None else first_rows
            last_columns = columns
            notes.append(f"{name}: a matrix (named like a weight)")
        elif _BIAS.match(name):
            if last_columns is None:
                last_columns = f"d{dims}"
                dims += 1
            shapes[name] = (last_columns,)
            notes.append(f"{name}: a vector (named like a bias)")
    feature: int | str = first_rows if first_rows is not None else f"d{dims}"
    for name in names:
        if name not in shapes:
            shapes[name] = (BATCH, feature)
    return shapes


@dataclass(frozen=True)
class Example:
    """One drawn example: the sizes, and every array by name (parameters and inputs)."""

    sizes: dict[str, int]
    arrays: dict[str, np.ndarray]


def concrete(shape: Shape, sizes: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(sizes[d] if isinstance(d, str) else d for d in shape)


def size_names(spec: OpSpec) -> list[str]:
    names: list[str] = []
    for arg in (*spec.params, *spec.inputs):
        for d in arg.shape:
            if isinstance(d, str) and d not in names:
                names.append(d)
    return names


def draw_sizes(data: st.DataObject, spec: OpSpec, every: int | None = None) -> dict[str, int]:
    sizes = {}
    for name in size_names(spec):
        if every is not None:
            sizes[name] = every
        elif name == BATCH:
            sizes[name] = data.draw(st.sampled_from(BATCH_SIZES), label="batch size")
        else:
            sizes[name] = data.draw(st.integers(1, MAX_SIDE), label=f"size {name}")
    return sizes


def one_hot(data: st.DataObject, shape: tuple[int, ...]) -> np.ndarray:
    """Rows of `shape` (over its last axis) with a single 1 each."""
    if not shape:
        raise SpecError("a target needs at least one axis (the classes)")
    rows = int(np.prod(shape[:-1]))
    labels = data.draw(st.lists(st.integers(0, shape[-1] - 1), min_size=rows, max_size=rows))
    return np.eye(shape[-1])[np.array(labels, dtype=int)].reshape(shape)


def draw_example(data: st.DataObject, spec: OpSpec, size: int | None = None) -> Example:
    """Sizes (or every size `size`), then every array: parameters, then inputs."""
    sizes = draw_sizes(data, spec, size)
    shapes = {a.name: concrete(a.shape, sizes) for a in (*spec.params, *spec.inputs)}
    if spec.broadcast:
        batch = [a for a in spec.inputs if not a.target]
        drawn = data.draw(
            hnp.mutually_broadcastable_shapes(
                num_shapes=len(batch), min_dims=0, max_dims=3, max_side=MAX_SIDE
            ),
            label="broadcast shapes",
        )
        shapes.update({a.name: s for a, s in zip(batch, drawn.input_shapes, strict=True)})
    arrays = {}
    first = spec.inputs[0].name if spec.inputs else None
    for arg in (*spec.params, *spec.inputs):
        if arg.target:
            like = shapes[first] if first is not None and first != arg.name else shapes[arg.name]
            arrays[arg.name] = one_hot(data, like)
            continue
        elements = arg.elements if arg.elements is not None else default_elements()
        arrays[arg.name] = data.draw(
            hnp.arrays(np.float64, shapes[arg.name], elements=elements, fill=st.nothing()),
            label=arg.name,
        )
    return Example(sizes, arrays)


def other_example(spec: OpSpec, ex: Example) -> Example:
    """Other inputs of the same shapes and values, in another order (each array rolled by
    one element; a target's classes rolled by one): the earlier call of a state check."""
    arrays = dict(ex.arrays)
    for arg in spec.inputs:
        a = ex.arrays[arg.name]
        arrays[arg.name] = (
            np.roll(a, 1, axis=-1) if arg.target else np.roll(a.ravel(), 1).reshape(a.shape)
        )
    return Example(ex.sizes, arrays)


def build_spec(
    name: str,
    input_names: Sequence[str],
    param_names: Sequence[str],
    *,
    fixed: Mapping[str, tuple[int, ...]] | None = None,
    shapes: Mapping[str, Shape] | None = None,
    targets: Sequence[str] | None = None,
    domain: DomainLike | Mapping[str, DomainLike] | None = None,
    broadcast: bool = False,
) -> OpSpec:
    """The spec by rules 1, 2 and 4 (targets given or none yet), with the user's overrides."""
    known = list(param_names) + list(input_names)
    for label, given in (
        ("shapes", shapes),
        ("domain", domain if isinstance(domain, Mapping) else None),
    ):
        for key in given or {}:
            if key not in known:
                raise SpecError(
                    f"{name}: {label} names {key!r}, which is not an input of forward "
                    f"({', '.join(input_names) or 'none'}) or a constructor parameter "
                    f"({', '.join(param_names) or 'none'})"
                )
    for key in targets or ():
        if key not in input_names:
            raise SpecError(f"{name}: target {key!r} is not an input of forward")
    notes: list[str] = []
    merged: dict[str, tuple[int, ...]] = dict(fixed or {})
    inferred = infer_shapes(known, merged, notes)
    inferred.update(shapes or {})

    def arg(n: str) -> ArgSpec:
        d = domain.get(n) if isinstance(domain, Mapping) else domain
        return ArgSpec(n, tuple(inferred[n]), n in (targets or ()), elements_of(d))

    return OpSpec(
        name,
        tuple(arg(n) for n in input_names),
        tuple(arg(n) for n in param_names),
        broadcast=broadcast,
        notes=tuple(notes),
    )


def with_targets(spec: OpSpec, names: Sequence[str], loss: bool) -> OpSpec:
    """Rule 3 and 5, once the trial run has said which inputs get no gradient."""
    inputs = tuple(replace(a, target=a.target or a.name in names) for a in spec.inputs)
    notes = spec.notes + tuple(f"{n}: a target (backward gives it no gradient)" for n in names)
    if loss:
        notes += ("a loss layer: backward() called with its default dout",)
    return replace(spec, inputs=inputs, loss=loss, notes=notes)


__all__ = [
    "ArgSpec",
    "Example",
    "OpSpec",
    "SpecError",
    "build_spec",
    "default_elements",
    "draw_example",
    "other_example",
    "dout_elements",
    "elements_of",
    "infer_shapes",
    "is_parameter_name",
    "positional_names",
    "with_targets",
]
