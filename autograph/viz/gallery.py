"""The textbook's graphs, ready to draw: `autograph draw apple`, `render_gallery(dir)`.

- `apple`: 2 apples at 100, tax 1.1 -> price 220; d/dapple 2.2, d/dapple_num 110,
  d/dtax 200 (seed README §2).
- `apple-orange`: plus 3 oranges at 150 -> 715; dorange 3.3, dorange_num 165, dtax 650.
- `chain-rule`: z = (x + y)**2 (§1); dz/dx = 2(x + y).
- `sigmoid` / `sigmoid-expanded`: one σ node, or ×(−1), exp, +1, ÷ (§3); both y(1 − y).

Every builder runs `backward()`, so the pictures show gradients. Values can be changed by
label (`values={"apple": 120}`); `lang="ko"` uses the textbook's Korean labels; `exact=True`
holds Fractions, so 715 and 33/10 are exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from autograph.engine.node import scope
from autograph.engine.value import Value
from autograph.viz.expand import expand

KOREAN = {
    "apple": "사과",
    "apple_num": "사과 개수",
    "orange": "귤",
    "orange_num": "귤 개수",
    "tax": "소비세",
    "price": "지불 금액",
}


def _leaf(name: str, default: Any, values: Mapping[str, Any], lang: str, exact: bool) -> Value:
    data = values.get(name, default)
    if exact and isinstance(data, float):
        data = Fraction(repr(data))  # 1.1 -> 11/10, the number the user wrote
    label = KOREAN.get(name, name) if lang == "ko" else name
    return Value(data, label)


def apple(
    values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    v = values or {}
    a = _leaf("apple", 100, v, lang, exact)
    n = _leaf("apple_num", 2, v, lang, exact)
    t = _leaf("tax", 1.1, v, lang, exact)
    price = a * n * t
    price.label = KOREAN["price"] if lang == "ko" else "price"
    price.backward()
    return price


def apple_orange(
    values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    v = values or {}
    a = _leaf("apple", 100, v, lang, exact)
    an = _leaf("apple_num", 2, v, lang, exact)
    o = _leaf("orange", 150, v, lang, exact)
    on = _leaf("orange_num", 3, v, lang, exact)
    t = _leaf("tax", 1.1, v, lang, exact)
    price = (a * an + o * on) * t
    price.label = KOREAN["price"] if lang == "ko" else "price"
    price.backward()
    return price


def chain_rule(
    values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    v = values or {}
    x = _leaf("x", 3, v, lang, exact)
    y = _leaf("y", 4, v, lang, exact)
    t = x + y
    t.label = "t"
    z = t**2
    z.label = "z"
    z.backward()
    return z


def sigmoid(
    values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    v = values or {}
    x = _leaf("x", 0.0, v, lang, False)  # sigmoid leaves exact arithmetic anyway
    y = x.sigmoid()
    y.label = "y"
    y.backward()
    return y


def sigmoid_expanded(
    values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    return expand(sigmoid(values, lang=lang))


GALLERY: dict[str, Callable[..., Value]] = {
    "apple": apple,
    "apple-orange": apple_orange,
    "chain-rule": chain_rule,
    "sigmoid": sigmoid,
    "sigmoid-expanded": sigmoid_expanded,
}


# The inputs of each graph, by the (English) label that `values` uses.
INPUTS = {
    "apple": ("apple", "apple_num", "tax"),
    "apple-orange": ("apple", "apple_num", "orange", "orange_num", "tax"),
    "chain-rule": ("x", "y"),
    "sigmoid": ("x",),
    "sigmoid-expanded": ("x",),
}


def build(
    name: str, values: Mapping[str, Any] | None = None, *, lang: str = "en", exact: bool = False
) -> Value:
    """The gallery graph `name` (after backward)."""
    try:
        builder = GALLERY[name]
    except KeyError:
        raise ValueError(f"no gallery graph {name!r}; choose one of {', '.join(GALLERY)}") from None
    unknown = sorted(set(values or {}) - set(INPUTS[name]))
    if unknown:
        raise ValueError(
            f"{name} has no input {', '.join(unknown)}; its inputs are {', '.join(INPUTS[name])}"
        )
    return builder(values, lang=lang, exact=exact)


def micrograd_step(
    points: int = 100, sizes: tuple[int, ...] = (2, 16, 16, 1), *, seed: int = 0
) -> Value:
    """The loss of a micrograd-size training step (MLP 2-16-16-1 over `points` inputs,
    neurons as chains of binary ops: about 65,000 nodes), every neuron's nodes created in
    `scope("mlp")/scope("layerN")/scope("neuronJ")` so that it draws as a clustered summary.
    """
    rng = random.Random(seed)
    layers = []
    for li, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
        neurons = []
        for j in range(nout):
            with scope("mlp"), scope(f"layer{li}"), scope(f"neuron{j}"):
                neurons.append(
                    (
                        [Value(rng.uniform(-1, 1), label=f"w{k}") for k in range(nin)],
                        Value(0.0, label="b"),
                    )
                )
        layers.append(neurons)
    losses = []
    for _ in range(points):
        xs = [Value(rng.uniform(-2, 2)) for _ in range(sizes[0])]
        for li, neurons in enumerate(layers):
            out = []
            for j, (ws, b) in enumerate(neurons):
                with scope("mlp"), scope(f"layer{li}"), scope(f"neuron{j}"):
                    act = b
                    for w, x in zip(ws, xs, strict=True):
                        act = act + w * x
                    out.append(act.tanh())
            xs = out
        with scope("loss"):
            losses.append((xs[0] - 1) ** 2)
    with scope("loss"):
        loss = losses[0]
        for term in losses[1:]:
            loss = loss + term
    return loss


def render_gallery(
    out_dir: str | Path, *, players: bool = True, formats: tuple[str, ...] = ("svg", "png")
) -> list[Path]:
    """Render the gallery into `out_dir` and return the files written.

    Each graph as `<name>.svg` and `<name>.png` (textbook style), the shopping graphs also
    with local derivatives (`<name>-local.*`), in micrograd's record style
    (`<name>-record.*`) and with the Korean labels (`<name>-ko.*`), and, with `players`,
    the step-through pages `apple.html` and `apple-orange.html`. Needs Graphviz.
    """
    from autograph.viz.player import write_player
    from autograph.viz.render import draw, require_dot

    require_dot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, Value, dict[str, Any]]] = []
    for name in GALLERY:
        jobs.append((name, build(name), {}))
    for name in ("apple", "apple-orange"):
        jobs.append((f"{name}-local", build(name), {"local_derivatives": True}))
        jobs.append((f"{name}-record", build(name), {"style": "record"}))
        jobs.append((f"{name}-ko", build(name, lang="ko"), {}))
    written = []
    for stem, root, options in jobs:
        drawing = draw(root, **options)
        for fmt in formats:
            written.append(drawing.save(out / f"{stem}.{fmt}", fmt))
    if players:
        for name in ("apple", "apple-orange"):
            written.append(
                write_player(
                    build(name),
                    out / f"{name}.html",
                    title=f"autograph: {name}, backward step by step",
                    local_derivatives=True,
                )
            )
    return written
