"""Destructive migration without a backup step.

## What it checks
Migration files (drizzle, prisma, alembic, Django, knex, TypeORM) that drop
or truncate data (`DROP TABLE`, `DROP COLUMN`, `TRUNCATE`, `DELETE FROM`
without `WHERE`, alembic `op.drop_table`/`op.drop_column`, Django
`RemoveField`/`DeleteModel`) when the repository has no backup script or
documented backup step.

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

from auditor.model import Finding, Location, Section, Severity
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
    for rel in files:
        text = project.read_text(rel) or ""
        for lineno, line in enumerate(text.splitlines(), start=1):
            match = _DESTRUCTIVE.search(line)
            if match and not line.lstrip().startswith(("--", "#", "//")):
                yield Finding(f"{rel}: destructive migration ({match.group(0).strip()}) with no backup step",
                              Location(rel, lineno), key=rel)
                break
