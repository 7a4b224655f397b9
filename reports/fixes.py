"""Fix snippets fitted to the repository: its service names, env keys, package manager and database.

Check docs write their snippets with example names (service ``api``, ``JWT_SECRET``,
``npm ci``); a report reads better, and is safer to paste, when the snippet names what
the repository really has. Everything here is a pure function of the check's metadata,
the report's stacks, the findings and :class:`reports.facts.RepoFacts`:

* the snippet itself is chosen for the detected stack, and never for another database
  (no Postgres snippet for a SQLite app);
* a compose snippet's example service becomes the service the findings name;
* an example env key (``JWT_SECRET``, ``PUBLIC_URL``, ``DATABASE_URL``) becomes the
  repository's key of the same kind, or its line is dropped when the repository has
  none and other keys remain;
* ``npm`` commands become ``pnpm`` or ``yarn`` ones when that is the package manager found;
* a backup finding gets the backup *and* restore commands for the database found, with
  the repository's service, volume and file names (:func:`backup_snippet`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.model import CheckMeta, Finding, FixSnippet
from reports.facts import DATABASES, RepoFacts

# Compose snippets in check docs name their example service ``api``; reports use the repository's own.
_EXAMPLE_SERVICE = re.compile(r"^(\s+)api:(\s*(?:#.*)?)$", re.MULTILINE)
_NAMED_SERVICE = re.compile(r"\bservice '([A-Za-z0-9][\w.-]{0,62})'")

_ENV_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
#: Kinds of env keys an example in a snippet can stand for; the first matching kind wins.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("database-url", re.compile(r"(?:^|_)(?:DATABASE_URL|DB_URL|MONGODB_URI|MONGO_URL|POSTGRES_URL)$")),
    ("secret", re.compile(r"(?:^|_)(?:SECRET|SECRET_KEY|KEY_BASE)$")),
    ("origin", re.compile(r"(?:^|_)(?:ORIGINS?|(?:PUBLIC|APP|DASHBOARD|FRONTEND|CLIENT|SITE|WEB|BASE)_URL)$")),
)


# Keys only tests read (PLAYWRIGHT_BASE_URL) never stand in for the app's own.
_TEST_KEY = re.compile(r"(?:^|_)(?:TEST|TESTS|PLAYWRIGHT|CYPRESS|E2E|MOCK|STORYBOOK)(?:_|$)")


def _kind(key: str) -> str | None:
    if _TEST_KEY.search(key):
        return None
    return next((name for name, pattern in _KINDS if pattern.search(key)), None)


def _env_line(key: str) -> re.Pattern[str]:
    """A line that only defines ``key`` (compose mapping or list entry, an env file, a schema property)."""
    return re.compile(rf"^\s*(?:-\s*)?[\"']?{re.escape(key)}[\"']?\s*[:=].*$\n?", re.MULTILINE)


def fit_env_keys(code: str, env_keys: Iterable[str], named: Iterable[str] = ()) -> str:
    """Example env keys in ``code`` replaced by the repository's keys of the same kind (see the module).

    Keys in ``named`` (those the findings name) are preferred, so the weak ``SECRET_KEY`` a
    finding reports is the one its fix shows.
    """
    keys = tuple(env_keys)
    if not keys:
        return code
    present = set(keys)
    first = [k for k in dict.fromkeys(named) if k in present]
    keys = tuple(first + [k for k in keys if k not in first])
    for token in dict.fromkeys(_ENV_TOKEN.findall(code)):
        kind = _kind(token)
        if token in present or kind is None:
            continue
        used = set(_ENV_TOKEN.findall(code))
        choice = next((k for k in keys if _kind(k) == kind and k not in used), None)
        if choice is not None:
            code = re.sub(rf"\b{re.escape(token)}\b", choice, code)
            continue
        line = _env_line(token)
        others = [t for t in used if t != token and (t in present or _kind(t)) and _env_line(t).search(code)]
        if line.search(code) and others:
            code = line.sub("", code)
    return code


_NPM_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "pnpm": (
        (r"\bnpm ci --omit=dev\b", "pnpm install --frozen-lockfile --prod"),
        (r"\bnpm ci\b", "pnpm install --frozen-lockfile"),
        (r"\bnpm prune --omit=dev\b", "pnpm prune --prod"),
        (r"\bnpm audit --audit-level=(\w+)", r"pnpm audit --audit-level \1"),
        (r"\bnpm (run|test|install|exec)\b", r"pnpm \1"),
        (r"\bpackage-lock\.json\b", "pnpm-lock.yaml"),
    ),
    "yarn": (
        (r"\bnpm prune --omit=dev\b", "yarn install --production --frozen-lockfile"),
        (r"\bnpm ci --omit=dev\b", "yarn install --production --frozen-lockfile"),
        (r"\bnpm ci\b", "yarn install --frozen-lockfile"),
        (r"\bnpm audit --audit-level=(\w+)", r"yarn npm audit --severity \1"),
        (r"\bnpm run\b", "yarn"),
        (r"\bnpm (test|install)\b", r"yarn \1"),
        (r"\bpackage-lock\.json\b", "yarn.lock"),
    ),
}


# A Python project's CI needs its own install, test and audit commands, not the docs' npm example.
_PYTHON_CHAIN = re.compile(r"\bnpm ci && npm test && npm audit --audit-level=\w+")
_PYTHON_COMMANDS = {
    "uv": "uv sync --frozen && uv run pytest && uvx pip-audit",
    "poetry": "poetry install --no-interaction && poetry run pytest && pipx run pip-audit",
    "pip-requirements": "pip install -r requirements.txt pytest pip-audit && pytest && pip-audit -r requirements.txt",
    "pip": "pip install . pytest pip-audit && pytest && pip-audit",
}


def fit_package_manager(code: str, manager: str | None) -> str:
    """``npm`` commands rewritten for the package manager found: pnpm, yarn, or a Python one for CI steps."""
    for pattern, replacement in _NPM_COMMANDS.get(manager or "", ()):
        code = re.sub(pattern, replacement, code)
    if manager in _PYTHON_COMMANDS:
        code = _PYTHON_CHAIN.sub(_PYTHON_COMMANDS[manager], code)
    return code


def choose_snippet(meta: CheckMeta, stacks: Iterable[str], facts: RepoFacts) -> FixSnippet | None:
    """The snippet for the first detected stack that has one, never one written for another database."""
    stacks = tuple(stacks)
    own = {s for s in stacks if s in DATABASES} | ({facts.database} if facts.database else set())
    # With no database found nothing is foreign; with one found, another database's snippet never fits.
    allowed = [s for s in meta.doc.snippets if not own or s.stack not in DATABASES or s.stack in own]
    by_stack = {s.stack: s for s in allowed}
    for stack in stacks:
        if stack in by_stack:
            return by_stack[stack]
    return allowed[0] if allowed else None


def is_backup_fix(meta: CheckMeta) -> bool:
    """A check whose fix is the database's backup: a data-loss check documenting one per database."""
    per_database = {s.stack for s in meta.doc.snippets if s.stack in DATABASES}
    return meta.data_loss and len(per_database) >= 2


