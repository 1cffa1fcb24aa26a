"""A `Recording` -> the graph model (`autograph.viz.model.Graph`) every picture reads.

- Operations are PyTorch's autograd nodes, in autograph's order (`walk`: inputs first, the
  output last); each argument of the op that ran is an edge, matched to the node's
  `next_functions` (what its backward sends along it) by the autograd edge each tensor had.
- Leaves are parameters (named by `named_parameters()`), buffers, the user's tensors
  (`Recording.name`), numbers (`x * 2`), and tensors made before the block.
- Gradients are what the node hooks saw PyTorch send (never recomputed); the steps are the
  hooks' calls in the order PyTorch ran them.
- A value or gradient whose version counter moved since it was recorded is left out
  (`None`, drawn "?") and named in the model's warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from autograph.torch.ops import DISPLAY_ORDER, aten_name, op_attrs, op_name
from autograph.viz.model import Edge, Graph, Node, Sent, Step, one_pass_totals, same_number

if TYPE_CHECKING:
    from autograph.torch.events import OpRecord, Use
    from autograph.torch.recorder import Recording

Key = tuple[Any, ...]  # ("op", index) | ("t", id) | ("g", id, nr) | ("n", op, position)


@dataclass(slots=True)
class Input:
    """One argument of a recorded op, as drawn."""

    key: Key
    nr: int  # which output of the source op it is
    value: Any  # (tensor, version) as the op got it, a number, or None (unknown)
    slot: int | None  # its position in the node's next_functions; None: no gradient
    operand: int | None = None  # its position among the ATen op's operands (None: no op)


def is_accumulate(fn: Any) -> bool:
    return type(fn).__name__ == "AccumulateGrad"


def _fits(use: Use, fn: Any, nr: int) -> bool:
    if fn is None:
        return not use.requires_grad
    if is_accumulate(fn):
        return use.grad_fn is None and use.requires_grad and fn.variable is use.tensor
    return use.grad_fn is fn and use.output_nr == nr


def match(uses: list[Use], next_functions: Any) -> list[int | None] | None:
    """For each operand, its slot in `next_functions` (None: none), matching in order; None
    when the operands cannot account for every slot."""
    slots: list[int | None] = [None] * len(uses)
    u = 0
    for j, (fn, nr) in enumerate(next_functions):
        while u < len(uses) and not _fits(uses[u], fn, nr):
            u += 1
        if u == len(uses):
            return None
        slots[u] = j
        u += 1
    return slots


class Converter:
    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.leaves: dict[Key, Any] = {}  # leaf key -> tensor, number or None (unknown)
        self.first_use: dict[Key, int] = {}  # leaf key -> the tensor's version when first used
        self.changed: list[str] = []
        self._made_in: dict[int, tuple[str, ...]] | None = None
        self._values: dict[tuple[int, int], Any] = {}

    # -- values -------------------------------------------------------------------------

    def value(self, ref: Any, what: str) -> Any:
        """A recorded tensor as NumPy (a copy), or None when it changed since (noted)."""
        if not isinstance(ref, tuple):
            return ref  # a number
        t, version = ref
        copy = self.rec.copies.get(id(t))
        if copy is not None:
            t, version = copy, copy._version
        if t._version != version:
            self.changed.append(what)
            return None
        key = (id(t), version)
        if key not in self._values:
            self._values[key] = numpy_of(t)
        return self._values[key]

    def made_in(self) -> dict[int, tuple[str, ...]]:
        """id(tensor) -> the scope of the op that made it, for tensors made without a node."""
        if self._made_in is None:
            self._made_in = {
                id(t): event.scope
                for event in self.rec.events
                for t, node, _, _ in event.outputs or ()
                if node is None
            }
        return self._made_in

    # -- the arguments of each op ---------------------------------------------------------

    def inputs(self, i: int) -> list[Input]:
        op = self.rec.ops[i]
        nf = op.node.next_functions
        if op.event is not None:
            event = self.rec.events[op.event]
            slots = match(event.uses, nf)
            if slots is not None:
                found = [
                    self._from_use(i, use, slot)
                    for use, slot in zip(event.uses, slots, strict=True)
                ]
                order = DISPLAY_ORDER.get(aten_name(event.func))
                if order is not None and len(order) == len(found):
                    found = [found[k] for k in order]
                return found
        return [self._from_edge(fn, nr, j) for j, (fn, nr) in enumerate(nf) if fn is not None]

    def _from_use(self, i: int, use: Use, slot: int | None) -> Input:
        if use.tensor is None:
            key: Key = ("n", i, use.position)
            self.leaves[key] = use.number
            return Input(key, 0, use.number, slot, use.position)
        fn = use.grad_fn
        if fn is not None and fn in self.rec.index:
            ref = (use.tensor, use.version)
            return Input(("op", self.rec.index[fn]), use.output_nr, ref, slot, use.position)
        key = ("t", id(use.tensor)) if fn is None else ("g", id(fn), use.output_nr)
        self.leaves.setdefault(key, use.tensor)
        self.first_use.setdefault(key, use.version)
        return Input(key, 0, (use.tensor, use.version), slot, use.position)

    def _from_edge(self, fn: Any, nr: int, slot: int) -> Input:
        if fn in self.rec.index:
            return Input(("op", self.rec.index[fn]), nr, None, slot)
        if is_accumulate(fn):
            t = fn.variable
            self.leaves.setdefault(("t", id(t)), t)
            self.first_use.setdefault(("t", id(t)), t._version)
            return Input(("t", id(t)), 0, (t, t._version), slot)
        key = ("g", id(fn), nr)
        self.leaves.setdefault(key, None)  # made before the block, never seen: unknown
        return Input(key, 0, None, slot)


def numpy_of(t: torch.Tensor) -> Any:
    """A tensor's values as a NumPy copy (a NumPy scalar for a 0-dim tensor)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        t = t.float()  # NumPy has no bfloat16
    a = np.array(t.numpy(force=True), copy=True)
    return a[()] if a.ndim == 0 else a


