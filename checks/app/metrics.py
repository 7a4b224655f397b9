"""No metrics endpoint.

## What it checks
Each server application exports metrics: `prom-client`, `@willsoto/nestjs-prometheus`,
`express-prom-bundle`, `@hono/prometheus`, `fastify-metrics`, OpenTelemetry
(`@opentelemetry/*`, `opentelemetry`), `prometheus_client`,
`prometheus-fastapi-instrumentator`, `starlette-exporter`, `django-prometheus` (in
`INSTALLED_APPS`), `prometheus-flask-exporter`, StatsD and Datadog clients (or a Django
`STATSD_HOST` setting), or metrics served without a library (Prisma `$metrics.prometheus()`).

## Why it matters
Without request rates, error rates and latency histograms there is nothing to alert on before
users notice, and no data for capacity planning.

## How to fix
```ts hono
import { prometheus } from '@hono/prometheus';
const { printMetrics, registerMetrics } = prometheus();
app.use('*', registerMetrics);
app.get('/metrics', printMetrics); // protect or bind internally
```

```ts express
import promBundle from 'express-prom-bundle';
app.use(promBundle({ includeMethod: true, includePath: true }));
```

```ts nestjs
imports: [PrometheusModule.register()], // @willsoto/nestjs-prometheus, serves /metrics
```

```ts fastify
await app.register(import('fastify-metrics'), { endpoint: '/metrics' });
```

```python fastapi
from prometheus_fastapi_instrumentator import Instrumentator
Instrumentator().instrument(app).expose(app)
```

```python django
INSTALLED_APPS = ["django_prometheus", ...]
MIDDLEWARE = ["django_prometheus.middleware.PrometheusBeforeMiddleware", ...,
              "django_prometheus.middleware.PrometheusAfterMiddleware"]
```

```python flask
from prometheus_flask_exporter import PrometheusMetrics
PrometheusMetrics(app)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

MODULES = ("prom-client", "@willsoto/nestjs-prometheus", "express-prom-bundle", "@hono/prometheus", "hono-prometheus",
           "fastify-metrics", "@opentelemetry", "prometheus_client", "prometheus_fastapi_instrumentator",
           "starlette_exporter", "starlette_prometheus", "django_prometheus", "prometheus_flask_exporter",
           "opentelemetry", "@prometheus-io/client", "hot-shots", "datadog_checks", "statsd", "django_statsd",
           "node-statsd", "statsd-client", "datadog", "dd-trace", "ddtrace")
# Metrics exported without a metrics library: Prisma's `$metrics.prometheus()`, a hand-written exposition.
_EXPOSES = re.compile(r"\$metrics\.(prometheus|json)$|(^|\.)generate_latest$|(^|\.)register\.metrics$")


@check(id="APP-METRICS", operator_side=True, severity=Severity.MEDIUM, section=Section.OBSERVABILITY, effort_hours=2.0,
       passed="Metrics instrumentation present in every service")
def metrics(project: Project) -> Iterator[Finding]:
    """Flag services that export no metrics."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if rules.imports_any(index, service, MODULES):
            continue
        apps = rules.setting(index, service, "INSTALLED_APPS")
        if apps and isinstance(apps[1], list | tuple) and "django_prometheus" in apps[1]:
            continue
        if rules.has_call(index, service, _EXPOSES) or rules.setting(index, service, "STATSD_HOST") is not None:
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) exports no metrics (no Prometheus or OpenTelemetry)",
            location=rules.entry(service),
            key=service.name,
        )
