r"""Build tooling ships in the runtime image (no multi-stage build).

## What it checks
A Dockerfile that builds something keeps the build in a stage of its own:
the stage that becomes the image (the last one, or the compose
`build.target`), together with the stages it is built `FROM`, runs no build
step. Build steps are:

- compiling: `npm|pnpm|yarn|bun run build` (also with `--filter` /
  workspaces), `tsc`, `vite build`, `nest build`, `next build`, `tsup`,
  `esbuild`, `webpack`, `go build`, `cargo build`, `mvn package`,
  `gradle build`, `dotnet publish`, `pip wheel`, `python -m build`,
  `poetry build`, `pip install --prefix|--target` (a builder stage's
  install into a directory that is copied on);
- installing a native toolchain: `apk add build-base|gcc|g++|make|musl-dev`,
  `apt-get install build-essential|gcc|g++|make|*-dev`,
  `yum|dnf install gcc|make|*-devel`, typically for `pip install` of
  packages with C extensions.

A build step in an earlier stage, with only its output copied into a clean
final stage, passes. A compile step in an image that also keeps its
development dependencies is DOCKER-DEV-DEPS's finding (same fix: a build
stage and a production install), not reported twice. Dockerfiles that build nothing (an nginx image serving
committed files, a Python app installing wheels only) are skipped.

## Why it matters
Compilers, headers, TypeScript, bundlers and dev dependencies make the image
several times larger, slow every pull and cold start, and give an attacker
who gets a shell a full toolchain. Their CVEs show up in every image scan
although production never uses them.

## How to fix
Build in one stage, copy only the output into a slim runtime stage.

```dockerfile
FROM node:20-alpine AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/index.js"]
```
```dockerfile python
FROM python:3.12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY app/ /app/app/
USER 10001
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import chain, dockerfiles, run_commands, runtime_stage
from auditor.deploy.devdeps import leaves_dev_dependencies
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Dockerfile, Instruction, Stage
from auditor.project import Project
from auditor.registry import NotApplicable, check

_COMPILE = re.compile(
    r"\b(npm|pnpm|yarn|bun)\b[^\n]*?\s(run\s+)?build(:\S+)?(\s|$)|(^|\s)(npx\s+|pnpm\s+exec\s+)?tsc(\s|$)"
    r"|\bvite\s+build\b|\bnest\s+build\b|\bnext\s+build\b|(^|\s)tsup(\s|$)|(^|\s)esbuild\s|(^|\s)webpack(\s|$)"
    r"|\bgo\s+build\b|\bcargo\s+build\b|\bmvnw?\s+[^\n]*\b(package|install)\b|\bgradlew?\s+[^\n]*\b(build|assemble)\b"
    r"|\bdotnet\s+publish\b|\bpip3?\s+wheel\b|-m\s+build\b|\bpoetry\s+build\b|\buv\s+build\b"
    r"|\bpip3?\s+install\b[^\n]*\s--(prefix|target|root)\b"
)
_TOOLCHAIN_PKG = re.compile(r"^(build-base|build-essential|gcc|g\+\+|make|cmake|musl-dev|libc-dev|clang"
                            r"|[\w.+-]+-dev|[\w.+-]+-devel|python3?-dev|rust|cargo|golang)$")
_PKG_INSTALL = re.compile(r"\b(apk)\s+add\b|\b(apt-get|apt|yum|dnf|microdnf|tdnf)\s+(-\S+\s+)*install\b")


def build_step(segment: str) -> str | None:
    """A short label when a simple shell command builds or installs a toolchain, else None."""
    match = _COMPILE.search(segment)
    if match:
        return " ".join(match.group(0).split())
    if _PKG_INSTALL.search(segment):
        tools = [w for w in segment.split() if not w.startswith("-") and _TOOLCHAIN_PKG.match(w)]
        if tools:
            return "installs " + ", ".join(tools[:3])
    return None


def _first_build(stages: list[Stage]) -> tuple[Instruction, str] | None:
    instructions = [ins for stage in stages for ins in stage.instructions]
    for ins, segment in run_commands(instructions):
        label = build_step(segment)
        if label:
            return ins, label
    return None


class _Deferred(Exception):
    """The Dockerfile's build in the runtime image is another check's finding (its path is the argument)."""


def _judge(project: Project, dockerfile: Dockerfile) -> tuple[bool, Finding | None]:
    """(whether anything is built, the finding when the runtime image carries the build)."""
    final = runtime_stage(project, dockerfile)
    runtime = chain(dockerfile, final)
    shipped = _first_build(runtime)
    if shipped is None:
        return _first_build(list(dockerfile.stages)) is not None, None
    ins, label = shipped
    if not label.startswith("installs ") and leaves_dev_dependencies(project, dockerfile):
        # A compile step in an image that keeps its dev dependencies is DOCKER-DEV-DEPS's finding with
        # the same fix (a build stage, a production install): one finding per concept, not two.
        raise _Deferred(dockerfile.path)
    if len(dockerfile.stages) == 1:
        message = (f"{dockerfile.path}: single-stage build (`{label}`): compilers and build tooling ship in the "
                   "runtime image; build in a separate stage and copy only the output")
    else:
        message = (f"{dockerfile.path}: the runtime stage (or a stage it is built FROM) runs `{label}`: build "
                   "tooling ships in the image; copy only the build output into a clean final stage")
    return True, Finding(message=message, location=Location(path=dockerfile.path, line=ins.line), key="build in runtime stage")


@check(id="DOCKER-SINGLE-STAGE", severity=Severity.LOW, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=1.0, passed="Multi-stage build keeps build tools out of the runtime image")
def single_stage(project: Project) -> Iterator[Finding]:
    """Report Dockerfiles whose runtime image runs a build step or installs a native toolchain."""
    judged = False
    deferred: list[str] = []
    for dockerfile in dockerfiles(project):
        try:
            builds, finding = _judge(project, dockerfile)
        except _Deferred as exc:
            deferred.append(str(exc))
            continue
        judged = judged or builds
        if finding is not None:
            yield finding
    if not judged and deferred:
        raise NotApplicable(f"{', '.join(deferred)}: the runtime image builds and keeps its development "
                            "dependencies, reported (with the same fix) by DOCKER-DEV-DEPS")
    if not judged:
        raise NotApplicable("no Dockerfile builds anything (no compile step, no native toolchain)")
