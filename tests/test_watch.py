"""Watching a run: the training callback, the recorded frames, the panel's pictures, the
notebook display, the replay file, the server and the command's flags (browser tests are
in test_watch_browser.py)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograph.cli import main
from autograph.nn.layers import MLP
from autograph.optim import SGD
from autograph.training import fit, train_moons
from autograph.training.demos import train_spiral
from autograph.training.loop import StepInfo
from autograph.training.watch import NO_IPYTHON, Watch
from autograph.viz.charts import boundary_png, curve_x, curves_svg, norms_svg
from autograph.viz.labels import BOX_FILL

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


def _blobs(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1, 0.4, (n, 2)), rng.normal(1, 0.4, (n, 2))])
    return x, np.repeat([0, 1], n)


def _fit(callback=None, iters: int = 20, seed: int = 0):
    x, t = _blobs()
    model = MLP(2, [8, 2], rng=np.random.default_rng(seed))
    history = fit(
        model,
        x,
        t,
        x,
        t,
        optimizer=SGD(model.parameters(), lr=0.1),
        iters=iters,
        batch_size=20,
        eval_every=5,
        log=None,
        quiet=True,
        callback=callback,
    )
    return model, history


# -- the callback ----------------------------------------------------------------------


def test_fit_calls_back_at_every_step_before_the_update() -> None:
    seen: list[tuple[int, int, float, int]] = []

    def callback(info: StepInfo) -> None:
        grads = [p.grad for p in info.model.parameters()]
        assert all(g is not None and np.any(g != 0) for g in grads)  # this step's
        # the graph, its gradients and the weights belong to one step: what one backward
        # pass of the step's graph sends each parameter is exactly its .grad
        import warnings

        from autograph.viz.adapter import as_graph
        from autograph.viz.model import accumulated_leaves

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert accumulated_leaves(as_graph(info.loss)) == []
        assert info.history.loss[-1] == float(info.loss.data)
        seen.append((info.step, info.total, info.history.loss[-1], len(info.history.steps)))

    _, history = _fit(callback, iters=12)
    assert [s[0] for s in seen] == list(range(1, 13)) and {s[1] for s in seen} == {12}
    assert [s[2] for s in seen] == history.loss
    # before the update: step 5's evaluation (after its update) is seen from step 6 on
    assert [s[3] for s in seen][4:6] == [0, 1]


def test_watching_changes_nothing_in_the_run() -> None:
    _, plain = _fit()
    _, watched = _fit(Watch(every=3))
    assert watched.loss == plain.loss and watched.test_acc == plain.test_acc
    # the scalar loop: the probe's backward pass leaves the training gradients alone
    _, a, _ = train_moons(steps=4, n_samples=16)
    _, b, _ = train_moons(steps=4, n_samples=16, callback=Watch(every=1))
    assert a.loss == b.loss and a.train_acc == b.train_acc


def test_watch_checks_its_arguments_and_records_one_run() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="every"):
            Watch(every=bad)
    with pytest.raises(ValueError, match="refresh"):
        Watch(refresh=float("nan"))
    watch = Watch(every=5)
    _fit(watch, iters=5)
    with pytest.raises(ValueError, match="one training run"):
        _fit(watch, iters=5)


# -- frames ----------------------------------------------------------------------------


@needs_dot
def test_frames_at_the_first_every_kth_and_last_step() -> None:
    watch = Watch(every=4)
    _, history = _fit(watch, iters=10)
    assert [f["step"] for f in watch.frames] == [1, 4, 8, 10]
    last = watch.frames[-1]
    # the frames see the accuracies measured before their step; finishing adds the last
    assert last["train_acc"] == history.train_acc[-2] and watch.frames[1]["test_acc"] is None
    watch.finish()
    assert last["train_acc"] == history.train_acc[-1] and last["test_acc"] == history.test_acc[-1]
    assert last["loss"] == pytest.approx(np.mean(history.loss[8:10]))  # since the last frame
    assert last["x"] == curve_x(10, 10)
    assert last["image"].startswith("data:image/png;base64,")  # 2-D data: a boundary
    assert "layer0" in last["norms"] and "layer2" in last["norms"]
    # the default: about 100 frames a run
    assert Watch().every is None
    default = Watch()
    _fit(default, iters=250)
    assert default.every == 3 and len(default.frames) == 1 + 250 // 3 + 1


@needs_dot
def test_units_follow_the_gradients_of_each_step() -> None:
    watch = Watch(every=1)
    model, _ = _fit(watch, iters=6)
    layout = watch._layouts[0].result()
    names = [unit.name for unit in layout.units]
    assert names[:4] == ["b0", "b1", "b2", "b3"] and names[-1].startswith("n")  # the loss
    for frame in watch.frames:
        assert len(frame["units"]) == len(names) and frame["layout"] == 0
        assert all(re.fullmatch(r"#[0-9a-f]{6}", fill) for fill, _, _ in frame["units"])
    # the loss node shows each step's loss; the boxes' largest |gradient| changes
    values = [frame["units"][-1][2] for frame in watch.frames]
    assert len(set(values)) == len(values)
    assert float(values[-1]) == pytest.approx(float(watch._history.loss[-1]), rel=1e-6)
    grads = {tuple(u[1] for u in frame["units"][1:4]) for frame in watch.frames}
    assert len(grads) == len(watch.frames)
    assert watch.frames[0]["units"][0][0] == BOX_FILL  # the inputs need no gradient


@needs_dot
def test_data_that_is_not_2d_has_no_boundary() -> None:
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(50, 5)), rng.integers(0, 3, 50)
    model = MLP(5, [4, 3], rng=rng)
    watch = Watch(every=2)
    fit(model, x, t, optimizer=SGD(model.parameters(), lr=0.1), iters=4, batch_size=10,
        log=None, quiet=True, callback=watch)  # fmt: skip
    assert all(frame["image"] is None for frame in watch.frames)
    assert watch.run_data()["boundary"] is None


@needs_dot
def test_scalar_net_frames_show_one_prediction_and_the_training_norms() -> None:
    watch = Watch(every=2)
    model, history, _ = train_moons(steps=4, n_samples=16, callback=watch)
    assert [f["step"] for f in watch.frames] == [1, 2, 4]
    layout = watch._layouts[0].result()
    # (inputs), layer0, layer1, layer2, and the output (in layer2) for its value
    assert [unit.name for unit in layout.units] == ["b0", "b1", "b2", "b3", "r403"]
    assert all(f"L0-fill-{j}" in layout.svg for j in range(4))
    scores = [frame["units"][4][2] for frame in watch.frames]  # the prediction's value
    assert all(scores) and len(set(scores)) == 3
    assert 'id="L0-grad-1"' in layout.svg and 'data-prefix="max |grad| "' in layout.svg
    assert all(f["image"].startswith("data:image/png") for f in watch.frames)


# -- pictures --------------------------------------------------------------------------


def test_boundary_png_is_a_real_image() -> None:
    classes = np.array([[0, 1, 2], [1, 1, 0]])
    png = boundary_png(classes, np.ones((2, 3)))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (3, 2)
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    rows = zlib.decompress(png[start : start + length])
    assert len(rows) == 2 * (1 + 3 * 3)
    assert rows[1:4] != rows[4:7]  # class 0 and class 1 differ


def test_curves_and_norms_svgs() -> None:
    svg = curves_svg([(1, 2.0), (50, 0.01)], [(10, 0.5)], [(10, 0.4)], total=100, marker=50)
    assert "(log scale)" in svg and svg.count("<polyline") == 1 and svg.count("<circle") == 2
    assert f'x1="{curve_x(50, 100)}"' in svg and "visibility" not in svg
    assert 'visibility="hidden"' in curves_svg([], [], [], total=10)
    norms = norms_svg([("layer0", 1e-7, 2.0), ("layer1", 3e3, 0.5)])
    assert "layer0" in norms and "#4271d6" in norms and "#" in norms  # vanishing: deep blue
    assert "1e-07" in norms or "1e-7" in norms


@needs_dot
def test_notebook_panel_is_static_html_of_the_latest_frame() -> None:
    shown: list[str] = []
    watch = Watch(every=2, notebook=shown.append, refresh=0, title="<blobs>")
    _fit(watch, iters=6)
    assert len(shown) == len(watch.frames) == 4
    last = shown[-1]
    assert "<script" not in last and "&lt;blobs&gt;" in last
    assert last.count("<svg") == 4  # graph, norms, curves, boundary
    assert "training finished: 6 steps" in last
    fill = watch.frames[-1]["units"][1][0]
    assert re.search(rf'id="L0-fill-1"[^>]*fill="{fill}"|fill="{fill}"[^>]*id="L0-fill-1"', last)
    assert watch.frames[-1]["image"] in last
    assert not re.search(r'\b(src|href)\s*=\s*"(https?:)?//', last)


@needs_dot
def test_notebook_updates_one_output_in_place_through_ipython(monkeypatch) -> None:
    pytest.importorskip("IPython")
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    # a shell changes process-wide state: keep __main__ and the hooks as they were, and
    # its history in memory
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    monkeypatch.setattr(sys, "displayhook", sys.displayhook)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    publisher = CapturingDisplayPublisher()
    monkeypatch.setattr(shell, "display_pub", publisher)
    try:
        watch = Watch(every=2, notebook=True, refresh=0)
        _fit(watch, iters=6)
    finally:
        InteractiveShell.clear_instance()
    outputs = publisher.outputs
    assert len(outputs) == 4
    ids = {out["transient"]["display_id"] for out in outputs}
    assert len(ids) == 1  # one output, updated
    assert [out["update"] for out in outputs] == [False, True, True, True]
    assert "text/html" in outputs[-1]["data"]


def test_notebook_without_ipython_or_outside_a_notebook_says_what_to_do(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # as if not installed
    with pytest.raises(RuntimeError, match="needs IPython") as error:
        Watch(notebook=True)
    assert str(error.value) == NO_IPYTHON and "--live" in NO_IPYTHON
    monkeypatch.delitem(sys.modules, "IPython")
    pytest.importorskip("IPython")
    with pytest.raises(RuntimeError, match="inside a Jupyter notebook"):
        Watch(notebook=True)  # plain Python: no IPython shell running


# -- replay and server -----------------------------------------------------------------


@needs_dot
def test_replay_file_is_self_contained(tmp_path: Path) -> None:
    watch = Watch(every=1, title="</script><b>x</b>")
    train_moons(steps=3, n_samples=12, callback=watch)
    page = watch.write_replay(tmp_path / "run.html").read_text()
    assert not re.search(r'\b(src|href)\s*=\s*"(https?:)?//', page)
    assert "@import" not in page and "url(" not in page and "<b>x" not in page
    run = json.loads(re.search(r'id="run">(.*?)</script>', page, re.S).group(1))
    assert [f["step"] for f in run["frames"]] == [1, 2, 3] and run["finished"] and not run["live"]
    assert len(run["layouts"]) == 1 and run["layouts"][0].startswith("<svg")
    json.dumps(run, allow_nan=False)  # JSON.parse must read it: no NaN
    png = base64.b64decode(run["frames"][0]["image"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@needs_dot
def test_server_answers_the_page_and_the_state() -> None:
    from autograph.training.watch_server import PanelServer

    watch = Watch(every=2)
    server = PanelServer(watch, port=0).start()
    try:
        status, body = _get(server.url)
        assert status == 200 and b"waiting for the first step" in body
        _fit(watch, iters=6)
        status, body = _get(server.url + "state?since=1&layouts=0")
        state = json.loads(body)
        assert status == 200 and [f["step"] for f in state["frames"]] == [2, 4, 6]
        assert state["total"] == 6 and not state["finished"]
        watch.layouts(wait=None)
        state = json.loads(_get(server.url + "state?since=9&layouts=0")[1])
        assert state["frames"] == [] and len(state["layouts"]) == 1
        watch.finish()
        state = json.loads(_get(server.url + "state?since=bad")[1])
        assert state["finished"] and state["status"].startswith("training finished: 6 steps")
        assert _get(server.url + "elsewhere")[0] == 404
    finally:
        server.close()


# -- the command -----------------------------------------------------------------------


@needs_dot
def test_train_spiral_writes_a_replay(tmp_path: Path, capsys) -> None:
    replay = tmp_path / "deep" / "spiral.html"
    argv = ["train", "spiral", "--iters", "40", "--every", "10", "--replay", str(replay)]
    assert main([*argv, "--quiet", "--save", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert f"wrote {replay} (5 recorded steps" in out and (tmp_path / "w.npz").exists()
    run = json.loads(re.search(r'id="run">(.*?)</script>', replay.read_text(), re.S).group(1))
    assert [f["step"] for f in run["frames"]] == [1, 10, 20, 30, 40]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "8000"], "--port is the port of the --live page"),
        (["--live", "--port", "70000"], "--port must be a port number"),
        (["--every", "0", "--replay", "x.html"], "--every must be at least 1"),
        (["--every", "5"], "--every sets how often"),
        (["--replay", "{blocked}/run.html"], "--replay"),
    ],
)
def test_watch_flags_are_checked_before_training(argv, message, tmp_path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    args = [a.format(blocked=blocker) for a in argv]
    assert main(["train", "spiral", "--iters", "5", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"autograph: {message}") and "Traceback" not in captured.err
    assert "Step:" not in captured.out  # nothing trained


def test_a_port_in_use_is_refused_before_training(capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["train", "spiral", "--iters", "5", "--live", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"autograph: --port {port}: cannot listen on 127.0.0.1")
    assert "spiral:" not in captured.out


@needs_dot
def test_an_interrupted_run_keeps_its_replay(tmp_path: Path, monkeypatch, capsys) -> None:
    import autograph.training.demos as demos

    def interrupted(**kwargs):
        def stop_at_25(info: StepInfo) -> None:
            kwargs["callback"](info)
            if info.step == 25:
                raise KeyboardInterrupt

        return train_spiral(**{**kwargs, "callback": stop_at_25})

    monkeypatch.setattr(demos, "train_spiral", interrupted)
    replay = tmp_path / "run.html"
    argv = ["train", "spiral", "--iters", "100", "--every", "10", "--quiet", "--replay"]
    assert main([*argv, str(replay)]) == 130
    captured = capsys.readouterr()
    assert "autograph: interrupted" in captured.err and "Traceback" not in captured.err
    assert f"wrote {replay} (3 recorded steps" in captured.out
    page = replay.read_text()
    assert "training interrupted at step 25" in page


@needs_dot
def test_no_number_of_the_layout_step_goes_stale() -> None:
    """Every text outside the layers' boxes and the legend is either updated by the frames
    (it has an id) or does not change with the step (an edge count, a shape and dtype)."""
    import xml.etree.ElementTree as ET

    watch = Watch(every=10)
    train_spiral(iters=20, callback=watch)
    layout = watch._layouts[0].result()
    svg = "{http://www.w3.org/2000/svg}"
    units = {unit.name for unit in layout.units} | {"legend"}
    kept = re.compile(r"[\d,]+ edges?$|\(.*\) \w+$")
    for g in ET.fromstring(layout.svg).iter(f"{svg}g"):
        title = g.find(f"{svg}title")
        if g.get("class") not in ("node", "edge") or title is None or title.text in units:
            continue
        for text in g.iter(f"{svg}text"):
            words = text.text or ""
            assert (text.get("id") or "").startswith("L0-") or kept.match(words), words
    ids = re.findall(r'id="(L0-[a-z]+-\d+)"', layout.svg)
    assert "L0-value-4" in ids and "L0-grad-4" in ids  # the loss: its value and gradient
