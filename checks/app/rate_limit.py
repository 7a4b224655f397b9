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

A route is costly or abusable by what its handler does, never by a word in its URL: it calls a
paid SDK (resolved through the file's imports, so Express `res.send` is not SendGrid), checks a
password, creates accounts, sends email or accepts uploads. Routes that require a session, a
guard or a signed token first, and verified webhooks, are not anonymous abuse surfaces. When the
handler cannot be found, the URL decides at low confidence.

Limiters that count: the libraries above, django-allauth (limits its auth flows by default),
DRF `DEFAULT_THROTTLE_CLASSES`, and the application's own limiter (a function, class or
middleware named `rate_limit`, `throttle`, `limiter`, `TokenBucket` ... that the code calls).
With its own limiter, a service is reported only for costly routes that do not visibly use it:
at medium confidence when the limiter is applied route by route, at low confidence when it may
be an app-wide hook whose reach the scan cannot see.

One finding per service: the entry point (or the first uncovered route) leads and every exposed
route is a related location. It is high when a route reaches a paid service, medium otherwise.

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

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

LIMITERS = rules.LIMITERS
_OWN_LIMITER = rules.OWN_LIMITER


def _own_limiter_calls(project: Project, index: rules.SourceIndex, service: rules.Service) -> list[str]:
    """Calls, route middlewares and used functions of the service that are its own limiter.

    A limiter function that is defined but never referenced (``redis.rateLimit()`` nobody calls)
    does not count: it limits nothing.
    """
    # Judge the callee's names only: `boolean("rate_limit_enabled")` is a schema column, not a limiter.
    found = [call.callee for _, call in index.calls(service) if _OWN_LIMITER.search(rules.names_only(call.callee))]
    for _sf, route, _full in index.routes(service):
        found.extend(m for m in route.middlewares if _OWN_LIMITER.search(m))
    # A local limiter module the service imports (`./plugins/rate-limit`, `core/utils/rate_limit`).
    found.extend(m for m in index.modules(service) if _OWN_LIMITER.search(_module_leaf(m)))
    defined = {func.name for sf in index.files_of(service) for func in sf.functions if _OWN_LIMITER.search(func.name)}
    if defined:
        text = "\n".join(project.read_text(sf.path) or "" for sf in index.files_of(service))
        found.extend(name for name in sorted(defined) if len(re.findall(rf"\b{re.escape(name)}\b", text)) > 1)
    return found


# A data-access call on a limits table (`crud_rate_limits.get(...)`, `RateLimit.objects.filter`): it reads
# limit settings, it is not the limiter itself.
_DATA_ACCESS = re.compile(r"\.(get|get_multi|get_or_create|find\w*|filter|select|query|create|update|delete|upsert"
                          r"|count|exists|all|first|insert|save)$", re.IGNORECASE)


# How a route applies a limiter at registration: `Depends(x)`, `Security(x)`, `@x`, `UseGuards(x)`, `use(x)`.
_APPLIED = re.compile(r"(?:\b(?:Depends|Security|UseGuards|use)\(\s*|@)([A-Za-z_$][\w$.]*)")


def _declared_limiters(route: rules.Route, registration: str) -> list[str]:
    """Limiter names a route's registration applies (`Depends(rate_limiter_dependency)`, a middleware).

    Only names in an applying position count: a `response_model=RateLimitRead` or the handler's own
    name (`def read_rate_limit`) mentions limits without applying one.
    """
    names = [m for m in route.middlewares if _OWN_LIMITER.search(m)]
    names += [t for t in _APPLIED.findall(rules.names_only(registration)) if _OWN_LIMITER.search(t)]
    return names


def _limiter_name(own: list[str], declared: list[str]) -> str:
    """The limiter to name: one routes actually apply, else one that is not a lookup of stored limits."""
    if declared:
        return max(dict.fromkeys(declared), key=declared.count)
    return next((name for name in own if not _DATA_ACCESS.search(rules.names_only(name).split("(", 1)[0])), own[0])


def _module_leaf(module: str) -> str:
    """``./server/plugins/rate-limit.js`` -> ``rate-limit``; ``app.core.rate_limit`` -> ``rate_limit``."""
    leaf = re.sub(r"\.(m?[jt]sx?|cjs|py)$", "", module.rstrip("/"))
    return re.split(r"[/.]", leaf)[-1]


def _registration(project: Project, path: str, route: rules.Route) -> str:
    """The lines that register a route: its decorators and ``dependencies=[...]`` just above, and its own line."""
    lines = (project.read_text(path) or "").splitlines()
    return "\n".join(lines[max(route.line - 4, 0):route.line])


def _route_limited(route: rules.Route, body: rules.Body | None, registration: str,
                   through: frozenset[str] = frozenset()) -> str:
    """``declared`` when the route's registration applies a limiter, ``called`` when its handler calls one.

    ``through`` names the service's functions and classes that call the limiter themselves (a form
    whose ``clean()`` takes a token from the bucket): a handler calling one is limited as well.
    """
    declared = [*route.middlewares, *(body.param_types if body else ()), registration]
    if any(_OWN_LIMITER.search(t) for t in declared):
        return "declared"
    if body is not None and any(_OWN_LIMITER.search(rules.names_only(c)) or c.rsplit(".", 1)[-1] in through
                                for c in body.calls):
        return "called"
    return ""


