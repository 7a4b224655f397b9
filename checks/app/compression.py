"""Responses served without compression.

## What it checks
Each server application with HTTP routes compresses its responses, in the application or in a
proxy configured in the repository: `compression()` (Express, NestJS), `hono/compress`,
`@fastify/compress`, `koa-compress`, Starlette/FastAPI `GZipMiddleware` (or `brotli-asgi`),
Django `django.middleware.gzip.GZipMiddleware` (also appended behind an env switch, such as
`if envbool("USE_GZIP"): MIDDLEWARE.append(...)`, when a Dockerfile/compose file turns it on), Flask-Compress; or a Caddy `encode` directive,
nginx `gzip on`/`brotli on`, a Traefik `compress` middleware (labels or dynamic configuration).
An nginx or Caddy block fenced in the repository's Markdown documentation (a production guide's
server block) counts as the deployed proxy.
Next.js compresses by default and passes unless `compress: false` is set. Services without HTTP
routes are not judged.

## Why it matters
JSON, HTML, CSS and JavaScript shrink by 70-90% with gzip or brotli. Uncompressed responses cost
bandwidth and make every page and widget load slower, most of all on mobile networks.

## How to fix
Compress in the proxy when one sits in front (it also covers static files), else in the app.

```ts hono
import { compress } from 'hono/compress';
app.use('*', compress());
```

```ts express
import compression from 'compression';
app.use(compression());
```

```ts nestjs
import compression from 'compression';
app.use(compression()); // in main.ts, before app.listen()
```

```ts fastify
await app.register(import('@fastify/compress'), { global: true });
```

```python fastapi
from fastapi.middleware.gzip import GZipMiddleware
app.add_middleware(GZipMiddleware, minimum_size=1000)
```

```python django
MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", ...]  # first, or let the proxy compress
```

```python flask
from flask_compress import Compress
Compress(app)
```

```text caddy
example.org {
  encode zstd gzip
  reverse_proxy app:3000
}
```

```nginx nginx
gzip on;
gzip_types application/json application/javascript text/css image/svg+xml;
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.proxies import compressing_proxy
from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

MODULES = ("compression", "hono/compress", "@fastify/compress", "fastify-compress", "koa-compress",
           "flask_compress", "brotli_asgi", "starlette.middleware.gzip", "fastapi.middleware.gzip")
_MIDDLEWARE = re.compile(r"GZipMiddleware|BrotliMiddleware")
_NEXT_OFF = re.compile(r"compress\s*:\s*false")


@check(id="APP-COMPRESSION", group="Responses served without compression", group_rank=0, severity=Severity.LOW, section=Section.DELIVERY, effort_hours=0.5,
       passed="Responses compressed (gzip/brotli)")
def compression(project: Project) -> Iterator[Finding]:
    """Flag HTTP services that compress nothing, in the app or in a proxy configured in the repository."""
    index, services = rules.index_or_skip(project)
    web = [s for s in services if index.routes(s) or s.framework in {"nextjs", "django"}]
    if not web:
        raise NotApplicable("no service serves HTTP routes")
    proxy = compressing_proxy(project)
    if proxy is not None:
        return  # the proxy in front compresses every response
    for service in web:
        if _compresses(project, index, service):
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) sends responses uncompressed: no compression middleware "
            "and no compressing proxy (Caddy encode, nginx gzip, Traefik compress) in the repository",
            location=rules.entry(service),
            key=service.name,
        )


def _compresses(project: Project, index: rules.SourceIndex, service: rules.Service) -> bool:
    if rules.imports_any(index, service, MODULES):
        return True
    if any(c.name == "add_middleware" and c.args and _MIDDLEWARE.search(c.args[0]) for _, c in index.calls(service)):
        return True
    if service.framework == "django":
        if any("GZipMiddleware" in m for m in rules.django_middleware(index, service)):
            return True
        return _django_gzip_switched_on(project, index, service)
    if service.framework == "nextjs":
        # Next.js compresses with gzip unless next.config turns it off.
        root = "" if service.root in ("", ".") else service.root.rstrip("/") + "/"
        configs = [rel for rel in project.files if rel.startswith(root) and re.search(r"(^|/)next\.config\.\w+$", rel)]
        return not any(_NEXT_OFF.search(project.read_text(rel) or "") for rel in configs)
    return False


_GZIP_APPEND = re.compile(r"MIDDLEWARE\s*(\.(append|insert)\(|\+=).*GZipMiddleware")
_TOGGLE = re.compile(r"[\"']([A-Z][A-Z0-9_]*(GZIP|COMPRESS)[A-Z0-9_]*)[\"']")
_DEPLOY_FILES = ("Dockerfile*", "*.Dockerfile", "docker-compose*.yml", "docker-compose*.yaml", "compose*.yml",
                 "compose*.yaml", ".env.example", "*.env", "app.json", "fly.toml", "render.yaml")


def _django_gzip_switched_on(project: Project, index: rules.SourceIndex, service: rules.Service) -> bool:
    """Settings that add GZipMiddleware after the list (often behind an env switch) that deployment turns on.

    ``if envbool("USE_GZIP_MIDDLEWARE"): MIDDLEWARE.append("django.middleware.gzip.GZipMiddleware")`` with
    ``ENV USE_GZIP_MIDDLEWARE=True`` in the Dockerfile compresses; the same switch left unset does not.
    """
    for sf in index.files_of(service):
        if rules.is_dev_settings(sf.path):
            continue
        text = project.read_text(sf.path) or ""
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if not _GZIP_APPEND.search(line):
                continue
            guard = " ".join(lines[max(0, number - 2):number + 1])
            toggles = [m.group(1) for m in _TOGGLE.finditer(guard)]
            if not re.search(r"^\s+", line) or not toggles:
                return True  # appended unconditionally
            return any(_set_truthy(project, name) for name in toggles)
    return False


def _set_truthy(project: Project, name: str) -> bool:
    """Whether a deployment file in the repository sets the environment variable ``name`` to a true value."""
    pattern = re.compile(rf"(^|[\s\"'-]){re.escape(name)}\s*[=:]\s*[\"']?(true|1|yes|on)\b", re.IGNORECASE | re.MULTILINE)
    return any(pattern.search(project.read_text(rel) or "") for rel in project.glob(*_DEPLOY_FILES))
