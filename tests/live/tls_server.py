"""Threaded test servers on 127.0.0.1 (ephemeral port) for the live probes.

* :func:`tls_server` - a Python ``ssl`` server with configurable protocol
  versions and ciphers that answers simple HTTP/1.1 (an optional handler
  callback decides the response, so the HTTP probe tests can reuse it).
* :func:`plain_http_server` - plain HTTP, e.g. on the port a probe expects TLS.
* :func:`silent_server` - accepts connections and never says a word (timeouts).

All are context managers yielding ``(host, port)``; the server stops on exit.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
MAX_REQUEST_BYTES = 64 * 1024


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitively."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Response:
    """What a handler returns; ``Content-Length`` and ``Connection`` are added."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/plain; charset=utf-8"),)
    body: bytes = b"ok\n"
    reason: str = field(default="")


Handler = Callable[[Request], Response]


def static_handler(headers: tuple[tuple[str, str], ...] = (), body: bytes = b"ok\n") -> Handler:
    """A handler answering every request with 200, ``body`` and the extra ``headers``."""

    def handle(_: Request) -> Response:
        return Response(headers=(("Content-Type", "text/plain; charset=utf-8"), *headers), body=body)

    return handle


class BadRequest(Exception):
    """The client did not send HTTP (for example a TLS ClientHello on a plain port)."""


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
        if not data[:1].isalpha():
            raise BadRequest  # like nginx: answer 400 at once instead of waiting for CRLFCRLF
        if len(data) > MAX_REQUEST_BYTES:
            raise BadRequest
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = tuple(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]) if k.strip()
    )
    length = 0
    for key, value in headers:
        if key.lower() == "content-length" and value.isdigit():
            length = min(int(value), MAX_REQUEST_BYTES)
    body = rest
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return Request(method=parts[0], path=parts[1], headers=headers, body=body[:length])


def _write_response(conn: socket.socket, response: Response, method: str) -> None:
    reason = response.reason or {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}.get(
        response.status, "Status"
    )
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    names = {k.lower() for k, _ in response.headers}
    lines += [f"{k}: {v}" for k, v in response.headers]
    if "content-length" not in names:
        lines.append(f"Content-Length: {len(response.body)}")
    lines.append("Connection: close")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if method != "HEAD":
        payload += response.body
    conn.sendall(payload)


def _serve_http(conn: socket.socket, handler: Handler) -> None:
    # One request per connection (Connection: close): enough for probes and sslyze.
    try:
        request = _read_request(conn)
    except BadRequest:
        _write_response(conn, Response(status=400, reason="Bad Request", body=b"bad request\n"), "GET")
        return
    if request is None:
        return
    try:
        response = handler(request)
    except Exception as exc:  # noqa: BLE001 - a broken test handler must not kill the server
        response = Response(status=500, body=f"handler error: {exc}\n".encode())
    _write_response(conn, response, request.method)


class _Server:
    """Accept loop on its own thread; one daemon thread per connection."""

    def __init__(self, on_connection: Callable[[socket.socket], None], io_timeout: float) -> None:
        self._on_connection = on_connection
        self._io_timeout = io_timeout
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((HOST, 0))
        self._sock.listen(128)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="test-server", daemon=True)
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        return int(self._sock.getsockname()[1])

    def start(self) -> None:
        """Start accepting connections."""
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close live connections and wait for the accept thread."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(self._io_timeout)
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            self._on_connection(conn)
        except (OSError, ssl.SSLError, ValueError):
            pass  # scanners send hostile handshakes on purpose; drop the connection
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)


@contextlib.contextmanager
def _running(on_connection: Callable[[socket.socket], None], io_timeout: float) -> Iterator[tuple[str, int]]:
    server = _Server(on_connection, io_timeout)
    server.start()
    try:
        yield HOST, server.port
    finally:
        server.stop()


def make_server_context(
    cert: str | Path,
    key: str | Path,
    *,
    min_version: ssl.TLSVersion | None = ssl.TLSVersion.TLSv1_2,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
) -> ssl.SSLContext:
    """A server ``SSLContext``; legacy versions need ``ciphers`` ending in ``@SECLEVEL=0``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    if ciphers is None and min_version is not None and min_version < ssl.TLSVersion.TLSv1_2:
        # OpenSSL 3 refuses TLS 1.0/1.1 at the default security level.
        ciphers = "DEFAULT:@SECLEVEL=0"
    if ciphers:
        ctx.set_ciphers(ciphers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1/TLSv1_1 are deprecated on purpose
        if min_version is not None:
            ctx.minimum_version = min_version
        if max_version is not None:
            ctx.maximum_version = max_version
    return ctx


@contextlib.contextmanager
def tls_server(
    cert: str | Path,
    key: str | Path,
    *,
    min_version: ssl.TLSVersion | None = ssl.TLSVersion.TLSv1_2,
    max_version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
    handler: Handler | None = None,
    context: ssl.SSLContext | None = None,
    io_timeout: float = 5.0,
) -> Iterator[tuple[str, int]]:
    """Serve HTTPS on 127.0.0.1:<ephemeral>; yields ``(host, port)``.

    ``handler`` gets each :class:`Request` and returns a :class:`Response`
    (default: 200 ``ok``). Pass ``context`` to take full control of TLS.
    """
    ctx = context or make_server_context(cert, key, min_version=min_version, max_version=max_version, ciphers=ciphers)
    respond = handler or static_handler()

    def on_connection(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            _serve_http(tls, respond)

    with _running(on_connection, io_timeout) as address:
        yield address


@contextlib.contextmanager
def plain_http_server(handler: Handler | None = None, io_timeout: float = 5.0) -> Iterator[tuple[str, int]]:
    """Serve plain HTTP on 127.0.0.1:<ephemeral>; yields ``(host, port)``."""
    respond = handler or static_handler()

    def on_connection(conn: socket.socket) -> None:
        _serve_http(conn, respond)

    with _running(on_connection, io_timeout) as address:
        yield address


@contextlib.contextmanager
def silent_server(hold_seconds: float = 30.0) -> Iterator[tuple[str, int]]:
    """Accept connections and never answer (until ``hold_seconds`` or the server stops)."""
    stopped = threading.Event()

    def on_connection(conn: socket.socket) -> None:
        stopped.wait(hold_seconds)

    try:
        with _running(on_connection, hold_seconds) as address:
            yield address
    finally:
        stopped.set()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def legacy_tls_available(version: ssl.TLSVersion = ssl.TLSVersion.TLSv1) -> str | None:
    """None when the local OpenSSL can serve ``version`` (with SECLEVEL=0), else the reason it cannot."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # legacy versions on purpose
            for purpose in (ssl.PROTOCOL_TLS_SERVER, ssl.PROTOCOL_TLS_CLIENT):
                ctx = ssl.SSLContext(purpose)
                if purpose == ssl.PROTOCOL_TLS_CLIENT:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = version
                ctx.maximum_version = version
    except (ssl.SSLError, ValueError) as exc:
        return f"local OpenSSL cannot configure {version.name}: {exc}"
    if ssl.OPENSSL_VERSION_INFO < (1, 1, 0):
        return "OpenSSL too old"
    # Whether the build compiled the protocol in at all.
    flag = {ssl.TLSVersion.TLSv1: "HAS_TLSv1", ssl.TLSVersion.TLSv1_1: "HAS_TLSv1_1"}.get(version)
    if flag and not getattr(ssl, flag, False):
        return f"local OpenSSL was built without {version.name}"
    return None
