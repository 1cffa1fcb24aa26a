"""A self-contained HTML page that steps through the backward pass.

Every frame (see `trace.frame_dots`) is rendered to SVG and inlined; a few lines of script
show one frame at a time with previous / next / play buttons (and the arrow keys), and print
the current step's chain-rule products (upstream × local = downstream). No network: no
external scripts, styles or fonts.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from autograph.viz.adapter import as_graph
from autograph.viz.fmt import DEFAULT_PRECISION, format_data
from autograph.viz.options import make_options
from autograph.viz.render import render_source
from autograph.viz.trace import frame_dots, steps_summary

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_HREF = re.compile(r'xlink:href="#([^"]*)"')

STYLE = """
body { font-family: "DejaVu Sans", "NanumGothic", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
#controls button { font-size: 1em; margin-right: .3em; padding: .3em .8em; }
#counter { margin-left: .8em; font-weight: bold; }
#caption { min-height: 1.4em; }
#products { color: #1f5fbf; min-height: 1.2em; }
.frame svg { max-width: 100%; height: auto; }
.legend { color: #555; font-size: .9em; }
"""

SCRIPT = """
(function () {
  var steps = JSON.parse(document.getElementById("steps").textContent);
  var frames = document.querySelectorAll(".frame");
  var last = frames.length - 1, current = 0, timer = null;
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var play = document.getElementById("play");
  function show(n) {
    current = Math.max(0, Math.min(last, n));
    for (var k = 0; k < frames.length; k++) { frames[k].hidden = (k !== current); }
    document.getElementById("counter").textContent = "step " + current + " / " + last;
    var caption = document.getElementById("caption");
    var products = document.getElementById("products");
    products.innerHTML = "";
    if (current === 0) {
      caption.textContent = "Forward pass done: values are above the edges. " +
        "Backward starts at the output with the seed gradient " + steps.seed + ".";
    } else {
      var step = steps.steps[current - 1];
      caption.textContent = step.text;
      step.inputs.forEach(function (input) {
        var li = document.createElement("li");
        li.textContent = input.name + ": " + (input.product !== null ? input.product
          : "receives " + input.gradient);
        products.appendChild(li);
      });
    }
    prev.disabled = current === 0;
    next.disabled = current === last;
  }
  function stop() { if (timer !== null) { clearInterval(timer); timer = null; }
                    play.textContent = "\\u25B6 play"; }
  prev.addEventListener("click", function () { stop(); show(current - 1); });
  next.addEventListener("click", function () { stop(); show(current + 1); });
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (current === last) { show(0); }
    play.textContent = "\\u275A\\u275A pause";
    timer = setInterval(function () {
      show(current + 1);
      if (current >= last) { stop(); }
    }, 1200);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { stop(); show(current + 1); }
    if (event.key === "ArrowLeft") { stop(); show(current - 1); }
  });
  show(0);
})();
"""


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG document as an element for the page, its ids made unique across frames."""
    svg = _PROLOG.sub("", svg, count=1)
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return _HREF.sub(lambda m: f'xlink:href="#{prefix}{m.group(1)}"', svg)


def player_html(
    root: Any,
    gradient: Any = None,
    *,
    title: str | None = None,
    precision: int | None = DEFAULT_PRECISION,
    **options: Any,
) -> str:
    """The page as text. `root`: a node or a model with recorded steps; `options` go to
    `to_dot` (style, local_derivatives, colors...)."""
    opts = make_options(None, {**options, "precision": precision})
    graph = as_graph(root, roles=opts.roles, show_grads=False, gradient=gradient)
    dots = frame_dots(graph, captions=False, options=opts.replace(roles=None))
    data = {"seed": format_data(graph.seed, precision), "steps": steps_summary(graph, precision)}
    # "</script>" or "<!--" inside a script element would change how the page parses:
    # write every "<" of the JSON as its \u escape (JSON.parse reads it back)
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    frames = []
    for n, source in enumerate(dots):
        svg = render_source(source, "svg").decode("utf-8")
        hidden = "" if n == 0 else " hidden"
        frames.append(
            f'<div class="frame" id="frame-{n}"{hidden}>{_inline_svg(svg, f"f{n}-")}</div>'
        )
    title = title or "Backward, step by step"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{html.escape(title)}</h1>",
            '<p class="legend">Forward values above each edge, gradients below it in red; '
            "the highlighted node is the one whose backward step is shown.</p>",
            '<div id="controls"><button id="prev" type="button">&#9664; previous</button>'
            '<button id="play" type="button">&#9654; play</button>'
            '<button id="next" type="button">next &#9654;</button>'
            '<span id="counter"></span></div>',
            '<p id="caption"></p>',
            '<ul id="products"></ul>',
            '<div id="frames">',
            *frames,
            "</div>",
            f'<script type="application/json" id="steps">{payload}</script>',
            f"<script>{SCRIPT}</script>",
            "</body></html>",
            "",
        ]
    )


def write_player(root: Any, path: str | Path, gradient: Any = None, **options: Any) -> Path:
    """Write the player page to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(player_html(root, gradient, **options), encoding="utf-8")
    return path
