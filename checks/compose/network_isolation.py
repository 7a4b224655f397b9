"""Missing network isolation (data stores or app ports on the public network).

## What it checks
In a compose project (all compose files of one directory) with more than
one service, at least one data store (postgres, redis, ...) and at least one
public-facing service, every data store sits only on networks the **entry
points** do not join, or on networks declared `internal: true`. An entry
point that uses the store (it `depends_on` it, or names its host in its
environment or command) has to reach it whatever the networks, so only
entry points that do not use it count: a proxy, a front end, an admin UI
on the database's network. A two-service stack (an app and its database)
has nothing to segment.

Entry points are services that publish ports on a non-loopback interface and
reverse proxies (traefik, nginx, caddy, haproxy, envoy images). When the
file has no such service but routes traffic with proxy labels (Traefik,
Caddy, nginx-proxy's `VIRTUAL_HOST`) to a proxy defined elsewhere, the
labelled services' external networks are the entry networks (all their
networks when none is external). Services without `networks:` are on
`default`.

A data store that publishes ports itself is reported by
COMPOSE-DB-PORT-EXPOSED, not here.

**An application port facing the internet directly** is reported at **low**
severity, with or without a data store: an application service that
publishes its port on all interfaces (`"3000:3000"`) while the project
defines no reverse proxy and no networks. That is the "missing network
isolation" a readiness review flags on a sample or one-container deploy: the
app's plain-HTTP port faces the internet directly, next to (or instead of)
the TLS-terminating proxy. A project with no data store and no such exposure
(a proxy in front, loopback-only ports, or nothing published) is skipped
as not applicable rather than passed.

## Why it matters
On one flat network the reverse proxy, often the most exposed and sometimes
socket-mounted container, can open connections straight to the database.
Segmenting means a compromised edge container still has to get through the
application to reach data. An app port published on all interfaces skips
the proxy altogether: plain HTTP, no TLS, no rate limits, reachable by
anyone who finds the port.

## How to fix
Put the proxy and the app on a `frontend` network, the app and the data
stores on a `backend` network marked `internal: true` (no route out either).

```yaml compose
services:
  proxy:
    image: caddy:2
    ports: ["80:80", "443:443"]
    networks: [frontend]
  api:
    networks: [frontend, backend]
    # one-container deploy behind a host proxy: publish on loopback only
    # ports: ["127.0.0.1:3000:3000"]
  db:
    networks: [backend]
networks:
  frontend:
  backend:
    internal: true
```
```yaml traefik
services:
  traefik:
    networks: [frontend]
  api:
    networks: [frontend, backend]
  db:
    networks: [backend]
networks:
  frontend:
  backend:
    internal: true
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.compose import (
    PROXY_IMAGES,
    Group,
    ServiceView,
    groups,
    image_base,
    is_proxy_routed,
    networks_of,
    ports_of,
    require_services,
    truthy,
)
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


def _top_networks(group: Group) -> dict[str, dict[str, object]]:
    """Top-level network definitions merged over the group's files."""
    merged: dict[str, dict[str, object]] = {}
    for file in group.files:
        for name, body in file.top("networks").items():
            merged.setdefault(str(name), {}).update(body if isinstance(body, dict) else {})
    return merged


def _publishes(svc: ServiceView) -> bool:
    return any(not port.loopback for part in svc.parts for port in ports_of(part))


def _entry_networks(group: Group, nets: dict[str, dict[str, object]]) -> dict[str, list[ServiceView]]:
    """Network name -> the entry-point services that make it public."""
    entries: dict[str, list[ServiceView]] = {}
    for svc in group.services.values():
        if svc.kind is not None:
            continue
        if _publishes(svc) or image_base(svc.image) in PROXY_IMAGES:
            for net in networks_of(svc, group.services):
                entries.setdefault(net, []).append(svc)
    if entries:
        return entries
    for svc in group.services.values():
        if svc.kind is None and is_proxy_routed(svc):
            joined = networks_of(svc, group.services)
            external = {n for n in joined if truthy(nets.get(n, {}).get("external"))}
            for net in external or joined:
                entries.setdefault(net, []).append(svc)
    return entries


def _needs(svc: ServiceView, store: ServiceView) -> bool:
    """Whether ``svc`` uses ``store``: it depends on it, or names its host in its environment or command."""
    if store.name in svc.depends_on:
        return True
    host = re.compile(rf"(?:^|[@/=\s,]){re.escape(store.name)}(?::\d+|[/\s,]|$)")
    values = [str(value) for part in svc.parts for _name, value, _line in part.service.environment() if value]
    return any(host.search(text) for text in (*values, svc.command_text()))


def _direct_exposure(group: Group, nets: dict[str, dict[str, object]]) -> Iterator[Finding]:
    """App services publishing on all interfaces with no proxy and no networks (a store-less project)."""
    if nets or any(image_base(s.image) in PROXY_IMAGES or is_proxy_routed(s) for s in group.services.values()):
        return
    for svc in group.services.values():
        if svc.kind is not None or svc.has("networks") or svc.has("network_mode"):
            continue  # a data store publishing its port is COMPOSE-DB-PORT-EXPOSED's finding
        public = [(part, port) for part in svc.parts for port in ports_of(part) if port.all_interfaces]
        if not public:
            continue
        part, port = public[0]
        host_port = port.published or port.target
        yield Finding(
            message=(f"service '{svc.name}' sits on the default network and publishes 0.0.0.0:{host_port} "
                     f"straight to the internet; put a reverse proxy in front (TLS, limits) or bind it to "
                     f"127.0.0.1:{host_port}"),
            location=Location(path=part.path, line=port.line),
            key=svc.name,
            severity=Severity.LOW,
        )


@check(id="COMPOSE-NO-NETWORK-ISOLATION", severity=Severity.MEDIUM, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=1.0, passed="Data stores isolated from public-facing networks")
def no_network_isolation(project: Project) -> Iterator[Finding]:
    """Flag data stores reachable on a non-internal network that an entry point joins."""
    require_services(project)
    judged = False
    for group in groups(project):
        nets = _top_networks(group)
        stores = [s for s in group.services.values() if s.kind is not None]
        exposed = list(_direct_exposure(group, nets))
        judged = judged or bool(exposed)
        yield from exposed
        if not stores:
            continue
        if len(group.services) < 2:
            continue  # a lone data store has nothing to be isolated from
        judged = True
        entries = _entry_networks(group, nets)
        for store in stores:
            shared = sorted(n for n in networks_of(store, group.services)
                            if n in entries and not truthy(nets.get(n, {}).get("internal")))
            if not shared:
                continue
            path, line = store.where("networks") if store.has("networks") else store.anchor
            # An entry point that uses the store must reach it whatever the networks: segmenting helps
            # only against entry points that have no business with it (a proxy, a front end, an admin UI).
            strangers = [(net, svc) for net in shared for svc in entries[net] if not _needs(svc, store)]
            if not strangers:
                continue
            net, stranger = strangers[0]
            yield Finding(
                message=(f"{store.kind} service '{store.name}' shares network '{net}' with public entry "
                         f"point '{stranger.name}', which does not use it; move it to an internal backend "
                         "network"),
                location=Location(path=path, line=line),
                key=store.name,
            )
    if not judged:
        raise NotApplicable("no data store beside other services, and no app port published without a proxy")
