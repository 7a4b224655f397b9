"""Compose image is `:latest` or untagged.

## What it checks
Every `image:` of a service that is not built locally names a version tag
or a digest (`@sha256:...`): `latest`, no tag, and variant tags with no
version number (`redis:alpine`, `node:lts`, `nginx:stable`) fail. `${TAG:-latest}` counts as latest;
`${TAG}` (or `${IMAGE}`) without a default is left to the deploy and passes. Services with
`build:` pass: their `image:` names the result of the build. A project
that pulls no image at all is skipped.

## Why it matters
`latest` is whatever was pushed last: two hosts pulling on different days
run different code, a restart can silently upgrade a database across a major
version, and a rollback has nothing to roll back to.

## How to fix
Pin a version (and a digest for supply-chain safety); let Renovate or
Dependabot propose upgrades.

```yaml compose
services:
  redis:
    image: redis:7.4-alpine
  db:
    image: postgres:16.4@sha256:<digest>
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.compose import require_services, resolve_vars
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import floating_tag, split_image
from auditor.project import Project
from auditor.registry import NotApplicable, check

_NO_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*")


@check(id="COMPOSE-IMAGE-UNPINNED", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.5, passed="No pulled image relies on :latest, an implicit tag or a versionless variant tag")
def image_unpinned(project: Project) -> Iterator[Finding]:
    """Flag pulled images with :latest or no tag (digests pass)."""
    pulled = [svc for svc in require_services(project) if not svc.has("build") and svc.image]
    if not pulled:
        raise NotApplicable("every service is built from a Dockerfile; no pulled image to judge")
    for svc in pulled:
        image = svc.image or ""
        if _NO_DEFAULT.search(image):
            continue  # the deploy supplies the reference; nothing to judge here
        ref = resolve_vars(image.strip())
        name, tag, digest = split_image(ref)
        if digest:
            continue
        if tag is not None and tag.lower() != "latest" and not floating_tag(name, tag):
            continue
        path, line = svc.where("image")
        what = ("the :latest tag" if tag and tag.lower() == "latest"
                else f"the :{tag} tag, a variant with no version that moves across major versions like latest"
                if tag else "no tag (implicitly :latest)")
        yield Finding(
            message=f"service '{svc.name}' image '{svc.image}' uses {what}",
            location=Location(path=path, line=line),
            key=svc.name,
        )
