"""Who operates what the repository ships: its own team (a ``service``), or somebody else.

Two kinds of repository run no production of their own:

* a ``distribution``: a self-hosted product that publishes images and tells users how to run
  them; its operators own incident response, infrastructure as code, staging, a privacy policy,
  error tracking and a metrics endpoint;
* a ``template`` (a boilerplate or starter teams copy): its adopters own all of that, and also the
  repository governance they replace with their own (a security policy and its contact).

A concern that belongs to somebody else is not a claim about the repository, so it is not a
finding: the engine moves it to the result's suppressed findings with the reason ("advice for the
operators of this distribution: ..."), where every report lists it and no gate or score counts it.
``profile:`` in the configuration overrides the guess; the report's notes say which profile was used
and why. This module is the only place that guesses the profile (checks never do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from auditor.model import CheckResult, Severity, SkipKind, Status

if TYPE_CHECKING:
    from auditor.project import Project
    from auditor.suppress import SuppressionRecord

SERVICE = "service"
DISTRIBUTION = "distribution"
TEMPLATE = "template"
PROFILES = (SERVICE, DISTRIBUTION, TEMPLATE)

_README_NAMES = ("README.md", "readme.md", "Readme.md", "README.rst", "README.txt", "README")
_WORKFLOW_PREFIXES = (".github/workflows/", ".gitlab-ci", ".circleci/")

_TEMPLATE_WORD = r"(boilerplate|template|starter(?: kit)?|scaffold(?:ing)?)"
# The title (a Markdown or HTML heading) or a sentence saying what the project is ("a boilerplate for ...").
_TEMPLATE = re.compile(rf"^\s*(?:#\s|<h1[^>]*>).*?\b{_TEMPLATE_WORD}\b|\b(?:an?|this|another)\s+(?:[\w/-]+\s+){{0,3}}"
                       rf"{_TEMPLATE_WORD}\b", re.IGNORECASE | re.MULTILINE)
_PUSH = re.compile(r"docker/build-push-action|\bdocker\s+(?:image\s+)?push\b|\bpush:\s*true|"
                   r"\bdocker\s+buildx\s+build\b[^\n]*--push")
_INSTALL_HEADING = re.compile(r"^\s{0,3}(?:#{1,4}|\S.*\n[=-]{3,})\s*.*\b(?:self[- ]?host(?:ed|ing)?|install(?:ing|ation)?|"
                              r"docker|deploy(?:ing|ment)?|getting started)\b", re.IGNORECASE | re.MULTILINE)
_RUN_IMAGE = re.compile(r"\bdocker\s+(?:run|pull)\b|\bdocker[- ]compose\b[^\n]*\bup\b", re.IGNORECASE)
_DEPLOY = re.compile(r"^\s*environment:\s*['\"]?(?:prod|production)\b|\bkubectl\s+(?:apply|set\s+image|rollout)|"
                     r"\bhelm\s+(?:upgrade|install)\b|\bflyctl\s+deploy|\bfly\s+deploy|\becs\s+update-service|"
                     r"\bvercel\b[^\n]*--prod|\brailway\s+up\b|\bgcloud\s+run\s+deploy", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Profile:
    """The profile a scan used, and the reason shown in the report."""

    name: str
    reason: str

    @property
    def operated_elsewhere(self) -> bool:
        """True when users or adopters, not this repository's team, run what it ships."""
        return self.name != SERVICE


@dataclass(frozen=True)
class ProfileFacts:
    """What the profile is judged from (each the evidence found, or None)."""

    template_words: str | None = None     # how the README describes the project ("boilerplate", "template")
    publishes_images: str | None = None   # the workflow that pushes images
    install_docs: str | None = None       # a document telling users how to install or self-host them
    deploys_service: str | None = None    # a workflow that deploys a hosted production service


