"""Backup checks: a database has backups, and those backups keep history and are encrypted."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from checks.ops._facts import backup_scripts, database_evidence, docs_mention, workflows

_RETENTION = re.compile(r"-mtime\s+\+|--keep-(daily|weekly|monthly|last|within)|\bretention\b|\bprune\b|"
                        r"RETENTION|--max-age|lifecycle", re.IGNORECASE)
_ENCRYPTION = re.compile(r"\bgpg\b|\bage\s+(-r|--recipient|-e)|openssl\s+enc|--encrypt|\brestic\b|\bborg\b|"
                         r"--sse\b|server-side-encryption|\bkms\b|encrypt", re.IGNORECASE)


@check(id="OPS-NO-BACKUP", severity=Severity.HIGH, section=Section.DATA, effort_hours=6,
       passed="Database backup script or restore procedure present")
def no_backup(project: Project) -> Iterator[Finding]:
    """Database without backups.

    ## What it checks
    When the repository shows a database (a database service in compose, a
    SQLite file in ORM config, a `DATABASE_URL` in an env file), something
    backs it up: a backup script, a compose backup service, a scheduled CI job
    running `pg_dump`/`mysqldump`/`sqlite3 .backup`/litestream/restic, or a
    documented backup-and-restore procedure.

    ## Why it matters
    Without backups one bad migration, deleted volume or compromised host is
    permanent data loss. The HeyDev audit ranks it as the first critical priority.

    ## How to fix
    Schedule a backup with retention and encryption, copy it off the host, and
    test a restore. For SQLite use `.backup` (safe with WAL), for PostgreSQL `pg_dump`.

    ```shell
    #!/bin/sh
    # scripts/backup.sh, run nightly from cron or a compose job
    set -eu
    STAMP=$(date +%Y%m%d_%H%M%S)
    sqlite3 /app/data/app.db ".backup /tmp/app.db"
    gzip -c /tmp/app.db | gpg --encrypt -r ops@example.org > "/backups/app_$STAMP.db.gz.gpg"
    find /backups -name 'app_*.gpg' -mtime +30 -delete
    ```
    ```yaml compose
    services:
      backup:
        image: postgres:16-alpine
        entrypoint: ["/scripts/backup.sh"]
        volumes: ["./scripts:/scripts:ro", "backups:/backups"]
    ```
    """
    evidence = database_evidence(project)
    if evidence is None:
        raise NotApplicable("no database found")
    if backup_scripts(project) or docs_mention(project, r"\b(restore|backup)\b.*\b(procedure|steps|restore)\b"):
        return
    path, line, what = evidence
    yield Finding(f"{what}, but no backup script, schedule or documented restore", Location(path, line), key="backup")


@check(id="OPS-BACKUP-HARDENING", severity=Severity.MEDIUM, section=Section.DATA, effort_hours=2,
       passed="Backup scripts prune old copies and encrypt them")
def backup_hardening(project: Project) -> Iterator[Finding]:
    """Backups without retention or encryption.

    ## What it checks
    Backup scripts prodcheck found prune old copies (`find -mtime +N -delete`,
    restic/borg `--keep-*`, a retention setting) and encrypt what they write
    (gpg, age, `openssl enc`, restic/borg, server-side encryption).

    ## Why it matters
    Without retention a backup disk fills and the backups silently stop; a
    plain-text dump of the database is the easiest thing to steal.

    ## How to fix
    Encrypt to a public key kept off the host and prune by age.

    ```shell
    pg_dump --format=custom | gpg --encrypt -r backups@example.org > "/backups/app_$STAMP.dump.gpg"
    find /backups -name 'app_*.dump.gpg' -mtime +30 -delete
    ```
    """
    scripts = [s for s in backup_scripts(project) if "#" not in s and s.endswith((".sh", ".py", ".js", ".ts", ".bash"))]
    if not scripts:
        raise NotApplicable("no backup script found")
    for rel in sorted(set(scripts)):
        text = project.read_text(rel) or ""
        if rel.startswith(".github/"):
            text = "\n".join(step.run or "" for wf in workflows(project) if wf.path == rel for step in wf.steps)
        if not _RETENTION.search(text):
            yield Finding(f"{rel}: backups are never pruned (no retention)", Location(rel, 1), key="retention")
        if not _ENCRYPTION.search(text):
            yield Finding(f"{rel}: backups are written unencrypted", Location(rel, 1), key="encryption")
