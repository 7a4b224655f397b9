"""The HTTP probe: observe one URL the way the live checks need it.

Observes, never judges: redirect chains (https and http), response headers and
cookies (names and attributes only), a CORS preflight and a simple request for
each probe origin (a foreign one, ``http://localhost:1`` and ``null``), health
endpoints, a random missing path, ``/metrics``, static assets (with their CDN and
shared-cache headers) and a bounded rate-limit burst. See :mod:`auditor.live.http_fetch`
for the bounds every request respects.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.live.csp import http_equiv_headers
from auditor.live.http_fetch import Fetched, Fetcher, decode_body, default_port
from auditor.live.observations import (
    AssetObservation,
    BurstObservation,
    CookieObservation,
    CorsObservation,
    CorsProbe,
    EndpointObservation,
    Hop,
    HttpObservation,
    PageObservation,
    ScriptRef,
    header_value,
    header_values,
)
from auditor.live.redaction import redact_headers, redact_observation, redact_text

FOREIGN_ORIGIN = "https://prodcheck-probe.invalid"
# Origins permissive CORS callbacks tend to trust: any local dev server, and the opaque
# origin that sandboxed iframes, data: URLs and file: pages send.
EXTRA_ORIGINS = ("http://localhost:1", "null")
# CDN and shared-cache response headers kept on asset observations (the page keeps all headers).
CDN_HEADERS = frozenset({
    "age", "via", "x-cache", "x-cache-hits", "x-cache-status", "cf-cache-status", "cf-ray", "x-served-by",
    "cdn-cache-control", "cache-status", "server", "x-amz-cf-id", "x-amz-cf-pop", "x-fastly-request-id",
    "fastly-debug-digest", "x-vercel-cache", "x-vercel-id", "x-nf-request-id", "x-azure-ref", "akamai-cache-status",
    "akamai-grn", "x-akamai-transformed", "x-varnish", "x-proxy-cache", "cdn-cache", "cdn-pullzone",
    "cdn-requestid", "x-cdn", "x-edge-location", "x-iinfo", "x-sucuri-id", "x-sucuri-cache", "surrogate-control",
})
HEALTH_PATHS = ("/health", "/healthz", "/livez", "/readyz", "/ready", "/live", "/status", "/actuator/health")
MAX_REDIRECTS = 10
MAX_ASSETS = 10
# At most this many health paths and this many configured assets per target, whatever a config says.
MAX_PATHS = 20
# Cookies recorded per page (a server sending thousands gets the first ones judged and the count noted).
MAX_COOKIES = 50
KEEP_BODY = 64 * 1024
BURST_DEFAULT = 20
BURST_MAX = 30
RATE_LIMIT_HEADERS = ("retry-after", "ratelimit", "ratelimit-policy", "ratelimit-limit", "ratelimit-remaining",
                      "ratelimit-reset")
_SOURCEMAP_RE = re.compile(rb"[#@]\s*sourceMappingURL=([^\s'\"*]+)")


@dataclass(frozen=True)
class ProbeSettings:
    """Per-target probe knobs (from CLI flags and the config file)."""

    assets: tuple[str, ...] = ()
    health_paths: tuple[str, ...] = ()
    burst_path: str | None = None
    burst_size: int = BURST_DEFAULT
    no_burst: bool = False


class _Refs(HTMLParser):
    """Collects script, stylesheet and link references from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, bool]] = []
        self.styles: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record src/href of scripts, stylesheets and anchors."""
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and values.get("src"):
            self.scripts.append((values["src"], bool(values.get("integrity"))))
        elif tag == "link" and "stylesheet" in values.get("rel", "").lower().split() and values.get("href"):
            self.styles.append(values["href"])
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or default_port(scheme)


def _base(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def parse_cookie(raw: str) -> CookieObservation:
    """Name and attributes of one Set-Cookie header (the value is dropped on purpose)."""
    parts = [p.strip() for p in raw.split(";")]
    name = parts[0].split("=", 1)[0].strip() if parts else ""
    attrs: dict[str, str | None] = {}
    invalid_samesite = False
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        attrs[key] = value.strip() if sep else None
        if key == "samesite" and (not sep or value.strip().lower() not in ("lax", "strict", "none")):
            invalid_samesite = True
    return CookieObservation(
        name=name,
        secure="secure" in attrs,
        httponly="httponly" in attrs,
        samesite=attrs.get("samesite") or None,
        path=attrs.get("path"),
        domain=attrs.get("domain"),
        raw_samesite_invalid=invalid_samesite,
    )


def _redacted_headers(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Drop cookie values and mask secret-looking values: observations may be shared."""
    return redact_headers(headers)


