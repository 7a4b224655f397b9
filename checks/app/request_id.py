"""No request or correlation id.

## What it checks
Each server application assigns a request id and returns or logs it: Hono `requestId`,
`pino-http`/`express-request-id`/`cls-rtracer` for Express, `nestjs-pino` or `nestjs-cls` for
NestJS (Fastify assigns `request.id` itself), `asgi-correlation-id`/`starlette-context` for
FastAPI, `django-guid`/`django-request-id` for Django, `flask-request-id` for Flask, or code that
reads or sets an `X-Request-ID`/`X-Correlation-ID` header.

## Why it matters
Without an id that ties a user's error report, the access log and the application log together,
every incident starts with guesswork over timestamps.

## How to fix
```ts hono
import { requestId } from 'hono/request-id';
app.use('*', requestId());
```

```ts express
import pinoHttp from 'pino-http';
app.use(pinoHttp({ genReqId: (req, res) => req.headers['x-request-id'] ?? crypto.randomUUID() }));
```

```ts nestjs
LoggerModule.forRoot({ pinoHttp: { genReqId: (req) => req.headers['x-request-id'] ?? randomUUID() } })
```

```ts fastify
const app = Fastify({ logger: true, requestIdHeader: 'x-request-id', genReqId: () => randomUUID() });
```

```python fastapi
from asgi_correlation_id import CorrelationIdMiddleware
app.add_middleware(CorrelationIdMiddleware)
```

```python django
MIDDLEWARE = ["django_guid.middleware.guid_middleware", ...]
```

```python flask
from flask_request_id_header.middleware import RequestID
RequestID(app)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

MODULES = (
    "hono/request-id", "pino-http", "express-request-id", "cls-rtracer", "express-correlation-id",
    "correlation-id", "nestjs-pino", "nestjs-cls", "asgi_correlation_id", "starlette_context", "django_guid",
    "request_id", "flask_request_id_header", "flask_request_id", "log_request_id",
)
HEADERS = frozenset({"x-request-id", "x-correlation-id", "x-amzn-trace-id", "traceparent"})


@check(id="APP-REQUEST-ID", severity=Severity.LOW, section=Section.OBSERVABILITY, effort_hours=0.5,
       passed="Request ids assigned for log correlation")
def request_id(project: Project) -> Iterator[Finding]:
    """Flag services that assign no request id."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if service.framework == "fastify" or rules.imports_any(index, service, MODULES):
            continue
        if HEADERS & rules.literals(index, service):
            continue
        if service.framework == "django" and any("guid" in m or "request_id" in m
                                                  for m in rules.django_middleware(index, service)):
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) assigns no request or correlation id",
            location=rules.entry(service),
            key=service.name,
        )
