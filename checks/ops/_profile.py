"""Who operates what the repository ships: the team itself (a service) or its users (a distribution).

A self-hosted distribution publishes images or install instructions and runs no hosted service of its
own; a template or boilerplate is copied and operated by whoever adopts it. For both, operator-side
concerns (an incident process, infrastructure as code, a staging environment, a privacy policy, a
disaster-recovery plan) are advice to the operators, not gaps of the repository. The decision is a
pure function of a few repository facts, and ``override`` (the ``profile: service | distribution``
setting) wins over the guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.model import Severity
from auditor.project import Project
from checks.ops._facts import doc_files, workflows

PROFILES = ("service", "distribution")


@dataclass(frozen=True)
class ProfileFacts:
    """What the profile is judged from."""

    template_words: str | None = None     # how the README describes the project ("boilerplate", "template")
    publishes_images: str | None = None   # the workflow that pushes versioned images
    install_docs: str | None = None       # a document telling users how to install or self-host
    deploys_service: str | None = None    # a workflow that deploys a hosted production service


@dataclass(frozen=True)
class Profile:
    """The profile used and why (said in findings and reports)."""

    kind: str
    reason: str

    @property
    def distribution(self) -> bool:
        """True when users, not this repository's team, operate what it ships."""
        return self.kind == "distribution"


def detect_profile(facts: ProfileFacts, override: str | None = None) -> Profile:
    """The profile: ``override`` when given, else a distribution when the facts show one, else a service."""
    if override in PROFILES:
        return Profile(str(override), "set in the configuration (profile)")
    if facts.deploys_service:
        return Profile("service", f"{facts.deploys_service} deploys a hosted production service")
    if facts.template_words:
        return Profile("distribution", f"the README describes a {facts.template_words} that adopters operate")
    if facts.publishes_images and facts.install_docs:
        return Profile("distribution", f"it publishes images ({facts.publishes_images}) and install docs "
                                       f"({facts.install_docs}) for operators")
    return Profile("service", "no published images with install docs and no template description found")


_TEMPLATE_WORD = r"(boilerplate|template|starter(?: kit)?)"
# The title (a Markdown or HTML heading) or a sentence that says what the project is ("a boilerplate for ...").
_TEMPLATE = re.compile(rf"^\s*(?:#\s|<h1[^>]*>).*?\b{_TEMPLATE_WORD}\b|\b(?:an?|this|another)\s+(?:[\w/-]+\s+){{0,3}}"
                       rf"{_TEMPLATE_WORD}\b", re.IGNORECASE | re.MULTILINE)
_PUSH = re.compile(r"docker/build-push-action|docker\s+(image\s+)?push\b|\bpush:\s*true")
_INSTALL = re.compile(r"^\s{0,3}(#{1,4}|\S.*\n[=-]{3,})\s*.*\b(self[- ]?host(ed|ing)?|install(ing|ation)?|"
                      r"docker|deploy(ing|ment)?)\b", re.IGNORECASE | re.MULTILINE)
_RUN_IMAGE = re.compile(r"\bdocker\s+(run|pull)\b|\bdocker[- ]compose\b[^\n]*\bup\b", re.IGNORECASE)
_DEPLOY = re.compile(r"^\s*environment:\s*['\"]?(prod|production)\b|\bkubectl\s+(apply|set\s+image|rollout)|"
                     r"\bhelm\s+(upgrade|install)\b|\bflyctl\s+deploy|\bfly\s+deploy|\becs\s+update-service|"
                     r"\bvercel\b[^\n]*--prod|\brailway\s+up\b|\bgcloud\s+run\s+deploy", re.IGNORECASE | re.MULTILINE)


def profile_facts(project: Project) -> ProfileFacts:
    """The repository facts :func:`detect_profile` needs (README wording, image publishing, install docs)."""
    template = None
    for readme in ("README.md", "readme.md", "README.rst", "README"):
        if readme in project.file_set:
            head = "\n".join((project.read_text(readme) or "").splitlines()[:12])
            match = _TEMPLATE.search(head)
            template = (match.group(1) or match.group(2)).lower() if match else None
            break
    pushes = next((wf.path for wf in workflows(project) if _PUSH.search(wf.text)), None)
    install = None
    if pushes:
        install = next((rel for rel in doc_files(project)
                        if _INSTALL.search(text := project.read_text(rel) or "") and _RUN_IMAGE.search(text)), None)
    deploys = next((wf.path for wf in workflows(project) if _DEPLOY.search(wf.text)), None)
    return ProfileFacts(template, pushes, install, deploys)


def project_profile(project: Project, override: str | None = None) -> Profile:
    """The profile of a scanned project (memoised; ``override`` from the configuration wins)."""
    override = override or project.profile_override
    if override in PROFILES:
        return detect_profile(ProfileFacts(), override)
    return project.memo("ops.profile", lambda: detect_profile(profile_facts(project)))


def operator_advice(project: Project, override: str | None = None) -> tuple[Severity | None, str]:
    """(severity override, message suffix) for an operator-side concern: info advice for distributions."""
    profile = project_profile(project, override)
    if profile.distribution:
        return Severity.INFO, f" (advice to operators: treated as a distribution because {profile.reason})"
    return None, ""
