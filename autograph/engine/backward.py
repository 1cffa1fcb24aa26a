"""The one backward pass: reverse-mode autodiff over a reference-counted topological order.

`propagate` visits each node once, only after every node that consumed it has sent its
gradient (edges are counted, so `a * a` sends two contributions to `a`). Gradients are
accumulated out of place and an intermediate gradient is dropped as soon as it has been
passed on. No recursion: a chain of any depth takes linear time.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograph.engine.broadcast import ShapeError, sum_broadcast_axes
from autograph.engine.exact import as_float, bounded
from autograph.engine.mode import WRITES, enable_grad
from autograph.engine.rules import GRAPH, RULES, rule_for

if TYPE_CHECKING:  # node.py imports this module (Node.backward calls backward below)
    from autograph.engine.node import Node

# on_step(node, g, [(i, parent, g_parent), ...]): see propagate
StepHook = Callable[["Node", Any, list[tuple[int, "Node", Any]]], None]


def propagate(
    root: Node,
    seed: Any,
    *,
    create_graph: bool = False,
    retain_all: bool = False,
    wanted: dict[Node, Any] | None = None,
    on_step: StepHook | None = None,
) -> None:
    """Send `seed` = d(loss)/d(root) backwards through every node that needs a gradient.

    Without `wanted` (what `backward()` does): leaves accumulate into `.grad`, and op nodes
    store theirs when `retain_all` or `node.retains_grad`. With `wanted` (what `gradients()`
    does): nothing is stored on nodes; each wanted node's final gradient is put in the dict
    (`wanted={}` stores nothing anywhere). In data mode rules see raw numbers/arrays; with
    `create_graph` they see nodes, so the backward pass is recorded.

    `on_step(node, g, sent)` is called once for every op node the pass visits, in the pass's
    order (the root first; a node only after every node that consumed it), right after the
    node has sent its gradient on and before any of its inputs is visited:
    - `g` is d(loss)/d(node), complete (every consumer's contribution summed);
    - `sent` is `[(i, parent, g_parent), ...]`, one entry per input that needs a gradient,
      in argument order: what the node sends to its input `i` (its edge gradient), already
      summed back to the input's shape. An input used twice (`a * a`) appears twice.
    Leaves are not steps. The values are what the pass stores and propagates (raw data, or
    nodes under `create_graph`); the hook must not modify them.
    """
    # Pass 1: mark every node that needs a gradient and count the edges into it. The
    # bookkeeping lives in node slots (_mark, _pending, _upstream) rather than dicts: this
    # loop runs once per edge and is most of the cost of a scalar backward pass.
    mark = object()
    root._mark, root._pending, root._upstream = mark, 0, seed
    stack = [root]
    while stack:
        node = stack.pop()
        # kept for pass 2, which then needs no second `parents` call (a tuple per node is
        # fine here: the collector is paused during the pass, and pass 2 drops it)
        parents = node._inputs = node.parents
        for parent in parents:
            if parent._mark is mark:
                parent._pending += 1
            elif parent.requires_grad:
                parent._mark, parent._pending, parent._upstream = mark, 1, None
                if parent.op:  # leaves ("" op) have no inputs to visit
                    stack.append(parent)

    # Pass 2: a node is ready once every consumer has sent its contribution.
    math = GRAPH if create_graph else root._math
    broadcasts = root._broadcasts
    rules = RULES
    clock = WRITES[0]  # a node made before the latest data write must check its inputs
    # Exact numbers (int, Fraction) must stay small (exact.py). A float seed makes every
    # gradient a float, so only a pass seeded with an exact number checks its gradients.
    exact = not broadcasts and not create_graph and seed.__class__ is not float
    ready = [root]
    pop, push = ready.pop, ready.append
    while ready:
        node = pop()
        g = node._upstream
        node._upstream = node._mark = None  # free it: every consumer has contributed
        op = node.op
        if wanted is not None:
            if node in wanted:
                wanted[node] = g
            if not op:
                continue
        elif not op:  # a leaf: nothing to send on
            node._accumulate(g)
            continue
        elif retain_all or node.retains_grad:
            node.grad = g
        if node._stamp < clock:  # made before the latest data write (or itself written)
            node._check_unmodified()
        parents = node._inputs  # type: ignore[assignment]  # (set in pass 1)
        node._inputs = None
        rule = rules.get(op) or rule_for(op)
        xs: tuple[Any, ...]
        if create_graph:
            xs, out = parents, node
        elif len(parents) == 2:
            xs, out = (parents[0]._data, parents[1]._data), node._data
        else:
            xs, out = tuple([parent._data for parent in parents]), node._data
        params = node.params
        steps: list[tuple[int, Node, Any]] | None = [] if on_step is not None else None
        i = -1
        for parent in parents:
            i += 1
            if not parent.requires_grad:
                continue
            try:
                gx = rule(math, g, out, xs, i, params)
            except OverflowError:  # an int beyond the float range met a float (numbers only)
                if broadcasts or create_graph:
                    raise
                floats = tuple([as_float(x) for x in xs])
                gx = rule(math, as_float(g), as_float(out), floats, i, params)
            if broadcasts:
                if gx.shape != parent._data.shape:
                    gx = (
                        math.sum_to(gx, parent._data.shape)
                        if create_graph
                        else sum_broadcast_axes(gx, parent._data.shape, op)
                    )
            elif exact:
                gx = bounded(gx)
            if steps is not None:
                steps.append((i, parent, gx))
            previous = parent._upstream
            if previous is None:
                parent._upstream = gx
            else:
                parent._upstream = bounded(previous + gx) if exact else previous + gx
            parent._pending -= 1
            if not parent._pending:
                push(parent)
        gx = None  # hold no stale reference: a leaf may take its gradient without a copy
        if on_step is not None and steps is not None:
            on_step(node, g, steps)


def _run(pass_: Callable[..., None], *args: Any, create_graph: bool, **kwargs: Any) -> None:
    """Run a backward pass with the cyclic garbage collector paused (and recording on when
    the pass itself is to be recorded).

    The pass allocates many short-lived dicts and arrays but never a reference cycle (nodes
    hold no closures), so reference counting frees everything; letting the collector walk
    the whole graph again and again only costs time (about half the pass, measured). Plain
    try/finally rather than context managers: this wraps every training step.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if create_graph:
            with enable_grad():
                pass_(*args, create_graph=True, **kwargs)
        else:
            pass_(*args, **kwargs)
    finally:
        if was_enabled:
            gc.enable()


def default_seed(root: Node, gradient: Any, create_graph: bool) -> Any:
    """d(loss)/d(root) to start from: 1 for a single number; otherwise the caller's.

    A seed given as a node stays a node under `create_graph`, so that the results can be
    differentiated with respect to it (the double-VJP trick); otherwise its data is used.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this node does not require grad: none of the leaves it was computed "
            "from has requires_grad=True (Tensor leaves default to False)"
        )
    return root._initial_gradient(gradient, create_graph)


def check_retain_graph(retain_graph: Any) -> None:
    """PyTorch's `retain_graph` is accepted and has no effect: autograph never frees a graph
    in a backward pass (pictures need it), so a second pass always works."""
    if retain_graph is not None and not isinstance(retain_graph, bool):
        raise TypeError(f"retain_graph must be True, False or None, got {retain_graph!r}")


def backward(
    root: Node,
    gradient: Any = None,
    *,
    retain_grad: bool | None = None,
    create_graph: bool = False,
    on_step: StepHook | None = None,
) -> None:
    """Accumulate d(root)/d(leaf) into every leaf's `.grad` (see `Node.backward`)."""
    retain_all = root._retains_by_default if retain_grad is None else retain_grad
    _run(
        propagate,
        root,
        default_seed(root, gradient, create_graph),
        create_graph=create_graph,
        retain_all=retain_all,
        on_step=on_step,
    )


def gradients(
    output: Node,
    inputs: Sequence[Node],
    grad_output: Any = None,
    *,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple[Any, ...]:
    """d(output)/d(input) for each input, without touching any `.grad` (torch.autograd.grad).

    Inputs that `output` does not depend on get zeros. With `create_graph`, the results are
    nodes that can be differentiated again. `retain_graph` is accepted and ignored (see
    `check_retain_graph`).
    """
    check_retain_graph(retain_graph)
    seed = default_seed(output, grad_output, create_graph)
    wanted: dict[Node, Any] = {node: None for node in inputs}
    _run(propagate, output, seed, create_graph=create_graph, wanted=wanted)
    results = []
    for node in inputs:
        g = wanted[node]
        if g is None:
            g = node._zeros()
            g = node.constant(g) if create_graph else g
        else:
            g = node._own_gradient(g)
        results.append(g)
    return tuple(results)


__all__ = ["ShapeError", "backward", "check_retain_graph", "gradients", "propagate"]
