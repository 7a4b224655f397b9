"""SQLite without WAL mode.

## What it checks
SQLite databases opened by the application (`better-sqlite3`, `sqlite3`, `bun:sqlite`,
`node:sqlite`, Python `sqlite3.connect`, SQLAlchemy `sqlite://` engines, Django's sqlite3
backend) and whether the code switches them to write-ahead logging
(`PRAGMA journal_mode = WAL`; Django 5.1+ `init_command`).

## Why it matters
In the default rollback-journal mode a writer blocks every reader; under concurrent web
requests that shows up as `SQLITE_BUSY` errors and latency spikes. WAL lets readers proceed
while one writer commits.

## How to fix
```ts hono
const sqlite = new Database(process.env.DATABASE_PATH ?? './data/app.db');
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('busy_timeout = 5000');
```

```ts express
db.pragma('journal_mode = WAL'); // better-sqlite3
```

```ts nestjs
TypeOrmModule.forRoot({ type: 'better-sqlite3', database: 'data/app.db', prepareDatabase: (db) => db.pragma('journal_mode = WAL') })
```

```ts fastify
db.exec('PRAGMA journal_mode = WAL;');
```

```python fastapi
@event.listens_for(engine, "connect")
def set_wal(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
```

```python django
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3",
                         "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"}}}
```

```python flask
conn = sqlite3.connect(path); conn.execute("PRAGMA journal_mode=WAL")
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules

SQLITE_MODULES = ("better-sqlite3", "sqlite3", "bun:sqlite", "node:sqlite", "sqlite", "libsql")


@check(id="APP-SQLITE-WAL", severity=Severity.MEDIUM, section=Section.DATA, effort_hours=0.5,
       passed="WAL mode enabled for SQLite concurrent access")
def sqlite_wal(project: Project) -> Iterator[Finding]:
    """Flag SQLite databases opened without journal_mode=WAL."""
    index, services = rules.index_or_skip(project)
    seen_sqlite = False
    for service in services:
        opens = list(_opens(index, service))
        if not opens:
            continue
        seen_sqlite = True
        if any("journal_mode" in lit and "wal" in lit for lit in rules.literals(index, service)):
            continue
        path, line = opens[0]
        yield Finding(
            message=f"{service.name} opens SQLite without switching to WAL mode (journal_mode = WAL)",
            location=Location(path=path, line=line),
            key=f"{service.name}:sqlite",
        )
    if not seen_sqlite:
        raise NotApplicable("no SQLite database opened by the application code")


def _opens(index: rules.SourceIndex, service: rules.Service) -> Iterator[tuple[str, int]]:
    for sf in index.files_of(service):
        local = {n for i in sf.imports if i.module in SQLITE_MODULES for n in i.names}
        for call in sf.calls:
            base = call.callee.split(".", 1)[0]
            if call.is_new and (call.callee in local or base in local) and call.name in {"Database", *local}:
                yield sf.path, call.line
            elif call.callee in {"sqlite3.connect", "connect"} and "sqlite3" in sf.modules:
                yield sf.path, call.line
            elif call.name == "create_engine" and call.args and call.args[0].strip("'\"f").startswith("sqlite"):
                yield sf.path, call.line
        for assignment in sf.assignments:
            if assignment.name == "DATABASES" and "sqlite3" in assignment.value:
                yield sf.path, assignment.line
