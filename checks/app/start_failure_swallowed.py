"""A failed server start is caught and only logged.

## What it checks
A Node service starts listening inside a `try` (`await app.listen(...)`, `fastify.listen`,
`server.listen`, `serve(...)`) whose `catch` block gives up: it re-throws, calls
`process.exit(...)` / sets `process.exitCode`, or hands over to a function named like a shutdown
or exit helper. A `catch` that only logs the error is reported, at the `try`.

Only try blocks whose own statements start the server are judged (a `try` around a database
query or a request handler is not), in server code of a service.

## Why it matters
When the port is taken, the configuration is wrong or a start-up step fails, a catch that logs
and returns leaves a process that serves nothing: it either keeps running (a database pool or a
timer holds the event loop open) or exits with status 0. Either way Docker's
`restart: on-failure`, Kubernetes and a deploy script see no failure, and the outage is found by
users. Fastify's own example ends its catch with `process.exit(1)` for this reason.

## How to fix
Log, then exit non-zero so the supervisor sees the failed start.

```ts fastify
try {
  await fastify.listen({ port: 3000, host: '0.0.0.0' });
} catch (err) {
  fastify.log.error(err);
  process.exit(1);
}
```
```ts express
try {
  await start();
} catch (err) {
  logger.fatal({ err }, 'failed to start');
  process.exit(1);
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

# Calls that bind the port: `app.listen`, `fastify.listen`, `server.listen`, Hono's `serve(...)`.
_START_NAMES = frozenset({"listen", "serve", "startServer"})


@check(id="APP-START-FAILURE-SWALLOWED", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=0.25,
       passed="A failed server start ends the process")
def start_failure_swallowed(project: Project) -> Iterator[Finding]:
    """Flag try blocks that start the server and whose catch only logs the failure."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service, sf in rules.service_files(index, services, "node"):
        for block in sf.try_catches:
            starts = [callee for callee in block.calls if callee.rsplit(".", 1)[-1] in _START_NAMES]
            if not starts:
                continue
            judged = True
            if block.escalates:
                continue
            yield Finding(
                message=f"{service.name}: the catch around {starts[0]}() in {sf.path} only logs a failed start "
                "(no process.exit or rethrow): the process serves nothing yet keeps running or exits 0, "
                "so the supervisor never sees the failure",
                location=Location(path=sf.path, line=block.line),
                key=f"{service.name}:{sf.path}:{starts[0]}",
            )
    if not judged:
        raise NotApplicable("no server start inside a try/catch")
