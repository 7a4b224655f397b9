"""Who operates what the repository ships: a hosted ``service`` or a ``distribution`` others run.

A distribution (a self-hosted product that publishes images and install docs, or a
template/boilerplate that teams copy) runs no production of its own: incident response,
IaC, staging, a privacy policy, error tracking and a metrics endpoint are its
operators' concerns. Those checks then report at info, as advice to the operators.
The ``profile:`` config key overrides the guess; the report says which profile was
used and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from auditor.model import CheckResult, Finding, Severity, Status
from auditor.project import Project

SERVICE = "service"
DISTRIBUTION = "distribution"


_PUSHES_IMAGE = re.compile(r"docker/build-push-action|\bdocker\s+(?:image\s+)?push\b|\bdocker\s+buildx\s+build\b[^\n]*--push")
_TEMPLATE_WORDS = re.compile(
    r"\b(boilerplate|project template|starter(?: kit| template)?|template for|scaffold(?:ing)?)\b", re.IGNORECASE
)
_TITLE_WORDS = re.compile(r"\b(template|boilerplate|starter)\b", re.IGNORECASE)
_SELF_HOST_WORDS = re.compile(r"\bself[- ]?host(?:ed|ing)?\b|docker (?:compose up|run)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """The profile a scan used, and the reason shown in the report."""

    name: str
    reason: str


def guess_profile(project: Project, configured: str | None = None) -> Profile:
    """The configured profile, else a guess from release workflows and the README."""
    if configured:
        return Profile(configured, "set by the configuration (profile:)")
    readme = _readme(project)
    heading = "\n".join(readme.splitlines()[:40])
    title = next((line for line in readme.splitlines() if line.startswith("#")), "")
    if _TEMPLATE_WORDS.search(heading) or _TITLE_WORDS.search(title):
        return Profile(DISTRIBUTION, "the README describes the repository as a template or boilerplate teams copy")
    if _pushes_image(project) and _SELF_HOST_WORDS.search(readme):
        return Profile(DISTRIBUTION, "a workflow publishes container images and the README tells users to run them")
    return Profile(SERVICE, "no sign that others deploy it (no published image with install docs, no template)")


def apply_profile(results: list[CheckResult], profile: Profile) -> list[CheckResult]:
    """For a distribution, report operator-side concerns at info (advice to operators, weight 0)."""
    if profile.name != DISTRIBUTION:
        return results
    out = []
    for result in results:
        # Concerns of whoever runs the software (@check(operator_side=True)), not of the repository.
        if not result.meta.operator_side or result.status is not Status.FAIL:
            out.append(result)
            continue
        meta = replace(result.meta, severity=Severity.INFO)
        findings = tuple(_advice(f) for f in result.findings)
        out.append(replace(result, meta=meta, findings=findings))
    return out


def _advice(finding: Finding) -> Finding:
    return replace(finding, severity=Severity.INFO,
                   message=f"{finding.message} (advice for operators of this distribution)")


def _readme(project: Project) -> str:
    for name in ("README.md", "README.rst", "README.txt", "README", "readme.md"):
        if project.exists(name):
            return project.read_text(name) or ""
    return ""


def _pushes_image(project: Project) -> bool:
    for path in project.files:
        if path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml")):
            text = project.read_text(path) or ""
            if _PUSHES_IMAGE.search(text):
                return True
    return False
