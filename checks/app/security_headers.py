"""No security headers middleware.

## What it checks
Each server application sets the standard security headers through its framework's idiom:
Hono `secureHeaders`, Express/NestJS `helmet`, Fastify `@fastify/helmet`, Flask `flask-talisman`,
FastAPI/Starlette the `secure` package or a middleware that sets `Strict-Transport-Security`,
`Content-Security-Policy` and `X-Content-Type-Options`, Django `SecurityMiddleware` with
`SECURE_HSTS_SECONDS` in the production settings. A reverse-proxy configuration shipped in the
repository that adds them (nginx `add_header X-Frame-Options ...`, a Caddy `header` block, Traefik
`headers` middleware options) counts too: the deployed responses carry them. So does an nginx or
Caddy configuration given as a fenced block in the repository's Markdown documentation (a
production guide's ```nginx server block): that is the proxy its users deploy.

## Why it matters
Without `X-Content-Type-Options`, `X-Frame-Options`/`frame-ancestors`, HSTS and a Content Security
Policy, browsers are free to sniff content types, frame the app for clickjacking and follow
downgrade attacks. Setting them in the application keeps them when the proxy in front changes.

## How to fix
```ts hono
import { secureHeaders } from 'hono/secure-headers';
app.use('*', secureHeaders());
```

```ts express
import helmet from 'helmet';
app.use(helmet());
```

```ts nestjs
import helmet from 'helmet';
const app = await NestFactory.create(AppModule);
app.use(helmet());
```

```ts fastify
import helmet from '@fastify/helmet';
await app.register(helmet);
```

```python fastapi
import secure
secure_headers = secure.Secure.with_default_headers()

@app.middleware("http")
async def set_secure_headers(request, call_next):
    response = await call_next(request)
    await secure_headers.set_headers_async(response)
    return response
```

```python django
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", ...]
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
```

```python flask
from flask_talisman import Talisman
Talisman(app)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.proxies import header_setting_proxy
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

NODE_MODULES = ("helmet", "@fastify/helmet", "fastify-helmet", "hono/secure-headers", "koa-helmet")
PYTHON_MODULES = ("secure", "flask_talisman", "starlette_securityheaders", "fastapi_security_headers")
HEADER_NAMES = frozenset({"strict-transport-security", "content-security-policy", "x-content-type-options"})


@check(id="APP-SECURITY-HEADERS", group="Security headers missing", group_rank=0, severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=1.0,
       passed="Security headers middleware configured")
def security_headers(project: Project) -> Iterator[Finding]:
    """Flag services that set no security headers."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if service.framework == "django":
            yield from _django(index, service)
            continue
        modules = NODE_MODULES if service.language == "node" else PYTHON_MODULES
        if rules.imports_any(index, service, modules):
            continue
        if len(HEADER_NAMES & rules.literals(index, service)) >= 2:
            continue  # a hand-written middleware sets them
        if header_setting_proxy(project) is not None:
            continue  # an nginx/Caddy/Traefik config in the repository adds them in front of the app
        yield Finding(
            message=f"{service.name} ({service.framework}) sets no security headers: no "
            f"{_idiom(service.framework)} middleware",
            location=rules.entry(service),
            key=service.name,
        )


def _django(index: rules.SourceIndex, service: rules.Service) -> Iterator[Finding]:
    middleware = rules.django_middleware(index, service)
    if "django.middleware.security.SecurityMiddleware" not in middleware:
        yield Finding(
            message=f"{service.name} (django): SecurityMiddleware is not in MIDDLEWARE",
            location=rules.entry(service),
            key=service.name,
        )
        return
    hsts = rules.setting(index, service, "SECURE_HSTS_SECONDS")
    if hsts is None or not hsts[1]:
        where = hsts or rules.setting(index, service, "MIDDLEWARE")
        yield Finding(
            message=f"{service.name} (django): SECURE_HSTS_SECONDS is not set, so SecurityMiddleware sends no HSTS",
            location=Location(path=where[0].path, line=where[2]) if where else rules.entry(service),
            key=f"{service.name}:SECURE_HSTS_SECONDS",
        )


def _idiom(framework: str) -> str:
    return {"hono": "secureHeaders", "express": "helmet", "nestjs": "helmet", "fastify": "@fastify/helmet",
            "flask": "flask-talisman", "nextjs": "headers()", "fastapi": "secure", "starlette": "secure"}.get(framework, "security headers")
