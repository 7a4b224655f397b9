"""The repository's documentation as checks read it: which files, their headings, what they mention.

Also where a finding about something absent is anchored (the README, else the first deployment file).
"""

from __future__ import annotations

import re

from auditor.model import Location
from auditor.project import Project


def anchor(project: Project) -> Location:
    """Where to anchor a finding about something absent: the README, else the first deployment file."""
    for candidate in ("README.md", "readme.md", "README.rst", "README"):
        if candidate in project.file_set:
            return Location(candidate, 1, anchor_only=True)
    for group in (project.compose_paths, project.dockerfile_paths, tuple(project.glob("package.json"))):
        if group:
            return Location(group[0], 1, anchor_only=True)
    return Location(project.files[0] if project.files else ".", 1, anchor_only=True)


def doc_files(project: Project) -> list[str]:
    """Documentation files (Markdown and friends), lower-cased paths kept as-is."""
    return list(project.doc_files)


def find_doc(project: Project, *names: str) -> str | None:
    """A documentation file whose path mentions one of ``names`` (e.g. runbook, incident)."""
    for rel in doc_files(project):
        lower = rel.lower()
        if any(name in lower for name in names):
            return rel
    return None


# A Markdown/MDX heading, an HTML heading, or an reStructuredText/setext title (a line underlined with = - ~).
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<md>.+)$|<h[1-4][^>]*>(?P<html>[^<]+)|^(?P<rst>[^\s#<].{2,})\n[=\-~^]{3,}\s*$",
                      re.MULTILINE)


# Release notes, blog posts and licences have headings too, but they are not operating guides.
_NOT_GUIDE = re.compile(r"(^|/)(changelog|changes|history|release[-_]?notes|license|licence|code_of_conduct)[^/]*$|"
                        r"(^|/)(blog|posts|news|changelogs?)/")


def doc_heading(project: Project, pattern: str) -> tuple[str, int, str] | None:
    """(path, line, heading) of the first documentation heading matching ``pattern`` (case-insensitive).

    Headings rather than any word: a page *about* restores or incidents has one; a passing mention does not.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    for rel in doc_files(project):
        if _NOT_GUIDE.search(rel.lower()):
            continue
        text = project.read_text(rel) or ""
        for match in _HEADING.finditer(text):
            title = (match.group("md") or match.group("html") or match.group("rst") or "").strip()
            if regex.search(title):
                return rel, text.count("\n", 0, match.start()) + 1, title[:80]
    return None


def docs_mention(project: Project, pattern: str) -> str | None:
    """A documentation file whose text matches ``pattern`` (case-insensitive regex)."""
    regex = re.compile(pattern, re.IGNORECASE)
    for rel in doc_files(project):
        text = project.read_text(rel) or ""
        if regex.search(text):
            return rel
    return None
