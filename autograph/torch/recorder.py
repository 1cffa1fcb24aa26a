"""`record()`: what a PyTorch forward pass computed, and what its backward pass sent back.

Three of PyTorch's public mechanisms, each used only inside the `with` block or on the
nodes it recorded (nothing stays installed; a forward pass outside the block costs nothing):

- a `TorchDispatchMode` sees every ATen op below autograd: its function, arguments and
  outputs (`Event`). Each op that autograd records gets exactly one autograd node; that node
  is the output's `grad_fn`, read when the next op starts (autograd sets it after the op
  returns). A `torch.autograd.Function`'s node is found when the block ends, on the output
  its forward returned;
- global `nn.Module` forward pre-/post-hooks keep the module path of the op (its scope);
- on leaving the block, a hook on each recorded autograd node (`Node.register_hook`)
  receives, when `backward()` runs it, the gradients the node got (`grad_outputs`) and sent
  to each of its inputs (`grad_inputs`), in the order PyTorch runs them (`Pass`).

Tensors are kept by reference with their version counter (`tensor._version`), so a value
PyTorch changes in place later (`relu_`, `optimizer.step()`) is detected, never drawn wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.nn.modules import module as nn_module
from torch.utils._python_dispatch import TorchDispatchMode

from autograph.torch.convert import to_graph
from autograph.viz.model import Graph

# -- what was recorded -----------------------------------------------------------------


@dataclass(slots=True)
class Use:
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
    # filled in once autograd has set the outputs' history: (tensor, grad_fn, nr, version)
    outputs: list[tuple[torch.Tensor, Any, int, int]] = field(default_factory=list)


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
        versions = tuple(g._version if g is not None else 0 for g in grad_inputs)
        self.passes[-1].append(Fired(op, tuple(grad_inputs), tuple(grad_outputs), versions))


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


def _use(position: int, value: Any) -> Use | None:
    if isinstance(value, torch.Tensor):
        return Use(
            position,
            value,
            None,
            value._version,
            value.grad_fn,
            value.output_nr,
            value.requires_grad,
        )
    if isinstance(value, int | float | complex | bool):
        return Use(position, None, value)
    return None


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | complex | bool)


def operand_slots(func: Any, args: tuple[Any, ...]) -> Iterator[tuple[int, int | None, Any]]:
    """Each operand of an op call: (argument index, index in a list argument or None, the
    tensor or number), in order: operand `k` of `operands()` is the k-th of these."""
    n = len(args)
    for i, kind in operand_spec(func):
        if i >= n:
            break
        value = args[i]
        if kind == "list":
            for j, item in enumerate(value or ()):
                if isinstance(item, torch.Tensor) or _is_number(item):
                    yield i, j, item
        elif _is_number(value) or (kind != "number" and isinstance(value, torch.Tensor)):
            yield i, None, value


def operands(func: Any, args: tuple[Any, ...]) -> list[Use]:
    uses: list[Use] = []
    for _, _, value in operand_slots(func, args):
        use = _use(len(uses), value)
        if use is not None:
            uses.append(use)
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
        if rec.events:
            rec.settle(rec.events[-1])
        uses = operands(func, args)
        out = func(*args, **kwargs)
        rec.events.append(Event(func, args, kwargs, uses, out, rec.scope, torch.is_grad_enabled()))
        return out


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
        self.scope: tuple[str, ...] = ()
        self._stack: list[tuple[str, ...]] = []
        self._paths: dict[int, tuple[str, ...]] = {}
        self._modules: list[torch.nn.Module] = []  # keeps ids in _paths valid
        self._handles: list[Any] = []
        self._mode: _Mode | None = None
        self._done = False
        if model is not None:
            self._add_root(model, ())

    # -- the block ----------------------------------------------------------------------

    def __enter__(self) -> Recording:
        if self._done or self._mode is not None:
            raise RuntimeError("a Recording records one `with` block; call record() again")
        self._handles = [
            nn_module.register_module_forward_pre_hook(self._enter_module),
            nn_module.register_module_forward_hook(self._leave_module, always_call=True),
        ]
        self._mode = _Mode(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._mode is not None
        self._mode.__exit__(*exc)
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._done = True
        if self.events:
            self.settle(self.events[-1])
        self._find_ops()
        self._attach()

    # -- module paths -------------------------------------------------------------------

    def _add_root(self, module: torch.nn.Module, prefix: tuple[str, ...]) -> None:
        self.roots.append((module, prefix))
        for name, sub in module.named_modules():
            if id(sub) not in self._paths:
                self._paths[id(sub)] = prefix + tuple(p for p in name.split(".") if p)
                self._modules.append(sub)

    def _enter_module(self, module: torch.nn.Module, args: Any) -> None:
        path = self._paths.get(id(module))
        if path is None:
            if not self._stack and not self.roots:
                self._add_root(module, ())
            elif not self._stack:
                self._add_root(module, (type(module).__name__,))
            else:
                self._paths[id(module)] = self._stack[-1] + (type(module).__name__,)
                self._modules.append(module)
            path = self._paths[id(module)]
        self._stack.append(path)
        self.scope = path

    def _leave_module(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        if self._stack:
            self._stack.pop()
        self.scope = self._stack[-1] if self._stack else ()

    # -- after each op and at the end ---------------------------------------------------

    def settle(self, event: Event) -> None:
        """Read the autograd history of the event's outputs (set once the op returned)."""
        if event.outputs:
            return
        event.outputs = [
            (t, t.grad_fn, t.output_nr, t._version) for t in tensors_of(event.out)
        ] or [(torch.empty(0), None, 0, 0)]  # no tensor output: settled all the same

    def _find_ops(self) -> None:
        """One OpRecord per autograd node the block made, in the order the ops ran."""
        for k, event in enumerate(self.events):
            for t, node, nr, version in event.outputs:
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
            op.local = _local_derivatives(op)
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


def _local_derivatives(op: OpRecord) -> tuple[Any, ...] | None:
    """For an op whose output and inputs are single numbers: what its backward sends for an
    upstream of 1, i.e. the local derivatives (PyTorch's own formula, run once more before
    `backward()` frees what it saved). None otherwise, and for a user's
    `torch.autograd.Function`, whose backward only `backward()` itself runs."""
    node = op.node
    if list(op.outputs) != [0] or isinstance(node, torch.autograd.function.BackwardCFunction):
        return None
    out = op.outputs[0][0]
    if out.dim() != 0 or not out.is_floating_point():
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
