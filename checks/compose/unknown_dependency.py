"""Compose reference to a service that does not exist.

## What it checks
`depends_on`, `links`, `volumes_from`, `network_mode: service:X`,
`pid: service:X` and `ipc: service:X` name a service defined in the compose
files of the same directory (all of them together, since `-f a.yml -f b.yml`
overlays are common). A project whose services reference no other service is
skipped. `container:NAME` references point at containers
outside compose and are not judged.

## Why it matters
`docker compose up` refuses the whole project ("service X depends on
undefined service Y"), so a renamed or deleted service breaks the deploy at
the worst moment.

## How to fix
Name the service as it is defined (or restore it).

```yaml compose
services:
  api:
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import Part, groups, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


def _references(part: Part) -> Iterator[tuple[str, str, int | None]]:
    """(how, service name, line) for every service reference in one definition."""
    svc = part.service
    for name, line in svc.as_list("depends_on"):
        if isinstance(name, str):
            yield "depends_on", name, line
    for item, line in svc.as_list("links"):
        yield "links", str(item).split(":", 1)[0].strip(), line
    for item, line in svc.as_list("volumes_from"):
        text = str(item)
        if text.startswith("container:"):
            continue
        yield "volumes_from", text.removeprefix("service:").split(":", 1)[0].strip(), line
    for key in ("network_mode", "pid", "ipc"):
        value = svc.get(key)
        if isinstance(value, str) and value.startswith("service:"):
            yield key, value.split(":", 1)[1].strip(), svc.line_of(key)


@check(id="COMPOSE-UNKNOWN-DEPENDENCY", severity=Severity.HIGH, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.25, passed="Every service reference names a defined service")
def unknown_dependency(project: Project) -> Iterator[Finding]:
    """Flag references to services not defined in any compose file of the directory."""
    require_services(project)
    judged = False
    for group in groups(project):
        for svc in group.services.values():
            for part in svc.parts:
                for how, name, line in _references(part):
                    judged = True
                    if name and name not in group.services:
                        yield Finding(
                            message=f"service '{svc.name}' {how} names '{name}', which no compose file here defines",
                            location=Location(path=part.path, line=line),
                            key=f"{svc.name}->{name}",
                        )
    if not judged:
        raise NotApplicable("no service references another service")
