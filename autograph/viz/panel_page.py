"""The training panel as HTML: a page with a slider over the recorded steps (the live page
and the replay file), and a static panel without script (the notebook's).

The page reads one JSON object, `run`:

- `title`, `total` (the run's steps), `status` (one line), `finished`, `live` (poll the
  server's `state` endpoint for more frames until the run has finished);
- `layouts`: SVG layouts of the net's graph (`PanelGraph.svg`; one, unless the graph
  changed shape during the run), `curves`: the loss and accuracy curves (SVG), `boundary`:
  the data points with an empty boundary image (SVG), or null for data that is not 2-D;
- `frames`, one per recorded step: `step`, `layout`, `units` ([fill, gradient text, value
  text] per unit of the layout), `norms` (SVG), `image` (the boundary, a data: URI, or
  null), `x` (the curves' marker), `loss`, `train_acc`, `test_acc`.

Nothing is fetched from outside: no external scripts, styles, images or fonts, so the
replay file opens offline from disk.
"""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = """
body { font-family: "DejaVu Sans", "NanumGothic", sans-serif; margin: 1.2em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em 0; }
h2 { font-size: 1em; margin: .2em 0 .4em 0; }
#status { margin: .2em 0 .6em 0; }
#status.running::before { content: "\\25CF  "; color: #2ca02c; }
#status.finished { color: #1f5fbf; font-weight: bold; }
#controls { display: flex; align-items: center; gap: .8em; margin-bottom: .8em; }
#slider { flex: 1; max-width: 40em; }
#counter { font-weight: bold; min-width: 11em; }
#metrics { color: #444; }
.panel { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.panel section { border: 1px solid #ddd; border-radius: 6px; padding: .5em .8em; }
.panel section.wide { flex-basis: 100%; }
.panel section:not(.wide) { max-width: 470px; }
.legend { color: #555; font-size: .85em; margin: 0 0 .4em 0; }
#graph svg { max-width: 100%; height: auto; }
.note { color: #777; font-style: italic; }
"""

SCRIPT = """
(function () {
  "use strict";
  var run = JSON.parse(document.getElementById("run").textContent);
  var slider = document.getElementById("slider");
  var follow = true, shown = -1, shownLayout = -1;
  function byId(id) { return document.getElementById(id); }
  function fmt(v) {
    if (v === null || v === undefined) { return "\\u2013"; }
    var a = Math.abs(v);
    return (a !== 0 && (a >= 1e4 || a < 1e-3)) ? v.toExponential(3) : String(+v.toPrecision(4));
  }
  function setStatus() {
    var status = byId("status");
    status.textContent = run.status;
    status.className = run.finished ? "finished" : (run.live ? "running" : "");
  }
  function showGraph(frame) {
    if (frame.layout === null || frame.layout >= run.layouts.length) { return; }
    if (shownLayout !== frame.layout) {
      byId("graph").innerHTML = run.layouts[frame.layout];
      shownLayout = frame.layout;
    }
    var prefix = "L" + frame.layout + "-";
    for (var j = 0; j < frame.units.length; j++) {
      var unit = frame.units[j], el = byId(prefix + "fill-" + j);
      if (el) { el.setAttribute("fill", unit[0]); }
      el = byId(prefix + "grad-" + j);
      if (el && unit[1] !== null) {
        el.textContent = (el.getAttribute("data-prefix") || "") + unit[1];
      }
      el = byId(prefix + "value-" + j);
      if (el && unit[2] !== null) { el.textContent = unit[2]; }
    }
  }
  function show(i) {
    var frames = run.frames;
    if (!frames.length) { byId("counter").textContent = "waiting for the first step"; return; }
    i = Math.max(0, Math.min(frames.length - 1, i));
    shown = i;
    var frame = frames[i];
    slider.max = String(frames.length - 1);
    slider.value = String(i);
    slider.disabled = frames.length < 2;
    byId("counter").textContent = "step " + frame.step.toLocaleString("en") + " / " +
      run.total.toLocaleString("en");
    var metrics = "loss " + fmt(frame.loss);
    var dot = "  \\u00B7  ";
    if (frame.train_acc !== null) { metrics += dot + "train accuracy " + fmt(frame.train_acc); }
    if (frame.test_acc !== null) { metrics += dot + "test accuracy " + fmt(frame.test_acc); }
    byId("metrics").textContent = metrics;
    showGraph(frame);
    byId("norms").innerHTML = frame.norms;
    var image = byId("boundary-image");
    if (image && frame.image) { image.setAttribute("href", frame.image); }
    var marker = byId("marker");
    if (marker) {
      marker.setAttribute("x1", frame.x);
      marker.setAttribute("x2", frame.x);
      marker.removeAttribute("visibility");
    }
  }
  slider.addEventListener("input", function () {
    var i = Number(slider.value);
    follow = i === run.frames.length - 1;
    show(i);
  });
  function poll() {
    var query = "state?since=" + run.frames.length + "&layouts=" + run.layouts.length;
    fetch(query, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (state) {
        Array.prototype.push.apply(run.layouts, state.layouts);
        Array.prototype.push.apply(run.frames, state.frames);
        if (state.curves) { byId("curves").innerHTML = state.curves; }
        if (state.boundary && !byId("boundary-image")) {
          byId("boundary").innerHTML = state.boundary;
          byId("boundary-section").hidden = false;
        }
        run.status = state.status;
        run.finished = state.finished;
        run.total = state.total;
        setStatus();
        show(follow ? run.frames.length - 1 : shown);
        if (!run.finished) { setTimeout(poll, run.poll); }
      })
      .catch(function () {
        byId("status").textContent = run.status +
          " (the server has stopped; this is the last state it sent)";
        byId("status").className = "";
      });
  }
  byId("curves").innerHTML = run.curves;
  if (run.boundary) { byId("boundary").innerHTML = run.boundary; }
  byId("boundary-section").hidden = !run.boundary;
  setStatus();
  show(run.frames.length - 1);
  if (run.live && !run.finished) { setTimeout(poll, run.poll); }
})();
"""

