"""Database admin UI or mail catcher reachable in the production stack.

## What it checks
A production compose project's services that run a database browser (adminer, phpMyAdmin,
pgAdmin, mongo-express, redis-commander, RedisInsight, DbGate, CloudBeaver) or a development mail
catcher (MailHog, Mailpit, MailDev) are not reachable from outside the host: they publish no port
on every host interface and no reverse proxy routes to them (Traefik or Caddy labels,
nginx-proxy's `VIRTUAL_HOST`). A port bound to `127.0.0.1` (reached through an SSH tunnel) and a
service behind a compose profile (`profiles: [tools]`, started only on request) pass. Compose
files judged as development, test or CI are not production and are not judged.

## Why it matters
A database browser on the internet is a login page in front of the database: credential
stuffing, default passwords and the tool's own vulnerabilities (phpMyAdmin and adminer have had
remote-code and SSRF advisories) are one step from every row. A mail catcher shows every
message the application sent, password-reset links included, to whoever finds it.

## How to fix
Keep the tool out of the production stack (a `compose.override.yml` or a profile), or bind it to
loopback and reach it through an SSH tunnel.

```yaml compose
services:
  adminer:
    image: adminer
    profiles: [tools]              # docker compose --profile tools up adminer
    ports:
      - "127.0.0.1:8080:8080"      # ssh -L 8080:localhost:8080 host
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import image_base, is_proxy_routed, ports_of, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_MAIL_CATCHERS = frozenset({"mailhog", "mailpit", "maildev"})


@check(id="COMPOSE-ADMIN-UI-EXPOSED", severity=Severity.MEDIUM, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=0.25,
       passed="No database admin UI or mail catcher reachable from outside the production host")
def admin_ui_exposed(project: Project) -> Iterator[Finding]:
    """Flag admin UIs and mail catchers in production compose that a port or a proxy route exposes."""
    tools = [svc for svc in require_services(project) if svc.is_admin_ui]
    if not tools:
        raise NotApplicable("no database admin UI or mail catcher in the production compose files")
    for svc in tools:
        if svc.has("profiles"):
            continue  # started only with --profile: not part of `docker compose up`
        what = "a development mail catcher" if image_base(svc.image) in _MAIL_CATCHERS else "a database admin UI"
        published = [(part, port) for part in svc.parts for port in ports_of(part) if port.all_interfaces]
        if published:
            part, port = published[0]
            yield Finding(
                message=f"service '{svc.name}' runs {what} ({svc.image}) and publishes port "
                        f"{port.published or '(random)'} on all host interfaces",
                location=Location(path=part.path, line=port.line),
                key=svc.name,
            )
        elif is_proxy_routed(svc):
            path, line = svc.where("labels") if svc.has("labels") else svc.anchor
            yield Finding(
                message=f"service '{svc.name}' runs {what} ({svc.image}) and a reverse proxy routes public "
                        "traffic to it",
                location=Location(path=path, line=line),
                key=svc.name,
            )
