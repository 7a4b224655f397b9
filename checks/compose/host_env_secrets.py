"""Secrets reach containers from the deploy host's environment, with no secrets manager.

## What it checks
Secret-named variables (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, `*_API_KEY` ...)
that a compose service receives as `${VAR}` interpolation, from the shell or
the `.env` file on the deploy host, while the project uses no compose
`secrets:` and no `*_FILE` variables for them. One finding per service, the
variables listed. It is advice (info): passing configuration through the
environment is the twelve-factor norm, and the value is not in git; what is
missing is a place that holds, rotates and audits the secrets. For a
self-hosted distribution or a template this is the operators' choice, so it
is advice to them, not a finding. A literal secret in the compose file is
COMPOSE-PLAINTEXT-SECRETS's (high) finding instead.

## Why it matters
A hand-kept `.env` on a server has no access log, no rotation and no backup;
its values are printed by `docker inspect` and inherited by every process in
the container. A secrets manager (or compose `secrets:` fed from one) keeps
them out of the environment.

## How to fix
Keep the values in a secrets manager (or at least a root-only file outside
the repository) and hand them to the service as compose secrets.

```yaml compose
services:
  api:
    secrets: [api_key]   # read /run/secrets/api_key at startup
secrets:
  api_key:
    environment: API_KEY   # Compose 2.23+: from the deploy host's env, filled by the secrets manager
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import require_services
from auditor.env_values import secret_setting, url_password
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-HOST-ENV-SECRETS", organisational=True, severity=Severity.INFO, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=2.0,
       passed="Secrets reach containers through compose secrets")
def host_env_secrets(project: Project) -> Iterator[Finding]:
    """One finding per service that takes secret-named variables from the host environment."""
    interpolated = False
    for svc in require_services(project):
        names: list[str] = []
        first: Location | None = None
        related: list[Location] = []
        uses_secrets = False
        for part in svc.parts:
            uses_secrets = uses_secrets or bool(part.service.as_list("secrets"))
            for name, value, line in part.service.environment():
                if value is None or not value.strip().startswith("$") or url_password(value) is not None:
                    continue
                if not secret_setting(name) or name.upper().endswith("_FILE"):
                    continue
                where = Location(path=part.path, line=line)
                names.append(name)
                if first is None:
                    first = where
                else:
                    related.append(where)
        if not names or first is None:
            continue
        interpolated = True
        if uses_secrets:
            continue  # the service already takes (some) secrets as files: a secrets path exists
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        yield Finding(
            message=(f"service '{svc.name}' takes secrets ({shown}) from the deploy host's environment; "
                     "no secrets manager or compose secrets hold them"),
            location=first, key=f"{svc.name}:host-env", related=tuple(related),
        )
    if not interpolated:
        raise NotApplicable("no service takes a secret-named variable from the host environment")
