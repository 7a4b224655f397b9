"""Database or cache port published on all interfaces.

## What it checks
Services running a data store image (postgres, mysql, mariadb, mongo, redis,
valkey, memcached, elasticsearch, opensearch, rabbitmq, cassandra, couchdb,
clickhouse, influxdb, neo4j, etcd and their common variants) publish no
`ports:` on every host interface. Short syntax without a host IP
(`"5432:5432"`, `"5432"`), `0.0.0.0` or `::`, and long syntax without
`host_ip` all fail; `"127.0.0.1:5432:5432"` passes. A published store that also accepts clients
without credentials (the official mongo image without `MONGO_INITDB_ROOT_USERNAME`, redis without
`--requirepass`, postgres with `POSTGRES_HOST_AUTH_METHOD=trust`, memcached, elasticsearch with
security off) is critical. `expose:` is
container-to-container only and passes. A project without any data-store
service is skipped.

## Why it matters
Docker writes its own iptables rules, so a published port is reachable from
the internet even when the host firewall (ufw) says otherwise. Exposed
Redis, MongoDB and Elasticsearch instances are found and wiped or ransomed
by scanners within hours.

## How to fix
Remove the mapping (other services reach the database over the compose
network by its service name), or bind it to loopback for local tools.

```yaml compose
services:
  db:
    image: postgres:16
    # no "ports:" -- the api reaches it at db:5432
    ports:
      - "127.0.0.1:5432:5432"   # only if a tool on the host needs it
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import ports_of, require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-DB-PORT-EXPOSED", severity=Severity.HIGH, section=Section.SECURITY,
       needs=("compose",), security=True, effort_hours=0.25,
       passed="No database or cache port published on all interfaces")
def db_port_exposed(project: Project) -> Iterator[Finding]:
    """Flag data-store services that publish ports on every host interface."""
    stores = [svc for svc in require_services(project) if svc.kind is not None]
    if not stores:
        raise NotApplicable("no database or cache service in the compose files")
    for svc in stores:
        kind = svc.kind
        for part in svc.parts:
            for port in ports_of(part):
                if not port.all_interfaces:
                    continue
                shown = f"{port.published or '(random)'}->{port.target}"
                # An open door, not just an exposed one: anyone who finds the port owns the data.
                open_access = svc.open_access
                yield Finding(
                    message=f"{kind} service '{svc.name}' publishes port {shown} on all host interfaces"
                            + (f" and runs without authentication ({open_access})" if open_access else ""),
                    location=Location(path=part.path, line=port.line),
                    key=f"{svc.name}:{port.target}",
                    severity=Severity.CRITICAL if open_access else None,
                )
