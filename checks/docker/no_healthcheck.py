r"""Image has no HEALTHCHECK.

## What it checks
The stage that becomes the image (including stages it is built `FROM`) must
declare a `HEALTHCHECK`; `HEALTHCHECK NONE` counts as missing. A compose
service that builds this Dockerfile and defines its own `healthcheck:` (not
`disable: true`) satisfies the check.

## Why it matters
Without a health check Docker, Compose and orchestrators only know whether
the process exists, not whether it serves: a deadlocked or half-started
container keeps receiving traffic, `depends_on: condition: service_healthy`
cannot work, and rolling deploys cannot wait for readiness.

## How to fix
Probe a cheap health endpoint with a tool the final image really has (the
runtime itself is always there).

```dockerfile
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
```

```yaml compose
services:
  api:
    build: .
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/health"]
      interval: 30s
      timeout: 5s
      retries: 3
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import building_services, chain_instructions, dockerfiles, last_of, runtime_stage
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.compose import Service
from auditor.project import Project
from auditor.registry import check


def compose_healthcheck(service: Service) -> bool:
    """True when a compose service defines an enabled healthcheck with a test."""
    health = service.get("healthcheck")
    if not isinstance(health, dict) or health.get("disable") is True:
        return False
    test = health.get("test")
    if isinstance(test, list):
        return bool(test) and str(test[0]).upper() != "NONE"
    return bool(test)


@check(id="DOCKER-NO-HEALTHCHECK", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.5,
       passed="Health check configured for every image")
def no_healthcheck(project: Project) -> Iterator[Finding]:
    """Report a final image without a HEALTHCHECK (and no compose healthcheck for it)."""
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        health = last_of(chain_instructions(dockerfile, stage), "HEALTHCHECK")
        if health is not None and health.args.strip().upper() != "NONE":
            continue
        if any(compose_healthcheck(s) for s in building_services(project, dockerfile)):
            continue
        # A compose service that runs this image (built here, or the repository's own published image)
        # and defines its own healthcheck covers it.
        if any(s.healthcheck == "compose" for s in project.deployment.services_built_from(dockerfile.path)):
            continue
        disabled = health is not None
        yield Finding(
            message=(f"{dockerfile.path}: HEALTHCHECK NONE disables the health check" if disabled
                     else f"{dockerfile.path}: the shipped stage ({stage.name or 'last stage'}) and the stages it "
                          "is built FROM declare no HEALTHCHECK, and no production compose service running "
                          "this image defines one"),
            location=Location(path=dockerfile.path, line=health.line if health is not None else stage.line),
            key="no HEALTHCHECK",
        )
