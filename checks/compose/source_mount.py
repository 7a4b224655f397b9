"""Production compose service runs the host's checkout instead of the image it built.

## What it checks
A service built from the repository (`build:`, or the repository's own
published image) must not bind-mount a source directory of the repository
into the container in a production compose file: a relative host path
(`.`, `./src`, `./app`) that holds code (`.py`, `.js`, `.ts` ... files)
mounted over the image's files. Mounts of single files (a config file, an
`.env`), of data or upload directories without code, and every mount in
development overrides and other non-production compose files (see the
deployment model) are not judged. One finding per compose file, its other
source mounts listed as related locations.

## Why it matters
The container then runs whatever is checked out on the host, with the host's
`node_modules` or virtualenv, not the image that CI built and tested: a
deploy is not reproducible, a rollback to an earlier image changes nothing,
and a stray edit on the server goes live. It also usually means the image
alone does not run (its own code is never used), so it cannot be deployed
anywhere else.

## How to fix
Keep source mounts in a development override (`compose.override.yaml`,
which `docker compose up` loads on a developer machine) and let production
run the image.

```yaml compose
# compose.yaml (production): the image only
services:
  api:
    build: .
# compose.override.yaml (development): live code
services:
  api:
    volumes:
      - ./src:/app/src
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from auditor.deploy.compose import build_stage, mounts_of, own_image_stage, require_services, resolve_vars
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx", ".rb", ".go", ".php",
                  ".java", ".kt", ".rs", ".ex", ".exs", ".cs")


def _code_directory(project: Project, directory: str) -> bool:
    """Whether ``directory`` (repository-relative; ``.`` is the root) holds source code files."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    if prefix and prefix.rstrip("/") in project.file_set:
        return False  # a single file (a config file, an .env), not a source tree
    return any(rel.startswith(prefix) and rel.endswith(_CODE_SUFFIXES) and "/node_modules/" not in f"/{rel}"
               for rel in project.files)


@check(id="COMPOSE-SOURCE-MOUNT", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("compose",),
       effort_hours=0.5, passed="Production services run the image they build, not a bind-mounted checkout")
def source_mount(project: Project) -> Iterator[Finding]:
    """Flag production services built from the repository that bind-mount a source directory over the image."""
    judged = False
    # compose file -> (service, location, source, target) of every source mount: one finding per file.
    by_file: dict[str, list[tuple[str, Location, str, str]]] = {}
    for svc in require_services(project):
        if build_stage(project, svc) is None and own_image_stage(project, svc) is None:
            continue
        judged = True
        for part in svc.parts:
            if not project.deployment.judged(part.path):
                continue  # a development override or another role's file: live code is its purpose
            for mount in mounts_of(part):
                source = resolve_vars(mount.source)
                if mount.type != "bind" or source.startswith(("/", "~")) or not mount.target:
                    continue
                host = posixpath.normpath(posixpath.join(posixpath.dirname(part.path), source))
                if host.startswith("..") or not _code_directory(project, host):
                    continue
                by_file.setdefault(part.path, []).append((svc.name, Location(part.path, mount.line),
                                                          mount.source, mount.target))
    if not judged:
        raise NotApplicable("no compose service is built from the repository")
    for path, found in by_file.items():
        name, where, source, target = found[0]
        services = sorted({service for service, _l, _s, _t in found})
        who = f"service '{name}'" if len(services) == 1 else f"services {', '.join(repr(s) for s in services)}"
        yield Finding(
            message=(f"{who} bind-mount{'s' if len(services) == 1 else ''} {source} over {target}"
                     f"{f' ({len(found)} source mounts)' if len(found) > 1 else ''}: production runs the "
                     "host's checkout, not the image it built"),
            location=where, key=f"{path}:source-mounts", related=tuple(loc for _n, loc, _s, _t in found[1:]),
        )
