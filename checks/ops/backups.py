"""Backup checks: a database has backups, and those backups keep history, are encrypted and leave the host."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.ci_config import workflows
from auditor.deploy.data import backup_scripts, database_evidence, dump_line, writes_dump
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.repo_docs import docs_mention

_RETENTION = re.compile(r"-mtime\s+\+|--keep-(daily|weekly|monthly|last|within)|\bretention\b|\bprune\b|"
                        r"RETENTION|--max-age|lifecycle", re.IGNORECASE)
# Copies that leave the host: object storage CLIs, rclone/rsync/scp to a remote, restic/borg remote repos.
_OFFSITE = re.compile(r"\b(aws\s+s3\s+(cp|sync|mv)|gsutil\s+(cp|rsync)|az\s+storage|b2\s+(upload|sync)|rclone\s+"
                      r"(copy|sync|move)|s3cmd\s+(put|sync)|mc\s+(cp|mirror))\b|\b(rsync|scp)\b[^\n]*\S+@?\S+:|"
                      r"\b(restic|borg)\b[^\n]*(-r|--repo|::)\s*\S*(s3:|b2:|sftp:|rest:|azure:|gs:|ssh://|@)|"
                      r"litestream\s+replicate", re.IGNORECASE)
_ENCRYPTION = re.compile(r"\bgpg\b|\bage\s+(-r|--recipient|-e)|openssl\s+enc|--encrypt|\brestic\b|\bborg\b|"
                         r"--sse\b|server-side-encryption|\bkms\b|encrypt", re.IGNORECASE)


# A local mail catcher: mail sent by this stack never leaves the machine, so it is a development stack.
_MAIL_CATCHER = re.compile(r"maildev|mailhog|mailpit|mailcatcher|smtp4dev|inbucket", re.IGNORECASE)


def _development_stacks(project: Project) -> frozenset[str]:
    """Compose files that run a local mail catcher: development stacks, whatever their name says."""
    out: set[str] = set()
    for compose in project.compose_files:
        for service in compose.services:
            build = service.get("build")
            dockerfile = str(build.get("dockerfile") or "") if isinstance(build, dict) else ""
            if any(_MAIL_CATCHER.search(text) for text in (service.name, service.image or "", dockerfile)):
                out.add(compose.path)
                break
    return frozenset(out)


@check(id="OPS-NO-BACKUP", data_loss=True, severity=Severity.HIGH, section=Section.DATA, effort_hours=6,
       passed="Database backup script or restore procedure present")
def no_backup(project: Project) -> Iterator[Finding]:
    """Database without backups.

    ## What it checks
    When the repository shows a database (a database service in compose, a
    SQLite file in ORM config, a `DATABASE_URL` in an env file), something
    backs it up: a backup script, a compose backup service, a scheduled CI job
    running `pg_dump`/`mysqldump`/`sqlite3 .backup`/litestream/restic, or a
    documented backup-and-restore procedure. CI, test and development compose
    stacks are not evidence (their databases are thrown away): a stack named
    for them, or one that runs a local mail catcher (`maildev`, `mailpit`,
    `mailhog` ...), which no production stack does.

    ## Why it matters
    Without backups one bad migration, deleted volume or compromised host is
    permanent data loss. The HeyDev audit ranks it as the first critical priority.

    ## How to fix
    Schedule a backup with retention and encryption, copy it off the host, and
    test a restore. Use the database's own consistent backup tool: `sqlite3
    .backup` or litestream for SQLite (safe with WAL), `pg_dump` for
    PostgreSQL, `mysqldump --single-transaction` for MySQL, `mongodump` for MongoDB.

    ```shell
    #!/bin/sh
    # scripts/backup.sh, run nightly from cron, a CI schedule or a compose job
    set -eu
    STAMP=$(date +%Y%m%d_%H%M%S)
    ./scripts/dump-database.sh > "/backups/app_$STAMP.dump"   # the database's consistent dump tool
    gpg --encrypt -r ops@example.org "/backups/app_$STAMP.dump" && rm "/backups/app_$STAMP.dump"
    rclone copy /backups offsite:app-backups                   # keep a copy off the host
    find /backups -name 'app_*.gpg' -mtime +30 -delete
    ```
    ```shell sqlite
    #!/bin/sh
    # scripts/backup.sh: online SQLite backup (consistent while the app writes, WAL included)
    set -eu
    STAMP=$(date +%Y%m%d_%H%M%S)
    sqlite3 /app/data/app.db ".backup '/backups/app_$STAMP.db'"
    sqlite3 "/backups/app_$STAMP.db" "PRAGMA integrity_check;" | grep -qx ok
    gzip -c "/backups/app_$STAMP.db" | gpg --encrypt -r ops@example.org > "/backups/app_$STAMP.db.gz.gpg"
    rm "/backups/app_$STAMP.db"
    find /backups -name 'app_*.gpg' -mtime +30 -delete
    # restore (app stopped): gpg -d app_<stamp>.db.gz.gpg | gunzip > /app/data/app.db
    # continuous off-host copies instead: litestream replicate /app/data/app.db s3://bucket/app.db
    ```
    ```shell postgres
    #!/bin/sh
    # scripts/backup.sh, run nightly from cron or a compose job (image: postgres:16-alpine)
    set -eu
    STAMP=$(date +%Y%m%d_%H%M%S)
    pg_dump --format=custom "$DATABASE_URL" | gpg --encrypt -r ops@example.org > "/backups/app_$STAMP.dump.gpg"
    find /backups -name 'app_*.dump.gpg' -mtime +30 -delete
    # restore: gpg -d app_<stamp>.dump.gpg | pg_restore --clean --no-owner --dbname "$DATABASE_URL"
    ```
    ```shell mysql
    mysqldump --single-transaction --routines app | gzip | gpg --encrypt -r ops@example.org > "/backups/app_$STAMP.sql.gz.gpg"
    # restore: gpg -d app_<stamp>.sql.gz.gpg | gunzip | mysql app
    ```
    ```shell mongodb
    mongodump --uri "$MONGODB_URI" --archive --gzip | gpg --encrypt -r ops@example.org > "/backups/app_$STAMP.archive.gpg"
    # restore: gpg -d app_<stamp>.archive.gpg | mongorestore --uri "$MONGODB_URI" --archive --gzip --drop
    ```
    """
    evidence = database_evidence(project, exclude=_development_stacks(project))
    if evidence is None:
        raise NotApplicable("no database found outside CI, test and development stacks")
    if backup_scripts(project) or docs_mention(project, r"\b(restore|backup)\b.*\b(procedure|steps|restore)\b"):
        return
    path, line, what = evidence
    yield Finding(f"{what}, but no backup script, schedule or documented restore", Location(path, line), key="backup")


@check(id="OPS-BACKUP-HARDENING", data_loss=True, severity=Severity.MEDIUM, section=Section.DATA, effort_hours=2,
       passed="Backups pruned, encrypted and copied off-site")
def backup_hardening(project: Project) -> Iterator[Finding]:
    """Backups without retention, encryption or an off-site copy.

    ## What it checks
    Backup scripts prodcheck found prune old copies (`find -mtime +N -delete`,
    restic/borg `--keep-*`, a retention setting), encrypt what they write
    (gpg, age, `openssl enc`, restic/borg, server-side encryption), and copy
    them off the host (`aws s3 cp`, `rclone copy`, `gsutil`, `b2`, `rsync`/`scp`
    to a remote, a remote restic/borg repository, `litestream replicate`): the
    "1 off-site" of the 3-2-1 rule.

    ## Why it matters
    Without retention a backup disk fills and the backups silently stop; a
    plain-text dump of the database is the easiest thing to steal; and a
    backup on the same disk or host dies with it.

    ## How to fix
    Encrypt to a public key kept off the host and prune by age. Findings point
    at the line that writes the dump.

    ```shell
    ./scripts/dump-database.sh | gpg --encrypt -r backups@example.org > "/backups/app_$STAMP.dump.gpg"
    find /backups -name 'app_*.dump.gpg' -mtime +30 -delete
    rclone copy /backups offsite:app-backups    # object storage in another region or provider
    ```
    ```shell sqlite
    sqlite3 /app/data/app.db ".backup '/tmp/app.db'"
    gzip -c /tmp/app.db | gpg --encrypt -r backups@example.org > "/backups/app_$STAMP.db.gz.gpg" && rm /tmp/app.db
    find /backups -name 'app_*.db.gz.gpg' -mtime +30 -delete
    ```
    ```shell postgres
    pg_dump --format=custom "$DATABASE_URL" | gpg --encrypt -r backups@example.org > "/backups/app_$STAMP.dump.gpg"
    find /backups -name 'app_*.dump.gpg' -mtime +30 -delete
    ```
    """
    scripts = [s for s in backup_scripts(project) if "#" not in s and s.endswith((".sh", ".py", ".js", ".ts", ".bash"))]
    if not scripts:
        raise NotApplicable("no backup script found")
    for rel in sorted(set(scripts)):
        text = project.read_text(rel) or ""
        line = dump_line(text)
        if rel.startswith(".github/"):
            steps = [step for wf in workflows(project) if wf.path == rel for step in wf.steps if step.run]
            text = "\n".join(step.run or "" for step in steps)
            # Point at the step that writes the dump: line numbers inside the workflow file, not the joined text.
            dumping = next((step for step in steps if writes_dump(step.run or "")), None)
            line = (dumping.run_line or dumping.line or 1) if dumping else 1
        if not _RETENTION.search(text):
            yield Finding(f"{rel}: backups are never pruned (no retention)", Location(rel, line), key="retention")
        if not _ENCRYPTION.search(text):
            yield Finding(f"{rel}: backups are written unencrypted", Location(rel, line), key="encryption")
        if not _OFFSITE.search(text):
            yield Finding(f"{rel}: backups stay on the host (no off-site copy)", Location(rel, line), key="offsite")

