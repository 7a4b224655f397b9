"""Compose service has no restart policy.

## What it checks
Every long-running compose service sets `restart:` (`unless-stopped`,
`always` or `on-failure`) or a swarm `deploy.restart_policy` whose condition
is not `none`. `restart: "no"` and a missing key fail. One-shot jobs are
exempt: a service whose name or command says it runs once (migrate, backup,
seed, init, setup, restore ...) and that does not ask for `always` /
`unless-stopped`. A project made only of such jobs is skipped.

## Why it matters
Without a policy a crashed container stays down, and nothing brings the
service back after a host reboot or a Docker daemon restart.

## How to fix
```yaml compose
services:
  api:
    restart: unless-stopped
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import falsy, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-NO-RESTART", severity=Severity.LOW, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.25, passed="Restart policy set for every long-running service")
def no_restart(project: Project) -> Iterator[Finding]:
    """Flag long-running services without a restart policy (or with restart: "no")."""
    services = [svc for svc in require_services(project) if not svc.is_one_shot()]
    if not services:
        raise NotApplicable("only one-shot jobs, no long-running service")
    for svc in services:
        restart = svc.get("restart")
        if restart is not None and not falsy(restart) and str(restart).strip():
            continue
        policy = svc.nested("deploy", "restart_policy")
        if isinstance(policy, dict) and str(policy.get("condition", "any")).lower() != "none":
            continue
        if svc.has("restart"):
            path, line = svc.where("restart")
            message = f"service '{svc.name}' sets restart: \"no\": it stays down after a crash or reboot"
        else:
            path, line = svc.anchor
            message = f"service '{svc.name}' has no restart policy: it stays down after a crash or reboot"
        yield Finding(message=message, location=Location(path=path, line=line), key=svc.name)
