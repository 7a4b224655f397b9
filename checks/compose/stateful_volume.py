"""Database service keeps its data in the container.

## What it checks
Services running a data store image (postgres, mysql, mariadb, mongo, redis,
valkey, elasticsearch, opensearch, rabbitmq, cassandra, couchdb, clickhouse,
influxdb, neo4j, etcd) mount a named volume or a bind mount on the image's
data directory (or a parent of it, or the directory `PGDATA` names). No
volume, an anonymous volume (`- /var/lib/postgresql/data`) or a `tmpfs` on
the data directory fails. Bitnami images (`/bitnami/...`) and etcd (data
directory set by a flag) pass with any persistent mount. A Redis started
with persistence switched off (`--save ""` and no `--appendonly yes`) is a
cache by design and passes. A project without any data-store service
(memcached aside) is skipped.

## Why it matters
Data written to the container layer, or to an anonymous volume, is lost on
`docker compose down`, on `up --force-recreate`, and on every image upgrade.
A named volume survives all three and is something a backup job can target.

## How to fix
```yaml compose
services:
  db:
    image: postgres:16
    volumes:
      - db-data:/var/lib/postgresql/data
volumes:
  db-data:
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.compose import DATA_DIRS, Mount, ServiceView, mounts_of, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_REDIS_NO_SAVE = re.compile(r"--save\s*(?:''|\"\"|$|\s--)")


def _data_dirs(svc: ServiceView, kind: str) -> tuple[str, ...] | None:
    """Directories that must be persistent; None when any persistent mount will do."""
    if kind == "etcd" or "bitnami" in (svc.image or ""):
        return None
    dirs = list(DATA_DIRS.get(kind, ()))
    for part in svc.parts:
        for name, value, _line in part.service.environment():
            if name == "PGDATA" and value:
                dirs.append(value.rstrip("/"))
    return tuple(dirs)


def _covers(mount: Mount, dirs: tuple[str, ...] | None) -> bool:
    target = mount.target.rstrip("/") or "/"
    if dirs is None:
        return True
    return any(d == target or d.startswith(target + "/") for d in dirs)


@check(id="COMPOSE-STATEFUL-NO-VOLUME", data_loss=True, severity=Severity.HIGH, section=Section.DATA,
       needs=("compose",), effort_hours=0.5, passed="Stateful services keep their data on persistent volumes")
def stateful_no_volume(project: Project) -> Iterator[Finding]:
    """Flag data-store services whose data directory has no named volume or bind mount."""
    stores = [svc for svc in require_services(project) if svc.kind not in (None, "memcached")]
    if not stores:
        raise NotApplicable("no stateful data-store service in the compose files")
    for svc in stores:
        kind = svc.kind
        if kind is None:
            continue
        if kind in {"redis", "valkey"} and _REDIS_NO_SAVE.search(svc.command_text()) \
                and "--appendonly yes" not in svc.command_text():
            continue
        dirs = _data_dirs(svc, kind)
        mounts = [(part.path, m) for part in svc.parts for m in mounts_of(part)]
        relevant = [(path, m) for path, m in mounts if _covers(m, dirs)]
        if any(m.type in {"bind", "volume"} for _p, m in relevant):
            continue
        weak = [(path, m) for path, m in relevant if m.type in {"anonymous", "tmpfs"}]
        if weak:
            path, mount = weak[0]
            yield Finding(
                message=(f"{kind} service '{svc.name}' keeps its data in an {mount.type} volume at "
                         f"{mount.target}: it is lost on down/recreate; use a named volume"),
                location=Location(path=path, line=mount.line),
                key=svc.name,
            )
            continue
        path, line = svc.anchor
        where = f" on {dirs[0]}" if dirs else ""
        yield Finding(
            message=f"{kind} service '{svc.name}' has no persistent volume{where}: data is lost when the container is recreated",
            location=Location(path=path, line=line),
            key=svc.name,
        )
