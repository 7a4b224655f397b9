"""Names found in the repository that fix snippets use: services, volumes, env keys, database, package manager.

The engine puts :func:`repo_facts` into ``Report.extra["repo_facts"]`` so renderers can fit a
snippet to the team's own files (``SESSION_SECRET``, not the docs' ``JWT_SECRET``; the
``sqlite3 .backup`` of the database file the compose volume holds) while staying pure functions
of the report. Only names and paths are recorded, never a value (env values can be secrets).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from auditor.project import Project

_ENV_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
_SQLITE_FILE = re.compile(r"""['"`]([\w./-]+\.(?:db|sqlite3?))['"`]""")
_DB_IMAGES = (("postgres", "postgres"), ("timescale", "postgres"), ("mysql", "mysql"), ("mariadb", "mysql"),
              ("mongo", "mongodb"))
#: Files that name a SQLite database file (ORM configs, db modules, env templates).
_SQLITE_SOURCES = ("drizzle.config.*", "knexfile.*", "settings.py", "**/db/index.*", "**/db.*", "**/database.*",
                   ".env.example", ".env.sample", ".env.template")


def _env_keys(project: Project) -> list[str]:
    keys: set[str] = set()
    for env in project.env_templates:
        keys.update(e.key for e in env.entries if not e.commented_out)
    for compose in project.compose_files:
        for service in compose.services:
            keys.update(name for name, _value, _line in service.environment())
    from auditor.source.index import built_source_index

    # The code's own reads, when the app checks built the index: a partial scan (--select,
    # --changed-since) that ran none of them does not parse every source file for snippet names.
    index = built_source_index(project)
    for source in index.files.values() if index is not None else ():
        keys.update(read.name for read in source.env_reads)
    return sorted(k for k in keys if _ENV_KEY.match(k))


def _services(project: Project) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for compose in project.compose_files:
        for service in compose.services:
            if service.name in seen:
                continue
            seen.add(service.name)
            image = (service.image or "").lower().rsplit("/", 1)[-1]
            database = next((name for prefix, name in _DB_IMAGES if image.startswith(prefix)), None)
            volumes = []
            for item, _line in service.as_list("volumes"):
                source, target = _mount(item)
                if source and target and not source.startswith((".", "/", "~", "$")):
                    volumes.append({"name": source, "target": target})
            out.append({"name": service.name, "database": database, "built": service.get("build") is not None,
                        "volumes": volumes})
    return out


def _mount(item: Any) -> tuple[str, str]:
    """(source, target) of a compose volume entry in short (``name:/path[:ro]``) or long form."""
    if isinstance(item, dict):
        return str(item.get("source") or ""), str(item.get("target") or "")
    parts = str(item).split(":")
    return (parts[0], parts[1]) if len(parts) >= 2 else ("", "")


def _sqlite_file(project: Project) -> str | None:
    """The SQLite database file the code or its config names (``./data/app.db``), relative to that file."""
    for rel in project.glob(*_SQLITE_SOURCES):
        match = _SQLITE_FILE.search(project.read_text(rel) or "")
        if match:
            return match.group(1)
    return None


def _python_manager(project: Project) -> str:
    """``uv``, ``poetry``, ``pip-requirements`` (a requirements file) or ``pip``, by the files the repository has."""
    if project.glob("uv.lock"):
        return "uv"
    if project.glob("poetry.lock"):
        return "poetry"
    return "pip-requirements" if project.glob("requirements.txt") else "pip"


# What watches the service: libraries in the manifests, images in compose (name -> kind, display name).
_MONITORING_DEPS = (
    ("prom-client", "metrics", "Prometheus"), ("@hono/prometheus", "metrics", "Prometheus"),
    ("express-prom-bundle", "metrics", "Prometheus"), ("prometheus-client", "metrics", "Prometheus"),
    ("prometheus_client", "metrics", "Prometheus"), ("prometheus-fastapi-instrumentator", "metrics", "Prometheus"),
    ("django-prometheus", "metrics", "Prometheus"), ("@opentelemetry/sdk-node", "metrics", "OpenTelemetry"),
    ("opentelemetry-sdk", "metrics", "OpenTelemetry"), ("@sentry/node", "errors", "Sentry"),
    ("@sentry/nestjs", "errors", "Sentry"), ("sentry-sdk", "errors", "Sentry"), ("dd-trace", "metrics", "Datadog"),
    ("ddtrace", "metrics", "Datadog"), ("newrelic", "metrics", "New Relic"),
)
_MONITORING_IMAGES = (("prometheus", "metrics", "Prometheus"), ("grafana", "metrics", "Grafana"),
                      ("alertmanager", "alerts", "Alertmanager"), ("uptime-kuma", "uptime", "Uptime Kuma"),
                      ("gatus", "uptime", "Gatus"), ("netdata", "metrics", "Netdata"))


def _manifest_words(project: Project) -> set[str]:
    import json

    words: set[str] = set()
    for rel in project.glob("package.json"):
        try:
            data = json.loads(project.read_text(rel) or "{}")
        except ValueError:
            continue
        for key in ("dependencies", "devDependencies"):
            section = data.get(key) if isinstance(data, dict) else None
            if isinstance(section, dict):
                words.update(str(name) for name in section)
    for rel in project.glob("pyproject.toml", "requirements*.txt", "Pipfile", "setup.cfg"):
        words.update(re.findall(r"[a-z0-9_.@/-]+", (project.read_text(rel) or "").lower()))
    return words


def _monitoring(project: Project) -> list[dict[str, str]]:
    """What monitors the service: metrics and error-tracking libraries, monitoring images, health checks."""
    found: dict[str, dict[str, str]] = {}
    words = _manifest_words(project)
    for dep, kind, name in _MONITORING_DEPS:
        if dep in words:
            found.setdefault(name, {"kind": kind, "name": name})
    for compose in project.compose_files:
        for service in compose.services:
            image = (service.image or "").lower().rsplit("/", 1)[-1]
            for prefix, kind, name in _MONITORING_IMAGES:
                if image.startswith(prefix):
                    found.setdefault(name, {"kind": kind, "name": name})
            if service.get("healthcheck"):
                found.setdefault("health check", {"kind": "health", "name": "the compose health check"})
    if "health check" not in found and any("HEALTHCHECK" in (project.read_text(p) or "")
                                          for p in project.dockerfile_paths):
        found["health check"] = {"kind": "health", "name": "the Dockerfile health check"}
    return list(found.values())


def repo_facts(project: Project, stacks: tuple[str, ...]) -> dict[str, Any]:
    """Names the repository uses, as plain JSON-ready data (see the module docstring)."""
    databases = [s for s in stacks if s in {"sqlite", "postgres", "mysql", "mongodb"}]
    managers = [s for s in stacks if s in {"pnpm", "yarn", "npm"}]
    if not managers and "python" in stacks:
        managers.append(_python_manager(project))
    sqlite_file = _sqlite_file(project) if "sqlite" in databases else None
    return {
        "env_keys": _env_keys(project),
        "services": _services(project),
        "database": databases[0] if databases else None,
        "package_manager": managers[0] if managers else None,
        "sqlite_file": PurePosixPath(sqlite_file).name if sqlite_file else None,
        "sqlite_dir": PurePosixPath(sqlite_file).parent.name if sqlite_file else None,
        "monitoring": _monitoring(project),
    }
