"""Schema synchronised from the models at start-up.

## What it checks
The production start path does not rewrite the database schema from the models instead of
running reviewed migrations:

- start commands (`package.json` `start*`/`prestart`/`docker*`/`deploy*` scripts, Dockerfile
  `CMD`/`ENTRYPOINT`/`RUN`-less start lines, entrypoint shell scripts, compose `command:`) that
  run `drizzle-kit push --force` or `prisma db push --accept-data-loss` (**high**: they drop
  columns and tables without asking), or a plain `drizzle-kit push` / `prisma db push` (medium);
- server code that calls `sequelize.sync({ force: true })` (high) or `sync({ alter: true })`
  (medium), sets TypeORM `synchronize: true` as a literal (medium), or calls SQLAlchemy
  `metadata.create_all(...)` (medium, and medium confidence: it may be meant for development).

Tests, seeds and scripts are not server code and are not judged; `synchronize` computed from an
environment variable is left alone.

## Why it matters
Schema sync compares the models with the live database and makes them match: a renamed field
becomes a dropped column, a removed model a dropped table, and the data goes with it on the next
deploy. There is no review, no rollback script and no record of what changed.

## How to fix
Generate migrations, review them, and run them on deploy; keep push/sync for local development.

```json npm
{ "scripts": { "start": "drizzle-kit migrate && node dist/index.js" } }
```
```ts typeorm
TypeOrmModule.forRoot({ ...options, synchronize: false, migrationsRun: true, migrations: ['dist/migrations/*.js'] })
```
```ts sequelize
// run `npx sequelize-cli db:migrate` on deploy instead of sync()
await sequelize.authenticate();
```
```python fastapi
# alembic upgrade head on deploy instead of Base.metadata.create_all(engine)
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call

# (pattern, what, severity) for shell command text.
_COMMANDS: tuple[tuple[re.Pattern[str], str, Severity], ...] = (
    (re.compile(r"drizzle-kit\s+push\b[^\n&|;]*--force"), "drizzle-kit push --force", Severity.HIGH),
    (re.compile(r"prisma\s+db\s+push\b[^\n&|;]*--accept-data-loss"), "prisma db push --accept-data-loss",
     Severity.HIGH),
    (re.compile(r"drizzle-kit\s+push\b(?![^\n&|;]*--force)"), "drizzle-kit push", Severity.MEDIUM),
    (re.compile(r"prisma\s+db\s+push\b(?![^\n&|;]*--accept-data-loss)"), "prisma db push", Severity.MEDIUM),
)
_START_SCRIPT = re.compile(r"^(start|prestart|serve|docker|deploy|prod|production|release|migrate:prod)", re.IGNORECASE)
_ENTRY_FILES = re.compile(r"(^|/)(docker-)?entrypoint[\w.-]*\.sh$|(^|/)(start|run|boot|prestart)[\w.-]*\.sh$|"
                          r"(^|/)Dockerfile[\w.-]*$|(^|/)Procfile$")


@check(id="APP-SCHEMA-SYNC-ON-START", severity=Severity.HIGH, section=Section.DATA, effort_hours=2.0,
       passed="Schema changes go through migrations, not a sync at start-up")
def schema_sync(project: Project) -> Iterator[Finding]:
    """Flag schema push/sync on the production start path."""
    judged = False
    for path, line, text in _start_commands(project):
        judged = True
        for pattern, what, severity in _COMMANDS:
            if pattern.search(text):
                yield Finding(f"{path}: the start path runs `{what}`, which rewrites the schema from the models "
                              "and can drop data; run reviewed migrations instead", Location(path, line),
                              key=f"{path}:{what}", severity=severity)
                break
    try:
        index, services = rules.index_or_skip(project)
    except NotApplicable:
        services = ()
    for service in services:
        for sf, call in index.calls(service):
            judged = True
            found = _code_sync(call)
            if found is not None:
                what, severity, confidence = found
                yield Finding(f"{call.callee}(...) {what} at start-up instead of running migrations",
                              Location(sf.path, call.line), key=f"{service.name}:{call.callee}:{what}",
                              severity=severity, confidence=confidence)
    if not judged:
        raise NotApplicable("no start command or server code to judge")


def _code_sync(call: Call) -> tuple[str, Severity, Confidence] | None:
    """What a call does to the schema, when it syncs it from the models."""
    if call.name == "sync" and call.props:
        force, alter = call.prop("force"), call.prop("alter")
        if force is not None and force.kind == "true":
            return "drops and recreates every table (sync force: true)", Severity.HIGH, Confidence.HIGH
        if alter is not None and alter.kind == "true":
            return "alters tables to match the models (sync alter: true)", Severity.MEDIUM, Confidence.HIGH
    synchronize = call.prop("synchronize") if call.props else None
    if synchronize is not None and synchronize.kind == "true":
        return "sets TypeORM synchronize: true", Severity.MEDIUM, Confidence.HIGH
    if (call.name == "create_all" and "metadata" in call.callee) or any(
            a.endswith("metadata.create_all") for a in call.args):  # `conn.run_sync(Base.metadata.create_all)`
        return "creates tables from the models", Severity.MEDIUM, Confidence.MEDIUM
    return None


def _start_commands(project: Project) -> Iterator[tuple[str, int, str]]:
    """(path, line, command text) of every start-path command the repository declares."""
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if name == "package.json" and "node_modules" not in rel:
            yield from _package_scripts(project, rel)
        elif _ENTRY_FILES.search(rel) or (name.startswith(("docker-compose", "compose")) and
                                          name.endswith((".yml", ".yaml"))):
            if "/test" in f"/{rel}" or "/e2e/" in f"/{rel}":
                continue
            for lineno, line in enumerate((project.read_text(rel) or "").splitlines(), start=1):
                if not line.lstrip().startswith("#"):
                    yield rel, lineno, line


def _package_scripts(project: Project, rel: str) -> Iterator[tuple[str, int, str]]:
    text = project.read_text(rel) or ""
    try:
        data = json.loads(text)
    except ValueError:
        return
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return
    lines = text.splitlines()
    for name, command in scripts.items():
        if not isinstance(command, str) or not _START_SCRIPT.match(str(name)):
            continue
        line = next((n for n, ln in enumerate(lines, start=1) if f'"{name}"' in ln), 1)
        yield rel, line, command
