"""Env template key nothing uses.

## What it checks
Every key of an env template is referenced somewhere: in a compose file, a
Dockerfile, or a source or config file (`.ts .tsx .js .mjs .cjs .py .sh
.yml .yaml .json .toml`), searched as a whole word. Keys read implicitly by
runtimes, SDKs and official images (`NODE_ENV`, `TZ`, `DEBUG`, `PG*`,
`AWS_*`, `OTEL_*`, `SENTRY_*`, `POSTGRES_*`, `MYSQL_*`, `COMPOSE_*` ...) pass, and
so do fields of pydantic-settings `BaseSettings` classes, which read the
upper-cased variable of the same name.

## Why it matters
Stale keys make the template lie: deployers spend time finding values for
settings nothing reads, and real settings hide among them. Often a stale key
is a rename that was never finished (`API_URL` in the template, `API_BASE_URL`
in the code).

## How to fix
Delete the key from the template, or wire it up where it was meant to be read.

```shell
grep -rwn --include='*.ts' --include='*.py' OLD_KEY . || sed -i '/^OLD_KEY=/d' .env.example
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deps.lockfiles import NODE_LOCKFILES, PYTHON_LOCKFILES
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

LOCKFILES = frozenset((*NODE_LOCKFILES, *PYTHON_LOCKFILES))
SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".py", ".sh", ".yml", ".yaml", ".json", ".toml")
IMPLICIT = frozenset({"NODE_ENV", "NODE_OPTIONS", "TZ", "LANG", "DEBUG", "PORT", "HOST", "HOSTNAME",
                      "GOOGLE_APPLICATION_CREDENTIALS", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"})
IMPLICIT_PREFIXES = ("PG", "AWS_", "OTEL_", "SENTRY_", "POSTGRES_", "MYSQL_", "MARIADB_", "MONGO_INITDB_",
                     "RABBITMQ_", "ELASTIC_", "MINIO_", "GF_", "TRAEFIK_", "COMPOSE_", "DOCKER_", "NPM_CONFIG_",
                     "PYTHON", "PIP_", "UV_", "UVICORN_", "GUNICORN_", "WEB_CONCURRENCY")
def keys_in_use(project: Project, keys: frozenset[str]) -> frozenset[str]:
    """The ``keys`` that appear as a whole word in a compose file, Dockerfile or source file.

    Each file is searched only for the keys not seen yet, by substring first (a C search) and by
    word boundary only where the substring occurs; lockfiles, which name packages and never
    configuration, are not searched. A word is a run of ASCII letters, digits and underscores.
    """
    remaining = set(keys)
    found: set[str] = set()
    paths = {*project.compose_paths, *project.dockerfile_paths,
             *(p for p in project.files if p.endswith(SOURCE_SUFFIXES) and p.rsplit("/", 1)[-1] not in LOCKFILES)}
    for path in sorted(paths):
        if not remaining:
            break
        text = project.read_text(path)
        if not text:
            continue
        # pydantic-settings maps fields to env vars case-insensitively (database_url <- DATABASE_URL).
        folded = path.endswith(".py") and "BaseSettings" in text
        haystack = text.upper() if folded else text
        for key in [k for k in remaining if (k.upper() if folded else k) in haystack]:
            if _whole_word(key, text, folded):
                found.add(key)
                remaining.discard(key)
    return frozenset(found)


def _whole_word(key: str, text: str, folded: bool) -> bool:
    """Whether ``key`` occurs in ``text`` with no identifier character on either side."""
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", re.IGNORECASE if folded else 0)
    return pattern.search(text) is not None


@check(id="ENV-UNUSED-KEY", severity=Severity.INFO, section=Section.CONFIGURATION, needs=("env_templates",),
       effort_hours=0.25, passed="Every env template key is in use")
def unused_key(project: Project) -> Iterator[Finding]:
    """Flag template keys that no compose file, Dockerfile or source file mentions."""
    if not any(template.entries for template in project.env_templates):
        raise NotApplicable("env templates declare no keys")
    used = keys_in_use(project, frozenset(entry.key for template in project.env_templates
                                          for entry in template.entries))
    for template in project.env_templates:
        for entry in template.entries:
            key = entry.key
            if key in used or key in IMPLICIT or key.startswith(IMPLICIT_PREFIXES):
                continue
            yield Finding(
                message=f"{key} in {template.path} is not referenced by any compose file, Dockerfile or source file",
                location=Location(path=template.path, line=entry.line),
                key=key,
            )
