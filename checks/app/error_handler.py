"""No global error handler.

## What it checks
Each server application installs one place where unhandled errors end up: Hono `app.onError`,
an Express error middleware (four parameters), NestJS exception filters
(`useGlobalFilters`/`APP_FILTER`/`@Catch`), Fastify `setErrorHandler`, FastAPI/Starlette
`exception_handler`, Flask `errorhandler`. For Django, it flags `DEBUG = True` in settings
that are not development settings (Django then serves tracebacks to everyone), and a `DEBUG`
read from the environment that defaults to on (`DEBUG = envbool("DEBUG", "True")`).

FastAPI/Starlette, Fastify, NestJS and Next.js have safe defaults (the traceback is logged, the
client gets a plain 500 without it) and pass without a custom handler: NestJS's built-in
`BaseExceptionFilter` logs unknown errors with their stack and answers a generic 500, so a global
filter would only reshape error bodies, a style choice; whether errors reach a tracker is
APP-ERROR-TRACKING's question. An Express `app.use(errorHandler)` with a named error middleware
from another module counts.

## Why it matters
Without a central handler, unexpected errors produce framework defaults: inconsistent bodies, no
request id for support, and often nothing logged or sent to error tracking. Debug mode in
production publishes source, settings and stack traces.

## How to fix
```ts hono
app.onError((err, c) => {
  logger.error({ err, requestId: c.get('requestId') }, 'unhandled error');
  if (err instanceof HTTPException) return err.getResponse();
  return c.json({ error: 'Internal server error', requestId: c.get('requestId') }, 500);
});
```

```ts express
app.use((err, req, res, next) => {
  req.log.error({ err }, 'unhandled error');
  res.status(500).json({ error: 'Internal server error' });
});
```

```ts nestjs
@Catch()
export class AllExceptionsFilter extends BaseExceptionFilter { /* log + report, then super.catch() */ }
app.useGlobalFilters(new AllExceptionsFilter(app.get(HttpAdapterHost).httpAdapter));
```

```ts fastify
app.setErrorHandler((err, request, reply) => {
  request.log.error({ err }, 'unhandled error');
  reply.status(500).send({ error: 'Internal server error' });
});
```

```python fastapi
@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error")
    return JSONResponse({"error": "Internal server error"}, status_code=500)
```

```python django
DEBUG = env.bool("DJANGO_DEBUG", default=False)
```

```python flask
@app.errorhandler(Exception)
def unhandled(exc):
    app.logger.exception("unhandled error")
    return {"error": "Internal server error"}, 500
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

_DEBUG_NAME = re.compile(r"(?:DJANGO_)?DEBUG", re.IGNORECASE)
_TRUTHY = re.compile(r"true|1|yes|on", re.IGNORECASE)


@check(id="APP-ERROR-HANDLER", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=1.0,
       passed="Global error handling in place for every service")
def error_handler(project: Project) -> Iterator[Finding]:
    """Flag services without a global error handler (Django: DEBUG on in production settings)."""
    index, services = rules.index_or_skip(project)
    for service in services:
        if service.framework == "django":
            for sf in index.files_of(service):
                if rules.is_dev_settings(sf.path):
                    continue
                for assignment in sf.assignments:
                    if assignment.name == "DEBUG" and assignment.literal is True:
                        yield Finding(
                            message=f"{service.name}: DEBUG = True in settings used outside development; "
                            "Django will show tracebacks and settings to visitors",
                            location=Location(path=sf.path, line=assignment.line),
                            key=f"{service.name}:DEBUG",
                        )
                for default in sf.env_defaults:
                    if _DEBUG_NAME.fullmatch(default.name) and _TRUTHY.fullmatch(default.value.strip()):
                        # `DEBUG = envbool("DEBUG", "True")`: a deploy that forgets the variable runs in debug.
                        yield Finding(
                            message=f"{service.name}: {default.name} defaults to on when the variable is unset; "
                            "a deploy that does not set it shows tracebacks and settings to visitors",
                            location=Location(path=sf.path, line=default.line),
                            key=f"{service.name}:DEBUG",
                        )
            continue
        if _has_handler(index, service):
            continue
        if service.framework in _SAFE_DEFAULTS:
            # The framework's own handler logs the traceback and answers a generic 500 without leaking it:
            # a custom handler would only reshape error bodies, which is a style choice, not a gap.
            continue
        yield Finding(
            message=f"{service.name} ({service.framework}) has no global error handler",
            location=rules.entry(service),
            key=service.name,
        )


# Frameworks whose built-in handler already logs unknown errors and answers a generic 500.
_SAFE_DEFAULTS = {
    "fastapi": "Starlette's ServerErrorMiddleware logs unhandled exceptions and answers a plain 500",
    "starlette": "Starlette's ServerErrorMiddleware logs unhandled exceptions and answers a plain 500",
    "fastify": "Fastify's default error handler logs through pino and answers a JSON 500",
    "nestjs": "Nest's BaseExceptionFilter logs unknown errors with their stack and answers a generic 500",
    "nextjs": "Next.js logs errors thrown in route handlers and answers 500",
}


_ERROR_MIDDLEWARE = re.compile(r"^\w*error\w*$", re.IGNORECASE)


def _has_handler(index: rules.SourceIndex, service: rules.Service) -> bool:
    for _, call in index.calls(service):
        if call.name in {"onError", "setErrorHandler", "useGlobalFilters", "add_exception_handler",
                         "exception_handler", "errorhandler", "register_error_handler"}:
            return True
        if call.name == "use" and 4 in call.fn_params:
            return True  # Express recognises error middleware by its four parameters
        if call.name == "use" and any(_ERROR_MIDDLEWARE.search(arg) for arg in call.args):
            return True  # `app.use(errorHandler)`: a named error middleware defined in another module
        if any(p.key == "provide" and p.value == "APP_FILTER" for p in call.props):
            return True
    return any("Catch" in d for sf in index.files_of(service) for c in sf.classes for d in c.decorators)
