"""The replay file and the live page in a real headless Chromium (set up as the player's
test does): no console errors, the slider moves the step and changes the pictures, and the
live page's step count grows while `autograph train moons --live` runs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograph.training import train_moons
from autograph.training.demos import train_spiral
from autograph.training.watch import Watch

ROOT = Path(__file__).resolve().parents[1]


def _console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _look(driver) -> dict[str, str]:
    """What the page shows, read in one script run: the counter, a box's fill, the boundary
    image and the norms."""
    return driver.execute_script(
        """
        var fill = document.getElementById("L0-fill-1");
        var image = document.getElementById("boundary-image");
        var marker = document.getElementById("marker");
        return {
          counter: document.getElementById("counter").textContent,
          status: document.getElementById("status").textContent,
          fill: fill ? fill.getAttribute("fill") : null,
          grad: (document.getElementById("L0-grad-1") || {}).textContent || null,
          image: image ? image.getAttribute("href") : null,
          norms: document.getElementById("norms").innerHTML,
          marker: marker ? marker.getAttribute("x1") : null,
          value: (document.querySelector("[id^='L0-value-']") || {}).textContent || null,
        };
        """
    )


def _step(counter: str) -> int:
    match = re.match(r"step ([\d,]+) / ", counter)
    assert match, counter
    return int(match.group(1).replace(",", ""))


@pytest.mark.browser
def test_replay_slider_moves_the_step_and_the_pictures(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    watch = Watch(every=1, title="moons")
    train_moons(steps=6, n_samples=20, callback=watch)
    watch.finish()
    page = watch.write_replay(tmp_path / "moons.html")
    browser.get(page.as_uri())  # from disk: nothing to fetch
    last = _look(browser)
    assert last["counter"] == "step 6 / 6" and "training finished" in last["status"]
    assert last["fill"] and last["image"].startswith("data:image/png") and "layer0" in last["norms"]
    assert last["grad"].startswith("max |grad| ")

    slider = browser.find_element("id", "slider")
    slider.send_keys(Keys.HOME)  # as a person would: the first recorded step
    first = _look(browser)
    assert first["counter"] == "step 1 / 6"
    assert first["fill"] != last["fill"] and first["grad"] != last["grad"]
    assert first["image"] != last["image"] and first["norms"] != last["norms"]
    assert float(first["marker"]) < float(last["marker"])
    slider.send_keys(Keys.ARROW_RIGHT)
    assert _look(browser)["counter"] == "step 2 / 6"
    assert _console_errors(browser) == []


@pytest.mark.browser
def test_replay_of_a_tensor_net_shows_the_loss_in_its_graph(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    watch = Watch(every=20)
    train_spiral(iters=60, callback=watch)
    page = watch.write_replay(tmp_path / "spiral.html")
    browser.get(page.as_uri())
    last = _look(browser)
    browser.find_element("id", "slider").send_keys(Keys.HOME)
    first = _look(browser)
    assert last["counter"] == "step 60 / 60" and first["counter"] == "step 1 / 60"
    assert first["value"] != last["value"]  # the loss node's number
    assert float(first["value"]) > float(last["value"])  # it learned
    assert browser.find_element("id", "metrics").text.startswith("loss 1.")  # step 1: no test yet
    browser.find_element("id", "slider").send_keys(Keys.END)
    assert "test accuracy" in browser.find_element("id", "metrics").text  # step 60: measured
    assert _console_errors(browser) == []


@pytest.mark.browser
def test_live_page_grows_while_training_and_stays_after(browser) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "autograph", "train", "moons", "--live", "--quiet"]
    process = subprocess.Popen(
        [*command, "--steps", "40", "--samples", "40"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"live panel: (http://127\.0\.0\.1:\d+/)", line)
        assert match, line + process.stderr.read()
        browser.get(match.group(1))
        wait = WebDriverWait(browser, 60, poll_frequency=0.2)
        first = _step(wait.until(lambda d: _look(d)["counter"].startswith("step") and
                                 _look(d)["counter"]))  # fmt: skip
        assert first < 40, "training ended before the page could watch it"
        later = wait.until(lambda d: _step(_look(d)["counter"]) > first and _look(d))
        assert "training: step" in later["status"]
        assert later["fill"] is not None and later["image"].startswith("data:image/png")
        done = wait.until(lambda d: "training finished" in _look(d)["status"] and _look(d))
        assert done["counter"] == "step 40 / 40"
        assert _console_errors(browser) == []
        assert process.poll() is None  # still serving the final state
        browser.refresh()  # and a fresh load reads it too
        assert "training finished" in _look(browser)["status"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 130
    assert "Traceback" not in err and err.strip().endswith("autograph: interrupted")
    assert "training finished; the page stays at" in out
    time.sleep(0)  # the port is free again: nothing left running
