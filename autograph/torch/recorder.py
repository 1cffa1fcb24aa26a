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
  read from the call stack (`scopes`);
- on leaving the block, a hook on each recorded autograd node (`Node.register_hook`)
  receives, when `backward()` runs it, the gradients the node got (`grad_outputs`) and sent
  to each of its inputs (`grad_inputs`), in the order PyTorch runs them (`Sink.passes`).

Tensors are kept by reference with their version counter (`tensor._version`), so a value
PyTorch changes in place later (`relu_`, `optimizer.step()`) is detected, never drawn wrong.
"""

from __future__ import annotations

import functools
import sys
from types import FrameType
from typing import Any

import torch
from torch import Tensor
from torch.utils._python_dispatch import TorchDispatchMode

from autograph.torch.convert import to_graph
from autograph.torch.events import (
    Event,
    History,
    OpRecord,
    Sink,
    State,
    fired,
    list_positions,
    tensors_of,
    uses_of,
)
from autograph.torch.scopes import Chain, Scopes
from autograph.viz.model import Graph

# -- the recording ---------------------------------------------------------------------


class _Mode(TorchDispatchMode):
    """The hot path: one call per ATen op. It stores a raw entry per op (`Recording.raw`)
    and reads what autograd set on the previous op's outputs; everything else waits for the
    end of the block or for the picture."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # True (the default) wraps __torch_dispatch__ in torch._dynamo.disable, whose first
        # call imports all of torch._dynamo (seconds) and every call costs a wrapper; a
        # recording never runs under torch.compile, so there is nothing to skip
        return False

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording
        self.raw = recording.raw
        self.scopes: dict[FrameType, Chain] = {}  # calling frame -> the modules being called
        self.open: list[Any] | None = None  # the last entry, until its outputs are read

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        entry = self.open
        if entry is not None:  # autograd has set the previous op's outputs' history now
            self.open = None
            out = entry[4]
            entry[7] = (
                [(out, out.grad_fn, out.output_nr, out._version)]
                if isinstance(out, Tensor)
                else history(out)
            )
        if func is _DETACH:  # autograd saving an output for backward, mostly: not an op
            return func._op(*args, **kwargs) if kwargs else func._op(*args)
        states: list[State] = [
            (a, a._version, a.grad_fn, a.output_nr, a.requires_grad)
            for a in args
            if isinstance(a, Tensor)
        ]
        lists = _LISTS.get(id(func))
        if lists is None or lists[1]:  # cat, stack: tensors inside lists
            states += list_states(func, args)
        # the C++ op itself, without OpOverload.__call__
        out = func._op(*args, **kwargs) if kwargs else func._op(*args)
        frame = sys._getframe(1)  # the Python code that ran the op
        scope = self.scopes.get(frame)
        if scope is None:
            scope = self.scopes[frame] = self.recording.scopes.chain(frame)
        entry = [func, args, kwargs, states, out, scope, _grad_enabled(), None]
        self.raw.append(entry)
        self.open = entry
        return out


def history(out: Any) -> list[History]:
    """What autograd set on an op's outputs: (tensor, grad_fn, output_nr, version)."""
    return [(t, t.grad_fn, t.output_nr, t._version) for t in tensors_of(out)]


def list_states(func: Any, args: tuple[Any, ...]) -> list[State]:
    """The states of the tensors inside an op's list arguments (most ops take none)."""
    positions = list_positions(func)
    _LISTS[id(func)] = (func, positions)  # kept alive: its id stays its own
    states: list[State] = []
    for i in positions:
        for a in args[i] if i < len(args) and args[i] is not None else ():
            if isinstance(a, Tensor):
                states.append((a, a._version, a.grad_fn, a.output_nr, a.requires_grad))
    return states


# id(func) -> (func, its list-of-tensors operands' positions): an int key, since an
# OpOverload's hash is a Python method, and the hot path looks this up once per op
_LISTS: dict[int, tuple[Any, tuple[int, ...]]] = {}
_grad_enabled = torch.is_grad_enabled

_DETACH = torch.ops.aten.detach.default


