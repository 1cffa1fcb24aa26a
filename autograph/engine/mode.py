"""Recording switches: grad mode (`no_grad`, `enable_grad`) and name scopes (`scope`).

Both are per thread, as PyTorch's grad mode is: a `no_grad` block or a scope in one thread
changes nothing in another. `enter_scope`/`exit_scope` are the one primitive for scopes:
`scope()` is built on them, and code that opens a scope per call (a module's `__call__`)
can use them directly, without a context manager's overhead.

Every op reads the mode when it creates its result. A thread-local lookup per op would cost
several percent of a scalar training step, so `ALTERED` holds the ids of the threads whose
mode is not the default (recording, no scope): while it is empty, the usual case, an op
knows the mode without looking it up.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

# What `exit_scope` needs to restore: the scope path that was current before.
ScopeToken = str | None


class ThreadMode:
    """One thread's switches. Change them only through this module's functions, which keep
    `ALTERED` right."""

    __slots__ = ("enabled", "scope", "thread")

    def __init__(self) -> None:
        self.enabled = True
        self.scope: str | None = None
        self.thread = threading.get_ident()


class _PerThread(threading.local):
    def __init__(self) -> None:
        self.mode = ThreadMode()


LOCAL = _PerThread()

# Ids of the threads whose mode is not the default (set.add/discard are atomic).
ALTERED: set[int] = set()

# The data-write clock: WRITES[0] counts assignments to any node's `data` (node.py). Each
# node notes the clock when it is made and when its data is assigned, so that a backward
# pass can tell whether a node's inputs changed after it read them.
WRITES = [0]


def _set(mode: ThreadMode, enabled: bool, path: str | None) -> None:
    # a thread is in ALTERED whenever its mode differs from the default (never later)
    if enabled and path is None:
        mode.enabled, mode.scope = True, None
        ALTERED.discard(mode.thread)
    else:
        ALTERED.add(mode.thread)
        mode.enabled, mode.scope = enabled, path


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording them (in this thread): results are leaves that need no
    gradient. For optimizer steps, evaluation and numerical-gradient loops. Also a
    decorator: `@no_grad()`."""
    mode = LOCAL.mode
    previous = mode.enabled
    _set(mode, False, mode.scope)
    try:
        yield
    finally:
        _set(mode, previous, mode.scope)


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Record ops again inside a `no_grad` block."""
    mode = LOCAL.mode
    previous = mode.enabled
    _set(mode, True, mode.scope)
    try:
        yield
    finally:
        _set(mode, previous, mode.scope)


def is_grad_enabled() -> bool:
    """True when this thread records ops (outside `no_grad`)."""
    return LOCAL.mode.enabled


def current_scope() -> str | None:
    """The scope path this thread's new nodes are tagged with ("layer1/neuron3"), or None."""
    return LOCAL.mode.scope


def _check_path(name: Any, what: str) -> None:
    # an empty segment would make an empty cluster name (Graphviz fails on it later)
    if type(name) is not str:
        raise TypeError(f"{what} must be a str, got {type(name).__name__} {name!r}")
    if not name or name[0] == "/" or name[-1] == "/" or "//" in name:
        raise ValueError(
            f"{what} {name!r} has an empty segment: names are joined with '/' into paths "
            "like 'net/layer1', so no name may be empty or start, end or double a '/'"
        )


def enter_scope(name: str) -> ScopeToken:
    """Open scope `name` inside the current one; pass the token to `exit_scope` to close it.

    >>> token = enter_scope("layer1")
    >>> try:
    ...     pass  # nodes made here get scope "layer1"
    ... finally:
    ...     exit_scope(token)
    """
    _check_path(name, "scope name")
    mode = LOCAL.mode
    previous = mode.scope
    _set(mode, mode.enabled, name if previous is None else f"{previous}/{name}")
    return previous


def set_scope(path: str | None) -> ScopeToken:
    """Make `path` the current scope as it is (not nested); `exit_scope(token)` restores.

    For rebuilding nodes in the scopes they were recorded in.
    """
    if path is not None:
        _check_path(path, "scope path")
    mode = LOCAL.mode
    previous = mode.scope
    _set(mode, mode.enabled, path)
    return previous


def exit_scope(token: ScopeToken) -> None:
    """Close the scope opened by the `enter_scope`/`set_scope` call that returned `token`."""
    mode = LOCAL.mode
    _set(mode, mode.enabled, token)


@contextlib.contextmanager
def scope(name: str) -> Iterator[str]:
    """Tag every node created inside with a `/`-joined scope path (e.g. "layer1/neuron3").

    The renderer groups nodes into clusters by scope; `autograph.nn` opens one per module.
    """
    token = enter_scope(name)
    try:
        yield name if token is None else f"{token}/{name}"
    finally:
        exit_scope(token)


class _Recording:
    """The old process-wide switches, kept so that code setting `RECORDING.scope` or
    `RECORDING.enabled` by hand keeps working: both now read and set this thread's mode.
    Use `enter_scope`/`exit_scope` and `no_grad` instead."""

    __slots__ = ()

    @property
    def enabled(self) -> bool:
        return LOCAL.mode.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        mode = LOCAL.mode
        _set(mode, bool(value), mode.scope)

    @property
    def scope(self) -> str | None:
        return LOCAL.mode.scope

    @scope.setter
    def scope(self, path: str | None) -> None:
        set_scope(path)


RECORDING = _Recording()
