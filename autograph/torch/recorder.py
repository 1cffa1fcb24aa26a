"""`record()`: what a PyTorch forward pass computed, and what its backward pass sent back.

Two of PyTorch's public mechanisms and the call stack, each used only inside the `with`
block or on the nodes it recorded (nothing stays installed; a forward pass outside the
block costs nothing):

- a `TorchDispatchMode` sees every ATen op below autograd: its function, arguments and
  outputs (`Event`). Each op that autograd records gets exactly one autograd node; that node
  is the output's `grad_fn`, read when the next op starts (autograd sets it after the op
  returns). A `torch.autograd.Function`'s node is found when the block ends, on the output
  its forward returned;
- the module path of each op (its scope) is that of the innermost `nn.Module` being called,
  read from the call stack (`Recording.where`);
- on leaving the block, a hook on each recorded autograd node (`Node.register_hook`)
  receives, when `backward()` runs it, the gradients the node got (`grad_outputs`) and sent
  to each of its inputs (`grad_inputs`), in the order PyTorch runs them (`Sink.passes`).

Tensors are kept by reference with their version counter (`tensor._version`), so a value
PyTorch changes in place later (`relu_`, `optimizer.step()`) is detected, never drawn wrong.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any, NamedTuple

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from autograph.torch.convert import to_graph
from autograph.viz.model import Graph

# -- what was recorded -----------------------------------------------------------------


class Use(NamedTuple):
    """One operand of an op as it ran: a tensor (with its autograd edge then) or a number."""

    position: int  # among the op's operands (tensor and number arguments, lists flattened)
    tensor: torch.Tensor | None
    number: Any = None  # a Python number operand (`x * 2`)
    version: int = 0
    grad_fn: Any = None  # the tensor's grad_fn when the op ran (None: a leaf or constant)
    output_nr: int = 0
    requires_grad: bool = False


_new_use = tuple.__new__  # a Use without NamedTuple's Python-level __new__ (per operand)


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
    # filled in once autograd has set the outputs' history: (tensor, grad_fn, nr, version)
    outputs: list[tuple[torch.Tensor, Any, int, int]] | None = None


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


class Sink:
    """Where node hooks put what they see. It holds no node and no recording, so that the
    hooks (kept by the nodes) make no reference cycle through C++ objects."""

    def __init__(self) -> None:
        self.passes: list[list[Fired]] = []
        self._seen: set[int] = set()

    def fired(self, op: int, grad_inputs: Any, grad_outputs: Any) -> None:
        if op in self._seen or not self.passes:  # a node runs once per pass: a new pass
            self.passes.append([])
            self._seen = set()
        self._seen.add(op)
        versions = tuple([0 if g is None else g._version for g in grad_inputs])
        self.passes[-1].append(Fired(op, grad_inputs, grad_outputs, versions))


# -- operands --------------------------------------------------------------------------

_TENSOR_TYPES = {"Tensor": "tensor", "Optional[Tensor]": "tensor", "number": "number"}
_LIST_TYPES = ("List[Tensor]", "List[Optional[Tensor]]")


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


_NUMBERS = (int, float, complex, bool)


def operand_slots(func: Any, args: tuple[Any, ...]) -> list[tuple[int, int | None, Any]]:
    """Each operand of an op call: (argument index, index in a list argument or None, the
    tensor or number), in order: operand `k` of `operands()` is the k-th of these."""
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


def operands(func: Any, args: tuple[Any, ...]) -> list[Use]:
    """The op's operands as it runs, as `operand_slots` finds them (the hot path of
    recording: one loop, no generator, tuples without NamedTuple's __new__)."""
    uses: list[Use] = []
    n = len(args)
    for i, kind in operand_spec(func):
        if i >= n:
            break
        value = args[i]
        for v in value if kind == "list" and value is not None else (value,):
            fields: tuple[Any, ...]
            if isinstance(v, torch.Tensor):
                if kind == "number":
                    continue
                fields = (len(uses), v, None, v._version, v.grad_fn, v.output_nr, v.requires_grad)
            elif isinstance(v, _NUMBERS):
                fields = (len(uses), None, v, 0, None, 0, False)
            else:
                continue
            uses.append(_new_use(Use, fields))
    return uses


