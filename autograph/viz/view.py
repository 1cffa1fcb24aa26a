"""Which gradients a picture shows: all that the model holds, or (a frame of the step-through)
those known after the first n steps of its backward pass. Both only read the model.
"""

from __future__ import annotations

from typing import Any

from autograph.viz.model import Graph, one_pass_totals


class GradView:
    """The gradients of the whole model (`step=None`), or after `step` backward steps.

    A step view has `final`, the view after every step: frames draw the numbers still to
    come invisibly, so every frame has the same layout.
    """

    def __init__(
        self,
        graph: Graph,
        step: int | None = None,
        show: bool = True,
        final: GradView | None = None,
    ) -> None:
        self.graph = graph
        self.step = step
        self.show = show
        self.current: int | None = None  # the node whose step a frame shows
        self.final: GradView | None = None
        self._locals: dict[int, Any] | None = None
        self._edges: dict[int, Any] = {}
        self._nodes: dict[int, Any] = {}
        if step is not None:
            steps = graph.steps
            if steps is None:
                raise ValueError("this graph has no recorded backward pass to step through")
            self._nodes = one_pass_totals(graph, step)
            for s in steps[:step]:
                for sent in s.inputs:
                    self._edges[graph.inputs[s.node][sent.input]] = sent.grad
                self._nodes.setdefault(s.node, s.upstream)
            self.current = steps[step - 1].node if step > 0 else None
            if step < len(steps):  # frames share one `final`
                self.final = final if final is not None else GradView(graph, len(steps))

    def node(self, k: int) -> Any:
        """The total gradient of node k (a leaf's .grad), or None."""
        if not self.show:
            return None
        if self.step is None:
            return self.graph.nodes[k].grad
        return self._nodes.get(k)

    def edge(self, e: int) -> Any:
        """The gradient sent back along edge e, or None."""
        if not self.show:
            return None
        if self.step is None:
            return self.graph.edges[e].grad
        return self._edges.get(e)

    def output(self) -> Any:
        """The seed the output carries back (None before anything is known)."""
        if not self.show:
            return None
        if self.step is None:
            g = self.graph.nodes[self.graph.root].grad
            return g if g is not None else None
        return self.graph.seed

    def local(self, e: int) -> Any:
        """The local derivative recorded for edge e (one-number ops only), or None."""
        if self._locals is None:
            graph = self.graph
            self._locals = {}
            for s in graph.steps or ():
                for sent in s.inputs:
                    if sent.local is not None:
                        self._locals[graph.inputs[s.node][sent.input]] = sent.local
        return self._locals.get(e)

    def node_final(self, k: int) -> Any:
        """What node k will hold once every step has run (frames: drawn invisibly)."""
        return self.final.node(k) if self.final is not None else None

    def edge_final(self, e: int) -> Any:
        return self.final.edge(e) if self.final is not None else None
