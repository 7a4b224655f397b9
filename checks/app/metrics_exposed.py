"""Metrics endpoint reachable without authentication.

## What it checks
Metrics routes the application serves: a `/metrics` route, a handler returning prom-client's
`register.metrics()`, prometheus-fastapi-instrumentator's `.expose(app)`, a mounted
`make_asgi_app()`, `express-prom-bundle` (which serves `/metrics` itself) and
`@willsoto/nestjs-prometheus`'s default controller. Each must be guarded: an auth middleware on
the route or on a `use()` covering its path (`bearerAuth`, `basicAuth`, `jwt`, passport), a NestJS
`@UseGuards` on the method or controller or a global auth guard, a FastAPI `Depends`/`Security`
dependency, or a handler that checks the `Authorization` (or API-key) header itself, or reads a
key/token header (`X-Metrics-Key`) and answers 403/401 (`HttpResponseForbidden`) when it does not match. Services
without a metrics route are not judged.

## Why it matters
Metrics reveal route names, error rates, traffic volumes, versions, memory and process details:
a map of the system for an attacker and a business signal for a competitor. Scraping large
registries is also expensive, which makes an open `/metrics` a cheap denial-of-service lever.

## How to fix
Require a scrape token (or basic auth) on the route, or serve metrics on an internal port that
the proxy does not route.

```ts hono
import { bearerAuth } from 'hono/bearer-auth';
app.get('/metrics', bearerAuth({ token: process.env.METRICS_TOKEN! }), async (c) => c.text(await register.metrics()));
```

```ts express
app.get('/metrics', basicAuth({ users: { prometheus: process.env.METRICS_PASSWORD! } }), async (_req, res) => {
  res.type(register.contentType).send(await register.metrics());
});
```

```ts nestjs
@Controller('metrics')
@UseGuards(MetricsTokenGuard) // compares the Authorization header with METRICS_TOKEN
export class MetricsController { ... }
```

```python fastapi
def scrape_token(authorization: str = Header("")) -> None:
    if not secrets.compare_digest(authorization, f"Bearer {settings.metrics_token.get_secret_value()}"):
        raise HTTPException(status_code=403)

Instrumentator().instrument(app).expose(app, dependencies=[Depends(scrape_token)])
```

```yaml traefik
# or keep /metrics off the public router entirely
- "traefik.http.routers.api.rule=Host(`api.example.org`) && !PathPrefix(`/metrics`)"
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Body, Call, Route, SourceFile

_METRICS_PATH = re.compile(r"(^|/)metrics/?$", re.IGNORECASE)
_METRICS_CALL = re.compile(r"(^|\.)register\.metrics$|(^|\.)metrics$|generate_latest$")
_AUTH = re.compile(r"auth|guard|jwt|bearer|basic|token|api_?key|protect|passport|login_required|permission|"
                   r"verify|secret|compare_digest|timingSafeEqual|Security\(", re.IGNORECASE)
_AUTH_HEADERS = frozenset({"authorization", "x-api-key", "x-metrics-token", "x-scrape-token"})
# A header named like a credential (``X-Metrics-Key``, ``X-Scrape-Token``, ``Api-Key``) that the handler reads.
_KEY_HEADER = re.compile(r"^(x-)?[a-z0-9-]*(key|token|secret)$", re.IGNORECASE)
# The handler refuses the request itself: a 401/403 response.
_DENY_CALL = re.compile(r"(^|\.)(HttpResponseForbidden|HttpResponseUnauthorized|PermissionDenied|Forbidden|"
                        r"Unauthorized|ForbiddenException|UnauthorizedException)$")
_NOT_AUTH = re.compile(r"throttl|ratelimit|rate_limit|rateLimit", re.IGNORECASE)


@check(id="APP-METRICS-EXPOSED", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=1.0, passed="Metrics endpoint requires authentication")
def metrics_exposed(project: Project) -> Iterator[Finding]:
    """Flag metrics routes that nothing guards."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        calls = [(sf, c) for sf, c in index.calls(service)]
        global_guard = _global_guard([c for _, c in calls], service.framework)
        guarded_classes = {cls.name for sf in index.files_of(service) for cls in sf.classes
                           if any(d in {"UseGuards", "Auth", "Roles"} for d in cls.decorators)}
        for sf, route, full, body in rules.routes(index, service):
            if not _is_metrics_route(route, full, body):
                continue
            judged = True
            if global_guard or route.receiver in guarded_classes or _route_guarded(route, body) \
                    or _use_guarded([c for _, c in calls], full):
                continue
            yield _finding(service.name, sf.path, route.line, full, f"{route.method} {full} serves metrics")
        for sf, call in calls:
            library = _library_endpoint(sf, call)
            if library is None:
                continue
            exposed, label = library
            judged = True
            if global_guard or call.prop("dependencies") is not None or _use_guarded([c for _, c in calls], exposed):
                continue
            yield _finding(service.name, sf.path, call.line, exposed, f"{label} serves {exposed}")
    if not judged:
        raise NotApplicable("the application serves no metrics route")


