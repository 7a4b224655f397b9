"""The repository's own names, as the engine recorded them (``Report.extra["repo_facts"]``).

Renderers read them through :class:`RepoFacts` to fit fix snippets to the repository
(see :mod:`reports.fixes`); a report without them (an older JSON, a live-only scan, a
test's hand-built report) falls back to what ``Report.stacks`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.model import Report

DATABASES = ("sqlite", "postgres", "mysql", "mongodb")
PACKAGE_MANAGERS = ("pnpm", "yarn", "npm")
#: What ``package_manager`` may hold besides a Node one (see auditor.repo_facts).
PYTHON_MANAGERS = ("uv", "poetry", "pip-requirements", "pip")


@dataclass(frozen=True)
class ServiceFacts:
    """One compose service: its name, the database it runs (if any), and its named volumes."""

    name: str
    database: str | None = None
    built: bool = False
    #: (volume name, mount path in the container)
    volumes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RepoFacts:
    """Names found in the repository (never values)."""

    env_keys: tuple[str, ...] = ()
    services: tuple[ServiceFacts, ...] = ()
    database: str | None = None
    package_manager: str | None = None
    sqlite_file: str | None = None
    sqlite_dir: str | None = None
    #: What monitors the service: (kind, name), kind one of metrics, errors, alerts, uptime, health.
    monitoring: tuple[tuple[str, str], ...] = ()

    @property
    def app_service(self) -> ServiceFacts | None:
        """The first service built from the repository (the app), else the first non-database one."""
        built = [s for s in self.services if s.built and not s.database]
        others = [s for s in self.services if not s.database]
        candidates = built or others
        return candidates[0] if candidates else None

    @property
    def database_service(self) -> ServiceFacts | None:
        """The compose service running the database found, if any."""
        return next((s for s in self.services if s.database and s.database == self.database), None)

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file's path inside the app container, when a named volume holds its folder."""
        app = self.app_service
        if not (self.sqlite_file and app):
            return None
        for _name, target in app.volumes:
            if self.sqlite_dir and target.rstrip("/").endswith("/" + self.sqlite_dir):
                return f"{target.rstrip('/')}/{self.sqlite_file}"
        return None

    def volume_of(self, service: ServiceFacts | None, path: str | None = None) -> str | None:
        """The named volume of ``service`` mounted at (or above) ``path``, else its first one."""
        if service is None or not service.volumes:
            return None
        for name, target in service.volumes:
            if path and path.startswith(target.rstrip("/") + "/"):
                return name
        return service.volumes[0][0]


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def repo_facts(report: Report) -> RepoFacts:
    """The facts recorded in ``report``, or those ``report.stacks`` implies."""
    data = report.extra.get("repo_facts") if report.extra else None
    database = next((s for s in report.stacks if s in DATABASES), None)
    manager = next((s for s in report.stacks if s in PACKAGE_MANAGERS), None)
    if not isinstance(data, Mapping):
        return RepoFacts(database=database, package_manager=manager)
    services = []
    for item in data.get("services") or ():
        if not isinstance(item, Mapping) or not _text(item.get("name")):
            continue
        volumes = tuple(
            (str(v.get("name")), str(v.get("target")))
            for v in item.get("volumes") or () if isinstance(v, Mapping) and v.get("name") and v.get("target")
        )
        services.append(ServiceFacts(str(item["name"]), _text(item.get("database")), bool(item.get("built")), volumes))
    return RepoFacts(
        env_keys=tuple(str(k) for k in data.get("env_keys") or () if isinstance(k, str)),
        services=tuple(services),
        database=_text(data.get("database")) or database,
        package_manager=_text(data.get("package_manager")) or manager,
        sqlite_file=_text(data.get("sqlite_file")),
        sqlite_dir=_text(data.get("sqlite_dir")),
        monitoring=tuple(
            (str(m.get("kind")), str(m.get("name")))
            for m in data.get("monitoring") or () if isinstance(m, Mapping) and m.get("kind") and m.get("name")
        ),
    )
