"""Run the dependency audits for a project (network I/O lives here, not in checks)."""

from __future__ import annotations

from auditor.deps.lockfiles import (
    LockfileError,
    node_lockfiles,
    parse_node_lockfile,
    parse_python_manifest,
    python_manifests,
)
from auditor.deps.model import DepsObservation, Package
from auditor.deps.osv import DEFAULT_OSV_URL, ServiceUnavailable, query_osv
from auditor.deps.pip_audit_adapter import DEFAULT_PYPI_URL, audit_python
from auditor.project import Project


def observe_dependencies(project: Project, *, osv_url: str = DEFAULT_OSV_URL, pypi_url: str = DEFAULT_PYPI_URL,
                         timeout: float = 15.0) -> dict[str, DepsObservation]:
    """Audit Node and Python dependencies; one observation per ecosystem that has manifests."""
    observations: dict[str, DepsObservation] = {}
    node_files = node_lockfiles(project)
    if node_files:
        packages, problems = _collect(project, node_files, python=False)
        try:
            advisories = query_osv(packages, base_url=osv_url, timeout=timeout) if packages else []
            observations["npm"] = DepsObservation("npm", tuple(node_files), len(packages), tuple(advisories),
                                                  tuple(problems), service=osv_url)
        except ServiceUnavailable as exc:
            observations["npm"] = DepsObservation("npm", tuple(node_files), len(packages), (), tuple(problems),
                                                  error=str(exc), service=osv_url)
    py_files = python_manifests(project)
    if py_files:
        packages, problems = _collect(project, py_files, python=True)
        try:
            advisories, skipped = audit_python(packages, base_url=pypi_url, timeout=timeout) if packages else ([], [])
            observations["PyPI"] = DepsObservation("PyPI", tuple(py_files), len(packages), tuple(advisories),
                                                   tuple(problems + skipped), service=pypi_url)
        except ServiceUnavailable as exc:
            observations["PyPI"] = DepsObservation("PyPI", tuple(py_files), len(packages), (), tuple(problems),
                                                   error=str(exc), service=pypi_url)
    return observations


def _collect(project: Project, files: list[str], *, python: bool) -> tuple[list[Package], list[str]]:
    packages: list[Package] = []
    problems: list[str] = []
    for rel in files:
        text = project.read_text(rel)
        if text is None:
            problems.append(f"{rel}: unreadable")
            continue
        try:
            if python:
                found, skipped = parse_python_manifest(rel, text)
                problems.extend(skipped)
            else:
                found = parse_node_lockfile(rel, text)
        except LockfileError as exc:
            problems.append(str(exc))
            continue
        packages.extend(found)
    return packages, problems
