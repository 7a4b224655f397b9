"""Destructive migration without a backup step.

## What it checks
Migration files (drizzle, prisma, alembic, Django, knex, TypeORM) that drop
or truncate data (`DROP TABLE`, `DROP COLUMN`, `TRUNCATE`, `DELETE FROM`
without `WHERE`, alembic `op.drop_table`/`op.drop_column`, Django
`RemoveField`/`DeleteModel`) when the repository has no backup script or
documented backup step. Statements in `downgrade()` / `down()` are not
run on deploy, and SQLite table redefinitions (copy into `new_X`, drop `X`,
rename) lose nothing; tests kept under a migrations folder are not
migrations. The pattern is reported once, the newest migration leading and
the others listed as related locations, at medium confidence: which of them
were already released cannot be told from the files.

## Why it matters
Migrations usually run automatically on deploy; a destructive one with no
fresh backup turns a bad release into unrecoverable data loss.

## How to fix
Take a backup before migrating, and split destructive changes
(expand/contract) so the drop ships after the code stops using the column.

```shell
#!/bin/sh
# docker-entrypoint.sh
set -eu
./scripts/backup.sh          # fresh, verified backup first
npx drizzle-kit migrate
exec "$@"
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from checks.ops._facts import backup_scripts, migration_files

_DESTRUCTIVE = re.compile(
    r"\bDROP\s+(TABLE|COLUMN|SCHEMA|DATABASE)\b|\bTRUNCATE\b|\bDELETE\s+FROM\s+\S+\s*;|"
    r"op\.drop_(table|column)|migrations\.(RemoveField|DeleteModel)|\.dropTable\(|\.dropColumn\(",
    re.IGNORECASE,
)


@check(id="OPS-DESTRUCTIVE-MIGRATION", severity=Severity.MEDIUM, section=Section.DATA, effort_hours=2,
       passed="No destructive migration without a backup step")
def destructive_migration(project: Project) -> Iterator[Finding]:
    """Report destructive statements in migrations when nothing backs the database up."""
    files = migration_files(project)
    if not files:
        raise NotApplicable("no migration files found")
    if backup_scripts(project):
        return
    hits: list[tuple[str, int, str]] = []
    for rel in files:
        if _is_test(rel):
            continue  # tests kept under a migrations folder are not migrations
        hit = _first_destructive(project.read_text(rel) or "")
        if hit is not None:
            hits.append((rel, hit[0], hit[1]))
    if not hits:
        return
    # One finding for the pattern: the newest migration leads, the others are related locations.
    # Which ones were already released cannot be told from the files alone, hence medium confidence.
    rel, line, what = hits[-1]
    others = tuple(Location(r, n) for r, n, _ in hits[:-1])
    more = f" and {len(others)} earlier migration(s)" if others else ""
    yield Finding(f"{rel}: destructive migration ({what}){more}, and no backup step anywhere",
                  Location(rel, line), key="destructive-migrations", related=others,
                  confidence=Confidence.MEDIUM)


_DOWN_START = re.compile(r"^\s*(?:async\s+)?def\s+downgrade\b|^\s*(?:public\s+)?(?:async\s+)?down\s*\(|"
                         r"exports\.down\b|^\s*down\s*:\s*(?:async\s*)?\(|^\s*-- migrate:down", re.IGNORECASE)
_UP_START = re.compile(r"^\s*(?:async\s+)?def\s+upgrade\b|^\s*(?:public\s+)?(?:async\s+)?up\s*\(|"
                       r"exports\.up\b|^\s*up\s*:\s*(?:async\s*)?\(|^\s*-- migrate:up", re.IGNORECASE)
# SQLite table redefinition (Prisma, Drizzle): copy into new_X, drop X, rename new_X to X. Nothing is lost.
_COPIED = re.compile(r"INSERT\s+INTO\s+\S+\s*(?:\([^)]*\))?\s*SELECT\b", re.IGNORECASE)
_RENAMED = re.compile(r"RENAME\s+TO\b", re.IGNORECASE)


def _first_destructive(text: str) -> tuple[int, str] | None:
    """(line, statement) of the first destructive statement of an up migration, None when none."""
    redefines = bool(_COPIED.search(text) and _RENAMED.search(text))
    in_down = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if _DOWN_START.search(line):
            in_down = True
        elif _UP_START.search(line):
            in_down = False
        if in_down or line.lstrip().startswith(("--", "#", "//")):
            continue
        match = _DESTRUCTIVE.search(line)
        if match is None:
            continue
        if redefines and re.match(r"DROP\s+TABLE", match.group(0), re.IGNORECASE):
            continue
        return lineno, match.group(0).strip()
    return None


def _is_test(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return "/tests/" in f"/{rel}" or "/test/" in f"/{rel}" or name.startswith("test_") or ".test." in name \
        or ".spec." in name
