"""The live panel's small pictures, as SVG text with nothing fetched from outside.

- `curves_svg`: the loss (top) and the accuracies (bottom) over the steps, with an x axis
  fixed from 0 to the run's last step, so a marker at a step (`curve_x`) stays put while
  the curves grow;
- `norms_svg`: per layer, the gradient norm (a bar coloured as the graph's heatmap: blue
  for vanishing, red for exploding) and the weight norm, both on log scales;
- `boundary_png` / `boundary_svg`: a decision boundary as a small PNG (encoded here, no
  imaging library) under the data points.

>>> svg = curves_svg([(1, 2.0), (10, 0.5)], [(10, 0.8)], [], total=10, marker=10)
>>> svg.startswith("<svg") and 'id="marker"' in svg
True
>>> boundary_png(np.array([[0, 1]]), np.array([[1.0, 0.5]]))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import base64
import html
import math
import struct
import zlib
from collections.abc import Sequence

import numpy as np

from autograph.viz.fmt import format_number
from autograph.viz.labels import heat_color

FONT = 'font-family="DejaVu Sans, sans-serif"'
TRAIN_COLOR, TEST_COLOR, LOSS_COLOR = "#1f5fbf", "#e07b00", "#444444"
# class colours of the boundary and the points (light fills, dark points)
CLASS_COLORS = ((31, 95, 191), (224, 123, 0), (44, 160, 44), (148, 103, 189), (214, 39, 40))

WIDTH, PLOT_LEFT, PLOT_RIGHT = 440, 52, 12
LOSS_TOP, LOSS_HEIGHT, ACC_TOP, ACC_HEIGHT = 12, 96, 140, 80
HEIGHT = ACC_TOP + ACC_HEIGHT + 30

Points = Sequence[tuple[float, float]]


def curve_x(step: float, total: int) -> float:
    """The x coordinate of `step` in `curves_svg` (its axis runs from 0 to `total`)."""
    span = WIDTH - PLOT_LEFT - PLOT_RIGHT
    return round(PLOT_LEFT + span * min(max(step / max(total, 1), 0.0), 1.0), 2)


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" {FONT}{extra}>'
        f"{html.escape(text)}</text>"
    )


def _polyline(points: list[tuple[float, float]], color: str) -> str:
    if not points:
        return ""
    if len(points) == 1:
        (x, y) = points[0]
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>'
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="1.6"/>'


def _loss_scale(values: list[float]) -> tuple[float, float, bool]:
    """(low, high, logarithmic) for the loss axis."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0, False
    low, high = min(finite), max(finite)
    if low > 0 and high / low > 20:
        return math.log10(low), math.log10(high), True
    low = min(low, 0.0)
    return low, (high if high > low else low + 1.0), False


def curves_svg(
    loss: Points, train: Points, test: Points, *, total: int, marker: float | None = None
) -> str:
    """Loss and accuracy curves over steps 0..`total` (points are (step, value)), with a
    vertical marker (id "marker") at step `marker`."""
    right = WIDTH - PLOT_RIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="loss and accuracy curves">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    low, high, log = _loss_scale([v for _, v in loss])

    def loss_y(v: float) -> float:
        v = math.log10(v) if log and v > 0 else (low if log else v)
        t = (v - low) / (high - low) if high > low else 0.5
        return LOSS_TOP + LOSS_HEIGHT * (1 - min(max(t, 0.0), 1.0))

    def acc_y(v: float) -> float:
        return ACC_TOP + ACC_HEIGHT * (1 - min(max(v, 0.0), 1.0))

    for top, height in ((LOSS_TOP, LOSS_HEIGHT), (ACC_TOP, ACC_HEIGHT)):
        parts.append(
            f'<rect x="{PLOT_LEFT}" y="{top}" width="{right - PLOT_LEFT}" height="{height}" '
            'fill="#fafafa" stroke="#bbbbbb"/>'
        )
    top_label = 10**high if log else high
    bottom_label = 10**low if log else low
    parts += [
        _text(PLOT_LEFT - 4, LOSS_TOP + 9, format_number(top_label, 3), "end"),
        _text(PLOT_LEFT - 4, LOSS_TOP + LOSS_HEIGHT, format_number(bottom_label, 3), "end"),
        _text(right - 6, LOSS_TOP + 14, "loss" + (" (log scale)" if log else ""), "end"),
        _text(PLOT_LEFT - 4, ACC_TOP + 9, "1", "end"),
        _text(PLOT_LEFT - 4, ACC_TOP + ACC_HEIGHT, "0", "end"),
        _text(PLOT_LEFT - 4, ACC_TOP + ACC_HEIGHT * 0.5 + 4, "0.5", "end"),
        f'<line x1="{PLOT_LEFT}" x2="{right}" y1="{acc_y(0.5):.1f}" y2="{acc_y(0.5):.1f}" '
        'stroke="#e4e4e4"/>',
        _text(right - 100, ACC_TOP + ACC_HEIGHT - 8, "accuracy:", "end"),
        _text(right - 62, ACC_TOP + ACC_HEIGHT - 8, "train", "end", f' fill="{TRAIN_COLOR}"'),
        _text(right - 6, ACC_TOP + ACC_HEIGHT - 8, "test", "end", f' fill="{TEST_COLOR}"')
        if test
        else "",
        _text(PLOT_LEFT, HEIGHT - 8, "0"),
        _text(right, HEIGHT - 8, f"{total:,}", "end"),
        _text((PLOT_LEFT + right) / 2, HEIGHT - 8, "step", "middle"),
        _polyline([(curve_x(s, total), loss_y(v)) for s, v in loss], LOSS_COLOR),
        _polyline([(curve_x(s, total), acc_y(v)) for s, v in train], TRAIN_COLOR),
        _polyline([(curve_x(s, total), acc_y(v)) for s, v in test], TEST_COLOR),
    ]
    x = curve_x(marker, total) if marker is not None else PLOT_LEFT
    hidden = "" if marker is not None else ' visibility="hidden"'
    parts.append(
        f'<line id="marker" x1="{x}" x2="{x}" y1="{LOSS_TOP}" y2="{ACC_TOP + ACC_HEIGHT}" '
        f'stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 3"{hidden}/>'
    )
    parts.append("</svg>")
    return "".join(parts)


