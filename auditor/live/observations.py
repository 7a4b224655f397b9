"""Live observation model: what the probes saw on one URL, serialisable to JSON.

Checks judge these facts and nothing else, so every live check can be tested
from a recorded ``observations.json``. Cookie values are never recorded (only
names and attributes): observations may be committed as fixtures or attached
to CI runs.

JSON shape: ``{"schema_version": 1, "tool_version": "...", "targets": [...]}``;
a bare list of targets is accepted too.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.live.tls import TlsObservation

SCHEMA_VERSION = 1

Headers = tuple[tuple[str, str], ...]


def header_values(headers: Headers, name: str) -> list[str]:
    """Every value of a (possibly repeated) header, case-insensitively."""
    wanted = name.lower()
    return [v for k, v in headers if k.lower() == wanted]


def header_value(headers: Headers, name: str) -> str | None:
    """The values of a header joined with ``, `` (RFC 9110 list semantics), or None."""
    values = header_values(headers, name)
    return ", ".join(values) if values else None


@dataclass(frozen=True)
class Hop:
    """One response in a redirect chain."""

    url: str
    status: int
    scheme: str
    host: str
    location: str | None = None
    # The hop is on another origin than the one scanned: fetched once, recorded, never probed further.
    off_origin: bool = False


@dataclass(frozen=True)
class CookieObservation:
    """A ``Set-Cookie`` as seen on the wire: its name and attributes, never its value."""

    name: str
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None
    path: str | None = None
    domain: str | None = None
    raw_samesite_invalid: bool = False

    @property
    def prefix(self) -> str | None:
        """``__Host-`` or ``__Secure-`` when the name carries a cookie prefix."""
        for prefix in ("__Host-", "__Secure-"):
            if self.name.startswith(prefix):
                return prefix
        return None


@dataclass(frozen=True)
class PageObservation:
    """A GET of one URL followed hop by hop (at most 10 redirects)."""

    url: str
    hops: tuple[Hop, ...] = ()
    status: int | None = None
    final_url: str | None = None
    headers: Headers = ()
    cookies: tuple[CookieObservation, ...] = ()
    content_type: str | None = None
    error: str | None = None
    loop: bool = False
    too_many_redirects: bool = False
    # Where the chain left the scanned origin (the first off-origin URL), and a redirect
    # from there that was recorded but not followed.
    off_origin_url: str | None = None
    not_followed: str | None = None
    # How many Set-Cookie headers the chain sent when more than the probe records (see MAX_COOKIES).
    cookies_total: int | None = None

    def header(self, name: str) -> str | None:
        """A response header of the final response (joined when repeated)."""
        return header_value(self.headers, name)


@dataclass(frozen=True)
class ScriptRef:
    """A ``<script src>`` of the page, for Subresource Integrity."""

    src: str
    integrity: bool = False
    same_origin: bool = True
    secure: bool = True


@dataclass(frozen=True)
class CorsProbe:
    """A CORS preflight and a simple GET sent with one ``Origin``."""

    origin: str
    preflight_status: int | None = None
    preflight_headers: Headers = ()
    simple_status: int | None = None
    simple_headers: Headers = ()
    error: str | None = None

    @property
    def answered(self) -> bool:
        """At least one of the two requests got a response."""
        return self.preflight_status is not None or self.simple_status is not None


@dataclass(frozen=True)
class CorsObservation:
    """CORS probes: the foreign ``Origin`` (top-level fields) and further origins in ``others``.

    The foreign origin keeps the top-level fields so observations saved before
    ``others`` existed still load; ``others`` holds the same probe sent with
    ``http://localhost:1`` and ``null``, origins that permissive callbacks often trust.
    """

    origin: str
    url: str
    preflight_status: int | None = None
    preflight_headers: Headers = ()
    simple_status: int | None = None
    simple_headers: Headers = ()
    error: str | None = None
    others: tuple[CorsProbe, ...] = ()

    def probes(self) -> tuple[CorsProbe, ...]:
        """Every origin probed, the foreign one first."""
        main = CorsProbe(origin=self.origin, preflight_status=self.preflight_status,
                         preflight_headers=self.preflight_headers, simple_status=self.simple_status,
                         simple_headers=self.simple_headers, error=self.error)
        return (main, *self.others)


@dataclass(frozen=True)
class EndpointObservation:
    """A GET of a well-known path (health, /metrics, a missing page)."""

    path: str
    url: str
    status: int | None = None
    content_type: str | None = None
    body: str = ""
    latency_ms: float | None = None
    headers: Headers = ()
    error: str | None = None

    @property
    def failed(self) -> bool:
        """The request was attempted (or due) and got no response: an error, not an absence."""
        return self.error is not None and self.status is None

    @property
    def ok(self) -> bool:
        """Answered with a success status (or 503, which health endpoints use for 'down')."""
        return self.status is not None and (200 <= self.status < 300 or self.status == 503)


@dataclass(frozen=True)
class AssetObservation:
    """A static asset fetched with ``Accept-Encoding: gzip, br``.

    ``cache_headers`` keeps the CDN and shared-cache headers of the response
    (``Age``, ``Via``, ``X-Cache``, ``CF-Cache-Status``, ``Cache-Status``, ``Server`` ...).
    """

    url: str
    status: int | None = None
    content_type: str | None = None
    cache_control: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_encoding: str | None = None
    size: int | None = None
    sourcemap_header: str | None = None
    sourcemap_comment: str | None = None
    map_url: str | None = None
    map_status: int | None = None
    map_served: bool = False
    configured: bool = False
    error: str | None = None
    cache_headers: Headers = ()


@dataclass(frozen=True)
class BurstObservation:
    """The bounded rate-limit burst: sequential GETs stopping at the first 429."""

    ran: bool
    reason: str = ""
    url: str | None = None
    statuses: tuple[int, ...] = ()
    limited_at: int | None = None
    retry_after: str | None = None
    ratelimit_headers: Headers = ()
    error: str | None = None


@dataclass(frozen=True)
class HttpObservation:
    """Everything the HTTP probe saw for one target."""

    page: PageObservation
    http: PageObservation | None = None
    scripts: tuple[ScriptRef, ...] = ()
    cors: CorsObservation | None = None
    health: tuple[EndpointObservation, ...] = ()
    missing: EndpointObservation | None = None
    metrics: EndpointObservation | None = None
    assets: tuple[AssetObservation, ...] = ()
    burst: BurstObservation | None = None
    is_html: bool = False
    verify_error: str | None = None
    notes: tuple[str, ...] = ()
    # CSP and referrer policies the page sets in <meta> tags (auditor.live.csp.http_equiv_headers).
    meta_http_equiv: Headers = ()
    # Why the default TLS client could not reach the server (the HTTP side then used a
    # permissive context: TLS 1.0/1.1 and static-RSA suites allowed).
    legacy_tls: str | None = None
    # The origin every probe was sent to (scheme://host:port/); redirects elsewhere are only recorded.
    probe_origin: str | None = None
    # Probes cut short by the per-target time limit.
    timed_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveTarget:
    """One probed URL: TLS and HTTP facts, or the one-line reason it could not be scanned."""

    url: str
    error: str | None = None
    tls: TlsObservation | None = None
    http: HttpObservation | None = None
    resolved_ip: str | None = None
    duration_s: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    # The page could not be fetched although the target was reached (TLS observed): the
    # HTTP checks are errors with this reason, the TLS checks still judge.
    http_error: str | None = None

    @property
    def is_https(self) -> bool:
        """The URL was given as https."""
        return self.url.lower().startswith("https://")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "url": self.url,
            "error": self.error,
            "tls": self.tls.to_dict() if self.tls is not None else None,
            "http": _to_json(self.http),
            "resolved_ip": self.resolved_ip,
            "duration_s": self.duration_s,
            "notes": list(self.notes),
            "http_error": self.http_error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LiveTarget:
        """Inverse of :meth:`to_dict`; missing keys take their defaults."""
        if not isinstance(data, dict) or not data.get("url"):
            raise ValueError("each target needs a 'url'")
        tls = data.get("tls")
        http = data.get("http")
        return cls(
            url=str(data["url"]),
            error=data.get("error"),
            tls=TlsObservation.from_dict(tls) if isinstance(tls, dict) else None,
            http=_from_json(HttpObservation, http) if isinstance(http, dict) else None,
            resolved_ip=data.get("resolved_ip"),
            duration_s=data.get("duration_s"),
            notes=tuple(str(n) for n in data.get("notes") or ()),
            http_error=str(data["http_error"]) if data.get("http_error") else None,
        )


def _to_json(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists (header pairs become [name, value])."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    return str(value)


def _from_json(cls: type[Any], data: dict[str, Any]) -> Any:
    """Build a dataclass from JSON, guided by its type hints; unknown keys are ignored."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=False))
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return _from_json(hint, value)  # type: ignore[arg-type]
    if hint is float and isinstance(value, (int, float)):
        return float(value)
    if hint is int and isinstance(value, (int, float, str)):
        return int(value)
    return value


def load_observations(path: Path | str) -> list[LiveTarget]:
    """Read observations written by :func:`save_observations` (or a bare list of targets)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    items = raw.get("targets") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a 'targets' list")
    if isinstance(raw, dict) and int(raw.get("schema_version", SCHEMA_VERSION)) > SCHEMA_VERSION:
        raise ValueError(f"{path}: schema_version {raw['schema_version']} is newer than this prodcheck")
    return [LiveTarget.from_dict(item) for item in items]


def save_observations(targets: list[LiveTarget], path: Path | str) -> None:
    """Write targets as JSON (the shape :func:`load_observations` reads)."""
    payload = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "targets": [t.to_dict() for t in targets],
    }
    Path(path).write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8")
