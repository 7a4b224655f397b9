"""Docker socket mounted into a container.

## What it checks
No service mounts `/var/run/docker.sock` (or `/run/docker.sock`, or the
directory holding it) in short or long volume syntax. A read-write mount is
**critical**; a `:ro` mount is **high**, because read-only only stops the
socket file being replaced: the Docker API behind it still accepts every
request, including "start a privileged container with / mounted".

## Why it matters
Access to the Docker socket is root on the host. A reverse proxy or
dashboard with the socket mounted turns any bug in it into a full host
compromise.

## How to fix
Give the container a filtered API through a socket proxy that allows only
what it needs (Traefik needs containers and networks, read-only), and keep
that proxy on an internal network.

```yaml compose
services:
  socket-proxy:
    image: tecnativa/docker-socket-proxy:0.3
    environment:
      CONTAINERS: 1      # allow only the API sections the tool needs
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
    networks: [socket]
  monitor:
    environment:
      DOCKER_HOST: tcp://socket-proxy:2375   # instead of mounting the socket
    networks: [socket]
networks:
  socket:
    internal: true
```
```yaml traefik
services:
  socket-proxy:
    image: tecnativa/docker-socket-proxy:0.3
    environment:
      CONTAINERS: 1
      NETWORKS: 1
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
    networks: [socket]
  traefik:
    command:
      - --providers.docker.endpoint=tcp://socket-proxy:2375
    networks: [socket, web]
networks:
  socket:
    internal: true
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import mounts_of, require_services, resolve_vars
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check

_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run")


def _is_socket(source: str) -> bool:
    path = resolve_vars(source).rstrip("/")
    return path in _SOCKETS or path.endswith("/docker.sock")


@check(id="COMPOSE-DOCKER-SOCKET", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=2.0, passed="No Docker socket mounted into containers")
def docker_socket(project: Project) -> Iterator[Finding]:
    """Flag services that mount the Docker socket (read-write: critical; read-only: high)."""
    for svc in require_services(project):
        for part in svc.parts:
            for mount in mounts_of(part):
                if mount.type != "bind" or not _is_socket(mount.source):
                    continue
                mode = "read-only" if mount.read_only else "read-write"
                yield Finding(
                    message=f"service '{svc.name}' mounts the Docker socket {mode}: that is root on the host",
                    location=Location(path=part.path, line=mount.line),
                    key=svc.name,
                    severity=Severity.HIGH if mount.read_only else Severity.CRITICAL,
                )
