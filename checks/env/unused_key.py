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

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".py", ".sh", ".yml", ".yaml", ".json", ".toml")
IMPLICIT = frozenset({"NODE_ENV", "NODE_OPTIONS", "TZ", "LANG", "DEBUG", "PORT", "HOST", "HOSTNAME",
                      "GOOGLE_APPLICATION_CREDENTIALS", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"})
IMPLICIT_PREFIXES = ("PG", "AWS_", "OTEL_", "SENTRY_", "POSTGRES_", "MYSQL_", "MARIADB_", "MONGO_INITDB_",
                     "RABBITMQ_", "ELASTIC_", "MINIO_", "GF_", "TRAEFIK_", "COMPOSE_", "DOCKER_", "NPM_CONFIG_",
                     "PYTHON", "PIP_", "UV_", "UVICORN_", "GUNICORN_", "WEB_CONCURRENCY")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def used_identifiers(project: Project) -> frozenset[str]:
    """Every identifier-like word in compose files, Dockerfiles and source files, computed once."""
    def build() -> frozenset[str]:
        words: set[str] = set()
        paths = {*project.compose_paths, *project.dockerfile_paths,
                 *(p for p in project.files if p.endswith(SOURCE_SUFFIXES))}
        for path in paths:
            text = project.read_text(path)
            if text:
                found = _WORD.findall(text)
                words.update(found)
                if path.endswith(".py") and "BaseSettings" in text:
                    # pydantic-settings maps fields to env vars case-insensitively (database_url <- DATABASE_URL).
                    words.update(word.upper() for word in found)
        return frozenset(words)

    return project.view(used_identifiers, build)


@check(id="ENV-UNUSED-KEY", severity=Severity.INFO, section=Section.CONFIGURATION, needs=("env_templates",),
       effort_hours=0.25, passed="Every env template key is in use")
def unused_key(project: Project) -> Iterator[Finding]:
    """Flag template keys that no compose file, Dockerfile or source file mentions."""
    if not any(template.entries for template in project.env_templates):
        raise NotApplicable("env templates declare no keys")
    used = used_identifiers(project)
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
