"""Secrets passed to containers as plain environment variables.

## What it checks
Secret-named variables (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, `*_API_KEY` ...)
in a service's `environment:`, and URLs with an embedded password:

- a literal value written in the compose file fails at **high** severity:
  the secret is in git;
- one value written in several places of one file (a password in
  `DATABASE_URL` and again in `POSTGRES_PASSWORD`) is one finding, with the
  other places as related locations;
- a `${VAR}` value interpolated from the deploy environment (CI secrets, a
  server-side `.env`) passes: it is not in git, and passing configuration
  through the environment is the twelve-factor norm;
- an `env_file:` whose file (found in the repository) holds secret-named keys
  with values fails at medium severity for the same reason.

It passes for `*_FILE` variables pointing at `/run/secrets/...` and for
values the service receives through compose `secrets:`. Values are never
shown, only their names and locations. A project that hands its services no
secret at all (no secret-named variable, no credential URL, no secret-bearing
`env_file`, no compose `secrets:`) is skipped rather than passed.

## Why it matters
Environment variables leak: they are printed by debug endpoints and error
reporters, inherited by child processes, and readable by anyone who can run
`docker inspect`. Compose `secrets:` mounts them as files readable only
inside the container.

## How to fix
Move the value to a secret file (kept out of git) and read it from
`/run/secrets/<name>`; many official images accept `*_FILE` variables.

```yaml compose
services:
  api:
    secrets: [api_key, db_password]   # read /run/secrets/api_key at startup
    # a database image that accepts *_FILE variables reads its password the same way
secrets:
  api_key:
    environment: API_KEY   # Compose 2.23+: from the deploy host's env
  db_password:
    file: ./secrets/db_password.txt
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace

from auditor.deploy.compose import Part, require_services
from auditor.env_values import find_placeholders, secret_name, secret_setting, url_password
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.envfile import parse_env
from auditor.project import Project
from auditor.redact import mask
from auditor.registry import NotApplicable, check


def _env_files(part: Part) -> list[tuple[str, int | None]]:
    """Paths (relative to the repository root) of a service's env_file entries."""
    base = posixpath.dirname(part.path)
    out = []
    for item, line in part.service.as_list("env_file"):
        path = item.get("path") if isinstance(item, dict) else item
        if isinstance(path, str) and path and "${" not in path:
            out.append((posixpath.normpath(posixpath.join(base, path)), line))
    return out


@check(id="COMPOSE-PLAINTEXT-SECRETS", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=2.0, passed="No secrets passed as plain environment variables")
def plaintext_secrets(project: Project) -> Iterator[Finding]:
    """Flag secret values written into compose files (high) and secret-bearing env_files (medium).

    One value written in several places of one file (a password in ``DATABASE_URL`` and again in
    ``POSTGRES_PASSWORD``) is one finding, the other places listed as related locations.
    """
    judged = False
    # (compose file, secret value) -> index in ``literal``: the first place a value is written leads.
    first: dict[tuple[str, str], int] = {}
    literal: list[Finding] = []
    env_files: list[Finding] = []
    for svc in require_services(project):
        for part in svc.parts:
            if part.service.as_list("secrets"):
                judged = True  # compose secrets in use: a pass here means something
            for name, value, line in part.service.environment():
                if value is None or not value.strip():
                    continue
                if name.upper().endswith("_FILE"):
                    judged = judged or secret_name(name.upper().removesuffix("_FILE"))
                    continue
                where = Location(path=part.path, line=line)
                password = url_password(value)
                if password is None and not secret_setting(name):
                    continue
                judged = True
                if password is None and value.strip().startswith("$"):
                    # Interpolated from the deploy environment (CI secrets, a server-side .env): the
                    # twelve-factor norm, not a secret in git; nothing to report.
                    continue
                if password is None and find_placeholders(value):
                    # A placeholder ('changeme') is COMPOSE-PLACEHOLDER-VALUES's finding for the same
                    # line: one finding per concept, not the same value reported twice.
                    continue
                secret = (password if password is not None else value).strip()
                seen = first.get((part.path, secret))
                if seen is not None:
                    literal[seen] = replace(literal[seen], related=(*literal[seen].related, where))
                    continue
                first[(part.path, secret)] = len(literal)
                message = (f"service '{svc.name}' puts a password inside the {name} URL in plain environment"
                           if password is not None else
                           f"service '{svc.name}' hard-codes secret {name} in the compose file")
                literal.append(Finding(message=message, location=where, key=f"{svc.name}:{name}",
                                       evidence=f"{name}={mask(value)}"))
            for path, line in _env_files(part):
                text = project.read_text(path) if path in project.file_set else None
                if text is None:
                    continue
                names = sorted({e.key for e in parse_env(path, text, template=False).entries
                                if not e.commented_out and e.value.strip() and secret_setting(e.key)})
                if names:
                    judged = True
                    shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
                    env_files.append(Finding(
                        message=(f"service '{svc.name}' loads secrets ({shown}) from env_file {path} "
                                 "into plain environment; use compose secrets"),
                        location=Location(path=part.path, line=line), key=f"{svc.name}:env_file:{path}",
                        severity=Severity.MEDIUM,
                    ))
    if not judged:
        raise NotApplicable("no service receives a secret (no secret-named variable, env_file or compose secret)")
    yield from literal
    yield from env_files
