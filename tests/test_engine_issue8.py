"""No silent wrong answers (issue 8): each test here failed before its fix."""

import threading

import numpy as np
import pytest

from autograph import Tensor, Value, is_grad_enabled, no_grad, scope

# -- grad mode and scopes are per thread (as in PyTorch) ---------------------------------


def run_threads(*targets):
    errors = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as error:  # reported in the main thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, built = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            assert built.wait(10)
            seen["quiet"] = (Value(2.0) * 3).requires_grad

    def recording():
        assert inside.wait(10)
        seen["enabled"] = is_grad_enabled()
        seen["recorded"] = (Value(2.0) * 3).requires_grad
        seen["tensor"] = (Tensor([1.0], requires_grad=True) * 3).requires_grad
        built.set()

    run_threads(quiet, recording)
    assert seen == {"quiet": False, "enabled": True, "recorded": True, "tensor": True}


def test_overlapping_no_grad_blocks_in_two_threads_restore_recording():
    # thread 1 enters, thread 2 enters, thread 1 leaves, thread 2 leaves: with one
    # process-wide switch, thread 2 restored "off" (what it saw when it entered)
    steps = [threading.Event() for _ in range(3)]

    def first():
        with no_grad():
            steps[0].set()
            assert steps[1].wait(10)
        steps[2].set()

    def second():
        assert steps[0].wait(10)
        with no_grad():
            steps[1].set()
            assert steps[2].wait(10)

    run_threads(first, second)
    assert is_grad_enabled()
    assert (Value(1.0) * 2).requires_grad


def test_scopes_are_per_thread():
    inside, built = threading.Event(), threading.Event()
    seen = {}

    def scoped():
        with scope("layer1"):
            inside.set()
            assert built.wait(10)
            seen["scoped"] = (Value(1.0) * 2).scope

    def plain():
        assert inside.wait(10)
        seen["plain"] = (Value(1.0) * 2).scope
        built.set()

    run_threads(scoped, plain)
    assert seen == {"scoped": "layer1", "plain": None}


def test_no_grad_is_also_a_decorator():
    @no_grad()
    def evaluate(x):
        return x * 2

    assert not evaluate(Value(1.0)).requires_grad
    assert is_grad_enabled()


_ = (np, pytest)
