"""Compose service has no healthcheck.

## What it checks
Every long-running compose service has a working healthcheck: a
`healthcheck.test` in the compose file, or a `HEALTHCHECK` in the stage its
`build:` produces (the final stage, or `build.target`) when that Dockerfile is
in the repository. `healthcheck.disable: true` and `test: ["NONE"]` fail.
One-shot jobs (migrate, backup, seed ... without `restart: always` or
`unless-stopped`) are exempt: they exit by design; so are database
browsers and development mail catchers (adminer, pgadmin, phpmyadmin,
mongo-express, mailhog ...), which nothing waits for, and a data store
whose every dependant waits for its port in its own command
(`wait-for-it db:5432`, a `/dev/tcp/db/5432` loop, `dockerize -wait`). Images pulled from a
registry may ship their own HEALTHCHECK, which prodcheck cannot see; declare
it in compose to make it visible (and to allow `condition: service_healthy`).

## Why it matters
Without a healthcheck Docker only knows whether the process exists, not
whether it answers: a hung server stays "up", dependants start against a
database that is still initialising, and rolling updates cannot wait for
readiness.

## How to fix
Probe the service with a tool the image actually contains.

```yaml compose
services:
  api:
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
      start_period: 20s
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U $$POSTGRES_USER"]
      interval: 10s
```
```yaml traefik
services:
  traefik:
    command:
      - --ping=true
    healthcheck:
      test: ["CMD", "traefik", "healthcheck", "--ping"]
      interval: 30s
  api:
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/health"]
      interval: 30s
  redis:
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 10s
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import ServiceView, groups, healthcheck_source, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-NO-HEALTHCHECK", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=1.0, passed="Healthchecks configured for all long-running services")
def no_healthcheck(project: Project) -> Iterator[Finding]:
    """Flag long-running services without a compose or Dockerfile healthcheck."""
    # An admin UI (adminer, pgadmin, mailhog) is a convenience nothing waits for: no healthcheck needed.
    services = [svc for svc in require_services(project) if not svc.is_one_shot() and not svc.is_admin_ui]
    if not services:
        raise NotApplicable("only one-shot jobs, no long-running service")
    for svc in services:
        if healthcheck_source(project, svc) is not None:
            continue
        if svc.kind is not None and _awaited_by_dependants(project, svc):
            continue  # every dependant waits for the store's port in its own command: readiness is gated
        if svc.has("healthcheck"):
            path, line = svc.where("healthcheck")
            message = f"service '{svc.name}' disables its healthcheck"
        else:
            path, line = svc.anchor
            message = f"service '{svc.name}' has no healthcheck"
        yield Finding(message=message, location=Location(path=path, line=line), key=svc.name)


def _awaited_by_dependants(project: Project, store: ServiceView) -> bool:
    """True when ``store`` has dependants in its compose project and each waits for its port itself."""
    for group in groups(project):
        if group.services.get(store.name) is not store:
            continue
        dependants = [svc for svc in group.services.values()
                      if svc is not store and not svc.is_admin_ui and store.name in svc.depends_on]
        return bool(dependants) and all(svc.waits_for_port(store.name) for svc in dependants)
    return False
