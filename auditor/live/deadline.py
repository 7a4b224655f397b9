"""A wall-clock deadline around each HTTP request (connect + TLS + headers + body).

httpx's timeouts are per operation: a server that sends its response headers
one byte at a time, each byte just inside the read timeout, holds a request
forever. Here every socket operation is given ``min(timeout, time left until the
request's deadline)``, so the whole request ends by its deadline whatever the
server does. The deadline lives in a thread-local set by :class:`RequestDeadline`
around each request; each target's probe runs in one thread.

The only private name used is httpx's ``HTTPTransport._pool`` (replaced by an
``httpcore.ConnectionPool`` built with the public ``network_backend`` argument).
"""

from __future__ import annotations

import ssl
import threading
import time
import typing
from typing import Any

import httpcore
import httpx

_state = threading.local()


def _remaining(timeout: float | None) -> float | None:
    """The timeout for one socket operation: never past the current request's deadline."""
    deadline: float | None = getattr(_state, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        _state.expired = True
        raise httpcore.ReadTimeout("request deadline reached")
    return left if timeout is None else min(timeout, left)


class RequestDeadline:
    """Context manager: socket operations in this thread end by ``deadline`` (monotonic seconds)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __enter__(self) -> RequestDeadline:
        _state.deadline = self.deadline
        _state.expired = False
        return self

    def __exit__(self, *exc: object) -> None:
        _state.deadline = None

    @property
    def expired(self) -> bool:
        """The deadline cut an operation short (or has passed)."""
        return bool(getattr(_state, "expired", False)) or time.monotonic() >= self.deadline


class _DeadlineStream(httpcore.NetworkStream):
    """Delegates to a real stream, clamping every timeout to the request deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read at most ``max_bytes`` before the deadline."""
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write ``buffer`` before the deadline."""
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        """Close the underlying stream."""
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        """Upgrade to TLS; the handshake is bounded too."""
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        """Pass-through (peer certificate, socket, ...)."""
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """The sync socket backend with deadline-clamped streams."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """Connect before the deadline."""
        return _DeadlineStream(self._inner.connect_tcp(host, port, _remaining(timeout), local_address,
                                                       socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """Not used by the probe; delegated for completeness."""
        return _DeadlineStream(self._inner.connect_unix_socket(path, _remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        """Sleep (used by httpcore's retries, which the probe does not enable)."""
        self._inner.sleep(seconds)


def deadline_transport(context: ssl.SSLContext, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose connections honour :class:`RequestDeadline`."""
    transport = httpx.HTTPTransport(verify=context, limits=limits, trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_DeadlineBackend(),
    )
    return transport