def _walk(root: Key, parents: dict[Key, list[Key]]) -> list[Key]:
    """autograph's `walk` order over keys: inputs first, deterministic, iterative."""
    consumers: dict[Key, int] = {root: 0}
    stack = [root]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p in consumers:
                consumers[p] += 1
            else:
                consumers[p] = 1
                stack.append(p)
    order, ready = [], [root]
    while ready:
        key = ready.pop()
        order.append(key)
        for p in parents.get(key, ()):
            consumers[p] -= 1
            if consumers[p] == 0:
                ready.append(p)
    order.reverse()
    return order


def _kind(data: Any) -> tuple[str, tuple[int, ...] | None, str | None]:
    if isinstance(data, np.ndarray):
        return "tensor", tuple(data.shape), str(data.dtype)
    if isinstance(data, np.generic):
        return "value", None, str(data.dtype)
    return "value", None, None


def _common(scopes: list[tuple[str, ...]]) -> tuple[str, ...]:
    if not scopes:
        return ()
    first = scopes[0]
    n = len(first)
    for s in scopes[1:]:
        n = min(n, len(s))
        for k in range(n):
            if s[k] != first[k]:
                n = k
                break
    return first[:n]


def _module_names(rec: Recording) -> dict[int, tuple[str, str]]:
    """id(parameter or buffer) -> (its dotted name, role)."""
    names: dict[int, tuple[str, str]] = {}
    for module, prefix in rec.roots:
        for name, p in module.named_parameters():
            names.setdefault(id(p), (".".join(prefix + (name,)), "parameter"))
        for name, b in module.named_buffers():
            names.setdefault(id(b), (".".join(prefix + (name,)), "constant"))
    return names


