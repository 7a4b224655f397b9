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

_EVENTS = ("uncaughtException", "unhandledRejection")
_HANDLER_START = re.compile(r"""process\.(?:on|once|addListener)\(\s*["'](uncaughtException|unhandledRejection)["']\s*,""")
_ENDS = re.compile(r"process\.exit|\bthrow\b|process\.abort|\b\w*(shutdown|Shutdown|exitHandler|terminate|exit)\w*\(")


@check(id="APP-UNCAUGHT-CONTINUE", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=0.5,
       passed="Uncaught exceptions end the process")
def uncaught_continue(project: Project) -> Iterator[Finding]:
    """Flag uncaughtException/unhandledRejection handlers that log and keep the process running."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service, sf in rules.service_files(index, services, "node"):
        text = project.read_text(sf.path) or ""
        if "uncaughtException" not in text and "unhandledRejection" not in text:
            continue
        for match in _HANDLER_START.finditer(text):
            body = _handler_text(text, match.end())
            if body is None:
                body = _named_handler(text, match.end())
            if body is None:
                continue  # a named handler defined in another module: not judged
            judged = True
            if _ENDS.search(body):
                continue
            line = text.count("\n", 0, match.start()) + 1
            yield Finding(f"the {match.group(1)} handler only logs and keeps the process running in an "
                          "undefined state; exit after logging", Location(sf.path, line),
                          key=f"{service.name}:{match.group(1)}")
    if not judged:
        raise NotApplicable("no inline uncaughtException or unhandledRejection handler")


def _named_handler(text: str, start: int) -> str | None:
    """The body of a handler passed by name and defined in the same file (`function f` / `const f =`)."""
    name = re.match(r"\s*([A-Za-z_$][\w$]*)\s*\)", text[start:])
    if name is None:
        return None
    found = re.search(rf"(?:function\s+{re.escape(name.group(1))}\s*\(|(?:const|let|var)\s+{re.escape(name.group(1))}"
                      r"\s*=\s*)", text)
    if found is None:
        return None
    return _handler_text(text, found.end()) if text[found.end():].lstrip()[:1] != "" else None


def _handler_text(text: str, start: int) -> str | None:
    """The inline handler's source (arrow or function expression) up to its closing parenthesis."""
    rest = text[start:].lstrip()
    if not (rest.startswith(("(", "async", "function")) or re.match(r"\w+\s*=>", rest)):
        return None
    depth = 1  # inside `process.on(`
    for i, ch in enumerate(text[start:], start=start):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:]
