"""Placeholder values left in a compose file.

## What it checks
Service labels, `command`, `entrypoint` and `environment` values (including
`${VAR:-default}` defaults) contain no template placeholder:

- e-mail addresses such as `your-email@domain.com`, `you@example.com` or any
  address at `example.com/.org/.net`, `domain.com`, `yourdomain.com`,
  `mydomain.com`;
- host names `yourdomain.com`, `your-domain.com`, `mydomain.com`,
  `example.com` and their subdomains, for example a Traefik rule
  ``Host(`api.yourdomain.com`)``;
- `changeme`, `change-me`, `REPLACE_ME`, `<your-...>` and an upper-case
  `TODO` / `FIXME`.

Comments are not values and are never flagged.

## Why it matters
Placeholders deploy without error and fail later: Let's Encrypt refuses an
account for `your-email@domain.com` (or a certificate for a domain you do not
own), so the site serves Traefik's default certificate; routers never match
the real host name; `changeme` passwords stay in production.

## How to fix
Replace placeholders with variables that must be set at deploy time (the
`:?` form makes compose refuse to start without them).

```yaml compose
services:
  api:
    environment:
      PUBLIC_URL: https://${API_HOST:?set API_HOST}
      ADMIN_EMAIL: ${ADMIN_EMAIL:?set ADMIN_EMAIL}
```
```yaml traefik
services:
  traefik:
    command:
      - --certificatesresolvers.le.acme.email=${ACME_EMAIL:?set ACME_EMAIL}
  api:
    labels:
      - traefik.http.routers.api.rule=Host(`${API_HOST:?set API_HOST}`)
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.deploy.compose import Part, require_services
from auditor.env_values import find_placeholders
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check


def _values(part: Part) -> Iterator[tuple[str, str, int | None]]:
    """(field, text, line) for labels, command, entrypoint and environment values."""
    svc = part.service
    for key in ("labels", "command", "entrypoint"):
        value: Any = svc.get(key)
        if isinstance(value, dict):
            for item, line in svc.as_list(key):
                yield key, f"{item}={value[item]}", line
        elif isinstance(value, list):
            for item, line in svc.as_list(key):
                yield key, str(item), line
        elif value is not None:
            yield key, str(value), svc.line_of(key)
    for _name, value, line in svc.environment():
        if value is not None:
            yield "environment", value, line


@check(id="COMPOSE-PLACEHOLDER-VALUES", severity=Severity.HIGH, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.5, passed="No placeholder values left in compose files")
def placeholder_values(project: Project) -> Iterator[Finding]:
    """Flag template placeholders in labels, commands and environment values."""
    for svc in require_services(project):
        for part in svc.parts:
            for field, text, line in _values(part):
                for token in find_placeholders(text):
                    yield Finding(
                        message=f"service '{svc.name}' {field} still holds the placeholder '{token}'",
                        location=Location(path=part.path, line=line),
                        key=f"{svc.name}:{token.lower()}",
                    )
