"""HTTP Basic authentication without a rate limit.

## What it checks
A service that accepts HTTP Basic credentials (Hono `basicAuth`, `express-basic-auth`,
`@fastify/basic-auth`, passport-http `BasicStrategy`, FastAPI `HTTPBasic`, DRF
`BasicAuthentication`) also applies a rate limiter (a known library, or the application's own
limiter that the code calls). Basic auth checks a password on every request, outside the login
form and its limits.

## Why it matters
Every request to a Basic-protected route is a password guess. Without a limiter, one script
tries thousands of passwords a minute against the API (or the metrics page) and nothing slows
it down or notices; the login form's throttling does not apply to this second door.

## How to fix
Limit failed attempts on the routes that accept Basic credentials, or replace Basic auth with
tokens that can be revoked.

```ts hono
app.use('/admin/*', rateLimiter({ windowMs: 60_000, limit: 10, keyGenerator: (c) => c.req.header('x-forwarded-for') ?? '' }));
app.use('/admin/*', basicAuth({ username: 'ops', password: process.env.ADMIN_PASSWORD! }));
```
```python fastapi
@app.get("/admin")
@limiter.limit("10/minute")
def admin(request: Request, credentials: HTTPBasicCredentials = Depends(security)): ...
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

_BASIC_MODULES = ("express-basic-auth", "@fastify/basic-auth", "fastify-basic-auth", "passport-http",
                  "hono/basic-auth", "koa-basic-auth", "basic-auth")
_BASIC_CALL = re.compile(r"^(basicAuth|BasicStrategy|HTTPBasic|expressBasicAuth)$")


@check(id="APP-BASIC-AUTH-UNTHROTTLED", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=1.0, passed="Basic authentication is rate limited (or not used)")
def basic_auth_unthrottled(project: Project) -> Iterator[Finding]:
    """Flag services that accept HTTP Basic credentials with no limiter anywhere."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        where = _basic_auth_use(index, service)
        if where is None:
            continue
        judged = True
        if rules.imports_any(index, service, rules.LIMITERS) or rules.has_call(index, service, rules.OWN_LIMITER):
            continue
        path, line, what = where
        yield Finding(f"{service.name} accepts HTTP Basic credentials ({what}) and rate-limits nothing: every "
                      "request is an unthrottled password guess", Location(path, line), key=f"{service.name}:basic")
    if not judged:
        raise NotApplicable("no service accepts HTTP Basic credentials")


def _basic_auth_use(index: rules.SourceIndex, service: rules.Service) -> tuple[str, int, str] | None:
    """Where the service turns on Basic authentication, if it does."""
    uses_module = rules.imports_any(index, service, _BASIC_MODULES)
    for sf, call in index.calls(service):
        if _BASIC_CALL.match(call.name) and (uses_module or call.name in {"HTTPBasic", "BasicStrategy"}):
            return sf.path, call.line, call.callee
    found = rules.setting(index, service, "REST_FRAMEWORK")
    if found is not None and "BasicAuthentication" in str(found[1]):
        return found[0].path, found[2], "DRF BasicAuthentication"
    return None
