"""The app's shutdown handler sits behind a package manager or a shell as PID 1.

## What it checks
A Node.js service that handles `SIGTERM` (a `process.on('SIGTERM')` handler, a
shutdown helper such as `@godaddy/terminus` or `close-with-grace`, or NestJS's
`enableShutdownHooks()`) must receive the signal. The deployment model follows
each production container's start path (Dockerfile `CMD`/`ENTRYPOINT`, compose
`command:`/`entrypoint:`, entrypoint scripts) to what runs as PID 1. Reported:
a package manager (`npm start`, `yarn start`, `pnpm start`, `npx`), a shell
script that starts the app without `exec` and traps no `TERM`, and a compose
`sh -c` chain whose last command is not started with `exec`. Shell-form
`CMD`s in a Dockerfile are DOCKER-SHELL-FORM-CMD's. `tini` (also compose's
`init: true`) signals only its direct child, so a package manager under it is
still reported; `tini -g`, `dumb-init` (which signals the whole process group),
a supervisor (pm2-runtime, s6) or a script that traps `TERM` and passes it on
count as forwarding. Heroku-style Procfiles are not judged:
the platform signals every process of the dyno.

## Why it matters
PID 1 gets no default signal action: a shell that holds it ignores `SIGTERM`,
so `docker stop` and every rolling deploy wait out the grace period and
`SIGKILL` the app. Package managers stand between the signal and node as
well: depending on the version they do not forward it, or they exit at once
(yarn 1) and the container ends before the app has drained. Either way the
shutdown code the team wrote never finishes, and in-flight requests are cut.

## How to fix
Start node directly, and run any step before it in a script that ends with
`exec`.

```dockerfile
CMD ["node", "dist/index.js"]
# with a migration step first:
CMD ["sh", "-c", "npx prisma migrate deploy && exec node dist/index.js"]
```

```yaml compose
services:
  api:
    command: ["node", "dist/index.js"]
    init: true   # tini reaps zombies and forwards signals to node
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import ServiceView, all_groups
from auditor.deploy.judged import judged_services
from auditor.deploy.model import DeployService
from auditor.deploy.startpath import compose_step_origin
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Service
from auditor.source.index import SourceIndex, source_index

# What PID 1 may be when it does not pass SIGTERM on (see StartPath.pid1).
_BLOCKING = frozenset({"package manager", "shell script", "shell"})


def _compose_origin(service: DeployService) -> str | None:
    """The compose key (command or entrypoint) that decides the start command, None when the image's does."""
    for key in ("entrypoint", "command"):
        if any(step.origin == compose_step_origin(service.name, key) for step in service.start.steps):
            return key
    return None


def _compose_view(project: Project, service: DeployService) -> ServiceView | None:
    for group in all_groups(project):
        if group.name == service.project and service.name in group.services:
            return group.services[service.name]
    return None


def _handler(index: SourceIndex, started: frozenset[str]) -> tuple[Service, Location] | None:
    """The Node service the start path runs and where it handles SIGTERM, None when it does not."""
    for service in index.services:
        if service.language != "node" or not started & set(service.files):
            continue
        handlers = rules.signal_handlers(index, service)
        if handlers:
            sf, handler = handlers[0]
            return service, Location(path=sf.path, line=handler.line)
        if rules.shutdown_taken_over(index, service):
            return service, rules.entry(service)
    return None


def _where(project: Project, service: DeployService) -> Location | None:
    key = _compose_origin(service)
    if key is not None:
        view = _compose_view(project, service)
        if view is None:
            return None
        path, line = view.where(key)
        return Location(path=path, line=line)
    if service.start.anchor_path is None:
        return None
    return Location(path=service.start.anchor_path, line=service.start.anchor_line)


@check(id="DOCKER-SIGTERM-NOT-FORWARDED", severity=Severity.MEDIUM, section=Section.HARDENING,
       needs=("dockerfiles",), effort_hours=0.5,
       passed="SIGTERM reaches the app's shutdown handler (node runs as PID 1 or under an init)")
def sigterm_not_forwarded(project: Project) -> Iterator[Finding]:
    """Report production containers whose PID 1 keeps SIGTERM from the app's own shutdown handler."""
    services = [s for s in judged_services(project) if s.kind in {"compose", "image"} and s.start.steps]
    if not services:
        raise NotApplicable("no production container with a start command")
    index = source_index(project)
    judged = False
    seen: set[Location] = set()
    for service in services:
        start = service.start
        found = _handler(index, frozenset(path for path, _text in start.sources))
        if found is None:
            continue  # nothing to reach, or not Node: APP-GRACEFUL-SHUTDOWN judges the missing handler
        judged = True
        if start.pid1 not in _BLOCKING:
            continue
        if start.pid1 == "shell" and _compose_origin(service) is None:
            continue  # a shell-form CMD or `sh -c` in the Dockerfile: DOCKER-SHELL-FORM-CMD reports it
        where = _where(project, service)
        if where is None or where in seen:
            continue  # a compose service and the image it runs share one start command
        seen.add(where)
        code, handler = found
        handled = f"the SIGTERM handler of {code.name} ({handler.path}:{handler.line})"
        if start.pid1 == "package manager":
            # npm's forwarding changed across releases and yarn 1 exits at once: likely, not certain.
            message = (f"{where.path}: PID 1 is a package manager ({start.pid1_reason}); depending on its "
                       f"version it does not pass SIGTERM on, or exits before node has drained, so {handled} "
                       "may be cut short")
            confidence = Confidence.MEDIUM
        else:
            message = (f"{where.path}: PID 1 is a {start.pid1} ({start.pid1_reason}), which does not pass SIGTERM "
                       f"on to node, so {handled} never runs: docker stop and rolling deploys end in SIGKILL")
            confidence = Confidence.HIGH
        yield Finding(message=message, location=where, key=f"{service.name}:{start.pid1}", confidence=confidence)
    if not judged:
        raise NotApplicable("no production container starts Node code that handles SIGTERM")
