"""Development dependencies shipped in the final image.

## What it checks
The final stage (with the stages it is built `FROM`) must install only
production dependencies:

- `npm install` / `npm ci` without `--omit=dev` (or `--production`,
  `--only=prod`), unless `NODE_ENV=production` is set before it;
- `pnpm install` without `--prod` / `-P`; `yarn install` (or bare `yarn`)
  without `--production`; `bun install` without `--production`;
- pip dev extras (`.[dev]`, `.[test]`), `-r requirements-dev.txt`,
  `--group dev`; `poetry install` without `--only main` / `--without dev`;
  `uv sync` without `--no-dev`;
- `COPY --from=<stage> .../node_modules` (or the whole app directory) from a
  stage that did a full install and never pruned it (`npm prune --omit=dev`,
  `pnpm prune --prod`, or a later production install).

A Dockerfile that installs no dependencies (no package-manager install, no
copied `node_modules`) has nothing to judge: the check is then skipped.

## Why it matters
Dev dependencies (compilers, test runners, linters, type definitions) double
or triple the image, slow every pull and cold start, and add hundreds of
packages whose vulnerabilities now ship to production and show up in every
image scan.

## How to fix
Install production dependencies in the final stage, or prune the build
stage before copying `node_modules` out of it.

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
```

```dockerfile pnpm
RUN pnpm install --frozen-lockfile --prod
```

```dockerfile python
RUN pip install --no-cache-dir .            # not .[dev]
RUN poetry install --only main --no-root    # or: uv sync --frozen --no-dev
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import dockerfiles
from auditor.deploy.devdeps import dependency_states, installs_dependencies
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="DOCKER-DEV-DEPS", severity=Severity.MEDIUM, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=1.0,
       passed="Only production dependencies in the final image")
def dev_deps(project: Project) -> Iterator[Finding]:
    """Report dev dependencies installed in, or copied into, the final image."""
    installs = [dockerfile for dockerfile in dockerfiles(project) if installs_dependencies(dockerfile)]
    if not installs:
        raise NotApplicable("no dependency install (npm/pnpm/yarn/pip/poetry/uv) in any Dockerfile")
    for dockerfile in installs:
        for state in dependency_states(project, dockerfile).values():
            if state.dev and state.instruction is not None:
                yield Finding(
                    message=f"{dockerfile.path}: `{state.label}` leaves development dependencies in the final image",
                    location=Location(path=dockerfile.path, line=state.instruction.line),
                    key=state.label,
                )