GRAPH_LEGEND = (
    "One box per layer, coloured by the largest |gradient| in it at the step shown "
    "(blue: vanishing, white: about 1, red: exploding; the scale is drawn with the graph)."
)


def _json_for_script(data: Any) -> str:
    # "</script>" or "<!--" inside a script element would change how the page parses:
    # write every "<" as its \\u escape (JSON.parse reads it back)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def panel_page(run: dict[str, Any]) -> str:
    """The page (live or replay) for `run` (see the module's doc)."""
    title = html.escape(str(run.get("title") or "Training"))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',  # no request for /favicon.ico
            f"<title>{title}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{title}</h1>",
            '<p id="status"></p>',
            '<div id="controls"><input type="range" id="slider" min="0" max="0" value="0" '
            'aria-label="recorded step"><span id="counter"></span>'
            '<span id="metrics"></span></div>',
            '<div class="panel">',
            '<section class="wide"><h2>The net\'s graph, collapsed by layer</h2>'
            f'<p class="legend">{html.escape(GRAPH_LEGEND)}</p><div id="graph">'
            '<p class="note">laying out the graph</p></div></section>',
            '<section><h2>Per-layer norms</h2><p class="legend">gradients coloured as the '
            "graph's boxes; log scales</p>"
            '<div id="norms"></div></section>',
            '<section><h2>Loss and accuracy</h2><div id="curves"></div></section>',
            '<section id="boundary-section"><h2>Decision boundary</h2>'
            '<div id="boundary"></div></section>',
            "</div>",
            f'<script type="application/json" id="run">{_json_for_script(run)}</script>',
            f"<script>{SCRIPT}</script>",
            "</body></html>",
            "",
        ]
    )


def static_panel(
    title: str,
    status: str,
    graph: str | None,
    norms: str,
    curves: str,
    boundary: str | None,
) -> str:
    """The panel as one HTML fragment without script (a notebook output): the pictures of
    one step, side by side."""
    box = 'style="border:1px solid #ddd;border-radius:6px;padding:4px 8px;margin:0"'
    head = 'style="font-size:1em;margin:2px 0 4px 0"'
    graph_part = graph or '<p style="color:#777"><i>laying out the graph</i></p>'
    parts = [
        '<div class="autograph-panel" style="font-family:\'DejaVu Sans\',sans-serif;color:#222">',
        f'<div style="font-weight:bold;font-size:1.1em">{html.escape(title)}</div>',
        f'<div class="autograph-status" style="margin:2px 0 6px 0">{html.escape(status)}</div>',
        f"<div {box}><div {head}>The net's graph, collapsed by layer</div>"
        f"<div>{graph_part}</div></div>",
        '<div style="display:flex;flex-wrap:wrap;gap:8px;margin-top:8px;align-items:flex-start">',
        f"<div {box}><div {head}>Per-layer norms</div>{norms}</div>",
        f"<div {box}><div {head}>Loss and accuracy</div>{curves}</div>",
    ]
    if boundary is not None:
        parts.append(f"<div {box}><div {head}>Decision boundary</div>{boundary}</div>")
    parts += ["</div>", "</div>"]
    return "".join(parts)
