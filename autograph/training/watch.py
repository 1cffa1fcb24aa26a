"""Watch a net learn: a panel recorded every k steps, shown live or replayed later.

`Watch` is a training callback (`fit(..., callback=watch)`, `train_moons(callback=watch)`,
`train_spiral(callback=watch)`). Every `every` steps (and at the first and the last) it
records a frame: the net's graph collapsed by layer with its gradient colours, the
per-layer gradient and weight norms, the loss and accuracies so far and, for 2-D data, the
decision boundary. The graph is laid out by Graphviz once, in a background thread; frames
only hold its colours and numbers.

Three ways to see the frames:

- in a notebook, `Watch(notebook=True)` updates one output in place (at most every
  `refresh` seconds, and at the last step): the pictures of the latest frame;
- from the terminal, `autograph train moons --live` serves the page with a slider that
  polls for new frames (`autograph.training.watch_server`);
- `watch.write_replay("run.html")`: one self-contained file with a slider over every
  recorded frame, which opens offline.

>>> watch = Watch(every=5)
>>> watch.every, watch.frames
(5, [])
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import numpy as np

from autograph.training.loop import History, StepInfo
from autograph.training.watch_data import (
    Boundary,
    is_scalar_net,
    norms_from_graph,
    norms_from_names,
    probe_graph,
    scalar_mlp_layers,
    step_graph,
)
from autograph.viz.charts import (
    boundary_png,
    boundary_svg,
    curve_x,
    curves_svg,
    norms_svg,
    png_data_uri,
)
from autograph.viz.panel import PanelGraph, UnitState, plan_units, signature, unit_states
from autograph.viz.panel_page import panel_page, static_panel

DEFAULT_FRAMES = 100  # `every` by default: about this many frames per run
COLLAPSE = 1  # the panel's graph: one box per top-level scope (a layer)
MAX_LAYOUTS = 8  # a graph that keeps changing shape is not laid out again and again
POLL_MS = 1000  # how often the live page asks for new frames (ms)

NO_IPYTHON = (
    "Watch(notebook=True) shows the panel in a Jupyter notebook, which needs IPython "
    "(pip install ipython jupyterlab); outside a notebook, watch a run with "
    "`autograph train ... --live`, or record it with Watch() and write_replay('run.html')"
)
NOT_IN_NOTEBOOK = (
    "Watch(notebook=True) must run inside a Jupyter notebook (IPython's display updates "
    "an output in place); from a terminal use `autograph train ... --live`, or Watch() and "
    "write_replay('run.html')"
)


def notebook_display() -> Callable[[str], None]:
    """A function that shows HTML in one notebook output, updated in place on every call
    (RuntimeError naming the problem when IPython or a notebook is missing)."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        raise RuntimeError(NO_IPYTHON) from None
    shell = get_ipython()
    if shell is None or type(shell).__name__ == "TerminalInteractiveShell":
        raise RuntimeError(NOT_IN_NOTEBOOK)
    handle: Any = None

    def show(html: str) -> None:
        nonlocal handle
        if handle is None:
            handle = display(HTML(html), display_id=True)
        else:
            handle.update(HTML(html))

    return show


def _last(values: list[float]) -> float | None:
    return float(values[-1]) if values else None


