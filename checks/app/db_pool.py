"""Database connections without pool settings.

## What it checks
Whether the application reuses database connections. Django without `CONN_MAX_AGE` opens a
new connection for every request, which is reported. Pooled clients (node-postgres `Pool`,
mysql2 `createPool`, Prisma, TypeORM, Knex, Mongoose, SQLAlchemy `create_engine`) are judged
and pass whether or not their pool is sized: their drivers' defaults (10 for node-postgres and
mysql2, 5 + 10 overflow for SQLAlchemy, `num_cpus * 2 + 1` for Prisma) are sane for one
instance, and reviewers of real repositories judged every "unsized pool" hint not worth a
team's time. SQLite is judged by APP-SQLITE-WAL instead; `ConfigModule.forRoot` opens no pool.

## Why it matters
Default pool sizes are tuned for nobody: too small and requests queue behind each other, too
large (times replicas) and the database refuses connections under load. Without
`CONN_MAX_AGE`, Django opens a new connection for every request.

## How to fix
Keep connections open between requests (Django), and size pools explicitly once load is known.

```python django
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
```

```ts hono
export const pool = new pg.Pool({ max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
```

```ts express
const pool = mysql.createPool({ uri: process.env.DATABASE_URL, connectionLimit: 10 });
```

```ts nestjs
// Prisma: DATABASE_URL="postgresql://user:pass@db:5432/app?connection_limit=10&pool_timeout=20"
TypeOrmModule.forRoot({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 10 } });
```

```ts fastify
await app.register(fastifyPostgres, { connectionString: process.env.DATABASE_URL, max: 10 });
```

```python fastapi
engine = create_async_engine(settings.database_url, pool_size=10, max_overflow=5, pool_pre_ping=True)
```

```python flask
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 10, "pool_pre_ping": True}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call

# (callee name, required module, pool props that size it)
POOLED = (
    ("Pool", "pg", ("max",)),
    ("createPool", "mysql2", ("connectionLimit",)),
    ("createPool", "mysql", ("connectionLimit",)),
    ("DataSource", "typeorm", ("extra", "poolSize")),
    ("forRoot", "@nestjs/typeorm", ("extra", "poolSize")),
    ("knex", "knex", ("pool",)),
    ("connect", "mongoose", ("maxPoolSize",)),
    ("create_engine", "sqlalchemy", ("pool_size", "poolclass")),
    ("create_async_engine", "sqlalchemy.ext.asyncio", ("pool_size", "poolclass")),
)


@check(id="APP-DB-POOL", severity=Severity.LOW, section=Section.DATA, effort_hours=0.5, confidence=Confidence.LOW,
       passed="Database connections are reused (pooled clients, or CONN_MAX_AGE for Django)")
def db_pool(project: Project) -> Iterator[Finding]:
    """Flag Django services that open a database connection per request; pooled clients pass."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        for sf in index.files_of(service):
            modules = sf.modules
            for call in sf.calls:
                rule = next((r for r in POOLED if call.name == r[0] and _uses(modules, r[1])), None)
                if rule is None or _is_sqlite(call):
                    continue
                if rule[0] == "forRoot" and "TypeOrmModule" not in call.callee:
                    continue  # ConfigModule.forRoot and friends load configuration; they open no pool
                if _options_elsewhere(call):
                    continue  # options come from a variable or a spread: the scan cannot see the pool size
                # A pooled client reuses connections; its driver's default size is sane for one instance.
                judged = True
        if _prisma_client(index, service) is not None and not _prisma_sqlite(project):
            judged = True  # Prisma pools by default (num_cpus * 2 + 1 connections)
        django = _django_db(index, service)
        if django is not None:
            judged = True
            if rules.setting(index, service, "CONN_MAX_AGE") is None and "CONN_MAX_AGE" not in django[2]:
                yield Finding(
                    message=f"{service.name}: Django opens a new database connection per request (no CONN_MAX_AGE)",
                    location=Location(path=django[0], line=django[1]),
                    key=f"{service.name}:CONN_MAX_AGE",
                    confidence=Confidence.HIGH,  # a connection per request is seen directly, not a tuning guess
                )
    if not judged:
        raise NotApplicable("no pooled database client created by the application code")


def _options_elsewhere(call: Call) -> bool:
    """The client's options are a variable or contain a spread, so their pool settings are invisible."""
    if call.name not in {"Pool", "createPool", "DataSource", "forRoot", "knex"}:
        return False  # the first argument is a URL, and the pool options are keyword arguments or a second object
    first = call.args[0].strip() if call.args else ""
    if first and first[0].isalpha() and not first.startswith(("'", '"', "`")) and "(" not in first and not call.props:
        return True
    return any("..." in a for a in call.args)


def _prisma_sqlite(project: Project) -> bool:
    """Every Prisma schema uses SQLite: one file, nothing to pool."""
    schemas = [p for p in project.files if p.endswith(".prisma")]
    texts = [project.read_text(p) or "" for p in schemas]
    providers = [m for t in texts for m in re.findall(r"provider\s*=\s*\"(\w+)\"", t) if m != "prisma-client-js"]
    return bool(providers) and all(p == "sqlite" for p in providers if p not in {"prisma-client", "prisma-client-js"})


def _uses(modules: frozenset[str], wanted: str) -> bool:
    return any(m == wanted or m.startswith(wanted + ".") or m.startswith(wanted + "/") for m in modules)


def _is_sqlite(call: Call) -> bool:
    first = call.args[0] if call.args else ""
    kind = call.prop("type")
    return first.strip("'\"f").startswith("sqlite") or (kind is not None and "sqlite" in kind.value)


def _prisma_client(index: rules.SourceIndex, service: rules.Service) -> tuple[str, int] | None:
    for sf in index.files_of(service):
        if "@prisma/client" not in sf.modules:
            continue
        for cls in sf.classes:
            if "PrismaClient" in cls.bases:
                return sf.path, cls.line
        for call in sf.calls:
            if call.is_new and call.name == "PrismaClient":
                return sf.path, call.line
    return None


def _django_db(index: rules.SourceIndex, service: rules.Service) -> tuple[str, int, str] | None:
    found = rules.setting(index, service, "DATABASES")
    if found is None or service.framework != "django":
        return None
    sf, _, line = found
    value = next((a.value for a in sf.assignments if a.name == "DATABASES"), "")
    if "sqlite3" in value:
        return None
    return sf.path, line, value