def backup_snippet(facts: RepoFacts) -> FixSnippet | None:
    """Backup and restore commands for the database found, with the repository's names; None if unknown."""
    database = facts.database
    if database == "sqlite":
        return _sqlite_backup(facts)
    service = facts.database_service
    name = service.name if service else None
    if database == "postgres":
        user = "$POSTGRES_USER" if "POSTGRES_USER" in facts.env_keys else "postgres"
        db = "$POSTGRES_DB" if "POSTGRES_DB" in facts.env_keys else user
        if name:
            dump = f"docker compose exec -T {name} sh -c 'pg_dump -U \"{user}\" -Fc \"{db}\"'"
            restore = f"docker compose exec -T {name} sh -c 'pg_restore -U \"{user}\" -d \"{db}\" --clean --if-exists'"
        else:
            dump, restore = 'pg_dump -Fc "$DATABASE_URL"', 'pg_restore -d "$DATABASE_URL" --clean --if-exists --no-owner'
        return _compose_backup(facts, name, "dump", dump, restore)
    if database == "mysql":
        auth = '-uroot -p"$MYSQL_ROOT_PASSWORD" "$MYSQL_DATABASE"'
        if name:
            dump = f"docker compose exec -T {name} sh -c 'exec mysqldump --single-transaction --routines {auth}'"
            restore = f"docker compose exec -T {name} sh -c 'exec mysql {auth}'"
        else:
            dump, restore = "mysqldump --single-transaction --routines app", "mysql app"
        return _compose_backup(facts, name, "sql", dump, restore)
    if database == "mongodb":
        if name:
            dump = f"docker compose exec -T {name} mongodump --archive --gzip"
            restore = f"docker compose exec -T {name} mongorestore --archive --gzip --drop"
        else:
            dump = 'mongodump --uri "$MONGODB_URI" --archive --gzip'
            restore = 'mongorestore --uri "$MONGODB_URI" --archive --gzip --drop'
        return _compose_backup(facts, name, "archive.gz", dump, restore)
    return None


