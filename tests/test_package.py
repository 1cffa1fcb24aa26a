"""The package as users import it: `import autograph` is light, subpackages load on use."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.strip()


def test_subpackages_are_lazy_attributes() -> None:
    code = (
        "import sys, autograph\n"
        "heavy = [m for m in ('matplotlib', 'graphviz', 'hypothesis', 'autograph.viz', "
        "'autograph.nn') if m in sys.modules]\n"
        "print(heavy)\n"
        "x = autograph.Value(3.0, label='x')\n"
        "d = autograph.viz.draw(x * x)\n"
        "layer = autograph.nn.Linear(2, 3)\n"
        "print(type(d).__name__, type(layer).__name__, 'autograph.viz' in sys.modules)\n"
    )
    heavy, used = _run(code).splitlines()
    assert heavy == "[]"
    assert used == "Drawing Linear True"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import autograph

    try:
        autograph.no_such_thing  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")
    assert {"viz", "nn", "training", "optim", "draw_dot"} <= set(dir(autograph))
    assert autograph.draw_dot is autograph.viz.draw_dot
