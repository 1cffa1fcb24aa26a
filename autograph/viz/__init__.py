"""See the graph: textbook-style pictures, step-through backward, JSON export.

>>> from autograph import Value
>>> from autograph.viz import to_dot, trace
>>> x, y = Value(3, label="x"), Value(4, label="y")
>>> z = (x + y) ** 2
>>> print(trace(z))
step 1/2: **2 (= 49) with upstream 1: + (= 7) gets 1 × 14 = 14
step 2/2: + (= 7) with upstream 14: x gets 14 × 1 = 14; y gets 14 × 1 = 14

Everything reads one plain graph model (`autograph.viz.model`), which `adapter.as_graph`
builds from autograph's nodes; every function here also accepts a model directly.
`to_dot` is a pure function (no Graphviz needed); `draw`/`save` render through Graphviz.
The meaning of every mark is documented in docs/viz.md.
"""

from autograph.viz.collapse import GraphTooLarge
from autograph.viz.dot import to_dot
from autograph.viz.export import to_dict, to_json
from autograph.viz.options import DrawOptions
from autograph.viz.render import Drawing, GraphvizNotFound, draw, draw_dot, render_source, save
from autograph.viz.trace import frame_dots, record_steps, trace, write_frames

__all__ = [
    "DrawOptions",
    "Drawing",
    "GraphTooLarge",
    "GraphvizNotFound",
    "draw",
    "draw_dot",
    "frame_dots",
    "record_steps",
    "render_source",
    "save",
    "to_dict",
    "to_dot",
    "to_json",
    "trace",
    "write_frames",
]