NAME_WIDTH, BAR_WIDTH, ROW_HEIGHT = 80, 110, 24
GRAD_RANGE, WEIGHT_RANGE = (-6.0, 4.0), (-3.0, 3.0)  # log10 of the bars' ends


def _bar(x: float, y: float, norm: float, span: tuple[float, float], fill: str) -> str:
    low, high = span
    if norm > 0 and math.isfinite(norm):
        t = (math.log10(norm) - low) / (high - low)
    else:
        t = 0.0 if norm == 0 else 1.0
    width = max(2.0, BAR_WIDTH * min(max(t, 0.0), 1.0))
    return (
        f'<rect x="{x}" y="{y + 5}" width="{BAR_WIDTH}" height="{ROW_HEIGHT - 10}" '
        'fill="#f3f3f3" stroke="#cccccc"/>'
        f'<rect x="{x}" y="{y + 5}" width="{width:.1f}" height="{ROW_HEIGHT - 10}" '
        f'fill="{fill}" stroke="#555555" stroke-width="0.6"/>'
        + _text(x + BAR_WIDTH + 4, y + ROW_HEIGHT - 8, format_number(norm, 3))
    )


def norms_svg(layers: Sequence[tuple[str, float, float]]) -> str:
    """Per layer (name, ‖gradient‖, ‖weights‖): two bars on log scales; the gradient's is
    coloured as the graph's heatmap (blue: vanishing, white: about 1, red: exploding)."""
    grad_x = NAME_WIDTH
    weight_x = NAME_WIDTH + BAR_WIDTH + 58
    width = weight_x + BAR_WIDTH + 58
    height = ROW_HEIGHT * (len(layers) + 1) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="per-layer norms">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
        _text(4, 16, "layer", extra=' font-weight="bold"'),
        _text(grad_x, 16, "‖gradient‖", extra=' font-weight="bold"'),
        _text(weight_x, 16, "‖weights‖", extra=' font-weight="bold"'),
    ]
    for row, (name, grad, weight) in enumerate(layers):
        y = ROW_HEIGHT * (row + 1)
        parts.append(_text(4, y + ROW_HEIGHT - 8, name))
        parts.append(_bar(grad_x, y, grad, GRAD_RANGE, heat_color(grad) or "#9ecae1"))
        parts.append(_bar(weight_x, y, weight, WEIGHT_RANGE, "#b9b9b9"))
    y = ROW_HEIGHT * (len(layers) + 1) + 12
    parts.append(
        _text(grad_x, y, "1e-6 … 1e4", extra=' fill="#777777" font-size="10"')
        + _text(weight_x, y, "1e-3 … 1e3", extra=' fill="#777777" font-size="10"')
    )
    parts.append("</svg>")
    return "".join(parts)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def boundary_png(classes: np.ndarray, confidence: np.ndarray) -> bytes:
    """An RGB PNG, one pixel per grid cell (row 0 at the top): each class's colour, paler
    where the net is less sure (`confidence` in 0..1, drawn in 8 shades: contour bands, and
    a PNG a quarter the size of a smooth one)."""
    palette = np.array(CLASS_COLORS, dtype=float)
    colors = palette[np.asarray(classes, dtype=int) % len(palette)]
    sure = np.round(np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0) * 7) / 7
    strength = 0.15 + 0.45 * sure[..., None]
    rgb = np.round(255 - (255 - colors) * strength).astype(np.uint8)
    height, width = rgb.shape[:2]
    rows = b"".join(b"\x00" + rgb[r].tobytes() for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


BOUNDARY_SIZE = 260


def boundary_svg(
    image: str | None,
    points: np.ndarray,
    labels: np.ndarray,
    extent: tuple[float, float, float, float],
) -> str:
    """The boundary image (a data: URI, id "boundary-image") under the points coloured by
    their class; `extent` is (x_min, x_max, y_min, y_max) of the grid."""
    size = BOUNDARY_SIZE
    x0, x1, y0, y1 = extent
    xs = (np.asarray(points[:, 0], dtype=float) - x0) / (x1 - x0) * size
    ys = (1 - (np.asarray(points[:, 1], dtype=float) - y0) / (y1 - y0)) * size
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="decision boundary">',
        f'<rect x="0" y="0" width="{size}" height="{size}" fill="#f3f3f3"/>',
        f'<image id="boundary-image" x="0" y="0" width="{size}" height="{size}" '
        f'preserveAspectRatio="none" href="{image or ""}"/>',
    ]
    for x, y, label in zip(xs, ys, np.asarray(labels, dtype=int), strict=True):
        r, g, b = CLASS_COLORS[int(label) % len(CLASS_COLORS)]
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="rgb({r},{g},{b})" '
            'stroke="#222222" stroke-width="0.6"/>'
        )
    parts.append(
        f'<rect x="0.5" y="0.5" width="{size - 1}" height="{size - 1}" fill="none" '
        'stroke="#bbbbbb"/></svg>'
    )
    return "".join(parts)
