"""DOT text -> SVG / PNG / PDF through the `graphviz` package (which runs the `dot` program),
and inline display in Jupyter.

Only this module needs Graphviz installed; `to_dot` and the JSON export work without it.
Rendering without `dot` fails at once with a message that says how to install it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from autograph.viz.adapter import as_graph
from autograph.viz.model import Graph
from autograph.viz.options import DrawOptions, make_options

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


def _render_format(format: str) -> str:
    if format not in RENDER_FORMATS:
        raise ValueError(
            f"cannot render to {format!r}; expected one of {', '.join(RENDER_FORMATS)}"
        )
    return format


def render_source(source: str, format: str = "svg") -> bytes:
    """Render DOT text to `format` ("svg", "png" or "pdf") and return the bytes."""
    _render_format(format)
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

    Like `graphviz.Digraph`: `.source`, `.pipe(format)`, `.render(filename)`, `.view()`.

    >>> from autograph import Value
    >>> y = Value(2.0, label="x") * 3
    >>> y.backward()
    >>> d = draw(y)
    >>> d.source.startswith("digraph")
    True
    """

    def __init__(
        self,
        source: str,
        graph: Graph | None = None,
        options: DrawOptions | None = None,
        format: str = "svg",
    ) -> None:
        self.source = source
        self.graph = graph
        self.root: Any = None  # what was drawn, when it was not a model
        self.options = options if options is not None else DrawOptions()
        self.format = _render_format(format)  # what render() and pipe() make by default

    def pipe(self, format: str | None = None) -> bytes:
        return render_source(self.source, format or self.format)

    def svg(self) -> str:
        return self.pipe("svg").decode("utf-8")

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write the drawing; the format comes from the extension unless given."""
        path = Path(path)
        format = format_for(path, format)
        if format in ("dot", "gv"):
            path.write_text(self.source, encoding="utf-8")
        elif format == "json":
            if self.graph is None:
                raise ValueError("JSON export needs the graph, not only its DOT text")
            from autograph.viz.export import dumps, graph_dict

            opts = self.options
            graph = self.graph
            if self.root is not None and not opts.local_derivatives:
                graph = as_graph(self.root, roles=opts.roles, show_grads=opts.show_grads)
            grads = opts.show_grads is not False
            path.write_text(dumps(graph_dict(graph, opts.precision, grads=grads)), encoding="utf-8")
        else:
            path.write_bytes(self.pipe(format))
        return path

    def render(
        self,
        filename: str | Path | None = None,
        directory: str | Path | None = None,
        view: bool = False,
        cleanup: bool = False,
        format: str | None = None,
        *,
        outfile: str | Path | None = None,
        quiet: bool = False,
    ) -> str:
        """As `graphviz.Digraph.render`: save the DOT source to `filename` (default
        "autograph.gv") in `directory`, render it beside it as `<filename>.<format>`
        (default format: the drawing's, "svg") and return that path. `outfile` names the
        rendered file instead (its extension gives the format, the source goes beside it
        as `.gv`); `cleanup` deletes the source afterwards; `view` opens the result in the
        system's viewer; `quiet` hides Graphviz's warnings.

        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as out:
        ...     path = Drawing("digraph { a -> b }").render("g", directory=out)
        ...     print(pathlib.Path(path).relative_to(out), pathlib.Path(path).exists())
        g.svg True
        """
        require_dot()
        import graphviz

        if outfile is not None and format is None:
            format = format_for(outfile)
        format = _render_format(format or self.format)
        source = graphviz.Source(self.source, filename="autograph.gv", engine="dot")
        return source.render(
            filename,
            directory=directory,
            view=view,
            cleanup=cleanup,
            format=format,
            outfile=outfile,
            quiet=quiet,
        )

    def view(
        self,
        filename: str | Path | None = None,
        directory: str | Path | None = None,
        cleanup: bool = False,
        quiet: bool = False,
    ) -> str:
        """Render (as `render`) and open the result in the system's viewer."""
        return self.render(filename, directory, view=True, cleanup=cleanup, quiet=quiet)

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


def draw(root: Any, options: DrawOptions | None = None, **keywords: Any) -> Drawing:
    """Draw the graph that computed `root` (a node, or a model); options are `to_dot`'s."""
    from autograph.viz.dot import render_dot
    from autograph.viz.notices import warn_about

    opts = make_options(options, keywords)
    graph = as_graph(
        root, roles=opts.roles, show_grads=opts.show_grads, local_derivatives=opts.local_derivatives
    )
    warn_about(graph, opts)
    drawing = Drawing(render_dot(graph, opts), graph, opts)
    drawing.root = root  # JSON export records local derivatives, which the picture may not
    return drawing


def draw_dot(root: Any, format: str = "svg", rankdir: str = "LR", **keywords: Any) -> Drawing:
    """micrograd's `draw_dot(root, format='svg', rankdir='LR')`, for code written along
    micrograd's notebook: micrograd's boxes (`style="record"` unless given), `format` for
    `.render()` and `.pipe()`, laid out left to right or top to bottom (`rankdir="TB"`).
    Returns a `Drawing`, which displays itself in Jupyter; other keywords are `to_dot`'s.
    """
    keywords.setdefault("style", "record")
    format = _render_format(format)
    drawing = draw(root, rankdir=rankdir, **keywords)
    drawing.format = format
    return drawing


def save(root: Any, path: str | Path, format: str | None = None, **options: Any) -> Path:
    """Draw `root` and write it to `path` (svg, png, pdf, dot/gv or json)."""
    return draw(root, **options).save(path, format)
