"""Recording switches: grad mode (`no_grad`, `enable_grad`) and name scopes (`scope`).

Every op reads them when it creates its result node. `enter_scope`/`exit_scope` are the one
primitive for scopes: `scope()` is built on them, and code that opens a scope per call (a
module's `__call__`) can use them directly, without a context manager's overhead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

# What `exit_scope` needs to restore: the scope path that was current before.
ScopeToken = str | None


class _Recording:
    """Process-wide switches read by every op (plain attributes: the hot path reads them)."""

    __slots__ = ("enabled", "scope")

    def __init__(self) -> None:
        self.enabled = True
        self.scope: str | None = None


RECORDING = _Recording()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording them: results are leaves that need no gradient.

    For optimizer steps, evaluation and numerical-gradient loops.
    """
    previous = RECORDING.enabled
    RECORDING.enabled = False
    try:
        yield
    finally:
        RECORDING.enabled = previous


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Record ops again inside a `no_grad` block."""
    previous = RECORDING.enabled
    RECORDING.enabled = True
    try:
        yield
    finally:
        RECORDING.enabled = previous


def is_grad_enabled() -> bool:
    """True when ops are being recorded (outside `no_grad`)."""
    return RECORDING.enabled


def current_scope() -> str | None:
    """The scope path new nodes are tagged with ("layer1/neuron3"), or None."""
    return RECORDING.scope


def enter_scope(name: str) -> ScopeToken:
    """Open scope `name` inside the current one; pass the token to `exit_scope` to close it.

    >>> token = enter_scope("layer1")
    >>> try:
    ...     pass  # nodes made here get scope "layer1"
    ... finally:
    ...     exit_scope(token)
    """
    previous = RECORDING.scope
    RECORDING.scope = name if previous is None else f"{previous}/{name}"
    return previous


def set_scope(path: str | None) -> ScopeToken:
    """Make `path` the current scope as it is (not nested); `exit_scope(token)` restores.

    For rebuilding nodes in the scopes they were recorded in.
    """
    previous = RECORDING.scope
    RECORDING.scope = path
    return previous


def exit_scope(token: ScopeToken) -> None:
    """Close the scope opened by the `enter_scope`/`set_scope` call that returned `token`."""
    RECORDING.scope = token


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
