"""Unstructured console logging.

## What it checks
Server code that logs with `console.log`/`console.error` or `print` and imports no structured
logger: pino (`pino`, `pino-http`, `nestjs-pino`), winston (`nest-winston`), bunyan, structlog,
python-json-logger, loguru configured with `serialize=True`, Fastify's built-in pino logger
(`Fastify({ logger: true })`), stdlib logging configured with `logging.config.dictConfig`. A few
stray console calls (fewer than five) next to the service's own leveled logger pass: NestJS's
`Logger`, a Django `LOGGING` setting, stdlib `logging.getLogger`, or a logging library such as
`debug`, `loglevel`, `consola`, `log4js`, `signale` or `tslog` (those few calls bypass the logger
the service already uses; they are not how it logs). The finding gives the number of console/print calls and points at the first one.
Build scripts, seeds, Django management commands, migrations, container scripts (`docker/`,
`bin/`) and browser code (`client/`, `frontend/`, React/Vue/Svelte components) are not server
code and are not counted.

## Why it matters
Plain text lines have no level, no request id and no fields to filter on; log platforms cannot
alert on them reliably, and multi-line stack traces are split into separate events.

## How to fix
```ts hono
import pino from 'pino';
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
logger.info({ projectId }, 'feedback received');
```

```ts express
import pinoHttp from 'pino-http';
app.use(pinoHttp());
req.log.info({ userId }, 'user signed in');
```

```ts nestjs
// app.module.ts
imports: [LoggerModule.forRoot()],   // nestjs-pino
// main.ts
const app = await NestFactory.create(AppModule, { bufferLogs: true });
app.useLogger(app.get(Logger));
```

```ts fastify
const app = Fastify({ logger: { level: 'info' } });
request.log.info({ userId }, 'user signed in');
```

```python fastapi
import structlog
structlog.configure(processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()])
log = structlog.get_logger()
log.info("feedback_received", project_id=project_id)
```

```python django
LOGGING = {"version": 1, "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}},
           "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
           "root": {"handlers": ["console"], "level": "INFO"}}
```

```python flask
from pythonjsonlogger import jsonlogger
handler.setFormatter(jsonlogger.JsonFormatter())
```
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import PurePosixPath

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import SourceFile

LOGGERS = ("pino", "pino-http", "nestjs-pino", "winston", "nest-winston", "bunyan", "@logtape/logtape",
           "structlog", "pythonjsonlogger", "json_log_formatter", "ecs_logging")


@check(id="APP-STRUCTURED-LOGGING", severity=Severity.MEDIUM, section=Section.OBSERVABILITY, effort_hours=2.0,
       passed="No service relies on console/print alone for logging")
def structured_logging(project: Project) -> Iterator[Finding]:
    """Flag services logging through console/print without a structured logger."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        calls = [(sf.path, line) for sf in index.files_of(service) if _server_file(sf)
                 for _, line in sf.log_calls]
        structured = _structured(index, service)
        # A service that logs through a structured logger or stdlib logging, and never through console/print, passes.
        judged = judged or bool(calls) or structured or rules.imports_any(index, service, ("logging",))
        if not calls or structured:
            continue
        if _framework_logger(index, service) and len(calls) < 5:
            continue  # a stray console call next to the framework's leveled logger is not a logging gap
        files = len({path for path, _ in calls})
        # Point at the entry point's first call when it has one: that is where a logger gets wired in.
        first = min(calls, key=lambda c: (c[0] != service.entry, c[0], c[1]))
        kind = "console" if service.language == "node" else "print"
        yield Finding(
            message=f"{service.name} logs with {len(calls)} {kind} calls in {files} files and no structured logger",
            location=Location(path=first[0], line=first[1]),
            key=service.name,
            evidence=f"{len(calls)} calls",
        )
    if not judged:
        raise NotApplicable("the application code does not log at all")


def _structured(index: rules.SourceIndex, service: rules.Service) -> bool:
    if rules.imports_any(index, service, LOGGERS):
        return True
    if rules.setting(index, service, "LOGGING") is not None and service.framework == "django":
        found = rules.setting(index, service, "LOGGING")
        return found is not None and "json" in repr(found[1]).lower()
    for _, c in index.calls(service):
        # loguru counts only when a sink serialises to JSON.
        if c.name == "add" and any(p.key == "serialize" and p.kind == "true" for p in c.props):
            return True
        # Fastify's built-in pino logger (`Fastify({ logger: true })`, options, or a value from config).
        if service.framework == "fastify" and any(p.key == "logger" and p.kind != "false" for p in c.props):
            return True
        # stdlib logging configured from a dict (handlers and formatters in one place).
        if c.callee.endswith("dictConfig"):
            return True
    return False


# Directories whose code runs outside the server process, where stdout is the right channel: one-off
# commands, data migrations, container healthcheck/entrypoint scripts, and browser code.
_NOT_SERVER_DIRS = frozenset({"migrations", "docker", "bin", "client", "frontend", "browser"})
_BROWSER_MODULES = frozenset({"react", "react-dom", "react-dom/client", "vue", "svelte", "preact"})


def _server_file(sf: SourceFile) -> bool:
    """Whether the file's console/print output would be the server's log stream."""
    parts = PurePosixPath(sf.path).parts[:-1]
    if _NOT_SERVER_DIRS.intersection(parts):
        return False
    if any(a == "management" and b == "commands" for a, b in pairwise(parts)):
        return False  # Django management commands write their report to stdout by design
    return not (sf.path.endswith((".tsx", ".jsx", ".vue", ".svelte")) and _BROWSER_MODULES & sf.modules)


# Leveled or namespaced loggers that are not structured: a service using one logs through it, so a few
# console calls beside it are strays, not the service's logging.
_LOGGING_LIBRARIES = ("debug", "loglevel", "consola", "log4js", "signale", "tslog", "roarr", "npmlog")


def _framework_logger(index: rules.SourceIndex, service: rules.Service) -> bool:
    """The service's own leveled logger that console/print calls elsewhere merely bypass.

    NestJS's Logger (levels and context per module), Django's ``LOGGING`` setting (stdlib logging
    routed by logger name, which the framework itself uses for request errors), stdlib
    ``logging.getLogger``, or a leveled/namespaced logging library (``debug``, ``loglevel`` ...).
    """
    if service.framework == "django" and rules.setting(index, service, "LOGGING") is not None:
        return True
    if rules.imports_any(index, service, _LOGGING_LIBRARIES):
        return True
    if service.language == "python" and any(c.callee in {"logging.getLogger", "getLogger"}
                                            for _, c in index.calls(service)):
        return True
    return service.framework == "nestjs" and any(
        c.callee in {"Logger", "newLogger"} or c.callee.startswith("Logger.") or c.callee.endswith("logger.log")
        for _, c in index.calls(service))
