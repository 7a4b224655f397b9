"""Where a repository keeps its data: database evidence, backup scripts and dumps, migration files.

Read by the backup, migration and environment checks; computed from the Project's files, compose
services and env files, never from a live database.
"""

from __future__ import annotations

import re

from auditor.ci_config import all_commands
from auditor.deploy.migrations import is_migration_name, migration_dirs
from auditor.project import Project

DB_IMAGES = ("postgres", "mysql", "mariadb", "mongo", "redis", "valkey", "cassandra", "couchdb",
             "clickhouse", "influxdb", "neo4j", "elasticsearch", "opensearch", "timescale", "cockroach")
_SQLITE_PATH = re.compile(r"[\w./-]+\.(?:db|sqlite3?)\b")




# Compose files that start CI, test or development stacks by their name (docker-compose.test.yml,
# compose.ci.yaml, docker-compose.e2e.yml, docker-compose.dev.yml, docker-compose.override.yml).
_NOT_DEPLOYED = re.compile(r"(^|[.\-_])(ci|test|tests|e2e|dev|development|local|override|example|sample)([.\-_]|$)")


def deployed_compose(project: Project) -> list[str]:
    """Compose files that may run in production: all but those named for CI, tests or development."""
    return [rel for rel in project.compose_paths
            if not _NOT_DEPLOYED.search(rel.rsplit("/", 1)[-1].lower().rsplit(".", 1)[0])]


def database_evidence(project: Project, exclude: frozenset[str] = frozenset()) -> tuple[str, int | None, str] | None:
    """Where the project shows it has a database: (path, line, what), or None.

    CI, test and development compose stacks are not evidence: their databases are thrown away. ``exclude``
    names further compose files a caller knows are development stacks.
    """
    deployed = set(deployed_compose(project)) - exclude
    for compose in project.compose_files:
        if compose.path not in deployed:
            continue
        for service in compose.services:
            image = (service.image or "").lower().rsplit("/", 1)[-1]
            if image.startswith(DB_IMAGES):
                return compose.path, service.line, f"database service '{service.name}'"
    for env in (*project.env_templates, *project.env_files):
        for entry in env.entries:
            if entry.key in {"DATABASE_URL", "DB_URL", "POSTGRES_URL", "MONGODB_URI", "MONGO_URL"} or \
                    entry.key.endswith(("_DATABASE_URL", "DB_HOST", "DATABASE_HOST")):
                return env.path, entry.line, f"{entry.key} in {env.path}"
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if name in {"drizzle.config.js", "drizzle.config.ts", "schema.prisma", "alembic.ini", "knexfile.js",
                    "knexfile.ts", "ormconfig.json"}:
            text = project.read_text(rel) or ""
            line = _naming_line(text)
            if "sqlite" in text.lower():
                match = _SQLITE_PATH.search(text)
                return rel, line, f"SQLite database{(' ' + match.group(0)) if match else ''} ({rel})"
            return rel, line, f"database configuration {rel}"
    return None


_DB_NAMING = re.compile(r"dbCredentials|datasource|\burl\s*[:=]|DATABASE_URL|sqlalchemy\.url|connection|"
                        r"filename\s*[:=]|provider\s*=", re.IGNORECASE)


def _naming_line(text: str) -> int:
    """The line of an ORM config that names the database: its file path, else its URL/credentials line."""
    lines = text.splitlines()
    code = [(i, line) for i, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith(("//", "#", "/*", "*", ";"))]
    for pattern in (_SQLITE_PATH, _DB_NAMING):
        for lineno, line in code:
            if pattern.search(line):
                return lineno
    return code[0][0] if code else 1


_DUMP = re.compile(r"\b(pg_dump(all)?|pg_basebackup|mysqldump|mariadb-dump|mongodump|litestream|restic\s+backup|"
                   r"borg\s+create)\b|sqlite3\b.*\.(backup|dump)\b")


def writes_dump(text: str) -> bool:
    """True when a script or CI step runs a database dump tool."""
    return bool(_DUMP.search(text))


def dump_line(text: str) -> int:
    """The line of a backup script that writes the dump (1 when none is recognised)."""
    fallback = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _DUMP.search(line):
            return lineno
        if not fallback and re.search(r"(^|[^2&])>\s*\S", line) and "/dev/null" not in line:
            fallback = lineno  # the first redirection into a file
    return fallback or 1


def backup_scripts(project: Project) -> list[str]:
    """Scripts or compose services that look like database backups."""
    found = [rel for rel in project.files
             if "backup" in rel.rsplit("/", 1)[-1].lower() and rel.endswith((".sh", ".py", ".js", ".ts", ".bash"))]
    for compose in project.compose_files:
        for service in compose.services:
            if "backup" in service.name.lower():
                found.append(f"{compose.path}#{service.name}")
    for path, _line, command in all_commands(project):
        if re.search(r"\b(pg_dump|mysqldump|mongodump|sqlite3\s.*\.backup|litestream|restic|borg)\b", command):
            found.append(path)
    return found


def migration_files(project: Project) -> list[str]:
    """Migration files of the ORMs and tools prodcheck knows, and any source file in a folder a
    migration tool's config names (``migration_dirs``)."""
    configured = tuple(folder + "/" for folder in migration_dirs(project))
    out = []
    for rel in project.files:
        lower = rel.lower()
        # Tests that live beside the migrations (migrations/tests/, *.test.ts, test_*.py) are not migrations.
        if re.search(r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*$|\.(test|spec)\.[jt]s$", lower):
            continue
        if re.search(r"(^|/)drizzle/[^/]+\.sql$", lower) or re.search(r"(^|/)prisma/migrations/.+\.sql$", lower) \
                or re.search(r"(^|/)alembic/versions/[^/]+\.py$", lower) \
                or re.search(r"(^|/)migrations/(\d|[^/]*\.(sql|js|ts)$)", lower):
            out.append(rel)
        elif rel.startswith(configured) and is_migration_name(rel):
            out.append(rel)
    return out
