"""Prometheus metrics exposed to anonymous clients.

## What it checks
A GET of `/metrics` without credentials does not answer with Prometheus or
OpenMetrics text (`# HELP` / `# TYPE` lines, or the exposition content type).
The check passes when `/metrics` asks for credentials (401 or 403), and is
skipped when no `/metrics` endpoint answered (404, an error status, or a page
that serves no metrics, such as a single-page app's catch-all route). A request
that got no response at all (timeout, reset) is an error: nothing was learnt.

## Why it matters
Metrics reveal traffic, error rates, internal route names, library versions and
sometimes user or tenant ids; the endpoint is also cheap to hammer. Scraping
belongs on an internal port or behind authentication.

## How to fix
Serve metrics on a separate internal port (not published by the proxy), or
require a bearer token.

```ts hono
const metricsApp = new Hono().get('/metrics', (c) => c.text(registry.metrics()))
serve({ fetch: metricsApp.fetch, port: 9464, hostname: '127.0.0.1' })
```
```python fastapi
from prometheus_client import start_http_server
start_http_server(9464, addr="127.0.0.1")  # not behind the public proxy
```
```yaml compose
services:
  app:
    expose: ["9464"]   # reachable by Prometheus on the network, not published
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.live.observations import LiveTarget
from auditor.live.views import ProbeFailed, http_of
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, NotChecked, check

_PROM_LINE = re.compile(r"^# (?:HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* ", re.MULTILINE)
_SAMPLE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})? -?[0-9.eE+-]+(?: \d+)?$", re.MULTILINE)


@check(id="METRICS-PUBLIC", severity=Severity.MEDIUM, section=Section.OBSERVABILITY, target=Target.LIVE,
       security=True, effort_hours=1,
       passed="/metrics requires credentials")
def metrics_public(target: LiveTarget) -> Iterator[Finding]:
    """Flag a /metrics endpoint that answers anonymous clients with metrics."""
    metrics = http_of(target).metrics
    if metrics is None:
        raise NotChecked("/metrics was not probed")
    if metrics.status is None:
        raise ProbeFailed(f"/metrics got no answer: {metrics.error or 'no response'}")
    if metrics.status in (401, 403):
        return  # the endpoint exists and asks for credentials: the pass this check is about
    if not 200 <= metrics.status < 300:
        raise NotApplicable(f"no /metrics endpoint answered (status {metrics.status})")
    ctype = (metrics.content_type or "").lower()
    prom_type = "version=0.0.4" in ctype or "openmetrics" in ctype
    if not (prom_type or _PROM_LINE.search(metrics.body) or len(_SAMPLE.findall(metrics.body)) >= 3):
        raise NotApplicable("/metrics answers but serves no metrics (a catch-all page)")
    yield Finding(message=f"{metrics.url} serves Prometheus metrics to anonymous clients",
                  location=Location(url=metrics.url), key="metrics")
