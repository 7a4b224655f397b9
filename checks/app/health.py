"""Health endpoint missing or shallow.

## What it checks
Each server application exposes a health endpoint (`/health`, `/healthz`, `/ready`, `/live` ...),
and the one that decides whether traffic is routed (the route the Dockerfile HEALTHCHECK or the
compose healthcheck probes; else the readiness check, or the only health route) touches a
dependency: it calls the database, a cache or another service instead of
returning a constant. Where the repository holds Kubernetes-style manifests with
`readinessProbe`/`livenessProbe` (plain manifests, Helm charts), it also asks for separate
liveness and readiness routes; Docker's HEALTHCHECK and compose know a single probe, so one
route that checks the database is the right shape there. A
Next.js file route (`app/api/heartbeat/route.ts`) or a path a HEALTHCHECK probes counts as an
endpoint even when the scan cannot read its handler; "missing" is said with low confidence when
the scan could see no route of the service at all.

## Why it matters
A health check that returns `{status: 'ok'}` without touching anything stays green while the
database is gone, so load balancers and orchestrators keep sending traffic to a broken instance.
A single route cannot serve both purposes: liveness must stay cheap (restart me) while
readiness must check dependencies (route to me).

## How to fix
```ts hono
app.get('/live', (c) => c.json({ status: 'ok' }));
app.get('/ready', async (c) => {
  const database = await db.run(sql`select 1`).then(() => true, () => false);
  return c.json({ status: database ? 'ok' : 'degraded', checks: { database } }, database ? 200 : 503);
});
```

```ts express
app.get('/ready', async (req, res) => {
  try { await pool.query('select 1'); res.json({ status: 'ok' }); }
  catch { res.status(503).json({ status: 'degraded' }); }
});
```

```ts nestjs
// @nestjs/terminus
@Get('ready') @HealthCheck()
ready() { return this.health.check([() => this.prisma.pingCheck('database', this.prismaService)]); }
```

```ts fastify
app.get('/ready', async (request, reply) => { await app.pg.query('select 1'); return { status: 'ok' }; });
```

```python fastapi
@app.get("/health/ready")
async def ready(session: AsyncSession = Depends(get_session)):
    await session.execute(text("SELECT 1"))
    return {"status": "ok"}
```

```python django
def ready(request):
    connection.ensure_connection()
    return JsonResponse({"status": "ok"})
```

```python flask
@app.get("/ready")
def ready():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.manifests import probe_manifests
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules
from auditor.source.facts import Body

_HEALTH = re.compile(r"(^|/)(health|healthz|healthcheck|health-check|status|ping|ready|readyz|readiness|live|"
                     r"livez|liveness|heartbeat)(/|$)", re.IGNORECASE)
_PARAM = re.compile(r"<[^>]+>|/:\w|\{[^}]+\}|\[[^\]]+\]")
# `curl -f http://localhost:3000/api/healthz` in a Dockerfile HEALTHCHECK or a compose healthcheck.
_PROBED = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\$\{?\w+\}?)(?::[\w${}]+)?(/[^\s\"'\]\),]*)")
# Next.js file routes: app/api/heartbeat/route.ts, pages/api/health.ts.
_FILE_ROUTE = re.compile(r"(?:^|/)(?:app|pages)/(?:.*/)?(health|healthz|heartbeat|ready|readyz|live|livez|ping|status)"
                         r"(?:/route)?\.[cm]?[jt]sx?$", re.IGNORECASE)
_READY = re.compile(r"ready|readiness", re.IGNORECASE)
_LIVE = re.compile(r"live|liveness", re.IGNORECASE)


@check(id="APP-HEALTH", group="Health endpoint missing or shallow", group_rank=0, severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=1.0,
       passed="Readiness endpoint probes dependencies, separate from liveness")
def health(project: Project) -> Iterator[Finding]:
    """Flag missing, shallow or undivided health endpoints."""
    index, services = rules.index_or_skip(project)
    probed = _probed_paths(project)
    for service in services:
        every = list(rules.routes(index, service))
        # Health routes take no parameters: `/notifications/<code>/status` is a resource, not a probe.
        found = [(sf, route, full, body) for sf, route, full, body in every
                 if route.method in {"GET", "ANY", "HEAD"} and _HEALTH.search(full) and not _PARAM.search(full)]
        # The route the container's own HEALTHCHECK calls is the one that decides: judge it, not a sibling.
        called = [item for item in found if item[2].rstrip("/") in probed]
        found = called or found
        if not found:
            base = "" if service.root in ("", ".") else service.root.strip("/") + "/"
            files = [p for p in project.files if p.startswith(base) and _FILE_ROUTE.search(p[len(base):])]
            if files or any(_HEALTH.search(path) for path in probed):
                continue  # a file route (Next.js) or a path the HEALTHCHECK probes: it exists, the scan cannot read it
            yield Finding(
                message=f"{service.name} ({service.framework}) has no health endpoint",
                location=rules.entry(service),
                key=f"{service.name}:missing",
                # Routes the scan could see make the absence believable; none seen means it may be blind.
                confidence=Confidence.HIGH if every else Confidence.LOW,
            )
            continue
        ready = [item for item in found if _READY.search(item[2])]
        live = [item for item in found if _LIVE.search(item[2])]
        judged = ready or [item for item in found if not _LIVE.search(item[2])]
        split = bool(ready) and (bool(live) or len(found) > len(ready))
        for sf, route, full, body in judged:
            if body is not None and _shallow(body):
                what = "readiness check" if ready else "health check"
                extra = "" if split or not probe_manifests(project) else \
                    "; there is no separate readiness and liveness endpoint"
                yield Finding(
                    message=f"{route.method} {full}: {what} returns a constant without touching the database or "
                    f"other dependencies{extra}",
                    location=Location(path=sf.path, line=route.line),
                    key=f"{service.name}:shallow:{full}",
                )
                break
        else:
            if not split and probe_manifests(project):
                sf, route, full, _ = found[0]
                yield Finding(
                    message=f"{service.name}: {full} serves as both liveness and readiness; add separate endpoints",
                    location=Location(path=sf.path, line=route.line),
                    key=f"{service.name}:no-readiness",
                    severity=Severity.LOW,
                    # Kubernetes routes on readiness and restarts on liveness: one route cannot do both well.
                    confidence=Confidence.LOW,
                )


def _probed_paths(project: Project) -> set[str]:
    """HTTP paths that Dockerfile HEALTHCHECKs and compose healthchecks in the repository probe."""
    paths: set[str] = set()
    for rel in (*project.dockerfile_paths, *project.compose_paths):
        for line in (project.read_text(rel) or "").splitlines():
            if "HEALTHCHECK" in line or "test:" in line or "curl" in line or "wget" in line or "fetch(" in line:
                paths.update(m.group(1).rstrip("/") for m in _PROBED.finditer(line))
    return {p for p in paths if p}


def _shallow(body: Body) -> bool:
    """No await and no call beyond response builders and clocks."""
    if body.awaits:
        return False
    return all(call.rsplit(".", 1)[-1] in rules.TRIVIAL_CALLS or (call.startswith("new") and "Date" in call)
               for call in body.calls)
