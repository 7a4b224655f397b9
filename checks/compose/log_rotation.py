"""Compose service logs grow without bound.

## What it checks
Every compose service either ships its logs elsewhere or rotates them. A
service with no `logging:` uses Docker's default `json-file` driver, which
never rotates. It passes when:

- the driver is `json-file` and `options.max-size` is set (`max-file`
  defaults to 1, which still bounds the size; set it to keep history);
- the driver is `local`, which rotates by default (20 MB x 5 files);
- the driver ships logs off the host (`syslog`, `journald`, `fluentd`, `gelf`,
  `awslogs`, `gcplogs`, `splunk`, `loki`, ...) or is `none`.

A shared `x-logging: &logging` block merged with `<<: *logging` or
`logging: *logging` counts. The Docker daemon's own `log-opts` in
`/etc/docker/daemon.json` are not visible to prodcheck; if you rely on them,
suppress this check with a reason. A compose file the repository shows is
deployed by Coolify (its name says `coolify`, or it uses Coolify's magic
variables such as `${SERVICE_PASSWORD_DB}` / `${SERVICE_FQDN_APP}`) passes:
Coolify's installer writes daemon-wide `json-file` rotation (`max-size 10m`,
`max-file 3`) on every server it manages. A podman-compose file
(`podman-compose.yml`, `container-compose.yml`) without `logging:` is not
judged: podman's default driver comes from the host's `containers.conf`
(`journald` or `k8s-file`), which the scan cannot see, not Docker's
`json-file`.

## Why it matters
An unrotated json-file log fills the disk; a full disk stops the database and
every other container on the host, usually at night.

## How to fix
Define the logging block once and merge it into every service.

```yaml compose
x-logging: &default-logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"

services:
  api:
    logging: *default-logging
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.compose import require_services
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project, is_podman_compose_name
from auditor.registry import check

# Coolify's magic variables (generated secrets, assigned domains): only a Coolify-deployed stack uses them.
_COOLIFY_MAGIC = re.compile(r"\$\{SERVICE_(?:FQDN|URL|PASSWORD|USER|BASE64|REALBASE64|HEX)(?:_\d+)?_[A-Z0-9_]+")


def _platform_rotated(project: Project) -> frozenset[str]:
    """Compose files deployed by a platform whose installer sets daemon-wide log rotation (Coolify)."""
    return frozenset(
        compose.path for compose in project.compose_files
        if "coolify" in compose.path.rsplit("/", 1)[-1].lower() or _COOLIFY_MAGIC.search(compose.text)
    )


@check(id="COMPOSE-NO-LOG-ROTATION", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.5, passed="Log size bounded for every compose service")
def no_log_rotation(project: Project) -> Iterator[Finding]:
    """Flag services on the json-file driver (explicit or default) without max-size."""
    rotated = _platform_rotated(project)
    for svc in require_services(project):
        if svc.anchor[0] in rotated and not svc.has("logging"):
            continue  # the platform's daemon default rotates json-file logs for this stack
        if is_podman_compose_name(svc.anchor[0].rsplit("/", 1)[-1]) and not svc.has("logging"):
            continue  # podman's default driver is set in containers.conf (journald, k8s-file), not json-file
        logging = svc.get("logging")
        driver = "json-file"
        options: object = None
        if isinstance(logging, dict):
            driver = str(logging.get("driver") or "json-file").strip().lower()
            options = logging.get("options")
        if driver != "json-file":
            continue
        if isinstance(options, dict) and options.get("max-size") not in (None, ""):
            continue
        path, line = svc.where("logging") if svc.has("logging") else svc.anchor
        what = "json-file logging without max-size" if svc.has("logging") else "default json-file logging"
        yield Finding(
            message=f"service '{svc.name}' uses {what}: logs are never rotated",
            location=Location(path=path, line=line),
            key=svc.name,
        )
