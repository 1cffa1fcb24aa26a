"""How to draw: one frozen `DrawOptions` value instead of many flags passed along.

`to_dot(root, style="record", colors=True)` builds one from its keywords;
`DrawOptions(style="record").replace(colors=True)` derives another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from autograph.viz.fmt import DEFAULT_PRECISION

Style = Literal["textbook", "record"]
Collapse = None | int | str | Sequence[str]
STYLES = ("textbook", "record")
RANKDIRS = ("LR", "TB")


@dataclass(frozen=True)
class DrawOptions:
    """Every drawing option (see `dot.to_dot` for what each does)."""

    style: Style = "textbook"
    local_derivatives: bool = False
    show_grads: bool | None = None
    precision: int | None = DEFAULT_PRECISION
    roles: Mapping[Any, str] | None = None  # autograph node -> role (adapter option)
    colors: bool = False
    heatmap: bool = False
    clusters: bool = True
    collapse: Collapse = None
    max_nodes: int | None = 500
    fold_constants: bool = True
    title: str | None = None
    rankdir: str = "LR"
    shapes: bool = False

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}; expected 'textbook' or 'record'")
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"unknown rankdir {self.rankdir!r}; expected 'LR' or 'TB'")
        if self.rankdir == "TB" and self.style == "textbook":
            raise ValueError(
                "rankdir='TB' is for style='record': the textbook style writes each value "
                "above and each gradient below a left-to-right edge"
            )
        p = self.precision
        if p is not None and (isinstance(p, bool) or not isinstance(p, int) or p < 1):
            raise ValueError(f"precision must be a whole number of digits >= 1 or None, got {p!r}")
        m = self.max_nodes
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise ValueError(f"max_nodes must be a whole number >= 1 or None, got {m!r}")
        c = self.collapse
        if isinstance(c, bool):
            object.__setattr__(self, "collapse", 1 if c else None)
        elif isinstance(c, int):
            if c < 1:
                raise ValueError(f"collapse depth must be at least 1, got {c}")
        elif isinstance(c, str):
            if c != "auto":
                object.__setattr__(self, "collapse", (c,))
        elif c is not None:
            names = tuple(c)
            if not all(isinstance(n, str) for n in names):
                raise ValueError(f"collapse takes 'auto', a depth or scope paths, got {c!r}")
            object.__setattr__(self, "collapse", names)

    def replace(self, **changes: Any) -> DrawOptions:
        return dataclasses.replace(self, **changes)


FIELDS = frozenset(f.name for f in dataclasses.fields(DrawOptions))


def make_options(options: DrawOptions | None, keywords: Mapping[str, Any]) -> DrawOptions:
    """`options` (or the defaults) with `keywords` applied; unknown keywords are errors."""
    unknown = sorted(set(keywords) - FIELDS)
    if unknown:
        raise TypeError(
            f"unknown drawing option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"known: {', '.join(sorted(FIELDS))}"
        )
    base = options if options is not None else DrawOptions()
    return base.replace(**keywords) if keywords else base