def on_scanned_host(url: str, scanned: str) -> bool:
    """``url`` is on the origin prodcheck was pointed at (or its http/https twin on the same host).

    Same host and same port, or the same host moving between the default ports
    of http and https (``http://a/`` -> ``https://a/``).
    """
    scheme, host, port = _origin(url)
    s_scheme, s_host, s_port = _origin(scanned)
    if host != s_host or not host:
        return False
    if port == s_port:
        return True
    return port == default_port(scheme) and s_port == default_port(s_scheme)


def follow(fetcher: Fetcher, url: str, scanned: str | None = None, *,
           leave_origin: bool = True) -> tuple[PageObservation, bytes]:
    """GET ``url`` following redirects hop by hop, on the scanned origin only.

    A redirect to another origin is fetched once (it is the page users land on)
    and recorded; a further redirect from there is recorded, never followed.
    With ``leave_origin=False`` (the http twin of an https URL) not even that
    one request leaves the origin: the redirect is recorded in ``not_followed``.
    Returns the observation and the final body.
    """
    scanned = scanned or url
    hops: list[Hop] = []
    seen: set[str] = set()
    cookies: list[CookieObservation] = []
    current = url
    off_origin_url: str | None = None
    cookies_total = 0
    for _ in range(MAX_REDIRECTS + 1):
        if current in seen:
            chain = " -> ".join([h.url for h in hops] + [current])
            return PageObservation(url=url, hops=tuple(hops), loop=True, off_origin_url=off_origin_url,
                                   error=f"redirect loop: {chain}"), b""
        seen.add(current)
        got = fetcher.fetch(current)
        if got.error:
            return PageObservation(url=url, hops=tuple(hops), error=got.error, off_origin_url=off_origin_url), b""
        if got.deadline_hit:
            # A page that cannot be delivered within the timeout is unusable, however it drips.
            return PageObservation(url=url, hops=tuple(hops), off_origin_url=off_origin_url, error=(
                f"response from {current} still incomplete after {fetcher.config.timeout:g}s "
                "(server sends too slowly)")), b""
        assert got.status is not None
        location = header_value(got.headers, "location")
        scheme, host, _ = _origin(current)
        off = off_origin_url is not None
        hops.append(Hop(url=current, status=got.status, scheme=scheme, host=host, location=location, off_origin=off))
        set_cookies = header_values(got.headers, "set-cookie")
        cookies_total += len(set_cookies)
        cookies.extend(parse_cookie(v) for v in set_cookies[:max(0, MAX_COOKIES - len(cookies))])
        if 300 <= got.status < 400 and location:
            following = urljoin(current, location.strip())
            if off or not on_scanned_host(following, scanned):
                if off or not leave_origin:
                    # Already off the scanned origin: record where it goes, send nothing more.
                    return _final(url, hops, got, cookies, current, off_origin_url or following,
                                  following, cookies_total), got.body
                off_origin_url = following
            current = following
            continue
        return _final(url, hops, got, cookies, current, off_origin_url, None, cookies_total), got.body
    return PageObservation(url=url, hops=tuple(hops), too_many_redirects=True, off_origin_url=off_origin_url,
                           error=f"more than {MAX_REDIRECTS} redirects from {url}"), b""


def _final(url: str, hops: list[Hop], got: Fetched, cookies: list[CookieObservation], current: str,
           off_origin_url: str | None, not_followed: str | None, cookies_total: int) -> PageObservation:
    return PageObservation(
        url=url, hops=tuple(hops), status=got.status, final_url=current,
        headers=_redacted_headers(_cap_set_cookie(got.headers)), cookies=tuple(cookies),
        content_type=header_value(got.headers, "content-type"),
        off_origin_url=off_origin_url, not_followed=not_followed,
        cookies_total=cookies_total if cookies_total > MAX_COOKIES else None,
    )


