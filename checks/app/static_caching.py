"""Static files served without cache headers.

## What it checks
When the application itself serves static files (Hono `serveStatic`, `express.static` or the
`serve-static` package, `@fastify/static`, NestJS `ServeStaticModule` or `useStaticAssets`,
FastAPI/Starlette `StaticFiles`, Django with WhiteNoise), it sets caching: a `maxAge`,
`immutable`, `cacheControl`, `setHeaders` or Hono `onFound` option, a middleware that sets
`Cache-Control`, WhiteNoise's manifest storage or `WHITENOISE_MAX_AGE`, or a proxy configured in
the repository that sets cache headers (Caddy `header Cache-Control`, nginx `expires` /
`add_header Cache-Control`, a Traefik headers middleware; also an nginx or Caddy block fenced in
the repository's Markdown documentation). Services that serve nothing static are not judged.

## Why it matters
Without `Cache-Control` browsers and CDNs revalidate or refetch every script, stylesheet and
image on every page view: slower loads for users, more requests and bandwidth for the server.
Hashed asset names can be cached for a year (`immutable`); fixed names such as an embeddable
`widget.js` need a short max-age or a versioned file name.

## How to fix
Cache hashed assets for a year (`immutable`) and fixed names briefly, in the app or in the proxy.

```ts hono
const cache = (value: string) => (_path: string, c: Context) => { c.header('Cache-Control', value); };
app.use('/assets/*', serveStatic({ root: './dist', onFound: cache('public, max-age=31536000, immutable') }));
app.use('/widget.js', serveStatic({ path: './dist/widget.js', onFound: cache('public, max-age=3600') }));
```

```ts express
app.use('/assets', express.static('dist/assets', { maxAge: '1y', immutable: true }));
```

```ts nestjs
ServeStaticModule.forRoot({ rootPath: join(__dirname, '..', 'public'), serveStaticOptions: { maxAge: '1y', immutable: true } }),
```

```ts fastify
await app.register(fastifyStatic, { root: join(__dirname, 'public'), maxAge: '1y', immutable: true });
```

```python fastapi
@app.middleware("http")
async def static_cache(request: Request, call_next):
    response = await call_next(request)
    if request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
```

```python django
STORAGES = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
```

```text caddy
@static path /assets/*
header @static Cache-Control "public, max-age=31536000, immutable"
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from auditor.deploy.proxies import caching_proxy
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call, Prop, SourceFile

_CACHE_OPTIONS = frozenset({"maxAge", "max_age", "immutable", "setHeaders", "cacheControl", "onFound", "headers",
                            "lastModified"})


@check(id="APP-STATIC-CACHING", group="Static files served without cache headers", group_rank=0, severity=Severity.LOW, section=Section.DELIVERY, effort_hours=0.5,
       passed="Static files served with cache headers")
def static_caching(project: Project) -> Iterator[Finding]:
    """Flag static file serving without cache headers in the app or a proxy configured in the repository."""
    index, services = rules.index_or_skip(project)
    served = [(service, sf, call, target) for service in services for sf, call, target in _static(index, service)]
    django = [(service, found) for service in services if (found := _django_static(index, service)) is not None]
    if not served and not django:
        raise NotApplicable("the application serves no static files")
    if caching_proxy(project) is not None:
        return  # the proxy in front sets cache headers
    for service, sf, call, target in served:
        if _has_cache_option(call) or "cache-control" in rules.literals(index, service):
            continue
        if _revalidates(sf, call) and _plain_files(project, sf, call):
            continue  # ETag/Last-Modified revalidation is the right policy for files without a content hash
        yield Finding(
            message=f"{call.callee} serves {target} without cache headers (no maxAge/immutable option or "
            "Cache-Control middleware) and no proxy configuration in the repository sets them",
            location=Location(path=sf.path, line=call.line),
            key=f"{service.name}:static:{target}",
        )
    for service, (path, line, cached) in django:
        if cached:
            continue
        yield Finding(
            message=f"{service.name}: WhiteNoise serves static files with a 60-second max-age (no manifest storage "
            "or WHITENOISE_MAX_AGE), and no proxy configuration in the repository sets cache headers",
            location=Location(path=path, line=line),
            key=f"{service.name}:static:whitenoise",
        )


def _static(index: rules.SourceIndex, service: rules.Service) -> Iterator[tuple[SourceFile, Call, str]]:
    """Calls that serve static files, with what they serve (root directory or path)."""
    for sf in index.files_of(service):
        fastify_static = {n for i in sf.imports if i.module in {"@fastify/static", "fastify-static"} for n in i.names}
        for call in sf.calls:
            if call.name == "serveStatic" or call.callee in {"express.static", "useStaticAssets"} \
                    or call.name == "useStaticAssets" or call.name == "StaticFiles":
                yield sf, call, _target(call)
            elif call.callee.endswith(("ServeStaticModule.forRoot", "ServeStaticModule.forRootAsync")):
                yield sf, call, _target(call)
            elif call.name == "register" and call.args and (call.args[0] in fastify_static
                                                             or "fastify/static" in call.args[0]
                                                             or "fastify-static" in call.args[0]):
                yield sf, call, _target(call)


def _target(call: Call) -> str:
    for key in ("root", "rootPath", "directory", "path"):
        prop = call.prop(key)
        if prop is not None:
            return prop.value.strip("'\"`")[:80]
    if call.strings:
        return call.strings[0][:80]
    return "static files"


def _has_cache_option(call: Call) -> bool:
    def walk(props: tuple[Prop, ...]) -> bool:
        return any(p.key in _CACHE_OPTIONS or walk(p.children) for p in props)

    return walk(call.props)


def _django_static(index: rules.SourceIndex, service: rules.Service) -> tuple[str, int, bool] | None:
    """Django serving static files through WhiteNoise: (settings path, line, caches long enough)."""
    if service.framework != "django":
        return None
    if not any("whitenoise" in m.lower() for m in rules.django_middleware(index, service)):
        return None  # without WhiteNoise Django serves no static files in production
    found = rules.setting(index, service, "STATIC_ROOT") or rules.setting(index, service, "MIDDLEWARE")
    if found is None:
        return None
    sf, _, line = found
    values = " ".join(a.value for f in index.files_of(service) for a in f.assignments
                      if a.name in {"STORAGES", "STATICFILES_STORAGE"})
    # WHITENOISE_IMMUTABLE_FILE_TEST: WhiteNoise gives the files it matches (content-hashed ones) a
    # ten-year immutable max-age; the short default then only applies to unhashed files, where it is right.
    cached = "Manifest" in values or any(rules.setting(index, service, name) is not None
                                         for name in ("WHITENOISE_MAX_AGE", "WHITENOISE_IMMUTABLE_FILE_TEST"))
    return sf.path, line, cached


# A file name carrying a content hash, as bundlers write them (`app.3f9a1c2e.js`, `index-B4x9_kQz.css`).
_FINGERPRINT = re.compile(r"[.-][A-Za-z0-9_]{8,}\.[a-z0-9]+$")
_HASH_CHARS = re.compile(r"\d")


def _revalidates(sf: SourceFile, call: Call) -> bool:
    """Whether the server sends ETag/Last-Modified by default (serve-static, @fastify/static, Starlette).

    Hono's ``serveStatic`` sends no validators, so a browser re-downloads every file.
    """
    return not (call.name == "serveStatic" and any(m == "hono" or m.startswith("hono/") or m.startswith("@hono/")
                                                   for m in sf.modules))


def _plain_files(project: Project, sf: SourceFile, call: Call) -> bool:
    """The static root is a directory committed to the repository whose files carry no content hash.

    Build output (fingerprinted bundles) is not in the repository; committed files such as a
    `public/` or `locales/` folder keep their names across releases, so a long max-age would serve
    stale copies after an upgrade and revalidation is correct.
    """
    root = _root_dir(project, sf, call)
    if root is None:
        return False
    names = [f for f in project.files if f.startswith(root + "/")]
    return bool(names) and not any(_FINGERPRINT.search(PurePosixPath(n).name)
                                   and _HASH_CHARS.search(PurePosixPath(n).name) for n in names)


def _root_dir(project: Project, sf: SourceFile, call: Call) -> str | None:
    """The repository-relative directory a static call serves, when its literal path can be resolved."""
    prop = next((call.prop(k) for k in ("root", "rootPath", "directory") if call.prop(k) is not None), None)
    raw = prop.value if prop is not None else (call.strings[0] if call.strings else "")
    parts = re.findall(r"['\"`]([^'\"`$]+)['\"`]", raw) or ([raw] if raw and not re.search(r"[(),\s]", raw) else [])
    if not parts:
        return None
    base = posixpath.dirname(sf.path)
    for start in (base, ""):
        candidate = posixpath.normpath(posixpath.join(start, *[p.strip("/") for p in parts]))
        if candidate.startswith("..") or candidate == ".":
            continue
        if any(f.startswith(candidate + "/") for f in project.files):
            return candidate
    return None
