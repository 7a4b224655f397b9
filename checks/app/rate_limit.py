"""No rate limiting.

## What it checks
Each server application applies a rate limiter: `hono-rate-limiter`, `express-rate-limit`,
`@nestjs/throttler`, `@fastify/rate-limit`, `rate-limiter-flexible`, `@upstash/ratelimit`;
`slowapi`, `fastapi-limiter`, `flask-limiter`, `django-ratelimit`. When none is imported, each
costly or abusable route it can see is listed under the service: routes that call a paid
service, named from the SDK the code imports (OpenAI Whisper, OpenAI, Anthropic, Gemini, Resend,
SendGrid, Postmark, Mailgun, SES or nodemailer email, Twilio, Stripe), directly or through a
helper function the handler calls, and abusable actions (login/auth, sign-up, password reset,
upload, contact forms).

The service-level item heads the group and carries the worst severity of what it exposes: high
when a route reaches a paid service (each such route is high too), medium otherwise (abusable
routes are medium).

## Why it matters
Without a limit, one script can send thousands of sign-in emails, fill the disk with uploads or
run up the bill of a paid API in minutes; brute-force attempts on login go unthrottled.

## How to fix
```ts hono
import { rateLimiter } from 'hono-rate-limiter';
app.use('/api/*', rateLimiter({ windowMs: 60_000, limit: 100, keyGenerator: (c) => c.req.header('x-forwarded-for') ?? '' }));
// tighter on routes that call paid APIs or send email
app.use('/api/auth/login', rateLimiter({ windowMs: 60_000, limit: 5, keyGenerator: (c) => c.req.header('x-forwarded-for') ?? '' }));
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
    """Flag services without a rate limiter (the headline finding), then each costly route they expose."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if rules.imports_any(index, service, LIMITERS):
            continue
        costly = rules.costly_functions(index, service)
        routes: list[tuple[str, int, str, rules.Cost]] = []
        for sf, route, full, body in rules.routes(index, service):
            cost = rules.costly_reason(route, full, costly, sf.modules, body)
            if cost is not None:
                routes.append((sf.path, route.line, f"{route.method} {full}", cost))
        paid = [c for *_, c in routes if c.paid]
        # The service-level item heads the group: it carries the worst severity of what it exposes.
        yield Finding(
            message=f"{service.name} ({service.framework}) has no rate limiting at all{_exposure(routes)}",
            location=rules.entry(service),
            key=service.name,
            severity=Severity.HIGH if paid else Severity.MEDIUM,
        )
        for path, line, name, cost in routes:
            yield Finding(
                message=f"{name} {cost.reason} and is not rate limited",
                location=Location(path=path, line=line),
                key=f"{service.name}:{name}",
                severity=Severity.HIGH if cost.paid else Severity.MEDIUM,
            )


def _exposure(routes: list[tuple[str, int, str, rules.Cost]]) -> str:
    """'; 3 routes call costly services (OpenAI Whisper, Resend email); 1 abusable route (upload)'."""
    paid = [c for *_, c in routes if c.paid]
    abusable = [c for *_, c in routes if not c.paid]
    parts = []
    if paid:
        names = ", ".join(dict.fromkeys(s for c in paid for s in c.services))
        parts.append(f"{len(paid)} route{'s' if len(paid) != 1 else ''} call{'' if len(paid) != 1 else 's'} "
                     f"costly services ({names})")
    if abusable:
        kinds = ", ".join(dict.fromkeys(s for c in abusable for s in c.services))
        parts.append(f"{len(abusable)} abusable route{'s' if len(abusable) != 1 else ''} ({kinds})")
    return "; " + "; ".join(parts) if parts else ""
