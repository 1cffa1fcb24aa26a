"""`autograph train ... --live [--port N] --replay FILE --every K`: watching a run.

`--live` serves the panel on 127.0.0.1 (the URL is printed before training starts), and
keeps serving the final state after training until Ctrl-C (exit status 130, no traceback).
`--replay FILE` writes one self-contained HTML file with a slider over the recorded steps,
also when the run is interrupted or diverges (then with the steps recorded until then).
Both are checked before any work: the replay's place is written to, the port is bound
(a port in use is `autograph: ...`, exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograph.cli.errors import CommandError
from autograph.cli.outputs import writable_file, writing


def add_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("watching the run")
    group.add_argument(
        "--live",
        action="store_true",
        help="serve a page on 127.0.0.1 that shows the net learning (graph with gradient "
        "colours, per-layer norms, curves, boundary); the URL is printed; it keeps serving "
        "after training until Ctrl-C",
    )
    group.add_argument(
        "--port", type=int, metavar="N", help="the --live page's port (default: a free one)"
    )
    group.add_argument(
        "--replay",
        metavar="HTML",
        help="write the run as one self-contained HTML file with a slider over the steps",
    )
    group.add_argument(
        "--every",
        type=int,
        metavar="K",
        help="record the panel every K steps (default: about 100 frames per run)",
    )


class Session:
    """A watched run: the Watch to pass as the training callback, and what follows."""

    def __init__(self, watch: Any, server: Any, replay: Path | None) -> None:
        self.watch, self.server, self.replay = watch, server, replay

    @contextlib.contextmanager
    def training(self) -> Iterator[None]:
        """Around the training: if it stops early, the panel says why, the replay keeps
        the steps recorded so far, and the server stops."""
        try:
            yield
        except KeyboardInterrupt:
            self._stop(f"training interrupted at step {self.watch.last_step:,}")
            raise
        except Exception as error:
            self._stop(f"training stopped at step {self.watch.last_step:,}: {error}")
            raise

    def _stop(self, message: str) -> None:
        self.watch.finish(message)
        try:
            self._write_replay()
        finally:
            self.close()

    def _write_replay(self) -> None:
        if self.replay is None:
            return
        with writing("--replay", self.replay):
            written = self.watch.write_replay(self.replay)
        size = written.stat().st_size
        frames = len(self.watch.frames)
        print(f"wrote {written} ({frames} recorded steps, {size / 1e3:,.0f} kB)", flush=True)

    def done(self) -> None:
        """Training finished: write the replay; a live page stays until Ctrl-C."""
        self.watch.finish()
        self._write_replay()
        if self.server is None:
            return
        print(
            f"training finished; the page stays at {self.server.url} (press Ctrl-C to stop)",
            flush=True,
        )
        try:
            while True:
                time.sleep(1)
        finally:
            self.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def start(args: argparse.Namespace, title: str) -> Session | None:
    """Check the watching flags and start what they ask for (None: no flag given)."""
    live, port, replay, every = args.live, args.port, args.replay, args.every
    if port is not None and not live:
        raise CommandError("--port is the port of the --live page; add --live")
    if port is not None and not 0 <= port <= 65535:
        raise CommandError(f"--port must be a port number from 0 to 65535, got {port}")
    if every is not None and every < 1:
        raise CommandError(f"--every must be at least 1, got {every}")
    if not (live or replay):
        if every is not None:
            raise CommandError("--every sets how often --live or --replay records; add one")
        return None
    target = writable_file(replay, "--replay") if replay else None
    from autograph.training.watch import Watch

    watch = Watch(every, title=title)
    server = None
    if live:
        from autograph.training.watch_server import PanelServer

        try:
            server = PanelServer(watch, port or 0)
        except OSError as error:
            raise CommandError(
                f"--port {port}: cannot listen on 127.0.0.1:{port} "
                f"({error.strerror or error}); choose another port, or leave out --port"
            ) from None
        server.start()
        if threading.current_thread() is threading.main_thread():
            # Ctrl-C must reach the loop even if the shell started us ignoring it
            signal.signal(signal.SIGINT, signal.default_int_handler)
        print(f"live panel: {server.url}  (Ctrl-C stops)", flush=True)
    return Session(watch, server, target)


def watched(session: Session | None) -> contextlib.AbstractContextManager[None]:
    """`session.training()`, or nothing without a session."""
    return session.training() if session is not None else contextlib.nullcontext()