def decide_profile(facts: ProfileFacts, configured: str | None = None) -> Profile:
    """The configured profile when given, else the guess from ``facts`` (a pure function)."""
    if configured:
        return Profile(configured, "set by the configuration (profile:)")
    if facts.template_words:
        # Checked before deployment: a template's own demo deployment does not make its adopters' copies hosted.
        return Profile(TEMPLATE, f"the README describes a {facts.template_words} that teams copy and operate")
    if facts.deploys_service:
        return Profile(SERVICE, f"{facts.deploys_service} deploys a hosted production service")
    if facts.publishes_images and facts.install_docs:
        return Profile(DISTRIBUTION, f"{facts.publishes_images} publishes images and {facts.install_docs} "
                                     "tells users how to run them")
    return Profile(SERVICE, "no sign that others operate it (no template wording, no published images with "
                            "install docs)")


def profile_facts(project: Project) -> ProfileFacts:
    """The repository facts :func:`decide_profile` judges: README wording, image publishing, install docs."""
    template = None
    readme = next((name for name in _README_NAMES if name in project.file_set), None)
    if readme:
        head = "\n".join((project.read_text(readme) or "").splitlines()[:12])
        if match := _TEMPLATE.search(head):
            template = (match.group(1) or match.group(2)).lower()
    workflows = [(rel, project.read_text(rel) or "") for rel in project.files if rel.startswith(_WORKFLOW_PREFIXES)]
    pushes = next((rel for rel, text in workflows if _PUSH.search(text)), None)
    install = None
    if pushes:
        listed = frozenset(project.doc_files)
        docs = [rel for rel in project.files if rel in listed or rel == readme]
        install = next((rel for rel in docs if _INSTALL_HEADING.search(text := project.read_text(rel) or "")
                        and _RUN_IMAGE.search(text)), None)
    deploys = next((rel for rel, text in workflows if _DEPLOY.search(text)), None)
    return ProfileFacts(template, pushes, install, deploys)


def guess_profile(project: Project, configured: str | None = None) -> Profile:
    """The profile of a scanned project: ``configured`` (or the project's ``profile:``) wins over the guess."""
    return decide_profile(profile_facts(project) if not (configured or project.profile_override) else ProfileFacts(),
                          configured or project.profile_override)


def is_advice(result: CheckResult, profile: Profile) -> bool:
    """Whether ``result`` judges a process or governance document owned by whoever ``profile`` says operates."""
    if profile.name == DISTRIBUTION:
        return result.meta.organisational
    if profile.name == TEMPLATE:
        return result.meta.organisational or result.meta.adopter_side
    return False


def apply_profile(results: list[CheckResult], profile: Profile
                  ) -> tuple[list[CheckResult], list[SuppressionRecord]]:
    """Judge a repository others operate as such; returns the results and the suppression records.

    An organisational concern (an incident process, a DR plan, IaC, staging, a privacy policy) or,
    for a template, repository governance is advice, not a finding: its findings move to the
    result's suppressed ones with the reason, and the result is skipped (never credited as a
    strength). An operator-side capability in the code (error tracking, a metrics endpoint) stays a
    finding, at info: the hooks are the code's, wiring them to a backend is the operators'.
    """
    from auditor.suppress import SuppressionRecord

    if not profile.operated_elsewhere:
        return results, []
    who = "operators of this distribution" if profile.name == DISTRIBUTION else "teams adopting this template"
    out: list[CheckResult] = []
    records: list[SuppressionRecord] = []
    for result in results:
        if result.status is not Status.FAIL:
            out.append(result)
        elif is_advice(result, profile):
            moved = tuple(result.findings)
            records.extend(SuppressionRecord(f.fingerprint, result.meta.id, str(f.location),
                                             f"advice for the {who}, not a gap of the repository ({profile.reason})",
                                             f"profile: {profile.name}") for f in moved)
            out.append(replace(result, findings=(), suppressed=(*result.suppressed, *moved), status=Status.SKIPPED,
                               # Not a gap of this repository: its findings are listed as suppressed.
                               skip_kind=SkipKind.NOT_APPLICABLE, reason=f"advice for the {who}: {profile.reason}"))
        elif result.meta.operator_side:
            meta = replace(result.meta, severity=Severity.INFO)
            findings = tuple(replace(f, severity=Severity.INFO, message=f"{f.message} (advice for the {who})")
                             for f in result.findings)
            out.append(replace(result, meta=meta, findings=findings))
        else:
            out.append(result)
    return out, records
