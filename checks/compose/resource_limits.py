"""Compose service has no memory limit.

## What it checks
Every compose service sets a memory limit: `deploy.resources.limits.memory`
(Compose Specification) or the legacy `mem_limit`. A CPU limit alone does not
pass, since memory is what takes a host down. Files in one directory are read
together, so a limit set in an overlay such as `docker-compose.prod.yml` counts.

## Why it matters
Without a limit one leaking or overloaded container can take all the host's
memory; the kernel's OOM killer then picks victims among every service on the
box, often the database.

## How to fix
Set a memory limit (and a CPU limit) sized from observed usage plus headroom.

```yaml compose
services:
  api:
    deploy:
      resources:
        limits:
          cpus: "1.0"
          memory: 512M
        reservations:
          memory: 256M
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check


@check(id="COMPOSE-NO-RESOURCE-LIMITS", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=1.0, passed="Memory limits set for every compose service")
def no_resource_limits(project: Project) -> Iterator[Finding]:
    """Flag services with neither deploy.resources.limits.memory nor mem_limit."""
    for svc in require_services(project):
        if svc.nested("deploy", "resources", "limits", "memory") is not None or svc.get("mem_limit") is not None:
            continue
        # Point at an existing deploy block (the limit belongs there), else at the service.
        path, line = svc.where("deploy") if svc.has("deploy") else svc.anchor
        yield Finding(
            message=f"service '{svc.name}' has no memory limit (deploy.resources.limits.memory or mem_limit)",
            location=Location(path=path, line=line),
            key=svc.name,
        )
