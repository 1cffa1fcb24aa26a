"""What a recording holds, as `convert` and `check` read it: events, operands, backward steps.

The recorder's hot path (`recorder._Mode`, once per ATen op, and the node hooks, once per
backward step) stores raw lists and tuples only; the objects below are built from them on
first use, when a picture or a check asks (`Recording.events`, `Sink.passes`), so that a
recorded step pays for no object it does not need.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch

# what the recorder stores for a tensor operand when its op runs, and for an op's output
# once autograd has set its history: the tensor and what it was then
State = tuple[torch.Tensor, int, Any, int, bool]  # (tensor, version, grad_fn, nr, req_grad)
History = tuple[torch.Tensor, Any, int, int]  # (tensor, grad_fn, output_nr, version)


class Use(NamedTuple):
    """One operand of an op as it ran: a tensor (with its autograd edge then) or a number."""

    position: int  # among the op's operands (tensor and number arguments, lists flattened)
    tensor: torch.Tensor | None
    number: Any = None  # a Python number operand (`x * 2`)
    version: int = 0
    grad_fn: Any = None  # the tensor's grad_fn when the op ran (None: a leaf or constant)
    output_nr: int = 0
    requires_grad: bool = False


@dataclass(slots=True)
class Event:
    """One ATen op that ran inside `record()`."""

    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    uses: list[Use]
    out: Any
    scope: tuple[str, ...]
    grad_enabled: bool
    # once autograd has set the outputs' history: (tensor, grad_fn, nr, version)
    outputs: list[History] | None = None


@dataclass(slots=True)
class OpRecord:
    """One recorded autograd node: the op it ran (an `Event`, or None for a
    `torch.autograd.Function`) and its outputs by output number."""

    node: Any
    event: int | None  # index into `Recording.events`
    origin: int  # the event whose output it made (custom Functions: their last inner op)
    outputs: dict[int, tuple[torch.Tensor, int]]  # output_nr -> (tensor, version)
    scope: tuple[str, ...]
    local: tuple[Any, ...] | None = None  # its backward with upstream 1 (one-number ops)


@dataclass(slots=True)
class Fired:
    """One node's backward step, as the node hook saw it."""

    op: int  # index into `Recording.ops`
    grad_inputs: tuple[Any, ...]
    grad_outputs: tuple[Any, ...]
    versions: tuple[int, ...]  # of grad_inputs, to detect later in-place changes


def fired(log: list[Any], op: int, grad_inputs: Any, grad_outputs: Any) -> None:
    """A node hook (`functools.partial(fired, sink.log, op)`): one call per backward step."""
    versions = [0 if g is None else g._version for g in grad_inputs]  # to detect changes
    log.append((op, grad_inputs, grad_outputs, versions))


class Sink:
    """Where node hooks put what they see. It holds no node and no recording, so that the
    hooks (kept by the nodes) make no reference cycle through C++ objects."""

    def __init__(self) -> None:
        self.log: list[tuple[int, Any, Any, list[int]]] = []  # the hooks' calls, in order
        self._passes: list[list[Fired]] = []
        self._read = 0  # how much of the log _passes holds

    @property
    def passes(self) -> list[list[Fired]]:
        """The hooks' calls by backward pass: a node runs once per pass, so a node seen
        again starts a new pass."""
        if self._read != len(self.log):
            self._passes = []
            seen: set[int] = set()
            for op, grad_inputs, grad_outputs, versions in self.log:
                if op in seen or not self._passes:
                    self._passes.append([])
                    seen = set()
                seen.add(op)
                self._passes[-1].append(Fired(op, grad_inputs, grad_outputs, tuple(versions)))
            self._read = len(self.log)
        return self._passes


# -- operands --------------------------------------------------------------------------

_TENSOR_TYPES = {"Tensor": "tensor", "Optional[Tensor]": "tensor", "number": "number"}
_LIST_TYPES = ("List[Tensor]", "List[Optional[Tensor]]")
_NUMBERS = (int, float, complex, bool)


@functools.cache
def operand_spec(func: Any) -> tuple[tuple[int, str], ...]:
    """The positional arguments of an ATen op that are operands: (position, kind) with kind
    "tensor", "list" (of tensors) or "number" (a Scalar such as `x * 2`'s 2)."""
    spec = []
    for i, arg in enumerate(func._schema.arguments):
        if arg.kwarg_only:
            continue
        t = str(arg.type)
        if t in _TENSOR_TYPES:
            spec.append((i, _TENSOR_TYPES[t]))
        elif t in _LIST_TYPES:
            spec.append((i, "list"))
    return tuple(spec)


@functools.cache
def list_positions(func: Any) -> tuple[int, ...]:
    """The positions of an op's list-of-tensors operands (`cat`, `stack`): usually none."""
    return tuple(i for i, kind in operand_spec(func) if kind == "list")


def operand_slots(func: Any, args: tuple[Any, ...]) -> list[tuple[int, int | None, Any]]:
    """Each operand of an op call: (argument index, index in a list argument or None, the
    tensor or number), in order: operand `k` of `uses_of()` is the k-th of these."""
    slots: list[tuple[int, int | None, Any]] = []
    n = len(args)
    for i, kind in operand_spec(func):
        if i >= n:
            break
        value = args[i]
        if kind == "list":
            for j, item in enumerate(value or ()):
                if isinstance(item, (torch.Tensor, *_NUMBERS)):
                    slots.append((i, j, item))
        elif isinstance(value, _NUMBERS) or (kind != "number" and isinstance(value, torch.Tensor)):
            slots.append((i, None, value))
    return slots


def uses_of(func: Any, args: tuple[Any, ...], states: list[State]) -> list[Use]:
    """The op's operands as it ran: numbers from its arguments, tensors with the `State`
    the recorder read when the op ran (matched by identity, in order)."""
    pending: dict[int, list[State]] = {}
    for state in reversed(states):
        pending.setdefault(id(state[0]), []).append(state)
    uses: list[Use] = []
    for _, _, v in operand_slots(func, args):
        if isinstance(v, torch.Tensor):
            _, version, grad_fn, nr, requires_grad = pending[id(v)].pop()
            uses.append(Use(len(uses), v, None, version, grad_fn, nr, requires_grad))
        else:
            uses.append(Use(len(uses), None, v))
    return uses


def tensors_of(out: Any) -> Iterator[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        yield out
    elif isinstance(out, list | tuple):
        for item in out:
            if isinstance(item, torch.Tensor):
                yield item
