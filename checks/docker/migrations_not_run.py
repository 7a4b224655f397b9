"""Database migrations are not part of the start path.

## What it checks
When the repository holds migrations (drizzle `drizzle/*.sql` or
`meta/_journal.json`, `prisma/migrations/`, `alembic/versions/`, Django
`*/migrations/0*.py`, knex/TypeORM/Sequelize `migrations/` directories,
`db/migrate/`, or the folder the tool's config names: drizzle's `out`, knex's
`migrations.directory`, TypeORM's `migrations` globs, sequelize's
`migrations-path`, alembic's `script_location`), something that runs on deploy must apply them: the
Dockerfile's `ENTRYPOINT`/`CMD`, an entrypoint script in the repository that
they run, the package.json `start`/`prestart` scripts they call, or the
compose `command`/`entrypoint` of a service that builds the image (or a
one-shot migration service). Recognised commands: `migrate`, `db:migrate`,
`prisma migrate deploy`, `alembic upgrade`, `manage.py migrate`,
`drizzle-kit migrate`, `knex migrate:latest`, `typeorm migration:run`,
`sequelize db:migrate`; or the application entry file the start command
runs (`dist/index.js` -> `src/index.ts`) applies them itself (drizzle
`migrate(db, ...)`, TypeORM `migrationsRun: true` / `runMigrations()`,
knex `migrate.latest()`, Kysely `migrateToLatest()`, alembic
`command.upgrade()`, Django `call_command("migrate")`), directly or in a
start-up hook the deployment model follows (a FastAPI lifespan imported from
another module and the local functions it calls, Django `AppConfig.ready`,
NestJS `onModuleInit`). The finding is anchored on the `CMD` of the image
closest to the migrations.

## Why it matters
Migrations applied by hand are forgotten, applied to the wrong database, or
applied after the new code already started: the new version crashes on a
missing column, or the old one writes into a table that just changed. Making
migration part of the deploy gives every environment the same schema as the
code it runs.

## How to fix
Run migrations before the server starts (an entrypoint script that ends with
`exec "$@"`), or as a one-shot job the app waits for.

```dockerfile
COPY docker-entrypoint.sh ./
ENTRYPOINT ["./docker-entrypoint.sh"]   # runs: node dist/migrate.js && exec "$@"
CMD ["node", "dist/index.js"]
```

```yaml compose
services:
  migrate:
    build: .
    command: ["npx", "prisma", "migrate", "deploy"]
  api:
    build: .
    depends_on:
      migrate:
        condition: service_completed_successfully
```

```dockerfile python
CMD ["sh", "-c", "alembic upgrade head && exec gunicorn app.main:app -k uvicorn.workers.UvicornWorker"]
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from auditor.deploy.checkviews import build_contexts, dockerfiles, runtime_stage, start_path
from auditor.deploy.judged import judged_services
from auditor.deploy.migrations import migration_dirs
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Dockerfile
from auditor.project import Project
from auditor.registry import NotApplicable, check

MIGRATION_COMMAND = re.compile(
    r"(?<![\w-])(migrate|db:migrate|migrate:latest|migrate:deploy|migration:run|migrations:run|"
    r"alembic\s+upgrade|db\s+push|upgradeDB|runMigrations|migrateToLatest)(?![\w-])"
)


# Migrations applied by the application itself at start-up, in its entry file.
PROGRAMMATIC = re.compile(
    r"\bmigrate\s*\(|\.runMigrations\s*\(|migrationsRun\s*:\s*true|\.migrate\.latest\s*\(|migrateToLatest\s*\(|"
    r"command\.upgrade\s*\(|call_command\(\s*[\"']migrate[\"']|prisma\s+migrate\s+deploy"
)


def _owners(project: Project, candidates: list[Dockerfile], dirs: list[str]) -> list[Dockerfile]:
    """The Dockerfiles closest to the migrations: their directory or build context is the deepest one holding them."""

    def depth(dockerfile: Dockerfile) -> int:
        best = 0
        for base in (posixpath.dirname(dockerfile.path), *build_contexts(project, dockerfile)):
            base = "" if base in {"", "."} else base
            for target in dirs:
                if base and (target == base or target.startswith(base + "/")):
                    best = max(best, base.count("/") + 1)
        return best

    scores = {d.path: depth(d) for d in candidates}
    top = max(scores.values())
    return [d for d in candidates if scores[d.path] == top]


@check(id="DOCKER-MIGRATIONS-NOT-RUN", severity=Severity.HIGH, section=Section.DATA, needs=("dockerfiles",),
       effort_hours=2.0,
       passed="Database migrations run automatically on deploy")
def migrations_not_run(project: Project) -> Iterator[Finding]:
    """Report images whose start path never applies the repository's migrations."""
    dirs = migration_dirs(project)
    if not dirs:
        raise NotApplicable("no database migrations in the repository")
    # A one-shot migration service, a deploy step (`compose run svc migrate`) or a release phase
    # of a judged (production) deployment covers every image.
    for service in judged_services(project):
        if any(MIGRATION_COMMAND.search(text) for _o, text in service.start.texts):
            return
    for info in project.deployment.judged_projects():
        if any(MIGRATION_COMMAND.search(step.text) or PROGRAMMATIC.search(step.text) for step in info.deploy_steps):
            return
    candidates = [d for d in dockerfiles(project)
                  if any(i.keyword in {"CMD", "ENTRYPOINT"} for s in d.stages for i in s.instructions)]
    if not candidates:
        raise NotApplicable("no Dockerfile with a start command")
    for dockerfile in _owners(project, candidates, dirs):
        stage = runtime_stage(project, dockerfile)
        path = start_path(project, dockerfile, stage)
        if any(MIGRATION_COMMAND.search(text) for _origin, text in path.texts):
            continue
        # Application code on the path: entry files and the start-up hooks followed from them.
        if any(PROGRAMMATIC.search(step.text) for step in path.steps if step.kind in {"source", "hook", "call"}):
            continue
        line = path.anchor_line or stage.line
        yield Finding(
            message=(f"{dockerfile.path}: the repository has migrations ({dirs[0]}) but nothing in the "
                     f"container's start path applies them (followed: {path.followed()})"),
            location=Location(path=dockerfile.path, line=line),
            key="migrations",
        )

