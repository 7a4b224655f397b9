"""A webhook receiver on 127.0.0.1 that records every POST (and can fail the first N on purpose)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    """What the server saw; ``fail_first`` POSTs get ``fail_status`` before it answers 200."""

    url: str = ""
    bodies: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    fail_first: int = 0
    fail_status: int = 503
    attempts: int = 0


@contextlib.contextmanager
def webhook_server(fail_first: int = 0, fail_status: int = 503) -> Iterator[Receiver]:
    """Serve on an ephemeral 127.0.0.1 port; yields the Receiver (``url`` ends in a secret-looking path)."""
    receiver = Receiver(fail_first=fail_first, fail_status=fail_status)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with lock:
                receiver.attempts += 1
                failing = receiver.attempts <= receiver.fail_first
                if not failing:
                    receiver.bodies.append(json.loads(raw))
                    receiver.paths.append(self.path)
            self.send_response(receiver.fail_status if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/services/T0SECRET/B0SECRET/xyzSECRETtoken"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
