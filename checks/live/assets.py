"""Static asset delivery checks: caching, compression, source maps, CDN or shared cache."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.live.observations import AssetObservation, Headers, LiveTarget
from auditor.live.views import failed_probes, here, http_of
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, check

ONE_YEAR = 31536000
MIN_COMPRESS_BYTES = 1024
_FINGERPRINT = re.compile(r"[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.(?:m?js|css)$")
_TEXT_TYPES = ("javascript", "ecmascript", "css", "json", "html", "svg", "xml", "text/")


def _assets(target: LiveTarget) -> list[AssetObservation]:
    fetched = http_of(target).assets
    assets = [a for a in fetched if a.status is not None and 200 <= a.status < 300]
    if not assets:
        errors = [a.error for a in fetched if a.error and a.status is None]
        if errors:
            # Assets were found but none could be fetched: unknown, not absent.
            raise failed_probes("static asset", errors)
        raise NotApplicable("no static assets found on the page or configured")
    return assets


def fingerprinted(url: str) -> bool:
    """The file name carries a content hash (``app.3f9a1c2b.js``, ``index-BdH3x9Ka.js``) or a ?v= version."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    return bool(_FINGERPRINT.search(name)) or bool(re.search(r"(?:^|&)v(?:er|ersion)?=", parts.query))


