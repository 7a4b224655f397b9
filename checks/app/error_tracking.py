"""No error tracking.

## What it checks
Each server application initialises an error-tracking SDK: Sentry (`@sentry/node`,
`@sentry/nestjs`, `@sentry/nextjs`, `sentry_sdk`), Bugsnag, Rollbar, Honeybadger, Airbrake,
Datadog (`dd-trace`/`ddtrace`), New Relic, Elastic APM, Highlight. A Django `LOGGING` that routes
the `django.request` logger (every unhandled exception with its traceback) to `AdminEmailHandler`
or to the project's own handler class (a database or ticket sink) also counts; console and file
handlers do not.

## Why it matters
Logs tell you an error happened only if someone reads them. An error tracker groups errors,
keeps stack traces and request context, and alerts on new or rising issues.

## How to fix
```ts hono
import * as Sentry from '@sentry/node';
Sentry.init({ dsn: process.env.SENTRY_DSN, tracesSampleRate: 0.1 });
app.onError((err, c) => { Sentry.captureException(err); return c.json({ error: 'Internal server error' }, 500); });
```

```ts express
import * as Sentry from '@sentry/node';
Sentry.init({ dsn: process.env.SENTRY_DSN });
Sentry.setupExpressErrorHandler(app);
```

```ts nestjs
// instrument.ts, imported first in main.ts
Sentry.init({ dsn: process.env.SENTRY_DSN });
// app.module.ts
imports: [SentryModule.forRoot()],
providers: [{ provide: APP_FILTER, useClass: SentryGlobalFilter }],
```

```ts fastify
Sentry.init({ dsn: process.env.SENTRY_DSN });
Sentry.setupFastifyErrorHandler(app);
```

```python fastapi
import sentry_sdk
sentry_sdk.init(dsn=settings.sentry_dsn, traces_sample_rate=0.1)
```

```python django
import sentry_sdk
sentry_sdk.init(dsn=env("SENTRY_DSN"), send_default_pii=False)
```

```python flask
sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

SDKS = ("@sentry", "sentry_sdk", "raven", "@bugsnag", "bugsnag", "rollbar", "@honeybadger-io", "honeybadger",
        "@airbrake", "airbrake", "dd-trace", "ddtrace", "newrelic", "elastic-apm-node", "elasticapm",
        "@highlight-run", "highlight_io", "@appsignal", "appsignal")


@check(id="APP-ERROR-TRACKING", operator_side=True, severity=Severity.MEDIUM, section=Section.OBSERVABILITY, effort_hours=1.0,
       passed="Error tracking (Sentry or similar) initialised in every service")
def error_tracking(project: Project) -> Iterator[Finding]:
    """Flag services that initialise no error-tracking SDK."""
    index, services = rules.index_or_skip(project)
    for service in services:
        modules = index.modules(service)
        sdk = any(m == s or m.startswith((s + "/", s + ".")) for m in modules for s in SDKS)
        initialised = any(c.name in {"init", "configure", "start", "forRoot", "Client"} or c.callee == "require"
                          for _, c in index.calls(service))
        if sdk and initialised:
            continue
        if service.framework == "django" and _django_request_errors_captured(index, service):
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) initialises no error tracking (Sentry or similar)",
            location=rules.entry(service),
            key=service.name,
        )


# Handlers that only print or write lines: a log file nobody watches is not error tracking.
_PLAIN_HANDLERS = ("logging.", "StreamHandler", "FileHandler", "NullHandler", "RotatingFileHandler")


def _django_request_errors_captured(index: rules.SourceIndex, service: rules.Service) -> bool:
    """Django's LOGGING routes ``django.request`` (every unhandled exception, with its traceback) to a
    handler that alerts or keeps it: ``AdminEmailHandler`` (mail_admins) or the project's own handler
    class (a database or ticket sink), not a console or file handler."""
    found = rules.setting(index, service, "LOGGING")
    if found is None or not isinstance(found[1], dict):
        return False
    config = found[1]
    raw_handlers, raw_loggers = config.get("handlers"), config.get("loggers")
    handlers: dict[object, object] = raw_handlers if isinstance(raw_handlers, dict) else {}
    loggers: dict[object, object] = raw_loggers if isinstance(raw_loggers, dict) else {}
    for name in ("django.request", "django"):
        logger = loggers.get(name)
        if not isinstance(logger, dict) or not isinstance(logger.get("handlers"), list | tuple):
            continue
        for handler_name in logger["handlers"]:
            handler = handlers.get(handler_name)
            cls = str(handler.get("class", "")) if isinstance(handler, dict) else ""
            if cls.endswith("AdminEmailHandler") or (cls and not any(p in cls for p in _PLAIN_HANDLERS)):
                return True
    return False