class Watch:
    """A training callback that records the panel every `every` steps (default: about
    100 frames per run); `notebook=True` shows it in a notebook, a function receives the
    panel's HTML instead; `refresh`: seconds between two notebook updates."""

    def __init__(
        self,
        every: int | None = None,
        *,
        notebook: bool | Callable[[str], None] = False,
        title: str = "Training",
        refresh: float = 1.0,
        boundary: bool = True,
    ) -> None:
        if every is not None and (
            isinstance(every, bool) or not isinstance(every, int) or every < 1
        ):
            raise ValueError(f"Watch: every must be a whole number of steps >= 1, got {every!r}")
        if not (isinstance(refresh, int | float) and math.isfinite(refresh) and refresh >= 0):
            raise ValueError(f"Watch: refresh must be a number of seconds >= 0, got {refresh!r}")
        self.every, self.title, self.refresh = every, title, float(refresh)
        self._show = notebook_display() if notebook is True else (notebook or None)
        self._want_boundary = boundary
        self._lock = threading.Lock()
        self.frames: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.total = self.step = 0  # the run's steps; the last recorded step
        self.last_step = 0  # the last step seen
        self.finished = False
        self.status = "waiting for the first step"
        self._history: History | None = None
        self._loss_points: list[tuple[int, float]] = []
        self._loss_index = 0
        self._scalar = False
        self._boundary: Boundary | None = None
        self._boundary_svg: str | None = None
        self._dtype: Any = None
        self._signatures: list[Any] = []
        self._plans: list[Any] = []
        self._layouts: list[Future[PanelGraph]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._shown_at = -math.inf
        self._curves: tuple[Any, str] = (None, "")
        self._started = 0.0

    # -- recording -------------------------------------------------------------------

    def __call__(self, info: StepInfo) -> None:
        if self._history is None:
            self._start(info)
        elif info.history is not self._history:
            raise ValueError("a Watch records one training run; make a new Watch for another")
        step = self.last_step = info.step
        if step == 1 or step % (self.every or 1) == 0 or step >= info.total:
            self._record(info)

    def _start(self, info: StepInfo) -> None:
        self.total, self._history = info.total, info.history
        self._started = time.perf_counter()
        if self.every is None:
            self.every = max(1, math.ceil(info.total / DEFAULT_FRAMES))
        self._scalar = is_scalar_net(info.loss)
        if self._want_boundary and Boundary.applies(info.x):
            # a scalar net not shaped as micrograd's MLP is asked point by point: fewer cells
            fast = not self._scalar or scalar_mlp_layers(info.model) is not None
            self._boundary = Boundary(info.x, info.t, cells=64 if fast else 24)
            kind = np.asarray(info.x).dtype
            self._dtype = None if self._scalar else (kind if kind.kind == "f" else np.float64)
            b = self._boundary
            self._boundary_svg = boundary_svg(None, b.points, b.labels, b.extent)

    def _layout_for(self, graph: Any) -> tuple[int | None, list[UnitState], Any]:
        """The layout that fits `graph` (started in the background if it is new), the
        graph's unit states in it, and its collapse plan."""
        sig = signature(graph)
        try:
            index = self._signatures.index(sig)
        except ValueError:
            if len(self._signatures) >= MAX_LAYOUTS:
                return None, [], None
            index = len(self._signatures)
            self._signatures.append(sig)
            self._plans.append(plan_units(graph, COLLAPSE))
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="autograph-layout")
            # the layout is drawn while training goes on and updates arrays in place (weights,
            # gradients): it gets a copy of this step's numbers
            snapshot = copy.deepcopy(graph)
            future = self._pool.submit(PanelGraph, snapshot, collapse=COLLAPSE, prefix=f"L{index}-")
            self._layouts.append(future)
        plan, units = self._plans[index]
        return index, unit_states(graph, units), plan

    def _record(self, info: StepInfo) -> None:
        model, history = info.model, info.history
        if self._scalar:
            norms = norms_from_names(model)  # the training gradients, before the probe
            x = np.asarray(info.x) if info.x is not None else None
            graph = probe_graph(model, x[0]) if x is not None and len(x) else None
        else:
            graph = step_graph(info.loss)
        layout, states, plan = self._layout_for(graph) if graph is not None else (None, [], None)
        if not self._scalar and graph is not None:
            norms = norms_from_graph(graph, plan)
        image = None
        if self._boundary is not None:
            try:
                classes, sure = self._boundary.decide(model, self._dtype)
                image = png_data_uri(boundary_png(classes, sure))
            except Exception as error:  # a net that cannot take a grid: no boundary, say why
                self._boundary = self._boundary_svg = None
                self.notes.append(
                    f"no decision boundary: the net could not be run on a grid of points "
                    f"({type(error).__name__}: {error})"
                )
        losses = history.loss[self._loss_index :]
        self._loss_index = len(history.loss)
        loss = float(np.mean(losses)) if losses else math.nan
        frame = {
            "step": info.step,
            "layout": layout,
            "units": [state.as_list() for state in states],
            "norms": norms_svg(norms),
            "image": image,
            "x": curve_x(info.step, self.total),
            "loss": loss if math.isfinite(loss) else None,
            "train_acc": _last(history.train_acc),
            "test_acc": _last(history.test_acc),
        }
        with self._lock:
            self.frames.append(frame)
            self._loss_points.append((info.step, loss))
            self.step = info.step
            last = info.step >= info.total
            self.status = (
                f"training finished: {self.total:,} steps"
                if last
                else f"training: step {info.step:,} of {self.total:,}"
            )
        self._refresh(force=len(self.frames) == 1 or last)

    def finish(self, message: str | None = None) -> None:
        """The run has ended: normally, or as `message` says (an interrupt, a divergence).
        The panel shows the final curves and says so."""
        history = self._history
        if message is None:
            seconds = history.wall_time if history and history.wall_time else 0.0
            message = f"training finished: {self.step:,} steps" + (
                f" in {seconds:.1f} s" if seconds else ""
            )
            if history is not None and history.train_acc:
                message += f"; train accuracy {history.train_acc[-1]:.4g}"
            if history is not None and history.test_acc:
                message += f", test accuracy {history.test_acc[-1]:.4g}"
        with self._lock:
            self.finished, self.status = True, message
            last = self.frames[-1] if self.frames else None
            measured = history.steps[-1] if history is not None and history.steps else -1
            if last is not None and history is not None and measured >= last["step"]:
                last["train_acc"] = _last(history.train_acc)  # the run's final evaluation
                last["test_acc"] = _last(history.test_acc)
        self._refresh(force=True)

    # -- what is shown ---------------------------------------------------------------

    def _layout_svg(self, future: Future[PanelGraph], wait: float | None) -> str | None:
        try:
            return future.result(timeout=wait).svg
        except FutureTimeout:
            return None
        except Exception as error:  # no Graphviz, a graph too large, ...: say so, go on
            return f'<p class="note">The graph is not drawn: {_escape(str(error))}</p>'

    def layouts(self, since: int = 0, wait: float | None = 0.0) -> list[str]:
        """The SVG of each layout from `since` on, in order, as far as they are ready
        (`wait` seconds for each; None: until it is)."""
        out = []
        for future in self._layouts[since:]:
            svg = self._layout_svg(future, wait)
            if svg is None:
                break
            out.append(svg)
        return out

    def curves(self, marker: int | None = None) -> str:
        """The loss and accuracy curves so far (SVG), with a marker at step `marker`."""
        history = self._history
        key = (len(self._loss_points), self.finished, len(history.train_acc) if history else 0)
        if marker is None and self._curves[0] == key:
            return self._curves[1]
        train = list(zip(history.steps, history.train_acc, strict=False)) if history else []
        test = list(zip(history.steps, history.test_acc, strict=False)) if history else []
        loss = [(s, v) for s, v in self._loss_points if math.isfinite(v)]
        svg = curves_svg(loss, train, test, total=max(self.total, 1), marker=marker)
        if marker is None:
            self._curves = (key, svg)
        return svg

    def state(self, since: int = 0, layouts: int = 0) -> dict[str, Any]:
        """What the live page asks for: the frames from `since` on and the layouts from
        `layouts` on, with the curves and the status."""
        with self._lock:
            frames = self.frames[since:]
            status, finished = self._status_line(), self.finished
        return {
            "frames": frames,
            "layouts": self.layouts(layouts),
            "curves": self.curves(),
            "boundary": self._boundary_svg,
            "status": status,
            "finished": finished,
            "total": self.total,
        }

    def _status_line(self) -> str:
        return "  ".join([self.status, *self.notes])

    def run_data(self, *, live: bool = False) -> dict[str, Any]:
        """Everything the page reads (see `autograph.viz.panel_page`); a replay (not
        `live`) waits for every layout."""
        data = self.state()
        data.update(
            title=self.title,
            live=live,
            poll=POLL_MS,
            layouts=self.layouts(wait=0.0 if live else None),
            finished=data["finished"] or not live,
        )
        return data

    def page(self, *, live: bool = False) -> str:
        """The page with the slider: the live page's first load, or the replay."""
        return panel_page(self.run_data(live=live))

    def write_replay(self, path: str | Path) -> Path:
        """Write every recorded frame as one self-contained HTML file; returns its path."""
        path = Path(path)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def panel_html(self) -> str:
        """The latest frame's pictures as one HTML fragment without script (the notebook's)."""
        with self._lock:
            frame = self.frames[-1] if self.frames else None
            status = self._status_line()
        graph = None
        if frame is not None and frame["layout"] is not None:
            future = self._layouts[frame["layout"]]
            if future.done():
                try:
                    layout = future.result()
                    graph = layout.render([UnitState(*unit) for unit in frame["units"]])
                except Exception as error:
                    graph = f"<p><i>The graph is not drawn: {_escape(str(error))}</i></p>"
        boundary = self._boundary_svg
        if boundary is not None and frame is not None and frame["image"]:
            boundary = boundary.replace('href=""', f'href="{frame["image"]}"', 1)
        norms = frame["norms"] if frame is not None else ""
        curves = self.curves(marker=frame["step"] if frame is not None else None)
        return static_panel(self.title, status, graph, norms, curves, boundary)

    def _refresh(self, force: bool = False) -> None:
        if self._show is None:
            return
        now = time.perf_counter()
        if not force and now - self._shown_at < self.refresh:
            return
        if force and self.step >= self.total:
            self.layouts(wait=30.0)  # the last picture: with its graph
        self._shown_at = now
        self._show(self.panel_html())


def _escape(text: str) -> str:
    import html

    return html.escape(text)