def _cap_set_cookie(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The headers with at most MAX_COOKIES Set-Cookie lines (linear, one pass)."""
    kept: list[tuple[str, str]] = []
    seen = 0
    for name, value in headers:
        if name.lower() == "set-cookie":
            seen += 1
            if seen > MAX_COOKIES:
                continue
        kept.append((name, value))
    return tuple(kept)


def _http_variant(url: str) -> str:
    """The plain-http URL of an https URL: port 80 for the default port, else the same port.

    A non-default port is assumed to answer both (as test servers and some proxies do); if it
    does not, the http leg is recorded as unreachable, which needs no redirect.
    """
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(("http", netloc, parts.path or "/", parts.query, ""))


def _endpoint(fetcher: Fetcher, base: str, path: str, keep: int = KEEP_BODY) -> EndpointObservation:
    url = urljoin(base, path)
    got = fetcher.fetch(url)
    return EndpointObservation(
        path=path, url=url, status=got.status, content_type=header_value(got.headers, "content-type"),
        body=got.body[:keep].decode("utf-8", "replace"), latency_ms=got.elapsed_ms,
        headers=_redacted_headers(got.headers), error=got.error,
    )


def _cors_probe(fetcher: Fetcher, url: str, origin: str) -> CorsProbe:
    """A preflight and a simple GET sent with ``origin``; only CORS and Vary headers are kept."""
    pre = fetcher.fetch(url, method="OPTIONS", max_body=4096, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    simple = fetcher.fetch(url, headers={"Origin": origin}, max_body=4096)
    keep = ("access-control-", "vary")
    return CorsProbe(
        origin=origin,
        preflight_status=pre.status,
        preflight_headers=tuple((k, v) for k, v in pre.headers if k.lower().startswith(keep)),
        simple_status=simple.status,
        simple_headers=tuple((k, v) for k, v in simple.headers if k.lower().startswith(keep)),
        error=pre.error or simple.error,
    )


def _cors(fetcher: Fetcher, url: str) -> CorsObservation:
    main = _cors_probe(fetcher, url, FOREIGN_ORIGIN)
    return CorsObservation(
        origin=main.origin, url=url, preflight_status=main.preflight_status,
        preflight_headers=main.preflight_headers, simple_status=main.simple_status,
        simple_headers=main.simple_headers, error=main.error,
        others=tuple(_cors_probe(fetcher, url, origin) for origin in EXTRA_ORIGINS),
    )


def _same_origin(url: str, page_url: str) -> bool:
    a, b = _origin(url), _origin(page_url)
    return a[1:] == b[1:] and a[0] == b[0]


def _looks_like_sourcemap(got: Fetched) -> bool:
    if got.status is None or not 200 <= got.status < 300:
        return False
    head = got.body[:8192]
    return b'"mappings"' in head or (b'"version"' in head and b'"sources"' in head)


def _asset(fetcher: Fetcher, url: str, configured: bool) -> AssetObservation:
    got = fetcher.fetch(url, headers={"Accept-Encoding": "gzip, br"}, raw=True)
    if got.error:
        return AssetObservation(url=url, configured=configured, error=got.error)
    encoding = header_value(got.headers, "content-encoding")
    header_map = header_value(got.headers, "sourcemap") or header_value(got.headers, "x-sourcemap")
    decoded = decode_body(got.body, encoding) or b""
    matches = list(_SOURCEMAP_RE.finditer(decoded[-4096:]))
    match = matches[-1] if matches else None  # the last comment wins, as in browsers
    comment = match.group(1).decode("latin-1") if match else None
    map_status = None
    map_served = False
    map_url = None
    ok = got.status is not None and 200 <= got.status < 300
    is_code = urlsplit(url).path.endswith((".js", ".mjs", ".css")) or "javascript" in (
        header_value(got.headers, "content-type") or "") or "css" in (header_value(got.headers, "content-type") or "")
    if ok and is_code:
        ref = header_map or comment
        if ref and ref.startswith("data:"):
            map_url = None  # inline map: referenced, nothing more to fetch
        else:
            map_url = urljoin(url, ref) if ref else url.split("?", 1)[0] + ".map"
            if map_url and _same_origin(map_url, url):
                got_map = fetcher.fetch(map_url, max_body=16 * 1024)
                map_status = got_map.status
                map_served = _looks_like_sourcemap(got_map)
    return AssetObservation(
        url=url, status=got.status, content_type=header_value(got.headers, "content-type"),
        cache_control=header_value(got.headers, "cache-control"), etag=header_value(got.headers, "etag"),
        last_modified=header_value(got.headers, "last-modified"), content_encoding=encoding,
        size=got.raw_size, sourcemap_header=header_map, sourcemap_comment=comment, map_url=map_url,
        map_status=map_status, map_served=map_served, configured=configured,
        cache_headers=tuple((k, v) for k, v in got.headers if k.lower() in CDN_HEADERS),
    )


def _burst(fetcher: Fetcher, url: str, size: int) -> BurstObservation:
    statuses: list[int] = []
    seen_headers: dict[str, tuple[str, str]] = {}
    retry_after = None
    limited_at = None
    error = None
    for index in range(max(1, min(size, BURST_MAX))):
        got = fetcher.fetch(url, max_body=16 * 1024)
        if got.error or got.status is None:
            error = got.error
            break
        statuses.append(got.status)
        for name, value in got.headers:
            low = name.lower()
            if (low in RATE_LIMIT_HEADERS or low.startswith("x-ratelimit") or low.startswith("x-rate-limit")) \
                    and low not in seen_headers:
                seen_headers[low] = (name, value)
        if got.status == 429:
            limited_at = index + 1
            retry_after = header_value(got.headers, "retry-after")
            break
    return BurstObservation(ran=True, url=url, statuses=tuple(statuses), limited_at=limited_at,
                            retry_after=retry_after, ratelimit_headers=tuple(seen_headers.values()), error=error)


def _api_path(refs: _Refs, page_url: str) -> str | None:
    for candidate in [*refs.links, *(s for s, _ in refs.scripts)]:
        absolute = urljoin(page_url, candidate)
        if _same_origin(absolute, page_url) and urlsplit(absolute).path.startswith("/api/"):
            return absolute
    return None


def probe_http(url: str, fetcher: Fetcher, settings: ProbeSettings) -> tuple[HttpObservation | None, str | None]:
    """Observe ``url``; returns (observation, error). An error means the page itself was unreachable.

    Every probe goes to the origin of ``url``: when the page redirects to another
    origin, that page is fetched once and recorded, and nothing else is sent there.
    Everything kept is redacted (:mod:`auditor.live.redaction`) before it is returned.
    """
    page, body = follow(fetcher, url, url)
    if page.error or page.final_url is None:
        return None, redact_text(page.error or "no response")
    final = page.final_url
    # The page's own origin when it stayed on the scanned host, else the scanned origin.
    on_host = on_scanned_host(final, url)
    probe_page = final if on_host else _last_on_host(page, url)
    base = _base(probe_page)
    notes: list[str] = []
    if page.off_origin_url:
        notes.append(f"{url} redirects to another origin ({page.off_origin_url}): that page was fetched once and "
                     f"recorded; every other probe went to {_base(url)} only")
    if page.not_followed:
        notes.append(f"a further redirect to {page.not_followed} was recorded, not followed")
    if page.cookies_total:
        notes.append(f"the page set {page.cookies_total} cookies; the first {MAX_COOKIES} were recorded and judged")
    http_leg: PageObservation | None = None
    if urlsplit(url).scheme.lower() == "https":
        http_leg, _ = follow(fetcher, _http_variant(url), url, leave_origin=False)
    ctype = (page.content_type or "").lower()
    is_html = "html" in ctype
    refs = _Refs()
    if is_html:
        try:
            refs.feed(body[:MAX_HTML].decode("utf-8", "replace"))
            refs.close()
        except Exception as exc:  # noqa: BLE001 - hostile markup must not stop the scan
            notes.append(f"page HTML could not be parsed fully: {type(exc).__name__}")
    scripts = []
    for src, integrity in refs.scripts:
        absolute = urljoin(final, src)
        scripts.append(ScriptRef(src=src, integrity=integrity, same_origin=_same_origin(absolute, final),
                                 secure=absolute.lower().startswith("https://") and not src.startswith("//")))
    cors = _cors(fetcher, probe_page)
    health_paths = list(dict.fromkeys([*HEALTH_PATHS, *settings.health_paths]))
    if len(health_paths) > MAX_PATHS:
        notes.append(f"{len(health_paths)} health paths configured or built in; only the first {MAX_PATHS} probed")
        health_paths = health_paths[:MAX_PATHS]
    health = tuple(_endpoint(fetcher, base, p) for p in health_paths)
    missing = _endpoint(fetcher, base, f"/prodcheck-{secrets.token_hex(6)}")
    metrics = _endpoint(fetcher, base, "/metrics", keep=8192)
    asset_urls: list[tuple[str, bool]] = []
    for ref in [*(s for s, _ in refs.scripts), *refs.styles]:
        absolute = urljoin(final, ref)
        if _same_origin(absolute, base) and all(a != absolute for a, _ in asset_urls):
            asset_urls.append((absolute, False))
    asset_urls = asset_urls[:MAX_ASSETS]
    configured: list[tuple[str, bool]] = []
    for path in settings.assets:
        absolute = urljoin(base, path)
        if _same_origin(absolute, base) and all(a != absolute for a, _ in [*asset_urls, *configured]):
            configured.append((absolute, True))
    if len(configured) > MAX_PATHS:
        notes.append(f"{len(configured)} assets configured; only the first {MAX_PATHS} fetched")
    asset_urls += configured[:MAX_PATHS]
    assets = tuple(_asset(fetcher, a, named) for a, named in asset_urls)
    if settings.no_burst:
        burst = BurstObservation(ran=False, reason="rate-limit burst turned off (--no-burst)")
    elif fetcher.out_of_time():
        burst = BurstObservation(ran=False, reason="", error=fetcher.not_attempted(base).error)
    else:
        target = urljoin(base, settings.burst_path) if settings.burst_path else (
            _api_path(refs, probe_page) or probe_page)
        if not on_scanned_host(target, url):
            burst = BurstObservation(ran=False, reason=f"burst path {target} is not on the scanned origin")
        else:
            burst = _burst(fetcher, target, settings.burst_size)
    timed_out = tuple(_not_attempted(health, missing, metrics, assets, cors))
    if timed_out:
        notes.append(f"the target time limit was reached: {len(timed_out)} probe(s) not attempted")
    observation = HttpObservation(
        page=page, http=http_leg, scripts=tuple(scripts), cors=cors, health=health, missing=missing,
        metrics=metrics, assets=assets, burst=burst, is_html=is_html, verify_error=fetcher.verify_error,
        notes=tuple(notes), legacy_tls=fetcher.legacy_tls, probe_origin=base, timed_out=timed_out,
        meta_http_equiv=http_equiv_headers(body[:MAX_HTML]) if is_html else (),
    )
    return redact_observation(observation), None


def _last_on_host(page: PageObservation, scanned: str) -> str:
    """The last URL of the chain still on the scanned origin (where probes go when the page left it)."""
    on_host = [hop.url for hop in page.hops if not hop.off_origin and on_scanned_host(hop.url, scanned)]
    return on_host[-1] if on_host else scanned


def _not_attempted(health: tuple[EndpointObservation, ...], missing: EndpointObservation,
                   metrics: EndpointObservation, assets: tuple[AssetObservation, ...],
                   cors: CorsObservation) -> list[str]:
    """URLs of the probes the per-target time limit skipped."""
    marker = "not attempted:"
    found = [e.url for e in (*health, missing, metrics) if e.error and e.error.startswith(marker)]
    found += [a.url for a in assets if a.error and a.error.startswith(marker)]
    if cors.error and cors.error.startswith(marker):
        found.append(cors.url)
    return found


MAX_HTML = 512 * 1024