def _finding(service: str, path: str, line: int, route: str, what: str) -> Finding:
    return Finding(
        message=f"{what} to anyone who can reach the service: no auth guard or token check",
        location=Location(path=path, line=line),
        key=f"{service}:{route}",
    )


def _is_metrics_route(route: Route, full: str, body: Body | None) -> bool:
    if route.method not in {"GET", "ANY", "ALL"}:
        return False
    if _METRICS_PATH.search(full):
        return True
    return body is not None and any(re.search(r"(^|\.)register\.metrics$|generate_latest$", c) for c in body.calls)


def _route_guarded(route: Route, body: Body | None) -> bool:
    if any(_AUTH.search(m) and not _NOT_AUTH.search(m) for m in route.middlewares):
        return True
    if body is None:
        return False
    if _AUTH_HEADERS & {s.lower() for s in body.strings}:
        return True  # the handler reads the Authorization (or API-key) header itself
    if any(_KEY_HEADER.match(s) for s in body.strings) and any(_DENY_CALL.search(c) for c in body.calls):
        return True  # the handler compares a key header and answers 401/403 when it does not match
    if any(_AUTH.search(c) and not _METRICS_CALL.search(c) for c in body.calls):
        return True
    # FastAPI: a Depends(...)/Security(...) default naming an auth dependency.
    return any(_AUTH.search(d) for d in body.param_decorators if "Depends" in d or "Security" in d)


def _use_guarded(calls: list[Call], path: str) -> bool:
    """An app-level ``use()`` whose path covers ``path`` and whose middleware authenticates."""
    for call in calls:
        if call.name != "use":
            continue
        scope = call.strings[0] if call.strings else "*"
        if not _covers(scope, path):
            continue
        middlewares = call.args[1:] if call.strings else call.args
        if any(_AUTH.search(m) and not _NOT_AUTH.search(m) for m in middlewares):
            return True
    return False


def _covers(scope: str, path: str) -> bool:
    base = scope.rstrip("*").rstrip("/")
    return base == "" or path == base or path.startswith(base + "/")


def _global_guard(calls: list[Call], framework: str) -> bool:
    """NestJS: an auth guard applied to every route (``useGlobalGuards`` or an ``APP_GUARD`` provider)."""
    if framework != "nestjs":
        return False
    for call in calls:
        if call.name == "useGlobalGuards" and any(_AUTH.search(a) and not _NOT_AUTH.search(a) for a in call.args):
            return True
        if any(p.key == "provide" and p.value == "APP_GUARD" for p in call.props):
            use = call.prop("useClass") or call.prop("useExisting")
            if use is not None and _AUTH.search(use.value) and not _NOT_AUTH.search(use.value):
                return True
    return False


def _library_endpoint(sf: SourceFile, call: Call) -> tuple[str, str] | None:
    """(path, library label) of the route a metrics library call exposes by itself, or None."""
    modules = sf.modules
    if call.name == "expose" and any(m.startswith("prometheus_fastapi_instrumentator") for m in modules):
        endpoint = call.prop("endpoint")
        return (endpoint.value.strip("'\"") if endpoint is not None else "/metrics"), "Instrumentator().expose(app)"
    if call.name == "mount" and any("make_asgi_app" in a or "make_wsgi_app" in a for a in call.args):
        return (call.strings[0] if call.strings else "/metrics"), "prometheus_client's mounted app"
    if call.name in {"promBundle", "express_prom_bundle"} or (call.callee == "promBundle"):
        auto = call.prop("autoregister")
        if auto is not None and auto.kind == "false":
            return None
        path = call.prop("metricsPath")
        return (path.value.strip("'\"`") if path is not None else "/metrics"), "express-prom-bundle"
    if call.callee.endswith("PrometheusModule.register") and "@willsoto/nestjs-prometheus" in modules:
        if call.prop("controller") is not None:
            return None  # a custom controller: its routes are judged as routes
        path = call.prop("path")
        return (path.value.strip("'\"`") if path is not None else "/metrics"), "PrometheusModule"
    return None
