"""Hostile servers on 127.0.0.1 for the live-safety tests: counting, dripping, hanging, redirecting.

Each server here is a context manager yielding a :class:`Served` (host, port and
the requests it received), built on the raw-socket accept loop of
:mod:`tests.live.hostile_servers` so behaviour can differ per path.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.live.hostile_servers import raw_server


@dataclass
class Served:
    """A running server and every request head it read (method, path, headers)."""

    host: str
    port: int
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        with self.lock:
            return [path for _, path, _ in self.requests]


# A behaviour writes the answer for one request: (connection, method, path, stopped).
Behaviour = Callable[[socket.socket, str, str, threading.Event], None]


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return b""
        data += chunk
    return data


def _parse(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "/", headers)


@contextlib.contextmanager
def serve(behaviour: Behaviour) -> Iterator[Served]:
    """Serve one request per connection with ``behaviour``, recording each request."""
    holder: list[Served] = []

    def on_connection(conn: socket.socket, stopped: threading.Event) -> None:
        head = _read_head(conn)
        if not head:
            return
        method, path, headers = _parse(head)
        served = holder[0]
        with served.lock:
            served.requests.append((method, path, headers))
        behaviour(conn, method, path, stopped)

    with raw_server(on_connection) as (host, port):
        holder.append(Served(host, port))
        yield holder[0]


def respond(conn: socket.socket, status: int = 200, headers: tuple[tuple[str, str], ...] = (),
            body: bytes = b"ok\n", content_type: str = "text/plain; charset=utf-8") -> None:
    """Write a whole response at once (Connection: close)."""
    lines = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'Redirect' if status < 400 else 'Status'}",
             f"Content-Type: {content_type}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def drip_headers(conn: socket.socket, stopped: threading.Event, interval: float = 0.1) -> None:
    """Send a status line and then an endless header one byte every ``interval`` s (under any read timeout)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not stopped.wait(interval):
        conn.sendall(b"a")


def hang(stopped: threading.Event, seconds: float = 30.0) -> None:
    """Read the request, then never answer."""
    stopped.wait(seconds)


@contextlib.contextmanager
def serve_tls(behaviour: Behaviour, context: Any) -> Iterator[Served]:
    """Like :func:`serve`, over TLS with a server ``ssl.SSLContext`` (handshake failures are dropped)."""
    holder: list[Served] = []

    def on_connection(conn: socket.socket, stopped: threading.Event) -> None:
        try:
            tls = context.wrap_socket(conn, server_side=True)
        except (OSError, ValueError):
            return
        with tls:
            head = _read_head(tls)
            if not head:
                return
            method, path, headers = _parse(head)
            served = holder[0]
            with served.lock:
                served.requests.append((method, path, headers))
            behaviour(tls, method, path, stopped)

    with raw_server(on_connection) as (host, port):
        holder.append(Served(host, port))
        yield holder[0]
