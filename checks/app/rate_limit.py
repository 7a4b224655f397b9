"""No rate limiting.

## What it checks
Each server application applies a rate limiter: `hono-rate-limiter`, `express-rate-limit`,
`@nestjs/throttler`, `@fastify/rate-limit`, `rate-limiter-flexible`, `@upstash/ratelimit`;
`slowapi`, `fastapi-limiter`, `flask-limiter`, `django-ratelimit`. When none is imported, each
costly or abusable route it can see gets its own, sharper finding: login/auth, upload,
transcription or other paid-API calls (OpenAI, Anthropic, Whisper) and email sending (Resend,
nodemailer, SendGrid), including through a helper function the handler calls.

## Why it matters
Without a limit, one script can send thousands of sign-in emails, fill the disk with uploads or
run up the bill of a paid API in minutes; brute-force attempts on login go unthrottled.

## How to fix
```ts hono
import { rateLimiter } from 'hono-rate-limiter';
app.use('/api/*', rateLimiter({ windowMs: 60_000, limit: 100, keyGenerator: (c) => c.req.header('x-forwarded-for') ?? '' }));
app.use('/api/transcribe', rateLimiter({ windowMs: 60_000, limit: 3, keyGenerator: (c) => c.req.header('x-forwarded-for') ?? '' }));
```

```ts express
import rateLimit from 'express-rate-limit';
app.use('/api/', rateLimit({ windowMs: 15 * 60 * 1000, limit: 100 }));
app.use('/api/auth/login', rateLimit({ windowMs: 60_000, limit: 5 }));
```

```ts nestjs
// app.module.ts
ThrottlerModule.forRoot([{ ttl: 60_000, limit: 100 }]),
providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
// on costly routes: @Throttle({ default: { limit: 5, ttl: 60_000 } })
```

```ts fastify
await app.register(import('@fastify/rate-limit'), { max: 100, timeWindow: '1 minute' });
```

```python fastapi
from slowapi import Limiter
from slowapi.util import get_remote_address
limiter = Limiter(key_func=get_remote_address, default_limits=["100/minute"])
app.state.limiter = limiter

@app.post("/login")
@limiter.limit("5/minute")
async def login(request: Request): ...
```

```python django
from django_ratelimit.decorators import ratelimit

@ratelimit(key="ip", rate="5/m", block=True)
def login(request): ...
```

```python flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
limiter = Limiter(get_remote_address, app=app, default_limits=["100 per minute"])
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

LIMITERS = (
    "hono-rate-limiter", "@hono-rate-limiter", "express-rate-limit", "express-slow-down", "@nestjs/throttler",
    "@fastify/rate-limit", "fastify-rate-limit", "rate-limiter-flexible", "@upstash/ratelimit", "koa-ratelimit",
    "slowapi", "fastapi_limiter", "flask_limiter", "django_ratelimit", "ratelimit", "limits",
)


@check(id="APP-RATE-LIMIT", severity=Severity.HIGH, section=Section.SECURITY, security=True, effort_hours=2.0,
       passed="Rate limiting in place in every service")
def rate_limit(project: Project) -> Iterator[Finding]:
    """Flag services without a rate limiter, and each costly route they expose."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if rules.imports_any(index, service, LIMITERS):
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) has no rate limiting at all",
            location=rules.entry(service),
            key=service.name,
            severity=Severity.MEDIUM,
        )
        costly = rules.costly_functions(index, service)
        for sf, route, full, _body in rules.routes(index, service):
            reason = rules.costly_reason(route, full, costly)
            if reason:
                yield Finding(
                    message=f"{route.method} {full} {reason} and is not rate limited",
                    location=Location(path=sf.path, line=route.line),
                    key=f"{service.name}:{route.method} {full}",
                )