def _compose_backup(facts: RepoFacts, service: str | None, ext: str, dump: str, restore: str) -> FixSnippet:
    volume = facts.volume_of(facts.database_service)
    lines = [
        "#!/bin/sh",
        "# scripts/backup.sh, nightly from cron: 0 2 * * * /srv/app/scripts/backup.sh",
        "set -eu",
        "STAMP=$(date +%Y%m%d_%H%M%S)",
        f'{dump} > "backups/db_$STAMP.{ext}"',
        f'gpg --encrypt -r ops@example.org "backups/db_$STAMP.{ext}" && rm "backups/db_$STAMP.{ext}"',
        "rclone copy backups offsite:db-backups      # keep a copy off the host",
        "find backups -name 'db_*.gpg' -mtime +30 -delete",
        f"# restore (test it monthly): gpg -d backups/db_<stamp>.{ext}.gpg | {restore}",
    ]
    if service and volume:
        lines.append(f"# the data lives in the volume '{volume}' of service '{service}': back up the dump, not the volume")
    return FixSnippet("shell", "shell", "\n".join(lines))


def _sqlite_backup(facts: RepoFacts) -> FixSnippet | None:
    app = facts.app_service
    path = facts.sqlite_path
    if app is None or path is None:
        return None
    volume = facts.volume_of(app, path)
    stem = facts.sqlite_file.rsplit(".", 1)[0] if facts.sqlite_file else "app"
    # A sidecar sees the app's volumes at the same paths and brings its own sqlite3 (the app image may lack it).
    sidecar = f'docker run --rm --volumes-from "$(docker compose ps -q {app.name})" -v "$PWD/backups:/backups" alpine:3.20'
    lines = [
        "#!/bin/sh",
        f"# scripts/backup.sh, nightly from cron: 0 2 * * * /srv/{stem}/scripts/backup.sh",
        f"# online backup of {path} (volume '{volume}'): consistent while the app writes, WAL included",
        "set -eu",
        "STAMP=$(date +%Y%m%d_%H%M%S)",
        f"{sidecar} \\",
        f"  sh -c \"apk add -q sqlite && sqlite3 {path} \\\".backup '/backups/{stem}_$STAMP.db'\\\" \\",
        f"         && sqlite3 /backups/{stem}_$STAMP.db 'PRAGMA integrity_check;' | grep -qx ok\"",
        f'gzip -c "backups/{stem}_$STAMP.db" | gpg --encrypt -r ops@example.org > "backups/{stem}_$STAMP.db.gz.gpg"',
        f'rm "backups/{stem}_$STAMP.db"',
        f"rclone copy backups offsite:{stem}-backups     # keep a copy off the host",
        f"find backups -name '{stem}_*.db.gz.gpg' -mtime +30 -delete",
        "",
        "# restore (test it monthly): stop the app, replace the file, start it",
        f"docker compose stop {app.name}",
        f"gpg -d backups/{stem}_<stamp>.db.gz.gpg | gunzip > backups/{stem}_<stamp>.db",
        f'docker run --rm --volumes-from "$(docker compose ps -aq {app.name})" -v "$PWD/backups:/backups" alpine:3.20 \\',
        f"  sh -c 'rm -f {path}-wal {path}-shm && cp /backups/{stem}_<stamp>.db {path}'",
        f"docker compose start {app.name}",
    ]
    return FixSnippet("sqlite", "shell", "\n".join(lines))


def fitted_snippet(meta: CheckMeta, stacks: Iterable[str], findings: Iterable[Finding],
                   facts: RepoFacts | None = None) -> FixSnippet | None:
    """The check's snippet for this repository (see the module docstring), or None when it has none."""
    facts = facts or RepoFacts()
    stacks = tuple(stacks)
    if is_backup_fix(meta):
        fitted = backup_snippet(facts)
        if fitted is not None:
            return fitted
    snippet = choose_snippet(meta, stacks, facts)
    if snippet is None:
        return None
    code = snippet.code
    findings = tuple(findings)
    if snippet.language in {"yaml", "compose", "yml"} and "services:" in code:
        names = [m.group(1) for f in findings if (m := _NAMED_SERVICE.search(f.message))]
        # Never rename onto a service the snippet already shows (its example 'db' next to 'api').
        if names and names[0] != "api" and not re.search(rf"^\s+{re.escape(names[0])}:", code, re.MULTILINE):
            code = _EXAMPLE_SERVICE.sub(lambda m: f"{m.group(1)}{names[0]}:{m.group(2)}", code, count=1)
    named = [word for f in findings for word in _ENV_TOKEN.findall(f"{f.key} {f.message}")]
    code = fit_env_keys(code, facts.env_keys, named)
    code = fit_package_manager(code, facts.package_manager)
    if code == snippet.code:
        return snippet
    return FixSnippet(snippet.stack, snippet.language, code)
