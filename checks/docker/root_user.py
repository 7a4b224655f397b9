"""Container runs as root.

## What it checks
The stage that becomes the image (the last stage, or the compose
`build.target`) must end with a non-root `USER`, including a `USER` inherited
from a stage it is built `FROM`. No `USER` at all, or a final `USER root` /
`USER 0` (for example after switching to root to install packages and never
switching back), is reported. Base images that already default to a non-root
user (`gcr.io/distroless/*:nonroot`, `*-nonroot` tags) count as non-root;
images such as `node` ship a `node` user but only use it when `USER node` is
set. A `scratch` image without `USER` runs as uid 0 and is reported too.

## Why it matters
A process running as root inside the container is root on the host's kernel:
one remote-code-execution bug plus one container escape (or a writable host
mount) is a full host compromise. Running as an unprivileged user is the
cheapest defence in depth there is.

## How to fix
Create (or reuse) an unprivileged user and switch to it as the last step of
the final stage; `chown` only what the app must write.

```dockerfile
FROM node:20-alpine
WORKDIR /app
COPY --chown=node:node --from=build /app/dist ./dist
USER node
CMD ["node", "dist/index.js"]
```

```dockerfile python
FROM python:3.12-slim
RUN useradd --system --uid 10001 app
COPY --chown=app:app . /app
USER 10001
CMD ["gunicorn", "app:app"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import (
    arg_defaults,
    chain_instructions,
    dockerfiles,
    has_unresolved,
    last_of,
    resolve,
    root_image,
    runtime_stage,
    start_path,
)
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import split_image
from auditor.project import Project
from auditor.registry import check

_ROOT = re.compile(r"^(root|0)(:.*)?$", re.IGNORECASE)


def nonroot_base(image: str) -> bool:
    """Base images whose default user is not root."""
    tag = split_image(image)[1] or ""
    return tag == "nonroot" or tag.endswith("-nonroot")


@check(id="DOCKER-ROOT-USER", severity=Severity.HIGH, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       security=True, effort_hours=1.0,
       passed="Container runs as a non-root user")
def root_user(project: Project) -> Iterator[Finding]:
    """Report a final image that runs as root (no USER, or USER root last)."""
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        user = last_of(chain_instructions(dockerfile, stage), "USER")
        path = start_path(project, dockerfile, stage)
        if path.privilege_drop and not path.privilege_drop.startswith("USER"):
            continue  # gosu / su-exec / s6-setuidgid ... on the start path drops root before the app runs
        if user is None:
            if nonroot_base(root_image(dockerfile, stage)):
                continue
            yield Finding(
                message=(f"{dockerfile.path}: the final stage never sets USER and nothing on the start path "
                         f"drops privileges (followed: {path.followed()}), so the container runs as root"),
                location=Location(path=dockerfile.path, line=stage.line),
                key="no USER",
            )
            continue
        name = resolve(user.args.strip(), arg_defaults(dockerfile, stage))
        if has_unresolved(name):
            continue  # chosen at build time: nothing to judge
        if _ROOT.match(name):
            yield Finding(
                message=f"{dockerfile.path}: the last USER is {name}, so the container runs as root",
                location=Location(path=dockerfile.path, line=user.line),
                key="USER root",
            )
