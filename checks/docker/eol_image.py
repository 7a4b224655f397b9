"""Image runs a runtime or database past its end of life.

## What it checks
The image each production service runs is a release that its upstream project still supports:
the runtime stage of each judged Dockerfile (its `FROM`, followed through earlier stages) and the
`image:` of each production compose service. Node.js, Python, PostgreSQL, MySQL and MongoDB are
judged by the release cycle in the tag (`node:18-alpine` is Node.js 18, `postgres:13.4` is
PostgreSQL 13, `mongo:4.2.1-bionic` is MongoDB 4.2) against the end-of-support dates those
projects publish (as endoflife.date lists them), on the scan's date. Tags without a version
(`latest`, `lts`, `3`) and cycles without a published date are not judged. A runtime past its end
of life is **medium**; a database is **low** (it is rarely reachable from outside, but its bugs
stay unfixed), **medium** when its compose service publishes a port on every host interface. Build stages that do not ship are not judged.

## Why it matters
After its end of life a release gets no security fixes: every CVE found later stays open in the
image, scanners flag it on every build, and the eventual upgrade jumps several major versions at
once, usually under pressure.

## How to fix
Move to a supported release cycle (test the upgrade first; databases need `pg_upgrade`,
`mysql_upgrade` or a dump and restore), and pin it so the next end of life is a planned change.

```dockerfile
FROM node:22-alpine
```
```yaml compose
services:
  db:
    image: postgres:17
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import arg_defaults, chain, dockerfiles, has_unresolved, resolve, runtime_stage
from auditor.deploy.compose import all_services, ports_of
from auditor.deps.eol import EndOfLife, end_of_life
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Dockerfile
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="DOCKER-EOL-IMAGE", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("container_files",), security=True,
       effort_hours=4.0, passed="Every shipped runtime and database image is a supported release")
def eol_image(project: Project) -> Iterator[Finding]:
    """Flag runtime stages and production compose images whose release cycle reached end of life."""
    judged = False
    try:
        shipped = dockerfiles(project)
    except NotApplicable:
        shipped = []  # no production Dockerfile: compose images are still judged
    for dockerfile in shipped:
        image, line = _shipped_base(project, dockerfile)
        if image is None:
            continue
        judged = True
        if (eol := end_of_life(image, project.today)) is not None:
            yield _finding(eol, image, f"{dockerfile.path}'s runtime stage", Location(dockerfile.path, line),
                           f"{dockerfile.path}:{eol.product}")
    for svc in all_services(project):
        image = svc.image
        if image is None or svc.has("build") or "$" in image:
            continue  # built from a Dockerfile (judged above) or chosen at deploy time
        judged = True
        if (eol := end_of_life(image, project.today)) is not None:
            path, line = svc.where("image")
            # A database published on every host interface takes its unfixed bugs to the internet.
            exposed = any(port.all_interfaces for part in svc.parts for port in ports_of(part))
            yield _finding(eol, image, f"service '{svc.name}'", Location(path, line), f"{svc.name}:{eol.product}",
                           exposed=exposed)
    if not judged:
        raise NotApplicable("no Dockerfile runtime stage or production compose image to judge")


def _finding(eol: EndOfLife, image: str, where: str, location: Location, key: str, *,
             exposed: bool = False) -> Finding:
    label = {"node": "Node.js", "python": "Python", "postgres": "PostgreSQL", "mysql": "MySQL",
             "mongo": "MongoDB"}.get(eol.product, eol.product)
    return Finding(
        message=f"{where} runs {image}: {label} {eol.cycle} reached end of life in {eol.month} and gets no "
                "security fixes" + (", and its port is published on every host interface" if exposed else ""),
        location=location,
        key=key,
        severity=Severity.MEDIUM if eol.kind == "runtime" or exposed else Severity.LOW,
    )


def _shipped_base(project: Project, dockerfile: Dockerfile) -> tuple[str | None, int | None]:
    """The external image the runtime stage builds on (through `FROM earlier-stage` chains), and its line."""
    root = chain(dockerfile, runtime_stage(project, dockerfile))[0]
    image = resolve(root.image, arg_defaults(dockerfile)) if root.image else ""
    if not image or has_unresolved(image) or dockerfile.is_stage_reference(image):
        return None, None  # decided by --build-arg, or a stage reference chain() could not follow
    return image, root.line
