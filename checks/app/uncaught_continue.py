"""Process keeps running after an uncaught exception.

## What it checks
A Node service's `process.on('uncaughtException', ...)` (or `unhandledRejection`) handler ends
the process: it calls `process.exit(...)`, re-throws, or hands over to a shutdown function
(`shutdown`, `gracefulShutdown`, `exitHandler`, `server.close(...)` followed by exit). A handler
that only logs keeps a process running in an unknown state.

Handlers passed by name are followed within the same file; handlers the scan cannot read (a
function imported from another module) are not judged.

## Why it matters
After an uncaught exception, Node's own documentation says the process is in an undefined
state: half-written responses, leaked handles, broken pools. Logging and carrying on turns one
crash into hours of wrong answers, and the orchestrator never restarts the container because
it still looks alive.

## How to fix
Log, then exit and let the supervisor (Docker `restart:`, Kubernetes) start a clean process.

```js express
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception');
  server.close(() => process.exit(1));
  setTimeout(() => process.exit(1), 10_000).unref();
});
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Body, SignalHandler, SourceFile

_EVENTS = frozenset({"uncaughtException", "unhandledRejection"})
# A call that ends the process or hands over to code that does: process.exit/abort, a shutdown,
# terminate or exit helper (``gracefulShutdown()``, ``exitHandler()``, ``server.close`` then exit).
_ENDS = re.compile(r"^process\.(?:exit|abort)$|(?:shutdown|Shutdown|exitHandler|terminate|Terminate|exit|Exit)\w*$")


@check(id="APP-UNCAUGHT-CONTINUE", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=0.5,
       passed="Uncaught exceptions end the process")
def uncaught_continue(project: Project) -> Iterator[Finding]:
    """Flag uncaughtException/unhandledRejection handlers that log and keep the process running."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service, sf in rules.service_files(index, services, "node"):
        for handler in sf.signals:
            if handler.signal not in _EVENTS:
                continue
            body = _handler_body(sf, handler)
            if body is None:
                continue  # a handler defined in another module, or built by an expression: not judged
            judged = True
            if body.throws or any(_ENDS.search(call) for call in body.calls):
                continue
            yield Finding(f"the {handler.signal} handler only logs and keeps the process running in an "
                          "undefined state; exit after logging", Location(sf.path, handler.line),
                          key=f"{service.name}:{handler.signal}")
    if not judged:
        raise NotApplicable("no uncaughtException or unhandledRejection handler the scan can read")


def _handler_body(sf: SourceFile, handler: SignalHandler) -> Body | None:
    """The handler's body: inline, or the same file's function it is passed by name."""
    if handler.body is not None:
        return handler.body
    if handler.named is None:
        return None
    return next((f.body for f in sf.functions if f.name == handler.named), None)