def root_op(rec: Recording, output: torch.Tensor | None) -> int:
    if output is not None:
        fn = output.grad_fn if isinstance(output, torch.Tensor) else None
        if fn is None or fn not in rec.index:
            raise ValueError(
                "output= must be a tensor computed inside this recording's `with` block"
            )
        return rec.index[fn]
    if rec.sink.passes:
        return rec.sink.passes[-1][0].op
    if not rec.ops:
        raise ValueError(
            "nothing to draw: no op inside the `with record():` block needed a gradient "
            "(give the parameters or inputs requires_grad=True, and run the forward pass "
            "inside the block)"
        )
    return len(rec.ops) - 1


@dataclass
class Converted:
    """The model, and which recorded op or leaf each of its nodes is (for `check`)."""

    graph: Graph
    order: list[Key]  # order[k]: the key of model node k
    inputs: dict[Key, list[Input]]  # each op's arguments, as drawn


def to_graph(rec: Recording, output: torch.Tensor | None = None) -> Graph:
    """The model of what led to `output` (see the module docstring)."""
    return convert(rec, output).graph


def convert(rec: Recording, output: torch.Tensor | None = None) -> Converted:
    with torch.no_grad():
        return _build(rec, output)


def _build(rec: Recording, output: torch.Tensor | None) -> Converted:
    conv = Converter(rec)
    root: Key = ("op", root_op(rec, output))
    inputs: dict[Key, list[Input]] = {}
    parents: dict[Key, list[Key]] = {}
    stack = [root]
    while stack:  # the ops `root` depends on, and their arguments
        key = stack.pop()
        if key in inputs or key[0] != "op":
            continue
        inputs[key] = conv.inputs(key[1])
        parents[key] = [inp.key for inp in inputs[key]]
        stack.extend(k for k in parents[key] if k[0] == "op" and k not in inputs)
    order = _walk(root, parents)
    index = {key: k for k, key in enumerate(order)}
    named = _module_names(rec)
    nodes: list[Node] = []
    edges: list[Edge] = []
    consumers: dict[Key, list[tuple[str, ...]]] = {}
    for key in order:
        if key[0] == "op":
            for inp in inputs[key]:
                consumers.setdefault(inp.key, []).append(rec.ops[key[1]].scope)
    for k, key in enumerate(order):
        if key[0] == "op":
            nodes.append(_op_node(conv, rec.ops[key[1]], key == root, k))
            for i, inp in enumerate(inputs[key]):
                value = inp.value
                if inp.key[0] == "op":  # what the op made (copy=True: its copy)
                    value = rec.ops[inp.key[1]].outputs.get(inp.nr)
                edges.append(Edge(index[inp.key], k, i, conv.value(value, f"n{k} input {i}")))
        else:
            nodes.append(_leaf_node(conv, key, named, consumers.get(key, [])))
    graph = Graph(nodes, edges, scope_separator=".")
    _fill_pass(rec, conv, graph, order, inputs)
    if conv.changed:
        graph.warnings.append(
            f"{len(conv.changed)} recorded values or gradients were changed in place after "
            f"they were recorded (e.g. by relu_ or optimizer.step()); they are drawn as '?' "
            f"({', '.join(conv.changed[:4])}{', ...' if len(conv.changed) > 4 else ''}). "
            "Draw before changing them, or record(copy=True)"
        )
    return Converted(graph, order, inputs)


def _op_node(conv: Converter, op: OpRecord, is_root: bool, k: int) -> Node:
    rec = conv.rec
    event = rec.events[op.event] if op.event is not None else None
    nr = 0 if 0 in op.outputs else min(op.outputs, default=0)
    data = conv.value(op.outputs.get(nr), f"n{k}")
    kind, shape, dtype = _kind(data)
    return Node(
        op_name(event.func if event else None, op.node),
        rec.label_of(op.node),
        data,
        kind,
        shape,
        dtype,
        op.scope,
        "output" if is_root else "op",
        True,
        None,
        op_attrs(event.func, event.args) if event else {},
    )


