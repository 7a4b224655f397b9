"""The one place prodcheck touches pip-audit's (private) library API.

pip-audit has no public Python API, so this adapter is pinned to the minor
version in pyproject.toml and covered by tests against a local
PyPI-JSON-compatible server. It uses pip-audit's ``PyPIService`` (the PyPI
JSON API's ``vulnerabilities`` data) and its dependency/result model; package
collection is prodcheck's own (pinned requirements and lockfiles), so pip-audit
never resolves or installs anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.deps.model import Advisory, Package
from auditor.deps.osv import ServiceUnavailable

DEFAULT_PYPI_URL = "https://pypi.org/pypi"
_PYPI_PREFIX = "https://pypi.org/pypi/"


class _RebasedSession:
    """A requests session wrapper that sends PyPIService's hard-coded pypi.org URLs to ``base_url``."""

    def __init__(self, base_url: str) -> None:
        import requests

        from auditor import __version__

        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"prodcheck/{__version__} (pip-audit adapter)"
        self._base = base_url.rstrip("/") + "/"

    def get(self, url: str, **kwargs: Any) -> Any:
        if url.startswith(_PYPI_PREFIX):
            url = self._base + url[len(_PYPI_PREFIX):]
        kwargs.setdefault("allow_redirects", False)
        return self._session.get(url, **kwargs)


def audit_python(packages: Sequence[Package], *, base_url: str = DEFAULT_PYPI_URL,
                 timeout: float = 15.0) -> tuple[list[Advisory], list[str]]:
    """(advisories, skipped 'name: reason') for pinned PyPI packages, through pip-audit's PyPIService."""
    import requests
    from packaging.version import InvalidVersion, Version
    from pip_audit._service import PyPIService
    from pip_audit._service.interface import ResolvedDependency, ServiceError

    service = PyPIService(timeout=int(max(1, timeout)))
    service.session = _RebasedSession(base_url)  # type: ignore[assignment]
    advisories: list[Advisory] = []
    skipped: list[str] = []
    seen: set[tuple[str, str]] = set()
    for package in packages:
        key = (package.name.lower(), package.version)
        if key in seen:
            continue
        seen.add(key)
        try:
            dependency = ResolvedDependency(name=package.name, version=Version(package.version))
        except InvalidVersion:
            skipped.append(f"{package.name}: invalid version {package.version!r}")
            continue
        try:
            spec, results = service.query(dependency)
        except (ServiceError, requests.RequestException) as exc:
            raise ServiceUnavailable(f"PyPI vulnerability feed unreachable at {base_url}: "
                                     f"{type(exc).__name__}") from None
        if spec.is_skipped():
            skipped.append(f"{package.name}: {getattr(spec, 'skip_reason', 'skipped')}")
            continue
        for result in results:
            advisories.append(Advisory(
                package=package,
                id=str(result.id),
                aliases=tuple(sorted(str(a) for a in result.aliases)),
                summary=str(result.description)[:200],
                fixed_versions=tuple(str(v) for v in result.fix_versions),
            ))
    return advisories, skipped
