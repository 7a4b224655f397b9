"""Static asset delivery checks: caching, compression, source maps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.live.observations import AssetObservation, LiveTarget
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, check
from checks.live._common import http_of

ONE_YEAR = 31536000
MIN_COMPRESS_BYTES = 1024
_FINGERPRINT = re.compile(r"[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.(?:m?js|css)$")
_TEXT_TYPES = ("javascript", "ecmascript", "css", "json", "html", "svg", "xml", "text/")


def _assets(target: LiveTarget) -> list[AssetObservation]:
    assets = [a for a in http_of(target).assets if a.status is not None and 200 <= a.status < 300]
    if not assets:
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


@check(id="ASSET-CACHE-CONTROL", severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       effort_hours=1,
       passed="Static assets send Cache-Control; hashed files long-cached")
def cache_control(target: LiveTarget) -> Iterator[Finding]:
    """Static assets without useful caching headers.

    ## What it checks
    Every script and stylesheet of the page (same origin, up to ten) and every
    configured asset sends `Cache-Control`. Fingerprinted files (a content hash in
    the name) must be cacheable for a year with `immutable`.

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


@check(id="ASSET-COMPRESSION", severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       effort_hours=0.5,
       passed="Text assets over 1 KiB served compressed")
def compression(target: LiveTarget) -> Iterator[Finding]:
    """Text assets served uncompressed.

    ## What it checks
    Text assets (JavaScript, CSS, JSON, SVG) over 1 KiB requested with
    `Accept-Encoding: gzip, br` come back with a `Content-Encoding`.

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
    for asset in _assets(target):
        ctype = (asset.content_type or "").lower()
        is_text = any(t in ctype for t in _TEXT_TYPES) or _path(asset.url).endswith((".js", ".mjs", ".css"))
        encoding = (asset.content_encoding or "identity").strip().lower()
        if is_text and (asset.size or 0) > MIN_COMPRESS_BYTES and encoding in ("", "identity"):
            yield Finding(message=f"{_path(asset.url)} ({asset.size} bytes) is served uncompressed",
                          location=Location(url=asset.url), key=f"compress:{_path(asset.url)}")


@check(id="ASSET-SOURCE-MAPS", severity=Severity.LOW, section=Section.DELIVERY, target=Target.LIVE,
       security=True, effort_hours=0.5,
       passed="No source maps referenced or served publicly")
def source_maps(target: LiveTarget) -> Iterator[Finding]:
    """Source maps referenced or served in production.

    ## What it checks
    Scripts and stylesheets carry no `SourceMap`/`X-SourceMap` header or
    `sourceMappingURL` comment, and their `.map` file is not served.

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
    for asset in _assets(target):
        referenced = asset.sourcemap_header or asset.sourcemap_comment
        if asset.map_served:
            yield Finding(message=f"source map for {_path(asset.url)} is served at {asset.map_url}",
                          location=Location(url=asset.url), key=f"sourcemap:{_path(asset.url)}")
        elif referenced:
            yield Finding(message=f"{_path(asset.url)} references a source map ({referenced})",
                          location=Location(url=asset.url), key=f"sourcemap:{_path(asset.url)}")
