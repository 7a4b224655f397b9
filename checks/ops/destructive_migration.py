"""Destructive migration not yet released, with no backup step.

## What it checks
Migration files (drizzle, prisma, alembic, Django, knex, TypeORM, plain SQL)
that lose data (`DROP TABLE`, `DROP COLUMN`, `TRUNCATE`, `DELETE FROM`
without `WHERE`, alembic `op.drop_table`/`op.drop_column`, Django
`RemoveField`/`DeleteModel`) when the repository has no backup script or
documented backup step. Only migrations that have not shipped yet count:
with git history, those added since the last release tag (or on the branch
against its base); without it, the newest migration of each migration
folder, reported once at low severity. Rebuilds that keep the data (the
SQLite create-copy-drop-rename idiom, the ClickHouse rename-swap, a
materialised view dropped and recreated), the `down`/`downgrade` half of a
reversible migration, and tests beside the migrations are not data loss.

## Why it matters
Migrations usually run automatically on deploy; a destructive one with no
fresh backup turns a bad release into unrecoverable data loss. Migrations
that already shipped cannot be changed any more; the next one can.

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

from collections.abc import Iterator

from auditor.deploy.data import backup_scripts, migration_files
from auditor.deploy.migrations import destructive_statements, migration_set, newest
from auditor.deploy.release_history import added_since_release
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="OPS-DESTRUCTIVE-MIGRATION", data_loss=True, severity=Severity.MEDIUM, section=Section.DATA, effort_hours=2,
       passed="No unreleased destructive migration without a backup step")
def destructive_migration(project: Project) -> Iterator[Finding]:
    """Report unreleased migrations that lose data when nothing backs the database up."""
    files = migration_files(project)
    if not files:
        raise NotApplicable("no migration files found")
    if backup_scripts(project):
        return
    history = added_since_release(project)
    if history is not None:
        pending = [rel for rel in files if rel in history.added]
        for rel in pending:
            drops = destructive_statements(rel, project.read_text(rel) or "")
            if drops:
                yield Finding(f"{rel}: migration added since {history.since} loses data ({drops[0].what}) and "
                              "nothing backs the database up first", Location(rel, drops[0].line), key=rel)
        return
    yield from _newest_only(project, files)


def _newest_only(project: Project, files: list[str]) -> Iterator[Finding]:
    """Without history: the newest migration of each folder is the one not yet shipped; one low finding."""
    sets: dict[str, list[str]] = {}
    for rel in files:
        sets.setdefault(migration_set(rel), []).append(rel)
    texts = {rel: project.read_text(rel) or "" for rel in files}
    hits = []
    for group in sets.values():
        # A migration folder of several files per migration (prisma/<name>/migration.sql) keeps one per name.
        latest = newest(group, texts)
        if latest:
            drops = destructive_statements(latest, texts[latest])
            if drops:
                hits.append((latest, drops[0]))
    if not hits:
        return
    rel, drop = hits[0]
    others = "; also " + ", ".join(h[0] for h in hits[1:]) if len(hits) > 1 else ""
    yield Finding(f"{rel}: the newest migration loses data ({drop.what}) and nothing backs the database up "
                  f"before migrating (no git history was readable, so older migrations are taken as released)"
                  f"{others}", Location(rel, drop.line), key=rel, severity=Severity.LOW)
