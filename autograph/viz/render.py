"""DOT text -> SVG / PNG / PDF through the `graphviz` package (which runs the `dot` program),
and inline display in Jupyter.

Only this module needs Graphviz installed; `to_dot` and the JSON export work without it.
Rendering without `dot` fails at once with a message that says how to install it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from autograph.engine.node import Node

RENDER_FORMATS = ("svg", "png", "pdf")
TEXT_FORMATS = ("dot", "gv", "json")
FORMATS = RENDER_FORMATS + TEXT_FORMATS

INSTALL_HINT = (
    "the Graphviz `dot` program is not installed (or not on PATH), so the graph cannot be "
    "rendered to an image; install it with `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or from https://graphviz.org/download/. "
    "DOT text (-o graph.dot) and JSON (-o graph.json) work without it"
)


class GraphvizNotFound(RuntimeError):
    """Rendering needs the `dot` program, which is missing."""


def require_dot() -> str:
    """The path of `dot`, or GraphvizNotFound with install instructions."""
    path = shutil.which("dot")
    if path is None:
        raise GraphvizNotFound(INSTALL_HINT)
    return path


def render_source(source: str, format: str = "svg") -> bytes:
    """Render DOT text to `format` ("svg", "png" or "pdf") and return the bytes."""
    if format not in RENDER_FORMATS:
        raise ValueError(
            f"cannot render to {format!r}; expected one of {', '.join(RENDER_FORMATS)}"
        )
    require_dot()
    import graphviz  # imported here: DOT text and JSON never need it

    # Source.pipe runs `dot -T<format>` as a subprocess with an argument list (no shell).
    return graphviz.Source(source, engine="dot").pipe(format=format)


def format_for(path: str | Path, format: str | None = None) -> str:
    """The output format: `format` if given, else the file's extension."""
    if format is None:
        format = Path(path).suffix.lower().lstrip(".")
        if not format:
            raise ValueError(
                f"{path}: cannot tell the format from the file name; add an "
                f"extension or pass a format ({', '.join(FORMATS)})"
            )
    format = format.lower()
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    return format


class Drawing:
    """A drawn graph: its DOT text, rendered on demand. Shows itself inline in Jupyter.

    >>> from autograph import Value
    >>> d = draw(Value(2.0, label="x") * 3)
    >>> d.source.startswith("digraph")
    True
    """

    def __init__(
        self, source: str, root: Node | None = None, options: dict[str, Any] | None = None
    ) -> None:
        self.source = source
        self.root = root
        self.options = dict(options or {})

    def pipe(self, format: str = "svg") -> bytes:
        return render_source(self.source, format)

    def svg(self) -> str:
        return self.pipe("svg").decode("utf-8")

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write the drawing; the format comes from the extension unless given."""
        path = Path(path)
        format = format_for(path, format)
        if format in ("dot", "gv"):
            path.write_text(self.source, encoding="utf-8")
        elif format == "json":
            if self.root is None:
                raise ValueError("JSON export needs the graph, not only its DOT text")
            from autograph.viz.export import to_json
            from autograph.viz.fmt import DEFAULT_PRECISION

            precision = self.options.get("precision", DEFAULT_PRECISION)
            path.write_text(to_json(self.root, precision=precision), encoding="utf-8")
        else:
            path.write_bytes(self.pipe(format))
        return path

    def _repr_svg_(self) -> str | None:
        # Jupyter calls this; without Graphviz it falls back to the text repr.
        if shutil.which("dot") is None:
            return None
        return self.svg()

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<Drawing: {lines} lines of DOT; .save('graph.svg') or display in Jupyter>"


def draw(root: Node, **options: Any) -> Drawing:
    """Draw the graph that computed `root`; options are those of `to_dot`."""
    from autograph.viz.dot import to_dot

    return Drawing(to_dot(root, **options), root, options)


def save(root: Node, path: str | Path, format: str | None = None, **options: Any) -> Path:
    """Draw `root` and write it to `path` (svg, png, pdf, dot/gv or json)."""
    return draw(root, **options).save(path, format)
