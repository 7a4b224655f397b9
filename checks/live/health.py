"""Health endpoint checks: depth (found, structured, dependency checks, liveness/readiness), latency,
and what anonymous clients can read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from auditor.live.observations import EndpointObservation, HttpObservation, LiveTarget
from auditor.live.views import failed_probes, here, http_of
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, check

LIVENESS = ("/livez", "/live", "/health/live", "/health/liveness", "/actuator/health/liveness")
READINESS = ("/readyz", "/ready", "/health/ready", "/health/readiness", "/actuator/health/readiness")
HEALTH_TRIED = ("/health", "/healthz", "/livez", "/readyz", "/ready", "/live", "/status", "/actuator/health")
SLOW_MS = 1000.0
_DEP_KEYS = ("checks", "components", "dependencies", "details", "services")


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


def found_or_failed(http: HttpObservation) -> list[EndpointObservation]:
    """The health endpoints found; ProbeFailed when none was found and some health requests failed."""
    found = found_endpoints(http)
    if not found:
        errors = [e.error for e in http.health if e.failed and e.error]
        if errors:
            raise failed_probes("health endpoint", errors)
    return found


def structured(endpoint: EndpointObservation) -> bool:
    """application/health+json, or a JSON object with a status field (Spring actuator style included)."""
    data = _json(endpoint)
    return "health+json" in (endpoint.content_type or "").lower() or (isinstance(data, dict) and "status" in data)


def has_dependencies(endpoint: EndpointObservation) -> bool:
    """The JSON reports individual dependency checks."""
    data = _json(endpoint)
    return isinstance(data, dict) and any(isinstance(data.get(k), (dict, list)) and data.get(k) for k in _DEP_KEYS)


def _shown(endpoint: EndpointObservation) -> str:
    """The answer as a reader would recognise it: compact JSON, or the start of the text."""
    data = _json(endpoint)
    if data is not None:
        text = json.dumps(data, separators=(",", ":"))
        return text if len(text) <= 80 else text[:77] + "..."
    body = " ".join(endpoint.body.split())
    if not body:
        return "an empty body"
    return repr(body if len(body) <= 60 else body[:57] + "...")


def _dependency_names(endpoint: EndpointObservation) -> list[str]:
    data = _json(endpoint)
    names: list[str] = []
    if isinstance(data, dict):
        for key in _DEP_KEYS:
            value = data.get(key)
            if isinstance(value, dict):
                names += [str(k) for k in value]
    return names


def split_gap(found: list[EndpointObservation]) -> str | None:
    """What is missing of the liveness/readiness split, or None when both endpoints answer."""
    paths = {e.path.rstrip("/") for e in found}
    live = sorted(paths & set(LIVENESS))
    ready = sorted(paths & set(READINESS))
    if live and ready:
        return None
    if live:
        return f"{live[0]} answers but there is no separate readiness endpoint (/ready or /readyz)"
    if ready:
        return f"{ready[0]} answers but there is no separate liveness endpoint (/live or /livez)"
    return "no separate readiness and liveness endpoints"


@check(id="HEALTH-ENDPOINT", group="Health endpoint missing or shallow", group_rank=1, severity=Severity.MEDIUM, section=Section.HARDENING, target=Target.LIVE,
       effort_hours=3,
       passed="Separate liveness and readiness endpoints with dependency checks")
def health_endpoint(target: LiveTarget) -> Iterator[Finding]:
    """Health endpoint missing or shallow.

    ## What it checks
    prodcheck GETs `/health`, `/healthz`, `/livez`, `/readyz`, `/ready`, `/live`,
    `/status`, `/actuator/health` and configured `health_paths`. The check passes
    when a structured answer (`application/health+json`, Spring actuator style, or
    JSON with a `status` field) reports dependency checks (`checks`, `components`,
    `dependencies`, `details`) and separate liveness (`/live`, `/livez`) and
    readiness (`/ready`, `/readyz`) endpoints answer. The finding says what was
    found and what is missing. No endpoint, or one without a structured status, is
    medium; a structured status without dependency checks or without the
    liveness/readiness split is low. HTML answers and catch-all routes do not count.

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
    found = found_or_failed(http)
    if not found:
        tried = ", ".join(e.path for e in http.health) or ", ".join(HEALTH_TRIED)
        yield Finding(message=f"no health endpoint answered (tried {tried}); add separate liveness and readiness "
                              "endpoints, the readiness one checking the database and other dependencies",
                      location=here(target), key="health-missing", severity=Severity.MEDIUM)
        return
    gap = split_gap(found)
    deep = [e for e in found if structured(e) and has_dependencies(e)]
    if deep:
        if gap is None:
            return
        names = ", ".join(_dependency_names(deep[0])[:5])
        but = f"but there are {gap}" if gap.startswith("no ") else f"but {gap}"
        yield Finding(message=f"{deep[0].path} reports dependency checks ({names or 'listed'}), {but}",
                      location=here(target), key="health-no-live-ready", severity=Severity.LOW)
        return
    shaped = [e for e in found if structured(e)]
    if shaped:
        endpoint = shaped[0]
        missing = "without checking any dependency" + (f"; {gap}" if gap else "")
        yield Finding(message=f"{endpoint.path} answers {_shown(endpoint)} {missing}",
                      location=here(target), key="health-no-dependency-checks", severity=Severity.LOW,
                      evidence=endpoint.body[:200])
        return
    endpoint = found[0]
    ctype = (endpoint.content_type or "no content type").split(";")[0]
    missing = "with no structured status and no dependency checks" + (f"; {gap}" if gap else "")
    yield Finding(message=f"{endpoint.path} answers {_shown(endpoint)} ({ctype}) {missing}",
                  location=here(target), key="health-unstructured", severity=Severity.MEDIUM,
                  evidence=endpoint.body[:200])


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
    found = found_or_failed(http_of(target))
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
    found = found_or_failed(http_of(target))
    if not found:
        raise NotApplicable("no health endpoint found")
    for endpoint in found:
        kinds = [kind for kind, pattern in _DETAIL_PATTERNS if pattern.search(endpoint.body)]
        if kinds:
            yield Finding(message=f"{endpoint.path} shows {', '.join(kinds)} to anonymous clients",
                          location=Location(url=endpoint.url), key=f"detail:{endpoint.path}")
