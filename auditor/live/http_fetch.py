"""Bounded HTTP requests for the live probe (httpx, imported lazily).

Every request here: GET, HEAD or OPTIONS only; a wall-clock deadline around the
whole request (connect, TLS, headers and body: :mod:`auditor.live.deadline`), so
a server dripping its headers or body cannot hold the scan; a per-target time
limit after which requests are not attempted; bodies capped at 1 MiB;
``User-Agent: prodcheck/<version>``; no cookies kept or replayed (every request
goes out as if from a fresh client); curl-style ``--resolve`` honoured by
connecting to the given IP while keeping the Host header and the TLS
SNI/hostname check on the original name. A server Python's default TLS client
cannot talk to (TLS 1.0/1.1 only, static-RSA suites only) is retried once with
a permissive context, and that is recorded.
"""

from __future__ import annotations

import os
import ssl
import time
import warnings
import zlib
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from auditor import __version__

MAX_BODY = 1024 * 1024
USER_AGENT = f"prodcheck/{__version__} (+readiness scan)"
ALLOWED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Fetched:
    """One response (or the reason there was none)."""

    url: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    raw_size: int = 0
    truncated: bool = False
    deadline_hit: bool = False
    elapsed_ms: float | None = None
    error: str | None = None
    attempted: bool = True


@dataclass
class FetchConfig:
    """Connection settings shared by all requests of one target."""

    timeout: float = 10.0
    ca_bundle: str | None = None
    resolve: dict[tuple[str, int], str] = field(default_factory=dict)
    # Monotonic time after which no further request of this target is attempted.
    target_deadline: float | None = None
    target_timeout: float | None = None