def _leaf_node(
    conv: Converter, key: Key, named: dict[int, tuple[str, str]], used_in: list[tuple[str, ...]]
) -> Node:
    obj = conv.leaves.get(key)
    if not isinstance(obj, torch.Tensor):  # a number (in its op's scope), or never seen
        kind, shape, dtype = _kind(obj)
        return Node("", "", obj, kind, shape, dtype, _common(used_in), "constant")
    label = conv.rec.label_of(obj)
    # a tensor made inside the block without a gradient (a dropout mask): where it was made
    scope = conv.made_in().get(id(obj), ())
    name = named.get(id(obj))
    if name is not None:
        role = name[1]
        label = label or name[0]
        scope = _common(used_in)  # drawn in the module that uses it
    elif obj.requires_grad:
        role = "input"
    else:
        role = "input" if label or obj.numel() > 1 else "constant"
    version = conv.first_use.get(key)
    data = conv.value((obj, version), label or "a leaf") if version is not None else None
    kind, shape, dtype = _kind(data)
    return Node("", label, data, kind, shape, dtype, scope, role, obj.requires_grad)


def _upstream(conv: Converter, grads: tuple[Any, ...], k: int) -> Any:
    """What a step received: its one output's gradient, or a tuple for several outputs."""
    values = [None if g is None else conv.value((g, g._version), f"n{k} upstream") for g in grads]
    known = [v for v in values if v is not None]
    return known[0] if len(known) <= 1 else tuple(values)


def _fill_pass(
    rec: Recording,
    conv: Converter,
    graph: Graph,
    order: list[Key],
    inputs: dict[Key, list[Input]],
) -> None:
    """Steps, edge gradients and node totals from the last backward pass the hooks saw."""
    index = {key: k for k, key in enumerate(order)}
    passes = rec.sink.passes
    fired = [f for f in passes[-1] if ("op", f.op) in index] if passes else []
    if not fired or ("op", fired[0].op) != order[graph.root]:
        graph.warnings.append(
            "no backward pass has run through this recording's output yet: call backward() "
            "after the `with` block to see the gradients"
        )
        return
    if len(passes) > 1:
        graph.warnings.append(
            f"backward ran {len(passes)} times through this recording; the picture shows "
            "the last pass"
        )
    steps: list[Step] = []
    for f in fired:
        key = ("op", f.op)
        k = index[key]
        local = rec.ops[f.op].local
        sents = []
        for i, inp in enumerate(inputs[key]):
            slot = inp.slot
            if slot is None or slot >= len(f.grad_inputs) or f.grad_inputs[slot] is None:
                continue
            grad = conv.value((f.grad_inputs[slot], f.versions[slot]), f"n{k} gradient {i}")
            d = local[slot] if local is not None and slot < len(local) else None
            sents.append(Sent(i, index[inp.key], None if d is None else numpy_of(d), grad))
        steps.append(Step(len(steps) + 1, k, _upstream(conv, f.grad_outputs, k), sents))
    graph.steps = steps
    graph.seed = steps[0].upstream
    nodes = graph.nodes
    nodes[graph.root].grad = graph.seed
    for step in steps:
        nodes[step.node].grad = step.upstream
        for sent in step.inputs:
            graph.edge_into(step.node, sent.input).grad = sent.grad
    other = []
    for k, total in one_pass_totals(graph).items():
        node = nodes[k]
        if not node.is_leaf:
            continue
        node.grad = total
        tensor = conv.leaves.get(order[k])
        held = tensor.grad if isinstance(tensor, torch.Tensor) and tensor.is_leaf else None
        if held is not None and total is not None and not same_number(numpy_of(held), total):
            other.append(node.label or f"n{k}")
    if other:
        graph.warnings.append(
            f"{', '.join(other[:4])}{', ...' if len(other) > 4 else ''}: .grad holds another "
            "gradient than this pass sent (accumulated over several backward passes, or "
            "changed since); the picture shows what this pass sent"
        )