def _drf_throttled(index: rules.SourceIndex, service: rules.Service) -> bool:
    """Django REST framework throttling configured (DEFAULT_THROTTLE_CLASSES) for the service."""
    found = rules.setting(index, service, "REST_FRAMEWORK")
    return found is not None and "DEFAULT_THROTTLE_CLASSES" in str(found[1])


@check(id="APP-RATE-LIMIT", group="No rate limiting", group_rank=0, severity=Severity.HIGH, section=Section.SECURITY, security=True, effort_hours=2.0,
       passed="Rate limiting in place in every service")
def rate_limit(project: Project) -> Iterator[Finding]:
    """One finding per service whose costly or abusable routes no limiter visibly covers."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if rules.imports_any(index, service, LIMITERS) or _drf_throttled(index, service):
            continue
        own = _own_limiter_calls(project, index, service)
        costly = rules.costly_functions(index, service)
        routes: list[tuple[str, int, str, rules.Cost, bool]] = []
        per_route = False
        declared: list[str] = []
        through = rules.callables_calling(index, service, _OWN_LIMITER) if own else frozenset()
        starts = rules.session_starts(index, service)
        checkers = rules.password_forms(index, service)
        for sf, route, full, body in rules.routes(index, service):
            registration = _registration(project, sf.path, route)
            limited = _route_limited(route, body, registration, through)
            if limited == "declared":
                declared.extend(_declared_limiters(route, registration))
            if limited:
                # Declared per route (a dependency, a decorator, middleware): the uncovered ones stand out.
                # Called inside handlers: helpers (forms, services) may call it for other routes too.
                per_route = per_route or limited == "declared"
                continue
            cost = rules.costly_reason(route, full, costly, sf.modules, body, registration, starts, checkers)
            if cost is not None:
                routes.append((sf.path, route.line, f"{route.method} {full}", cost, cost.guessed))
        if own and not routes:
            continue
        if not own:
            yield _no_limiter(service, routes)
        elif routes:
            yield _uncovered(service, routes, _limiter_name(own, declared), per_route)


def _no_limiter(service: rules.Service, routes: list[tuple[str, int, str, rules.Cost, bool]]) -> Finding:
    """No limiter at all: the service entry leads, the exposed routes are related locations."""
    paid = [c for *_, c, _g in routes if c.paid]
    listed = "; ".join(f"{name} {cost.reason}" for _p, _l, name, cost, _g in routes[:8])
    more = f" (+{len(routes) - 8} more)" if len(routes) > 8 else ""
    return Finding(
        message=f"{service.name} ({service.framework}) has no rate limiting at all{_exposure(routes)}"
                + (f": {listed}{more}" if routes else ""),
        location=rules.entry(service),
        key=service.name,
        # Nothing costly or abusable in sight: a hardening hint (low, low confidence), not a gap.
        severity=Severity.HIGH if paid else Severity.MEDIUM if routes else Severity.LOW,
        related=tuple(Location(path, line) for path, line, *_ in routes),
        confidence=(Confidence.HIGH if routes and not all(g for *_, g in routes)
                    else Confidence.MEDIUM if routes else Confidence.LOW),
    )


def _uncovered(service: rules.Service, routes: list[tuple[str, int, str, rules.Cost, bool]], limiter: str,
               per_route: bool) -> Finding:
    """The service has its own limiter, but these routes do not visibly go through it."""
    path, line = routes[0][0], routes[0][1]
    names = ", ".join(n for _p, _l, n, _c, _g in routes[:8])
    scope = ("it is applied route by route" if per_route
             else "where it applies could not be told (an app-wide hook may cover these)")
    return Finding(
        message=f"{service.name} has its own limiter ({limiter}); {scope}, and {len(routes)} costly or abusable "
                f"route(s) do not visibly use it: {names}",
        location=Location(path, line),
        key=f"{service.name}:uncovered",
        severity=Severity.HIGH if any(c.paid for *_, c, _g in routes) else Severity.MEDIUM,
        related=tuple(Location(p, n) for p, n, *_ in routes[1:]),
        confidence=Confidence.MEDIUM if per_route else Confidence.LOW,
    )


def _exposure(routes: list[tuple[str, int, str, rules.Cost, bool]]) -> str:
    """'; 3 routes call costly services (OpenAI Whisper, Resend email); 1 abusable route (upload)'."""
    paid = [c for *_, c, _g in routes if c.paid]
    abusable = [c for *_, c, _g in routes if not c.paid]
    parts = []
    if paid:
        names = ", ".join(dict.fromkeys(s for c in paid for s in c.services))
        parts.append(f"{len(paid)} route{'s' if len(paid) != 1 else ''} call{'' if len(paid) != 1 else 's'} "
                     f"costly services ({names})")
    if abusable:
        kinds = ", ".join(dict.fromkeys(s for c in abusable for s in c.services))
        parts.append(f"{len(abusable)} abusable route{'s' if len(abusable) != 1 else ''} ({kinds})")
    return "; " + "; ".join(parts) if parts else ""
