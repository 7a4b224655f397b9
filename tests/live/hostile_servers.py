"""Raw-socket hostile servers on 127.0.0.1 for the live probe's robustness tests."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

HOST = "127.0.0.1"


@contextlib.contextmanager
def raw_server(behaviour: Callable[[socket.socket, threading.Event], None]) -> Iterator[tuple[str, int]]:
    """Accept connections and hand each to ``behaviour(conn, stopped)`` in its own thread."""
    stopped = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, 0))
    listener.listen(32)
    listener.settimeout(0.2)

    def serve_one(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            behaviour(conn, stopped)

    def accept_loop() -> None:
        while not stopped.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield HOST, int(listener.getsockname()[1])
    finally:
        stopped.set()
        thread.join(2)
        listener.close()


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def huge_body(conn: socket.socket, stopped: threading.Event) -> None:
    """Answer every request with a 50 MB body (sent as fast as the client reads)."""
    while not stopped.is_set() and _read_head(conn):
        size = 50 * 1024 * 1024
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % size)
        block = b"<p>" + b"x" * 65533
        sent = 0
        while sent < size and not stopped.is_set():
            conn.sendall(block[: min(len(block), size - sent)])
            sent += len(block)


def slow_drip(conn: socket.socket, stopped: threading.Event) -> None:
    """Send headers, then one body byte every 0.1 s, forever."""
    if not _read_head(conn):
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    while not stopped.wait(0.1):
        conn.sendall(b"x")


def invalid_headers(conn: socket.socket, stopped: threading.Event) -> None:
    """Answer with control bytes in a header name."""
    if _read_head(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Bad\x00Name\x01: \x7f\xff\r\nContent-Length: 2\r\n\r\nok")


def redirect_loop(conn: socket.socket, stopped: threading.Event) -> None:
    """/a redirects to /b, /b to /a, anything else to /a."""
    while not stopped.is_set():
        head = _read_head(conn)
        if not head:
            return
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
        target = b"/b" if path == b"/a" else b"/a"
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + target + b"\r\nContent-Length: 0\r\n\r\n")


def tls_alert(conn: socket.socket, stopped: threading.Event) -> None:
    """Read the ClientHello and answer with a fatal handshake_failure alert."""
    conn.recv(4096)
    conn.sendall(b"\x15\x03\x03\x00\x02\x02\x28")
