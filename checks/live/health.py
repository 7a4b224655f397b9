"""Health endpoint checks: depth on a ladder, latency, and what anonymous clients can read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.live.observations import EndpointObservation, HttpObservation, LiveTarget
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, check
from checks.live._common import here, http_of

LIVENESS = ("/livez", "/live", "/health/live", "/health/liveness", "/actuator/health/liveness")
READINESS = ("/readyz", "/ready", "/health/ready", "/health/readiness", "/actuator/health/readiness")
SLOW_MS = 1000.0
_DEP_KEYS = ("checks", "components", "dependencies", "details", "services")
RUNGS = (
    "no health endpoint found",
    "reachable but unstructured",
    "structured status",
    "reports dependency checks",
    "separate liveness and readiness",
)
NEXT_STEP = (
    "add a /health endpoint answering JSON {\"status\": ...}",
    "answer JSON with a status field (application/health+json or {\"status\": \"ok\"})",
    "check the dependencies (database, disk, queues) and report each under \"checks\"",
    "add separate liveness (/live) and readiness (/ready) endpoints",
    "",
)


def _json(endpoint: EndpointObservation) -> Any:
    try:
        return json.loads(endpoint.body)
    except ValueError:
        return None


def found_endpoints(http: HttpObservation) -> list[EndpointObservation]:
    """Health paths that answered like a health endpoint (not a 404, not the SPA's HTML fallback)."""
    missing = http.missing
    found = []
    for endpoint in http.health:
        if not endpoint.ok or "html" in (endpoint.content_type or "").lower():
            continue
        if missing is not None and missing.ok and missing.body == endpoint.body:
            continue  # catch-all route: every path answers the same
        found.append(endpoint)
    return found


def structured(endpoint: EndpointObservation) -> bool:
    """application/health+json, or a JSON object with a status field (Spring actuator style included)."""
    data = _json(endpoint)
    return "health+json" in (endpoint.content_type or "").lower() or (isinstance(data, dict) and "status" in data)


def has_dependencies(endpoint: EndpointObservation) -> bool:
    """The JSON reports individual dependency checks."""
    data = _json(endpoint)
    return isinstance(data, dict) and any(isinstance(data.get(k), (dict, list)) and data.get(k) for k in _DEP_KEYS)


def rung(http: HttpObservation) -> int:
    """Highest rung of the ladder reached (0-4), each rung requiring the ones below."""
    found = found_endpoints(http)
    if not found:
        return 0
    level = 1
    if any(structured(e) for e in found):
        level = 2
        if any(structured(e) and has_dependencies(e) for e in found):
            level = 3
            paths = {e.path.rstrip("/") for e in found}
            if paths & set(LIVENESS) and paths & set(READINESS):
                level = 4
    return level


@check(id="HEALTH-ENDPOINT", severity=Severity.MEDIUM, section=Section.HARDENING, target=Target.LIVE,
       effort_hours=3,
       passed="Separate liveness and readiness endpoints with dependency checks")
def health_endpoint(target: LiveTarget) -> Iterator[Finding]:
    """Health endpoint depth (ladder: none, reachable, structured, dependencies, liveness/readiness).

    ## What it checks
    prodcheck GETs `/health`, `/healthz`, `/livez`, `/readyz`, `/ready`, `/live`,
    `/status`, `/actuator/health` and configured `health_paths`, and places the
    service on a ladder: 0 none found; 1 reachable but unstructured; 2 structured
    status (`application/health+json`, Spring actuator, or JSON `status`); 3 reports
    dependency checks (`checks`, `components`, `details`); 4 separate liveness and
    readiness endpoints. The finding names the rung reached and the next step; the
    check passes on rung 4. HTML answers and catch-all routes do not count.

    ## Why it matters
    Orchestrators and load balancers decide on restarts and traffic from these
    endpoints. A `{"status":"ok"}` that never looks at the database keeps sending
    traffic to an instance that cannot serve it; one endpoint for both liveness and
    readiness restarts healthy containers when a dependency blips.

    ## How to fix
    ```ts hono
    app.get('/live', (c) => c.json({ status: 'pass' }))
    app.get('/ready', async (c) => {
      const checks = { database: await checkDatabase(), disk: await checkDisk() }
      const ok = Object.values(checks).every((s) => s === 'pass')
      c.header('Content-Type', 'application/health+json')
      return c.body(JSON.stringify({ status: ok ? 'pass' : 'fail', checks }), ok ? 200 : 503)
    })
    ```
    ```python fastapi
    @app.get("/ready")
    async def ready():
        checks = {"database": await check_db()}
        ok = all(v == "pass" for v in checks.values())
        return JSONResponse({"status": "pass" if ok else "fail", "checks": checks}, status_code=200 if ok else 503,
                            media_type="application/health+json")
    ```
    ```yaml compose
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:3000/ready"]
    ```
    """
    http = http_of(target)
    level = rung(http)
    if level >= 4:
        return
    paths = ", ".join(e.path for e in found_endpoints(http)) or "none"
    severity = Severity.MEDIUM if level <= 1 else Severity.LOW
    yield Finding(message=f"health ladder rung {level}/4 ({RUNGS[level]}; found: {paths}); next: {NEXT_STEP[level]}",
                  location=here(target), key=f"health-rung-{level}", severity=severity)


@check(id="HEALTH-SLOW", severity=Severity.LOW, section=Section.HARDENING, target=Target.LIVE, effort_hours=1,
       passed="Health endpoints answer within one second")
def health_slow(target: LiveTarget) -> Iterator[Finding]:
    """Health endpoint slower than one second.

    ## What it checks
    Every health endpoint found answers within 1 s (as measured by the probe,
    including the network round trip).

    ## Why it matters
    Probes have short timeouts (Kubernetes: 1 s by default); a slow health check
    flaps, restarts healthy containers, and usually means it does synchronous work
    (or waits on a dependency without a timeout).

    ## How to fix
    Bound each dependency check with a timeout and run them concurrently; cache the
    result for a few seconds.

    ```ts hono
    const withTimeout = (p, ms) => Promise.race([p, new Promise((_, r) => setTimeout(() => r(new Error('timeout')), ms))])
    const checks = await Promise.allSettled([withTimeout(checkDatabase(), 300), withTimeout(checkDisk(), 300)])
    ```
    """
    found = found_endpoints(http_of(target))
    if not found:
        raise NotApplicable("no health endpoint found")
    for endpoint in found:
        if endpoint.latency_ms is not None and endpoint.latency_ms > SLOW_MS:
            yield Finding(message=f"{endpoint.path} took {endpoint.latency_ms:.0f} ms (over {SLOW_MS:.0f} ms)",
                          location=Location(url=endpoint.url), key=f"slow:{endpoint.path}")


_DETAIL_PATTERNS = (
    ("version", re.compile(r'"(version|build|commit|git[_-]?sha|revision)"\s*:\s*"[^"]+"', re.IGNORECASE)),
    ("IP address", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")),
    ("URL or connection string", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s\"']+", re.IGNORECASE)),
    ("host or path", re.compile(r'"(host|hostname|server|url|path|location|jdbcUrl|database)"\s*:\s*"[^"]+"',
                                re.IGNORECASE)),
    ("dependency details", re.compile(r'"details"\s*:\s*\{', re.IGNORECASE)),
    ("error text", re.compile(r'"(error|exception|stack|trace)"\s*:\s*"[^"]{12,}"', re.IGNORECASE)),
)


@check(id="HEALTH-DETAIL-EXPOSED", severity=Severity.LOW, section=Section.HARDENING, target=Target.LIVE,
       security=True, effort_hours=1,
       passed="Health endpoints hide internal details from anonymous clients")
def health_detail(target: LiveTarget) -> Iterator[Finding]:
    """Health endpoint exposes internal details to anonymous clients.

    ## What it checks
    Health answers seen without credentials contain no versions, IP addresses,
    hostnames, connection strings, file paths, Spring `details` or error texts.
    Per-dependency pass/fail status is fine.

    ## Why it matters
    Versions and internal hostnames tell an attacker which exploits to try and where
    to pivot; error texts leak configuration.

    ## How to fix
    Report status per dependency publicly; show details only on an authenticated or
    internal port.

    ```ts hono
    return c.json({ status: ok ? 'pass' : 'fail', checks: { database: dbOk ? 'pass' : 'fail' } })
    ```
    ```yaml spring
    management:
      endpoint:
        health:
          show-details: when-authorized
    ```
    """
    found = found_endpoints(http_of(target))
    if not found:
        raise NotApplicable("no health endpoint found")
    for endpoint in found:
        kinds = [kind for kind, pattern in _DETAIL_PATTERNS if pattern.search(endpoint.body)]
        if kinds:
            yield Finding(message=f"{endpoint.path} shows {', '.join(kinds)} to anonymous clients",
                          location=Location(url=endpoint.url), key=f"detail:{endpoint.path}")
