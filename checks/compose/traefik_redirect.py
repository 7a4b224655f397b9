"""Traefik serves plain HTTP without redirecting to HTTPS.

## What it checks
A Traefik service (image `traefik`) that defines both an HTTP entrypoint
(`--entrypoints.web.address=:80`, or any entrypoint on port 80) and an HTTPS
one (`websecure`, port 443) redirects the first to the second, by one of:

- the static option `--entrypoints.web.http.redirections.entrypoint.to=websecure`
  (with `.scheme=https`), as a command flag, a `TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO`
  variable, or `redirections:` in a mounted `traefik.yml` / `traefik.toml`;
- a `redirectscheme` middleware (`traefik.http.middlewares.<m>.redirectscheme.scheme=https`)
  that a router's `middlewares` label uses, or `redirectScheme` in a
  mounted dynamic configuration file.

Traefik services without both entrypoints are not judged; the check is
skipped when no compose file runs Traefik.

## Why it matters
Without the redirect every router Traefik exposes on `web` answers plain
HTTP: logins and cookies travel unencrypted, and a typed or old
`http://` link never upgrades. HSTS cannot fix it, because the browser only
learns HSTS from an HTTPS response.

## How to fix
Redirect the `web` entrypoint to `websecure` once, for every router.

```yaml traefik
services:
  traefik:
    image: traefik:v3.1
    command:
      - "--entrypoints.web.address=:80"
      - "--entrypoints.web.http.redirections.entrypoint.to=websecure"
      - "--entrypoints.web.http.redirections.entrypoint.scheme=https"
      - "--entrypoints.websecure.address=:443"
```
```yaml compose
services:
  api:
    labels:
      - "traefik.http.middlewares.to-https.redirectscheme.scheme=https"
      - "traefik.http.routers.api-http.rule=Host(`api.example.org`)"
      - "traefik.http.routers.api-http.entrypoints=web"
      - "traefik.http.routers.api-http.middlewares=to-https"
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.deploy.compose import Group, ServiceView, groups, image_base, labels_of, mounts_of, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_ADDRESS = re.compile(r"--entry[pP]oints\.([\w-]+)\.address=\"?[\w.\[\]:]*:(\d+)", re.IGNORECASE)
_REDIRECT_FLAG = re.compile(r"--entrypoints\.([\w-]+)\.http\.redirections\.entrypoint\.to=", re.IGNORECASE)
_ENV_ADDRESS = re.compile(r"^TRAEFIK_ENTRYPOINTS_([A-Z0-9_-]+)_ADDRESS$", re.IGNORECASE)
_ENV_REDIRECT = re.compile(r"^TRAEFIK_ENTRYPOINTS_([A-Z0-9_-]+)_HTTP_REDIRECTIONS_ENTRYPOINT_TO$", re.IGNORECASE)
_FILE_REDIRECT = re.compile(r"redirections|redirectScheme", re.IGNORECASE)
_FILE_ENTRY = re.compile(r"address\s*[:=]\s*[\"']?[\w.]*:(\d+)")


@dataclass(frozen=True)
class EntryPoints:
    """What one Traefik service listens on and redirects, with the line of its HTTP entrypoint."""

    http: str | None
    https: str | None
    line: int | None
    redirects: bool


def _command(view: ServiceView) -> list[tuple[str, int | None]]:
    """Command arguments with their lines (a string command is one item on the command line)."""
    out: list[tuple[str, int | None]] = []
    for part in view.parts:
        for item, line in part.service.as_list("command"):
            for word in str(item).split():
                out.append((word.strip("\"'"), line))
    return out


def _config_texts(project: Project, view: ServiceView) -> list[str]:
    """Text of repository files bind-mounted into the Traefik container (static or dynamic config)."""
    import posixpath

    texts = []
    for part in view.parts:
        base = posixpath.dirname(part.path)
        for mount in mounts_of(part):
            if mount.type != "bind" or mount.source.startswith(("/", "~", "$")):
                continue
            source = posixpath.normpath(posixpath.join(base, mount.source))
            candidates = [p for p in project.files if p == source or p.startswith(source + "/")]
            for path in candidates:
                if path.endswith((".yml", ".yaml", ".toml")):
                    texts.append(project.read_text(path) or "")
    return texts


def _label_redirect(group: Group) -> bool:
    """A redirectscheme middleware to https that some router uses."""
    middlewares: set[str] = set()
    used: set[str] = set()
    for svc in group.services.values():
        for key, value in labels_of(svc).items():
            match = re.match(r"traefik\.http\.middlewares\.([\w-]+)\.redirectscheme\.scheme$", key, re.IGNORECASE)
            if match and value.strip().strip("\"'").lower() == "https":
                middlewares.add(match.group(1))
            if re.match(r"traefik\.http\.routers\.[\w-]+\.middlewares$", key, re.IGNORECASE):
                used.update(m.strip().split("@", 1)[0] for m in value.split(","))
    return bool(middlewares & used)


def entrypoints(project: Project, view: ServiceView) -> EntryPoints:
    """The HTTP (:80) and HTTPS (:443) entrypoints of a Traefik service and whether HTTP redirects."""
    ports: dict[str, tuple[int, int | None]] = {}
    redirected: set[str] = set()
    for word, line in _command(view):
        match = _ADDRESS.match(word)
        if match:
            ports[match.group(1).lower()] = (int(match.group(2)), line)
        match = _REDIRECT_FLAG.match(word)
        if match:
            redirected.add(match.group(1).lower())
    for part in view.parts:
        for name, value, line in part.service.environment():
            if (match := _ENV_ADDRESS.match(name)) and value and (port := re.search(r":(\d+)\s*$", value)):
                ports[match.group(1).lower()] = (int(port.group(1)), line)
            if match := _ENV_REDIRECT.match(name):
                redirected.add(match.group(1).lower())
    texts = _config_texts(project, view)
    file_ports = {int(p) for text in texts for p in _FILE_ENTRY.findall(text)}
    http = next((n for n, (p, _) in ports.items() if p == 80 or (n in {"web", "http"} and p != 443)), None)
    https = next((n for n, (p, _) in ports.items() if p == 443 or n in {"websecure", "https"}), None)
    if http is None and 80 in file_ports:
        http = "web"
    if https is None and 443 in file_ports:
        https = "websecure"
    line = ports[http][1] if http in ports else None
    redirects = (http in redirected) if http else False
    redirects = redirects or any(_FILE_REDIRECT.search(text) for text in texts)
    return EntryPoints(http, https, line, redirects)


@check(id="COMPOSE-TRAEFIK-NO-HTTPS-REDIRECT", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=0.25,
       passed="Traefik redirects its HTTP entrypoint to HTTPS")
def traefik_no_https_redirect(project: Project) -> Iterator[Finding]:
    """Flag Traefik services with :80 and :443 entrypoints and no HTTP-to-HTTPS redirect."""
    require_services(project)
    judged = False
    for group in groups(project):
        for svc in group.services.values():
            if image_base(svc.image) != "traefik":
                continue
            points = entrypoints(project, svc)
            if points.http is None or points.https is None:
                continue
            judged = True
            if points.redirects or _label_redirect(group):
                continue
            path, anchor = svc.where("command") if svc.has("command") else svc.anchor
            yield Finding(
                message=(f"Traefik service '{svc.name}' serves entrypoint '{points.http}' (:80) beside "
                         f"'{points.https}' (:443) without redirecting HTTP to HTTPS"),
                location=Location(path=path, line=points.line or anchor),
                key=svc.name,
            )
    if not judged:
        raise NotApplicable("no Traefik service with both an HTTP (:80) and an HTTPS (:443) entrypoint")
