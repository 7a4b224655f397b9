"""Bounded HTTP requests for the live probe (httpx, imported lazily).

Every request here: GET, HEAD or OPTIONS only; a per-operation timeout plus an
overall deadline while the body streams (a slow-drip server cannot hold the
scan); bodies capped at 1 MiB; ``User-Agent: prodcheck/<version>``; curl-style
``--resolve`` honoured by connecting to the given IP while keeping the Host
header and the TLS SNI/hostname check on the original name.
"""

from __future__ import annotations

import os
import ssl
import time
import zlib
from dataclasses import dataclass, field
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


@dataclass
class FetchConfig:
    """Connection settings shared by all requests of one target."""

    timeout: float = 10.0
    ca_bundle: str | None = None
    resolve: dict[tuple[str, int], str] = field(default_factory=dict)


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


def ssl_context(ca_bundle: str | None, *, verify: bool = True) -> ssl.SSLContext:
    """A client context trusting ``ca_bundle`` (else ``SSL_CERT_FILE``, else the system store)."""
    if not verify:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    cafile = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    return ssl.create_default_context(cafile=cafile)


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


class Fetcher:
    """Makes the probe's requests for one target; one keep-alive client per trust mode."""

    def __init__(self, config: FetchConfig) -> None:
        import httpx

        self.config = config
        self.verify_error: str | None = None
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        timeout = httpx.Timeout(config.timeout)
        self._verified = httpx.Client(verify=ssl_context(config.ca_bundle), timeout=timeout,
                                      follow_redirects=False, limits=limits, trust_env=False)
        self._insecure: Any = None
        self._limits = limits
        self._timeout = timeout

    def close(self) -> None:
        """Release connections."""
        self._verified.close()
        if self._insecure is not None:
            self._insecure.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _client(self) -> Any:
        import httpx

        if self.verify_error is None:
            return self._verified
        if self._insecure is None:
            self._insecure = httpx.Client(verify=ssl_context(None, verify=False), timeout=self._timeout,
                                          follow_redirects=False, limits=self._limits, trust_env=False)
        return self._insecure

    def fetch(self, url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
              max_body: int = MAX_BODY, raw: bool = False) -> Fetched:
        """One request; never raises. ``raw`` keeps the body as sent (no content decoding)."""
        if method not in ALLOWED_METHODS:
            raise ValueError(f"prodcheck only sends GET/HEAD/OPTIONS, not {method}")
        try:
            return self._fetch(url, method, headers or {}, max_body, raw)
        except Exception as exc:  # noqa: BLE001 - any transport failure becomes a reason
            if _is_verify_failure(exc) and self.verify_error is None:
                # Keep observing: the TLS probe judges trust; headers still deserve a verdict.
                self.verify_error = describe_error(exc, url, self.config.timeout)
                try:
                    return self._fetch(url, method, headers or {}, max_body, raw)
                except Exception as exc2:  # noqa: BLE001
                    return Fetched(url=url, error=describe_error(exc2, url, self.config.timeout))
            return Fetched(url=url, error=describe_error(exc, url, self.config.timeout))

    def _fetch(self, url: str, method: str, headers: dict[str, str], max_body: int, raw: bool) -> Fetched:
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
        deadline = start + self.config.timeout
        request = client.build_request(method, target, headers=send_headers, extensions=extensions)
        response = client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            late = False
            stream = response.iter_raw() if raw else response.iter_bytes()
            for chunk in stream:
                room = max_body - size
                if len(chunk) >= room:
                    chunks.append(chunk[:room])
                    size += room
                    truncated = True
                    break
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    # Overall deadline: a server dripping bytes under the read timeout still stops here.
                    truncated = late = True
                    break
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