def max_age(cache_control: str) -> int | None:
    """``max-age`` (or ``s-maxage`` when alone) from Cache-Control."""
    found = re.search(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", cache_control, re.IGNORECASE)
    return int(found.group(1)) if found else None


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _is_code(asset: AssetObservation) -> bool:
    """A script or stylesheet (by extension or content type)."""
    ctype = (asset.content_type or "").lower()
    return _path(asset.url).endswith((".js", ".mjs", ".css")) or "javascript" in ctype or "css" in ctype


def _compressed(asset: AssetObservation) -> bool:
    """Served with a Content-Encoding other than identity."""
    return (asset.content_encoding or "identity").strip().lower() not in ("", "identity")


def _is_text(asset: AssetObservation) -> bool:
    """A text asset worth compressing (scripts, CSS, JSON, SVG, HTML, XML)."""
    ctype = (asset.content_type or "").lower()
    return any(t in ctype for t in _TEXT_TYPES) or _is_code(asset)


@check(id="ASSET-CACHE-CONTROL", group="Static files served without cache headers", group_rank=1, severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       effort_hours=1,
       passed="Static assets send Cache-Control; hashed files long-cached")
def cache_control(target: LiveTarget) -> Iterator[Finding]:
    """Static assets without useful caching headers.

    ## What it checks
    Every script and stylesheet of the page (same origin, up to ten) and every
    configured asset sends `Cache-Control`. Fingerprinted files (a content hash in
    the name) must be cacheable for a year with `immutable`. Skipped when no
    asset was found on the page or configured (`assets` in the config); an error
    (not a skip) when assets were found but none could be fetched.

    ## Why it matters
    Without caching every page view downloads the bundle again from the origin; no
    CDN can help. Hashed files never change, so they can be cached forever and
    revalidation requests disappear.

    ## How to fix
    Long-cache hashed files; short-cache (or revalidate) unversioned entry points
    such as an embeddable `widget.js`.

    ```ts hono
    app.use('/assets/*', async (c, next) => { await next(); c.header('Cache-Control', 'public, max-age=31536000, immutable') })
    app.get('/widget.js', async (c, next) => { await next(); c.header('Cache-Control', 'public, max-age=3600') })
    ```
    ```nginx
    location ~* "\\.[0-9a-f]{8,}\\.(js|css)$" { add_header Cache-Control "public, max-age=31536000, immutable"; }
    ```
    """
    for asset in _assets(target):
        cc = asset.cache_control
        if not cc:
            yield Finding(message=f"{_path(asset.url)} has no Cache-Control header", location=Location(url=asset.url),
                          key=f"cache:{_path(asset.url)}")
        elif fingerprinted(asset.url):
            age = max_age(cc) or 0
            if "no-store" in cc.lower() or age < ONE_YEAR or "immutable" not in cc.lower():
                yield Finding(message=f"fingerprinted {_path(asset.url)} cached with {cc!r}; expected "
                                      f"'public, max-age={ONE_YEAR}, immutable'", location=Location(url=asset.url),
                              key=f"cache:{_path(asset.url)}")


@check(id="ASSET-COMPRESSION", group="Responses served without compression", group_rank=1, severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       effort_hours=0.5,
       passed="Text assets over 1 KiB served compressed")
def compression(target: LiveTarget) -> Iterator[Finding]:
    """Text assets served uncompressed.

    ## What it checks
    Text assets (JavaScript, CSS, JSON, SVG) over 1 KiB requested with
    `Accept-Encoding: gzip, br` come back with a `Content-Encoding`. Skipped when
    no such asset was fetched.

    ## Why it matters
    Scripts shrink 60-80 % with gzip or brotli; uncompressed bundles slow every first
    visit, most on mobile networks.

    ## How to fix
    ```ts hono
    import { compress } from 'hono/compress'
    app.use('*', compress())
    ```
    ```ts express
    app.use(compression())
    ```
    ```nginx
    gzip on; gzip_types application/javascript text/css application/json image/svg+xml;
    ```
    """
    # `size` is the size on the wire: a compressed asset counts whatever its size, an
    # uncompressed one only above the threshold where compression pays.
    text = [asset for asset in _assets(target)
            if _is_text(asset) and (_compressed(asset) or (asset.size or 0) > MIN_COMPRESS_BYTES)]
    if not text:
        raise NotApplicable(f"no text asset over {MIN_COMPRESS_BYTES} bytes among the assets fetched")
    for asset in text:
        if not _compressed(asset):
            yield Finding(message=f"{_path(asset.url)} ({asset.size} bytes) is served uncompressed",
                          location=Location(url=asset.url), key=f"compress:{_path(asset.url)}")


@check(id="ASSET-SOURCE-MAPS", group="Source maps shipped to production", group_rank=1, severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       security=True, effort_hours=0.5,
       passed="No source maps referenced or served publicly")
def source_maps(target: LiveTarget) -> Iterator[Finding]:
    """Source maps referenced or served in production.

    ## What it checks
    Scripts and stylesheets carry no `SourceMap`/`X-SourceMap` header or
    `sourceMappingURL` comment, and their `.map` file is not served. Skipped when
    no script or stylesheet was fetched.

    ## Why it matters
    Source maps publish the original source: comments, internal endpoints, feature
    flags and sometimes secrets baked into the bundle. They also add download weight
    (the heydev widget ships a 182 KB map).

    ## How to fix
    Build without maps, or upload them to your error tracker and keep them off the
    public server.

    ```ts vite
    export default defineConfig({ build: { sourcemap: false } })  // or 'hidden' + upload to Sentry
    ```
    ```dockerfile
    RUN npm run build && find dist -name '*.map' -delete
    ```
    """
    code = [asset for asset in _assets(target) if _is_code(asset)]
    if not code:
        raise NotApplicable("no script or stylesheet among the assets fetched")
    for asset in code:
        referenced = asset.sourcemap_header or asset.sourcemap_comment
        if asset.map_served:
            yield Finding(message=f"source map for {_path(asset.url)} is served at {asset.map_url}",
                          location=Location(url=asset.url), key=f"sourcemap:{_path(asset.url)}")
        elif referenced:
            yield Finding(message=f"{_path(asset.url)} references a source map ({referenced})",
                          location=Location(url=asset.url), key=f"sourcemap:{_path(asset.url)}")


# Headers whose presence alone says a CDN or shared cache handled the response.
CDN_MARKERS = (
    "age", "via", "x-cache", "x-cache-hits", "x-cache-status", "cf-cache-status", "cf-ray", "x-served-by",
    "cdn-cache-control", "cache-status", "x-amz-cf-id", "x-amz-cf-pop", "x-fastly-request-id", "fastly-debug-digest",
    "x-vercel-cache", "x-vercel-id", "x-nf-request-id", "x-azure-ref", "akamai-cache-status", "akamai-grn",
    "x-akamai-transformed", "x-varnish", "x-proxy-cache", "cdn-cache", "cdn-pullzone", "cdn-requestid", "x-cdn",
    "x-edge-location", "x-iinfo", "x-sucuri-id", "x-sucuri-cache", "surrogate-control",
)
_CDN_SERVER = re.compile(r"cloudflare|cloudfront|akamai|fastly|varnish|bunnycdn|netlify|vercel|keycdn|cdn77|"
                         r"sucuri|gcore|stackpath|edgecast|azure ?front ?door", re.IGNORECASE)
# Via headers from routers that forward but never cache (Heroku's router).
_NON_CACHING_VIA = re.compile(r"\bvegur\b", re.IGNORECASE)


def cdn_markers(headers: Headers) -> list[str]:
    """The CDN or shared-cache evidence in one response's headers, as ``Name: value`` strings."""
    found = []
    for name, value in headers:
        low = name.lower()
        if low == "via" and _NON_CACHING_VIA.search(value):
            continue
        if low in CDN_MARKERS or (low == "server" and _CDN_SERVER.search(value)):
            found.append(f"{name}: {value[:60]}")
    return found


@check(id="ASSET-NO-CDN", severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       effort_hours=2,
       passed="Static assets served through a CDN or shared cache")
def no_cdn(target: LiveTarget) -> Iterator[Finding]:
    """Static assets served from origin without a CDN or shared cache.

    ## What it checks
    The page and its static assets carry at least one header a CDN or shared
    cache adds: `Age`, `Via`, `Cache-Status`, `X-Cache`, `X-Cache-Hits`,
    `CF-Cache-Status`/`CF-Ray`, `X-Served-By`, `CDN-Cache-Control`,
    `Surrogate-Control`, `X-Amz-Cf-Id`, `X-Vercel-Cache`, `X-Varnish`, or a
    `Server` naming a CDN (`cloudflare`, `CloudFront`, `BunnyCDN`, ...). Skipped
    when no asset was fetched. A CDN that strips every such header is not seen:
    suppress the finding with a reason.

    ## Why it matters
    Without an edge cache every widget load and page view travels to the origin:
    slower far from the server, and traffic spikes (a customer's page going viral
    with your widget on it) land on one container.

    ## How to fix
    Put a CDN (Cloudflare, BunnyCDN, CloudFront, Fastly) or a caching proxy in
    front of the static files, and let shared caches keep them with `s-maxage`.

    ```ts hono
    // Browsers revalidate after 5 minutes; the CDN keeps the file for a day.
    app.use('/widget.js', async (c, next) => { await next(); c.header('Cache-Control', 'public, max-age=300, s-maxage=86400') })
    ```
    ```nginx
    proxy_cache_path /var/cache/nginx keys_zone=static:10m max_size=1g inactive=7d;
    location /assets/ {
        proxy_cache static;
        proxy_cache_valid 200 7d;
        add_header Cache-Status $upstream_cache_status;
        proxy_pass http://app:3000;
    }
    ```
    """
    assets = _assets(target)
    http = http_of(target)
    if cdn_markers(http.page.headers) or any(cdn_markers(asset.cache_headers) for asset in assets):
        return
    paths = ", ".join(_path(asset.url) for asset in assets[:5]) + (" ..." if len(assets) > 5 else "")
    what = paths if len(assets) == 1 else f"{len(assets)} static assets ({paths})"
    yield Finding(message=f"{what} and the page are served from origin: no CDN or shared-cache header "
                          "(Age, Via, Cache-Status, X-Cache, CF-Cache-Status ...)",
                  location=here(target), key="no-cdn", evidence=paths)
