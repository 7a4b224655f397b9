"""Runtime environment not set to production.

## What it checks
A Node.js final image (a `node` base image, or `node`/`npm`/`pnpm`/`yarn` in
its start command) must set `ENV NODE_ENV=production` (a compose service
that builds it may set it instead, or the start command inline). Any image
that sets `NODE_ENV`, `APP_ENV`, `ENV`, `ENVIRONMENT`, `FLASK_ENV`,
`RAILS_ENV`, `RACK_ENV` or `PYTHON_ENV` to `development`, `dev`, `debug` or
`local` is reported; those variables are not required for non-Node images.

## Why it matters
Frameworks switch behaviour on these variables: Express renders stack
traces and disables view caching, many libraries log verbosely and skip
optimisations, and `npm`/`pnpm` install dev dependencies unless
`NODE_ENV=production`. Running production in development mode is slower
and leaks internals in error pages.

## How to fix
Set the variable in the final stage (before installing dependencies).

```dockerfile
FROM node:20-alpine
ENV NODE_ENV=production
```

```dockerfile python
ENV APP_ENV=production
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import (
    arg_defaults,
    building_services,
    chain_instructions,
    dockerfiles,
    env_values,
    resolve,
    root_image,
    runtime_stage,
    start_command,
    start_path,
)
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import split_image
from auditor.project import Project
from auditor.registry import NotApplicable, check

_MODE_VARS = ("NODE_ENV", "APP_ENV", "ENV", "ENVIRONMENT", "FLASK_ENV", "RAILS_ENV", "RACK_ENV", "PYTHON_ENV")
_DEV_VALUES = frozenset({"development", "dev", "debug", "local", "develop"})
_NODE_COMMAND = re.compile(r"(^|[\s/\"'])(node|npm|pnpm|yarn|nodejs)(\s|$)")
_PATH_PROD = re.compile(r"\bNODE_ENV[\"']?\s*[:=]\s*[\"']?production\b")
_INLINE_PROD = re.compile(r"\bNODE_ENV=[\"']?production\b")


def is_node_image(image: str, command: str) -> bool:
    """A Node.js runtime image: node base (incl. distroless nodejs) or a node start command."""
    short = split_image(image)[0].rsplit("/", 1)[-1]
    return short in {"node", "nodejs"} or short.startswith("nodejs") or bool(_NODE_COMMAND.search(command))


@check(id="DOCKER-NODE-ENV", severity=Severity.LOW, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.25,
       passed="No image runs in development mode")
def node_env(project: Project) -> Iterator[Finding]:
    """Report Node images without NODE_ENV=production and any image set to a development mode."""
    judged = False
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        instructions = chain_instructions(dockerfile, stage)
        env = env_values(instructions)
        args = arg_defaults(dockerfile, stage)
        compose_env = {name: value for s in building_services(project, dockerfile)
                       for name, value, _line in s.environment() if value is not None}
        for var in _MODE_VARS:
            if var in env:
                judged = True
                value, ins = env[var]
                value = resolve(value, args).strip().strip("\"'").lower()
                if value in _DEV_VALUES or (var == "NODE_ENV" and value and value != "production"
                                            and "$" not in value):
                    yield Finding(
                        message=f"{dockerfile.path}: {var} is set to {value!r}, not production",
                        location=Location(path=dockerfile.path, line=ins.line),
                        key=var,
                    )
        command = start_command(instructions)
        if not is_node_image(root_image(dockerfile, stage), command):
            continue
        judged = True
        if "NODE_ENV" in env or _INLINE_PROD.search(command):
            continue
        # Set along the start path: `NODE_ENV=production node ...` in a script or package.json
        # script, or a process manager's config (pm2 ecosystem `env: {NODE_ENV: "production"}`).
        if any(_PATH_PROD.search(text) for _origin, text in start_path(project, dockerfile, stage).texts):
            continue
        if compose_env.get("NODE_ENV", "").strip().lower() == "production":
            continue
        yield Finding(
            message=f"{dockerfile.path}: the Node.js image never sets NODE_ENV=production",
            location=Location(path=dockerfile.path, line=stage.line),
            key="NODE_ENV",
        )
    if not judged:
        raise NotApplicable("no Node.js image and no runtime mode variable")
