"""Findings from a dependency audit's observations, one function for both ecosystems (npm and PyPI).

The vulnerability checks of both ecosystems ask the same question of the same observation model, so
the answer lives here once: not applicable without a lockfile or manifest, not checked offline, an
error when the vulnerability service failed, else one finding per advisory.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deps.lockfiles import node_lockfiles, python_manifests
from auditor.deps.model import DepsObservation
from auditor.model import Finding, Location
from auditor.project import Project
from auditor.registry import NotApplicable, NotChecked


class AuditUnavailable(RuntimeError):
    """The vulnerability service could not be reached: an error result, never a pass."""


def dependency_findings(project: Project, ecosystem: str) -> Iterator[Finding]:
    """Findings for one ecosystem's observation; skip when offline, error when the service failed."""
    manifests = node_lockfiles(project) if ecosystem == "npm" else python_manifests(project)
    if not manifests:
        raise NotApplicable(f"no {'Node lockfile' if ecosystem == 'npm' else 'Python manifest'} found")
    observations: dict[str, DepsObservation] = project.dependency_observations or {}
    observation = observations.get(ecosystem)
    if observation is None:
        raise NotChecked("dependency audit not run (--offline); not a pass")
    if observation.error:
        raise AuditUnavailable(observation.error)
    for advisory in observation.advisories:
        pkg = advisory.package
        ids = ", ".join([advisory.id, *advisory.aliases])
        fixed = f"; fixed in {', '.join(advisory.fixed_versions)}" if advisory.fixed_versions else "; no fix released"
        cvss = f" (CVSS {advisory.cvss_score:g})" if advisory.cvss_score is not None else ""
        yield Finding(
            message=f"{pkg.name} {pkg.version}: {advisory.summary or advisory.id}{cvss}{fixed}",
            location=Location(pkg.source, pkg.line or 1),
            key=f"{pkg.name}@{pkg.version}:{advisory.id}",
            evidence=ids,
            severity=advisory.severity,
        )
