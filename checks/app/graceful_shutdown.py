"""No graceful shutdown.

## What it checks
Node services handle `SIGTERM`/`SIGINT` and drain before exiting (`server.close()`, closing
pools), or use a helper (`http-terminator`, `@godaddy/terminus`, `close-with-grace`,
`lightship`); NestJS services call `app.enableShutdownHooks()`. A signal handler that calls
`process.exit()` without closing anything is flagged as exiting without draining. Python services
(FastAPI, Starlette, Django, Flask) are not judged: uvicorn and gunicorn catch the signal, stop
accepting and drain in-flight requests themselves; a `lifespan` handler that closes pools is
still good practice.

## Why it matters
Every deploy and scale-down sends SIGTERM. Without handling, in-flight requests are cut,
SSE clients get a reset instead of a retry, and database writes may be interrupted; after the
grace period the orchestrator sends SIGKILL anyway.

## How to fix
```ts hono
const server = serve({ fetch: app.fetch, port });
process.on('SIGTERM', () => {
  server.close(() => { sqlite.close(); process.exit(0); });
  setTimeout(() => process.exit(1), 10_000).unref();
});
```

```ts express
const server = app.listen(port);
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
```

```ts nestjs
const app = await NestFactory.create(AppModule);
app.enableShutdownHooks(); // runs onModuleDestroy / beforeApplicationShutdown
```

```ts fastify
import closeWithGrace from 'close-with-grace';
closeWithGrace({ delay: 10_000 }, async () => { await app.close(); });
```

```python fastapi
@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await engine.dispose()

app = FastAPI(lifespan=lifespan)
```

```python django
# gunicorn drains workers on SIGTERM; set a graceful timeout
# gunicorn --graceful-timeout 30 project.wsgi
```

```python flask
# gunicorn --graceful-timeout 30 app:app
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

_DRAIN = ("close", "shutdown", "stop", "end", "disconnect", "drain", "terminate", "dispose", "quit", "destroy")


@check(id="APP-GRACEFUL-SHUTDOWN", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=1.0,
       passed="Graceful shutdown on SIGTERM in place")
def graceful_shutdown(project: Project) -> Iterator[Finding]:
    """Flag services that do not drain on SIGTERM."""
    index, services = rules.index_or_skip(project)
    # Python services are run by uvicorn/gunicorn (or `fastapi run`), which catch SIGTERM, stop accepting
    # and drain in-flight requests themselves; pools close at interpreter exit. Only Node owns its signals.
    judged = [s for s in services if s.language != "python"]
    if not judged:
        raise NotApplicable("Python services rely on their ASGI/WSGI server (uvicorn, gunicorn) for shutdown")
    for service in judged:
        if rules.shutdown_taken_over(index, service):
            continue
        handlers = rules.signal_handlers(index, service)
        if not handlers:
            hint = " and never calls app.enableShutdownHooks()" if service.framework == "nestjs" else ""
            yield Finding(
                message=f"{service.name} ({service.framework}) does not handle SIGTERM{hint}",
                location=rules.entry(service),
                key=service.name,
            )
            continue
        for sf, handler in handlers:
            exits = any(c == "process.exit" for c in handler.calls)
            drains = any(c.rsplit(".", 1)[-1].lower().startswith(_DRAIN) for c in handler.calls if c != "process.exit")
            if exits and not drains:
                yield Finding(
                    message=f"{service.name}: the {handler.signal} handler exits without closing the server or "
                    "draining connections",
                    location=Location(path=sf.path, line=handler.line),
                    key=f"{service.name}:{handler.signal}",
                )
