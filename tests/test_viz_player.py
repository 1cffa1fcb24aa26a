"""The step-through HTML player: self-contained, and working in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograph.viz.gallery import apple
from autograph.viz.labels import GRAD_COLOR
from autograph.viz.player import player_html, write_player

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


@needs_dot
def test_player_is_self_contained() -> None:
    page = player_html(apple(), local_derivatives=True)
    assert page.count("<svg") == 3 and 'id="frame-2" hidden' in page
    # nothing is fetched: no external scripts, styles, images or fonts
    assert not re.search(r'\b(src|href)\s*=\s*"(https?:)?//', page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    # ids stay unique across the inlined SVGs
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert "1.1 × 2 = 2.2" in page


@needs_dot
def test_player_escapes_hostile_labels() -> None:
    from autograph import Value

    x = Value(2.0, label="</script><script>alert(1)</script><!--")
    y = x * 3
    y.label = '"><img src=x onerror=alert(2)>'
    page = player_html(y, title="<b>t</b>")
    assert "<script>alert" not in page and "<img" not in page and "<b>t" not in page
    assert "\\u003c/script>" in page  # in the steps JSON


def _visible_frame(driver) -> str:
    """The one frame on show, read in one script run. Asking element by element (one
    WebDriver round trip per frame) let the play timer switch frames between two reads, so
    a frame read before the switch and the next one read after it both looked visible
    (the flaky `['frame-1', 'frame-2']`); a script runs between two timer ticks, never
    across one."""
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('.frame'))"
        ".filter(function (f) { return !f.hidden && f.getClientRects().length > 0; })"
        ".map(function (f) { return f.id; });"
    )
    assert len(shown) == 1, shown
    return shown[0]


def _red_numbers(driver, frame_id: str) -> list[str]:
    """The gradient numbers drawn in red in one frame (invisible ones are not red)."""
    texts = driver.find_elements("css selector", f"#{frame_id} svg text")
    return sorted(
        t.get_attribute("textContent") for t in texts if t.get_attribute("fill") == GRAD_COLOR
    )


@pytest.mark.browser
def test_player_in_headless_chromium(browser, tmp_path: Path) -> None:
    page = write_player(apple(), tmp_path / "apple.html", local_derivatives=True)
    browser.get(page.as_uri())
    assert _visible_frame(browser) == "frame-0"
    assert _red_numbers(browser, "frame-0") == ["1"]  # only the seed
    assert browser.find_element("id", "prev").get_attribute("disabled")
    assert "step 0 / 2" in browser.find_element("id", "counter").text

    browser.find_element("id", "next").click()
    assert _visible_frame(browser) == "frame-1"
    assert _red_numbers(browser, "frame-1") == ["1", "1.1", "200"]  # the next gradients
    caption = browser.find_element("id", "caption").text
    assert "upstream 1" in caption
    products = browser.find_element("id", "products").text
    assert "1 × 1.1 = 1.1" in products and "tax: 1 × 200 = 200" in products

    browser.find_element("id", "next").click()
    assert _visible_frame(browser) == "frame-2"
    assert "2.2" in _red_numbers(browser, "frame-2") and "110" in _red_numbers(browser, "frame-2")
    assert "1.1 × 2 = 2.2" in browser.find_element("id", "products").text
    assert browser.find_element("id", "next").get_attribute("disabled")

    browser.find_element("id", "prev").click()
    assert _visible_frame(browser) == "frame-1"

    # play runs to the last frame on its own
    browser.find_element("id", "play").click()
    from selenium.webdriver.support.ui import WebDriverWait

    assert "pause" in browser.find_element("id", "play").text
    WebDriverWait(browser, 10).until(lambda d: _visible_frame(d) == "frame-2")
    assert "play" in browser.find_element("id", "play").text  # stopped at the end