def tensors_of(out: Any) -> Iterator[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        yield out
    elif isinstance(out, list | tuple):
        for item in out:
            if isinstance(item, torch.Tensor):
                yield item


# -- the recording ---------------------------------------------------------------------


class _Mode(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # True (the default) wraps __torch_dispatch__ in torch._dynamo.disable, whose first
        # call imports all of torch._dynamo (seconds) and every call costs a wrapper; a
        # recording never runs under torch.compile, so there is nothing to skip
        return False

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        kwargs = kwargs or {}
        rec = self.recording
        events = rec.events
        if events and events[-1].outputs is None:
            rec.settle(events[-1])
        if func is _DETACH:  # autograd saving an output for backward, mostly: not an op
            return func._op(*args, **kwargs)
        uses = operands(func, args)
        out = func._op(*args, **kwargs)  # the C++ op itself, without OpOverload.__call__
        events.append(Event(func, args, kwargs, uses, out, rec.where(), torch.is_grad_enabled()))
        return out


_CALL_IMPL = torch.nn.Module._call_impl.__code__  # the frame of every module call
_DETACH = torch.ops.aten.detach.default


class Recording:
    """What `record()` saw; draw it with `autograph.viz.draw(recording)` (see
    `__autograph_graph__`), check it with `autograph.torch.check(recording)`."""

    def __init__(self, model: torch.nn.Module | None = None, *, copy: bool = False) -> None:
        self.model = model
        self.copy = copy
        self.events: list[Event] = []
        self.ops: list[OpRecord] = []
        self.index: dict[Any, int] = {}  # autograd node -> index into ops
        self.sink = Sink()
        self.copies: dict[int, torch.Tensor] = {}  # copy=True: id(leaf) -> its copy
        self.names: dict[int, tuple[Any, str]] = {}  # id(tensor or node) -> (it, label)
        self.roots: list[tuple[torch.nn.Module, tuple[str, ...]]] = []
        self._paths: dict[int, tuple[str, ...]] = {}
        self._frames: dict[int, tuple[FrameType, Any]] = {}  # id(frame) -> (it, its module)
        self._modules: list[torch.nn.Module] = []  # keeps ids in _paths valid
        self._mode: _Mode | None = None
        self._done = False
        if model is not None:
            self._add_root(model, ())

    # -- the block ----------------------------------------------------------------------

    def __enter__(self) -> Recording:
        if self._done or self._mode is not None:
            raise RuntimeError("a Recording records one `with` block; call record() again")
        self._mode = _Mode(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._mode is not None
        self._mode.__exit__(*exc)
        self._mode = None  # it points back here: no cycle left for the collector
        self._done = True
        self._frames = {}
        if self.events:
            self.settle(self.events[-1])
        self._find_ops()
        self._attach()

    # -- module paths -------------------------------------------------------------------

    def _add_root(self, module: torch.nn.Module, prefix: tuple[str, ...]) -> None:
        self.roots.append((module, prefix))
        for name, sub in module.named_modules():
            if id(sub) not in self._paths:
                self._paths[id(sub)] = prefix + tuple(name.split(".")) if name else prefix
                self._modules.append(sub)

    def where(self) -> tuple[str, ...]:
        """The module path of the op running now: the innermost module being called, read
        from the call stack (cheaper than global module hooks, which send every module
        call down PyTorch's slow path). A module not under `model` (or, without it, under
        the first module called) is named after its class."""
        frame: FrameType | None = sys._getframe(2)
        unknown: list[torch.nn.Module] = []
        path = None
        while frame is not None:
            if frame.f_code is _CALL_IMPL:
                # one f_locals read per module call (frames are kept, so ids stay unique)
                seen = self._frames.get(id(frame))
                module = seen[1] if seen is not None else frame.f_locals.get("self")
                if seen is None:
                    self._frames[id(frame)] = (frame, module)
                path = self._paths.get(id(module))
                if path is not None:
                    break
                if isinstance(module, torch.nn.Module):
                    unknown.append(module)
            frame = frame.f_back
        if not unknown:
            return path or ()
        if path is None:  # the outermost module called: a root
            root = unknown.pop()
            self._add_root(root, (type(root).__name__,) if self.roots else ())
            path = self._paths[id(root)]
        for module in reversed(unknown):
            if id(module) not in self._paths:
                self._paths[id(module)] = path + (type(module).__name__,)
                self._modules.append(module)
            path = self._paths[id(module)]
        return path

    # -- after each op and at the end ---------------------------------------------------

    def settle(self, event: Event) -> None:
        """Read the autograd history of the event's outputs (set once the op returned)."""
        if event.outputs is None:
            out = event.out
            if isinstance(out, torch.Tensor):  # most ops: no generator
                event.outputs = [(out, out.grad_fn, out.output_nr, out._version)]
            else:
                event.outputs = [(t, t.grad_fn, t.output_nr, t._version) for t in tensors_of(out)]

    def _find_ops(self) -> None:
        """One OpRecord per autograd node the block made, in the order the ops ran."""
        for k, event in enumerate(self.events):
            for t, node, nr, version in event.outputs or ():
                # A torch.autograd.Function's output gets its node from apply(), after the
                # ops of its forward (run with grad disabled): at settle(), or only now
                custom = node is None or not event.grad_enabled
                if node is None:
                    node, nr = t.grad_fn, t.output_nr
                    if node is None or t._version != version:
                        continue
                if custom:
                    if node not in self.index:
                        self._add_op(node, None, k, event.scope)
                    op = self.ops[self.index[node]]
                    if op.event is None:
                        op.outputs.setdefault(nr, (t, version))
                elif node in self.index:  # a second output of the same node
                    op = self.ops[self.index[node]]
                    if op.origin == k:
                        op.outputs.setdefault(nr, (t, version))
                elif not any(u.grad_fn is node for u in event.uses):
                    self._add_op(node, k, k, event.scope).outputs[nr] = (t, version)
        for op in self.ops:
            if self.copy:
                op.outputs = {nr: (t.detach().clone(), 0) for nr, (t, _) in op.outputs.items()}
            op.local = _local_derivatives(op, None if op.event is None else self.events[op.event])
        if self.copy:
            for event in self.events:
                for use in event.uses:
                    leaf = use.tensor
                    if leaf is not None and leaf.grad_fn is None and id(leaf) not in self.copies:
                        self.copies[id(leaf)] = leaf.detach().clone()

    def _add_op(
        self, node: Any, event: int | None, origin: int, scope: tuple[str, ...]
    ) -> OpRecord:
        op = OpRecord(node, event, origin, {}, scope)
        self.index[node] = len(self.ops)
        self.ops.append(op)
        return op

    def _attach(self) -> None:
        fired = self.sink.fired
        for k, op in enumerate(self.ops):
            op.node.register_hook(functools.partial(fired, k))

    # -- labels -------------------------------------------------------------------------

    def name(self, **tensors: torch.Tensor) -> Recording:
        """Label tensors for the picture: `rec.name(apple=apple, price=price)`. A leaf is
        labelled itself; any other tensor, the op that made its current value."""
        for label, t in tensors.items():
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"name({label}=...) takes a tensor, got {type(t).__name__}")
            key: Any = t.grad_fn if t.grad_fn is not None else t
            self.names[id(key)] = (key, label)
        return self

    def label_of(self, obj: Any) -> str:
        entry = self.names.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else ""

    # -- drawing ------------------------------------------------------------------------

    def graph(self, output: torch.Tensor | None = None) -> Graph:
        """The graph model (`autograph.viz.model.Graph`) of what led to `output` (default:
        the tensor the last backward pass started from, else the last op recorded)."""
        return to_graph(self, output)

    def __autograph_graph__(self) -> Graph:
        return self.graph()

    def __repr__(self) -> str:
        passes = len(self.sink.passes)
        return f"<Recording: {len(self.ops)} autograd nodes, {passes} backward pass(es)>"


def _local_derivatives(op: OpRecord, event: Event | None) -> tuple[Any, ...] | None:
    """For an op whose output and inputs are single numbers: what its backward sends for an
    upstream of 1, i.e. the local derivatives (PyTorch's own formula, run once more before
    `backward()` frees what it saved). None otherwise, and for a user's
    `torch.autograd.Function`, whose backward only `backward()` itself runs."""
    node = op.node
    if op.event is None or list(op.outputs) != [0]:
        return None
    out = op.outputs[0][0]
    if out.dim() != 0 or not out.is_floating_point() or event is None:
        return None
    if any(use.tensor is not None and use.tensor.dim() != 0 for use in event.uses):
        return None
    try:
        with torch.no_grad():
            result = node(torch.ones_like(out))
    except (RuntimeError, TypeError):
        return None
    result = result if isinstance(result, tuple) else (result,)
    if any(r is not None and r.dim() != 0 for r in result):
        return None
    return tuple(None if r is None else r.detach() for r in result)


def record(model: torch.nn.Module | None = None, *, copy: bool = False) -> Recording:
    """Record the PyTorch ops run inside the `with` block for drawing:

        with autograph.torch.record(model) as rec:
            loss = loss_fn(model(x), t)
        loss.backward()
        autograph.viz.draw(rec)

    `model` names the modules (clusters) and parameters (`named_parameters()`); without it
    the first module called is the root. `copy=True` copies every op's output when the block
    ends, so that later in-place changes (`relu_`, `optimizer.step()`) cannot touch them
    (leaves and gradients are still checked by their version counters).
    """
    if model is not None and not isinstance(model, torch.nn.Module):
        raise TypeError(f"record(model) takes an nn.Module, got {type(model).__name__}")
    return Recording(model, copy=copy)
