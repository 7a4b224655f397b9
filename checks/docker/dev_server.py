"""Development server in the production command.

## What it checks
The command the final image runs (`ENTRYPOINT` + `CMD`, a compose
`command:` for a service that builds it, and the entrypoint scripts and
package.json scripts these run) must not start a development server:
`--reload`, `flask run`, `manage.py runserver`, `npm run dev` / `pnpm dev` /
`yarn dev`, `nodemon`, `ts-node-dev`, `tsx watch`, `node --watch`,
`next dev`, `vite` (dev or preview), `nest start --watch`, `ng serve`,
`react-scripts start`, `webpack serve`.

## Why it matters
Dev servers watch files, recompile on the fly, keep source maps and debug
pages, skip production optimisations and are documented as unsafe to expose:
they are slow, leak stack traces and internals, and reload (dropping
requests) whenever a file changes.

## How to fix
Build at image build time and run the compiled output with a production
server.

```dockerfile
RUN npm run build
CMD ["node", "dist/index.js"]
```

```dockerfile python
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
```

```dockerfile django
CMD ["gunicorn", "mysite.wsgi", "--bind", "0.0.0.0:8000"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.checkviews import dockerfiles, runtime_stage, start_path
from auditor.deploy.devserver import dev_servers
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="DOCKER-DEV-SERVER", severity=Severity.HIGH, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=1.0,
       passed="Start command runs no development server")
def dev_server(project: Project) -> Iterator[Finding]:
    """Report a final image whose start command runs a development server."""
    judged = False
    for dockerfile in dockerfiles(project):
        stage = runtime_stage(project, dockerfile)
        path = start_path(project, dockerfile, stage)
        # Commands only: a hook's code may name a dev server (`if "runserver" in sys.argv`) without running one.
        if not path.commands:
            continue
        judged = True
        line = path.anchor_line or stage.line
        for origin, text in path.commands:
            for name in dev_servers(text):
                where = "" if origin == dockerfile.path else f" (via {origin})"
                yield Finding(
                    message=f"{dockerfile.path}: the container starts a development server: {name}{where}",
                    location=Location(path=dockerfile.path, line=line),
                    key=name,
                )
    if not judged:
        raise NotApplicable("no start command in a final stage")
