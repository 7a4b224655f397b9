"""depends_on does not wait for a healthy dependency.

## What it checks
A `depends_on` entry naming a service that has a healthcheck (in compose or
in the Dockerfile it is built from) uses the long form with
`condition: service_healthy`. The short list form and `service_started`
only wait for the container to be created, not for it to be ready. A
database browser (adminer, pgadmin ...) connects per request and need not
wait. When no
service with a healthcheck has a dependant, there is nothing to judge and
the check is skipped.

## Why it matters
The dependant starts while the database is still initialising, fails its
first connections, and either crash-loops or, worse, runs without a
connection pool it never retries.

## How to fix
```yaml compose
services:
  api:
    depends_on:
      db:
        condition: service_healthy
        restart: true
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import groups, healthcheck_source, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-DEPENDS-ON-UNHEALTHY", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.25, passed="Dependencies with a healthcheck awaited via service_healthy")
def depends_on_unhealthy(project: Project) -> Iterator[Finding]:
    """Flag depends_on entries that do not wait for service_healthy on a service with a healthcheck."""
    require_services(project)
    judged = False
    for group in groups(project):
        for svc in group.services.values():
            if svc.is_admin_ui:
                continue  # a database browser connects per request; it need not wait for a healthy store
            for part in svc.parts:
                deps = part.service.get("depends_on")
                for name, line in part.service.as_list("depends_on"):
                    if not isinstance(name, str):
                        continue
                    target = group.services.get(name)
                    if target is None or healthcheck_source(project, target) is None:
                        continue
                    judged = True
                    condition = None
                    if isinstance(deps, dict) and isinstance(deps.get(name), dict):
                        condition = deps[name].get("condition")
                    if condition == "service_healthy":
                        continue
                    how = f"condition: {condition}" if condition else "the short form"
                    yield Finding(
                        message=(f"service '{svc.name}' depends on '{name}' with {how}; "
                                 f"'{name}' has a healthcheck, so wait for condition: service_healthy"),
                        location=Location(path=part.path, line=line),
                        key=f"{svc.name}->{name}",
                    )
    if not judged:
        raise NotApplicable("no depends_on names a service that has a healthcheck")