class Recording:
    """What `record()` saw; draw it with `autograph.viz.draw(recording)` (see
    `__autograph_graph__`), check it with `autograph.torch.check(recording)`."""

    def __init__(self, model: torch.nn.Module | None = None, *, copy: bool = False) -> None:
        self.model = model
        self.copy = copy
        # one entry per op: [func, args, kwargs, operand states, out, scope (a Chain until
        # named), grad enabled, outputs' history]; `events` builds the `Event`s when asked
        self.raw: list[list[Any]] = []
        self._events: list[Event] | None = None
        self._ops: list[OpRecord] = []
        self.index: dict[Any, int] = {}  # autograd node -> index into ops
        self.sink = Sink()
        self.copies: dict[int, torch.Tensor] = {}  # copy=True: id(leaf) -> its copy
        self.names: dict[int, tuple[Any, str]] = {}  # id(tensor or node) -> (it, label)
        self.scopes = Scopes()
        self._named = False  # whether the scopes are paths yet
        self._mode: _Mode | None = None
        self._done = False

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
        mode, self._mode = self._mode, None  # it points back here: no cycle left
        entry = mode.open
        if entry is not None:
            entry[7] = history(entry[4])
        mode.scopes.clear()  # the frames it kept
        self.scopes.done()
        self._done = True
        self._find_ops()
        self._attach()

    # -- module paths -------------------------------------------------------------------

    def _name_scopes(self) -> None:
        """Each op's chain of modules -> its module path, once the block has ended: the
        naming a recorded step does not pay for (`scopes`)."""
        if self._named or not self._done:
            return
        self._named = True
        if self.model is not None:
            self.scopes.add_root(self.model, ())
        named: dict[int, tuple[Chain, tuple[str, ...]]] = {}  # id(chain) -> (it, path)
        for entry in self.raw:  # in the order the ops ran, as naming roots needs
            chain = entry[5]
            if id(chain) not in named:
                named[id(chain)] = (chain, self.scopes.path(chain))
            entry[5] = named[id(chain)][1]
        for op in self._ops:
            op.scope = named[id(op.scope)][1]

    @property
    def ops(self) -> list[OpRecord]:
        """One `OpRecord` per autograd node the block made, in the order the ops ran."""
        self._name_scopes()
        return self._ops

    @property
    def roots(self) -> list[tuple[torch.nn.Module, tuple[str, ...]]]:
        """The modules paths are named from, with their prefixes: the model first."""
        self._name_scopes()
        return self.scopes.roots

    # -- after each op and at the end ---------------------------------------------------

    @property
    def events(self) -> list[Event]:
        """Every ATen op the block ran, in order (built from `raw` on first use)."""
        if self._events is not None and len(self._events) == len(self.raw):
            return self._events
        self._name_scopes()  # while the block runs, scopes are still chains
        events = [
            Event(func, args, kwargs or {}, uses_of(func, args, states), out, scope, grad, outs)
            for func, args, kwargs, states, out, scope, grad, outs in self.raw
        ]
        if self._done:
            self._events = events
        return events

    def _find_ops(self) -> None:
        """One OpRecord per autograd node the block made, in the order the ops ran."""
        index, ops = self.index, self._ops
        for k, (_, _, _, states, _, scope, grad, outputs) in enumerate(self.raw):
            for t, node, nr, version in outputs:
                # A torch.autograd.Function's output gets its node from apply(), after the
                # ops of its forward (run with grad disabled): at settling, or only now
                custom = node is None or not grad
                if node is None:
                    node, nr = t.grad_fn, t.output_nr
                    if node is None or t._version != version:
                        continue
                if custom:
                    op = ops[index[node]] if node in index else self._add_op(node, None, k, scope)
                    if op.event is None:
                        op.outputs.setdefault(nr, (t, version))
                elif node in index:  # a second output of the same node
                    op = ops[index[node]]
                    if op.origin == k:
                        op.outputs.setdefault(nr, (t, version))
                else:
                    for state in states:
                        if state[2] is node:  # an in-place op's input: not its own node
                            break
                    else:
                        self._add_op(node, k, k, scope).outputs[nr] = (t, version)
        if self.copy:
            for op in ops:
                op.outputs = {nr: (t.detach().clone(), 0) for nr, (t, _) in op.outputs.items()}
            for entry in self.raw:
                for leaf, *_ in entry[3]:
                    if leaf.grad_fn is None and id(leaf) not in self.copies:
                        self.copies[id(leaf)] = leaf.detach().clone()

    def _add_op(
        self, node: Any, event: int | None, origin: int, scope: tuple[str, ...]
    ) -> OpRecord:
        op = OpRecord(node, event, origin, {}, scope)
        self.index[node] = len(self._ops)
        self._ops.append(op)
        return op

    def _attach(self) -> None:
        log, raw = self.sink.log, self.raw
        for k, op in enumerate(self._ops):
            if op.event is not None and _one_number(op.outputs):
                op.local = _local_derivatives(op, raw[op.event][3])
            op.node.register_hook(functools.partial(fired, log, k))

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
        return f"<Recording: {len(self._ops)} autograd nodes, {passes} backward pass(es)>"


def _one_number(outputs: dict[int, tuple[torch.Tensor, int]]) -> bool:
    return len(outputs) == 1 and 0 in outputs and outputs[0][0].dim() == 0


def _local_derivatives(op: OpRecord, states: list[State]) -> tuple[Any, ...] | None:
    """For an op whose output and inputs are single numbers: what its backward sends for an
    upstream of 1, i.e. the local derivatives (PyTorch's own formula, run once more before
    `backward()` frees what it saved). None otherwise, and for a user's
    `torch.autograd.Function`, whose backward only `backward()` itself runs."""
    out = op.outputs[0][0]
    if not out.is_floating_point() or any(state[0].dim() != 0 for state in states):
        return None
    try:
        with torch.no_grad():
            result = op.node(torch.ones_like(out))
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
