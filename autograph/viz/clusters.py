"""DOT statements grouped by scope and written out as nested clusters.

Scopes are tuples of names (`("mlp", "layer1")`); clusters are numbered in order of first
appearance (`cluster_0`, ...), children in natural order (`neuron2` before `neuron10`), so the
same graph always gives the same text. The walk over the scope tree is iterative.
"""

from __future__ import annotations

import re

from autograph.viz.labels import NAME_COLOR, escape_html, font, quote

Scope = tuple[str, ...]


def natural_key(path: Scope) -> list[tuple[int, int | str]]:
    """Sort key that orders the numbers inside names by value ("layer2" < "layer10")."""
    key: list[tuple[int, int | str]] = []
    for name in path:
        key.extend(
            (0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", name)
            if part
        )
        key.append((2, ""))  # a name ends here: ("a",) sorts before ("a", "b")
    return key


class Statements:
    """Node statements by scope, edge statements apart; `lines()` nests the clusters."""

    def __init__(self, clusters: bool, separator: str = "/") -> None:
        self.clusters = clusters
        self.separator = separator
        self.by_scope: dict[Scope, list[str]] = {(): []}
        self.edges: list[str] = []

    def node(self, statement: str, scope: Scope = ()) -> None:
        if not self.clusters:
            scope = ()
        if scope not in self.by_scope:
            # register ancestors first so that they come first in the output
            for depth in range(1, len(scope) + 1):
                self.by_scope.setdefault(scope[:depth], [])
        self.by_scope[scope].append(statement)

    def edge(self, statement: str) -> None:
        self.edges.append(statement)

    def cluster_id(self, scope: Scope) -> str:
        """The DOT name of the cluster drawn for `scope` (which must hold a statement)."""
        return f"cluster_{self._numbers()[scope]}"

    def _numbers(self) -> dict[Scope, int]:
        return {path: m for m, path in enumerate(p for p in self.by_scope if p)}

    def lines(self) -> list[str]:
        children: dict[Scope, list[Scope]] = {}
        for path in self.by_scope:
            if path:
                children.setdefault(path[:-1], []).append(path)
        number = self._numbers()
        lines: list[str] = []
        stack: list[tuple[Scope, bool]] = [((), False)]
        while stack:
            path, closing = stack.pop()
            depth = len(path)
            pad = "  " * (depth + 1)
            if closing:
                lines.append("  " * depth + "}")
                continue
            if path:
                lines.append("  " * depth + f"subgraph cluster_{number[path]} {{")
                lines.append(
                    f"{pad}label=<{font(escape_html(path[-1]), NAME_COLOR)}>; "
                    f"tooltip={quote(self.separator.join(path))}; "
                    'style="rounded,dashed"; color="#999999";'
                )
                stack.append((path, True))
            lines.extend(pad + s for s in self.by_scope[path])
            ordered = sorted(children.get(path, []), key=natural_key)
            stack.extend((child, False) for child in reversed(ordered))
        lines.extend("  " + e for e in self.edges)
        return lines
