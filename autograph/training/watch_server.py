"""The live panel over HTTP: the standard library's threading server on 127.0.0.1.

- `GET /`: the page (the frames so far, and a script that polls for more);
- `GET /state?since=N&layouts=M`: JSON with the frames from N on, the graph layouts from M
  on, the curves and the status (see `Watch.state`).

The server only reads what the `Watch` recorded; the training thread never waits for it.
It listens on 127.0.0.1 only, on the port given or one the system picks (port 0).

>>> from autograph.training.watch import Watch
>>> server = PanelServer(Watch(), port=0)
>>> server.url.startswith("http://127.0.0.1:")
True
>>> server.close()
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from autograph.training.watch import Watch

HOST = "127.0.0.1"


def _count(query: dict[str, list[str]], name: str) -> int:
    try:
        return max(0, int(query.get(name, ["0"])[0]))
    except ValueError:
        return 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        url = urlsplit(self.path)
        watch = self.server.watch
        if url.path in ("/", "/index.html"):
            self._send(watch.page(live=True).encode("utf-8"), "text/html; charset=utf-8")
        elif url.path == "/state":
            query = parse_qs(url.query)
            state = watch.state(_count(query, "since"), _count(query, "layouts"))
            body = json.dumps(state, separators=(",", ":")).encode("utf-8")
            self._send(body, "application/json")
        else:
            self.send_error(HTTPStatus.NOT_FOUND, "the panel has only / and /state")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows the training, not every poll


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request still open never holds the process at exit
    watch: Watch

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser tab closed mid-answer is not the user's problem


class PanelServer:
    """Serves `watch`'s live page on 127.0.0.1:`port` (0: a free port the system picks).
    Binding happens here: a port in use raises OSError before any training."""

    def __init__(self, watch: Watch, port: int = 0) -> None:
        self.watch = watch
        self._server = _Server((HOST, port), _Handler)
        self._server.watch = watch
        self.port = int(self._server.server_address[1])
        self.url = f"http://{HOST}:{self.port}/"
        self._thread: threading.Thread | None = None

    def start(self) -> PanelServer:
        """Answer requests in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="autograph-panel",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop answering and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