class NoCookies(CookieJar):
    """A cookie jar that keeps nothing: server cookies are never replayed on later probes.

    It also spares the standard library's cookie parsing, which costs seconds on a
    response carrying thousands of ``Set-Cookie`` headers (the probe parses the
    headers itself, linearly).
    """

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Ignore cookies set by the server."""
        return None

    def add_cookie_header(self, request: Any) -> None:
        """Send no cookies."""
        return None

    def set_cookie(self, cookie: Any) -> None:
        """Keep nothing."""
        return None


def default_port(scheme: str) -> int:
    """443 for https, else 80."""
    return 443 if scheme == "https" else 80


def parse_resolve(entries: list[str] | tuple[str, ...] | None) -> dict[tuple[str, int], str]:
    """Parse curl-style ``HOST:PORT:IP`` entries (IPv6 in brackets allowed); bad entries raise ValueError."""
    mapping: dict[tuple[str, int], str] = {}
    for entry in entries or ():
        host, sep, rest = str(entry).partition(":")
        port_text, sep2, ip = rest.partition(":")
        if not (sep and sep2 and host and ip and port_text.isdigit()):
            raise ValueError(f"bad --resolve {entry!r}: expected HOST:PORT:IP")
        mapping[(host.lower(), int(port_text))] = ip.strip("[]")
    return mapping


def ssl_context(ca_bundle: str | None, *, verify: bool = True, legacy: bool = False) -> ssl.SSLContext:
    """A client context trusting ``ca_bundle`` (else ``SSL_CERT_FILE``, else the system store).

    ``legacy`` also offers TLS 1.0/1.1 and every cipher suite OpenSSL still has
    (``SECLEVEL=0``): only to observe the headers of a server the default context
    cannot reach; the TLS probe judges its protocols.
    """
    if not verify:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        cafile = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
        ctx = ssl.create_default_context(cafile=cafile)
    if legacy:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 on purpose, see above
            try:
                ctx.set_ciphers("ALL:@SECLEVEL=0")
                ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            except (ssl.SSLError, ValueError):
                pass  # this OpenSSL cannot go lower: the retry fails with the same reason
    return ctx


def describe_error(exc: BaseException, url: str, timeout: float) -> str:
    """One plain line saying why a request failed."""
    import httpx

    host = urlsplit(url).hostname or url
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s talking to {host}"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects from {url}"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return f"invalid HTTP response from {host}: {text.splitlines()[0][:160]}"
    if any(s in low for s in ("name or service not known", "nodename nor servname", "getaddrinfo",
                              "no address associated", "temporary failure in name resolution",
                              "name does not resolve", "[errno -2]", "[errno -3]", "[errno -5]")):
        return f"DNS failure: cannot resolve {host}"
    if "connection refused" in low or "errno 111" in low:
        return f"connection refused by {host}:{urlsplit(url).port or default_port(urlsplit(url).scheme)}"
    if "wrong_version_number" in low or "wrong version number" in low or "record layer failure" in low \
            or "http_request" in low:
        return f"TLS handshake failed with {host}: the server speaks plain HTTP on a TLS port"
    if "certificate_verify_failed" in low or "certificate verify failed" in low:
        return f"TLS certificate verification failed for {host}: {text.splitlines()[0][:160]}"
    if "ssl" in low or "tls" in low or "handshake" in low or "eof occurred in violation" in low:
        return f"TLS handshake failure with {host}: {text.splitlines()[0][:160]}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host}: {text.splitlines()[0][:160]}"
    if isinstance(exc, httpx.ReadError):
        return f"connection to {host} broken while reading: {text.splitlines()[0][:160]}"
    return f"{type(exc).__name__} talking to {host}: {text.splitlines()[0][:160]}"


def _is_verify_failure(exc: BaseException) -> bool:
    low = str(exc).lower()
    return "certificate_verify_failed" in low or "certificate verify failed" in low


_LEGACY_HINTS = ("unsupported protocol", "unsupported_protocol", "no protocols available", "no_protocols_available",
                 "no shared cipher", "no_shared_cipher", "no ciphers available", "no_ciphers_available",
                 "handshake failure", "handshake_failure", "protocol version", "protocol_version",
                 "insufficient security", "insufficient_security", "version too low", "dh key too small",
                 "legacy sigalg", "unsafe legacy renegotiation")


def _is_legacy_failure(exc: BaseException) -> bool:
    """A handshake the default context refused for protocol or cipher reasons (not trust)."""
    low = str(exc).lower()
    return any(hint in low for hint in _LEGACY_HINTS)


class Fetcher:
    """Makes the probe's requests for one target; one keep-alive client per trust mode.

    Trust modes: verified (the default), then, once a request fails for that
    reason, unverified (certificate failures are the TLS probe's to judge) and/or
    legacy (TLS 1.0/1.1 and static-RSA suites allowed). ``verify_error`` and
    ``legacy_tls`` say why a mode was entered.
    """

    def __init__(self, config: FetchConfig) -> None:
        import httpx

        self.config = config
        self.verify_error: str | None = None
        self.legacy_tls: str | None = None
        self._limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        self._timeout = httpx.Timeout(config.timeout)
        self._clients: dict[tuple[bool, bool], Any] = {}

    def close(self) -> None:
        """Release connections."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _client(self) -> Any:
        import httpx

        from auditor.live.deadline import deadline_transport

        mode = (self.verify_error is None, self.legacy_tls is not None)
        if mode not in self._clients:
            context = ssl_context(self.config.ca_bundle, verify=mode[0], legacy=mode[1])
            self._clients[mode] = httpx.Client(
                transport=deadline_transport(context, self._limits), timeout=self._timeout,
                follow_redirects=False, trust_env=False, cookies=NoCookies())
        return self._clients[mode]

    def time_left(self) -> float | None:
        """Seconds left of the target's time limit (None: no limit)."""
        if self.config.target_deadline is None:
            return None
        return self.config.target_deadline - time.monotonic()

    def out_of_time(self) -> bool:
        """The target's time limit has been reached: no further request is attempted."""
        left = self.time_left()
        return left is not None and left <= 0

    def not_attempted(self, url: str) -> Fetched:
        """The result of a request skipped because the target ran out of time."""
        limit = self.config.target_timeout
        return Fetched(url=url, attempted=False,
                       error=f"not attempted: the target time limit ({limit:g}s) was reached" if limit
                       else "not attempted: the target time limit was reached")

    def fetch(self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
              max_body: int = MAX_BODY, raw: bool = False) -> Fetched:
        """One request; never raises. ``raw`` keeps the body as sent (no content decoding)."""
        if method not in ALLOWED_METHODS:
            raise ValueError(f"prodcheck only sends GET/HEAD/OPTIONS, not {method}")
        if self.out_of_time():
            return self.not_attempted(url)
        for _ in range(3):  # at most: verified, then unverified and/or legacy
            try:
                return self._fetch(url, method, headers or {}, max_body, raw)
            except Exception as exc:  # noqa: BLE001 - any transport failure becomes a reason
                if _is_verify_failure(exc) and self.verify_error is None:
                    # Keep observing: the TLS probe judges trust; headers still deserve a verdict.
                    self.verify_error = describe_error(exc, url, self.config.timeout)
                elif _is_legacy_failure(exc) and self.legacy_tls is None and url.lower().startswith("https:"):
                    self.legacy_tls = describe_error(exc, url, self.config.timeout)
                else:
                    return Fetched(url=url, error=describe_error(exc, url, self.config.timeout))
                if self.out_of_time():
                    return self.not_attempted(url)
        return Fetched(url=url, error=f"no TLS client configuration could reach {urlsplit(url).hostname}")

    def _deadline(self) -> float:
        deadline = time.monotonic() + self.config.timeout
        if self.config.target_deadline is not None:
            deadline = min(deadline, self.config.target_deadline)
        return deadline

    def _fetch(self, url: str, method: str, headers: dict[str, str], max_body: int, raw: bool) -> Fetched:
        import httpx

        from auditor.live.deadline import RequestDeadline

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return Fetched(url=url, error=f"unsupported URL {url!r}")
        host = parts.hostname.lower()
        port = parts.port or default_port(scheme)
        send_headers = {"User-Agent": USER_AGENT, **headers}
        extensions: dict[str, Any] = {}
        target = url
        ip = self.config.resolve.get((host, port))
        if ip:
            # Connect to the pinned address, keep Host and SNI (and the hostname check) on the name.
            netloc = f"[{ip}]" if ":" in ip else ip
            if parts.port:
                netloc += f":{parts.port}"
            target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
            send_headers.setdefault("Host", parts.netloc.rsplit("@", 1)[-1])
            if scheme == "https":
                extensions["sni_hostname"] = host
        client = self._client()
        start = time.monotonic()
        with RequestDeadline(self._deadline()) as deadline:
            request = client.build_request(method, target, headers=send_headers, extensions=extensions)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                if deadline.expired:
                    return Fetched(url=url, deadline_hit=True, elapsed_ms=round((time.monotonic() - start) * 1000, 1),
                                   error=f"timed out after {self.config.timeout:g}s talking to {host}: no complete "
                                         "response headers (the server sends too slowly or not at all)")
                raise
            try:
                chunks: list[bytes] = []
                size = 0
                truncated = False
                late = False
                stream = response.iter_raw() if raw else response.iter_bytes()
                try:
                    for chunk in stream:
                        room = max_body - size
                        if len(chunk) >= room:
                            chunks.append(chunk[:room])
                            size += room
                            truncated = True
                            break
                        chunks.append(chunk)
                        size += len(chunk)
                except httpx.TimeoutException:
                    if not deadline.expired:
                        raise
                    # The deadline cut the body: a server dripping bytes still stops here.
                    truncated = late = True
                elapsed = (time.monotonic() - start) * 1000
                return Fetched(
                    url=url,
                    status=response.status_code,
                    headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw),
                    body=b"".join(chunks),
                    raw_size=size,
                    truncated=truncated,
                    deadline_hit=late,
                    elapsed_ms=round(elapsed, 1),
                )
            finally:
                response.close()


def decode_body(body: bytes, encoding: str | None, limit: int = 4 * MAX_BODY) -> bytes | None:
    """Decode a raw gzip/deflate/br body, capped at ``limit`` bytes; None when not decodable."""
    enc = (encoding or "identity").strip().lower()
    try:
        if enc in ("", "identity"):
            return body
        if enc in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, limit)
        if enc == "deflate":
            return zlib.decompressobj().decompress(body, limit)
        if enc == "br":
            try:
                import brotli  # optional: not a dependency
            except ImportError:
                return None
            out: bytes = brotli.decompress(body)
            return out[:limit]
    except Exception:  # noqa: BLE001 - corrupt compressed data is an observation, not a crash
        return None
    return None
