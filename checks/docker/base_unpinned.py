"""Base image not pinned to a version.

## What it checks
Every `FROM` (every stage, since each one feeds the build) must name a tag
other than `latest`, or a digest (`@sha256:...`). A variant tag with no
version number (`node:alpine`, `python:slim`, `node:lts`) moves across major
versions just like `latest` and fails too; an OS image's codename
(`debian:bookworm`, `ubuntu:noble`) names one release and passes. `scratch` and references
to earlier stages are fine. `ARG`-templated references such as
`node:${NODE_VERSION}` are resolved from the `ARG` defaults; a reference
that only a `--build-arg` decides is left alone.

## Why it matters
`FROM node` or `FROM node:latest` means "whatever was pushed last": the same
commit builds a different image next week, a new major version can break
the app or the build, and a rollback does not roll back the base. A tag
pins the version line; a digest pins the exact bytes.

## How to fix
Pin a specific version tag, and add the digest for reproducible builds
(tools such as Renovate or Dependabot keep both up to date).

```dockerfile
FROM node:20.18.1-alpine3.20@sha256:<digest>
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import arg_defaults, dockerfiles, has_unresolved, resolve
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import floating_tag, split_image
from auditor.project import Project
from auditor.registry import check


# Operating-system images whose codename tags name one release (debian:bookworm is Debian 12).
@check(id="DOCKER-BASE-UNPINNED", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.5,
       passed="Base images pinned to a version tag or digest")
def base_unpinned(project: Project) -> Iterator[Finding]:
    """Report FROM lines without a tag, or with :latest, and no digest."""
    for dockerfile in dockerfiles(project):
        args = arg_defaults(dockerfile)
        for stage in dockerfile.stages:
            if not stage.image or dockerfile.is_stage_reference(stage.image):
                continue
            image = resolve(stage.image, args)
            if has_unresolved(image):
                continue  # decided by --build-arg: nothing to judge here
            if dockerfile.is_stage_reference(image) or image.lower() == "scratch":
                continue
            name, tag, digest = split_image(image)
            if digest:
                continue
            if tag and tag.lower() != "latest" and not floating_tag(name, tag):
                continue
            problem = (f"uses :{tag}, a variant tag with no version that moves like latest" if tag and
                       tag.lower() != "latest" else "uses :latest" if tag else "has no tag")
            yield Finding(
                message=f"{dockerfile.path}: base image {image} {problem}, so builds are not reproducible",
                location=Location(path=dockerfile.path, line=stage.line),
                key=name.lower(),
            )
