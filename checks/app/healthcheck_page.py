"""Container health check probes a page instead of the application's health.

## What it checks
The HTTP request a Dockerfile `HEALTHCHECK` or a compose `healthcheck:` sends goes to a health
route, not to a page: `/`, `/index.html`, `/login`, `/signin`, `/auth/login`, `/dashboard` are
pages that render (or redirect) whether or not the database and other dependencies work.
Development and test files (`*.dev.*`, `*.test.*`, `.devcontainer/`, `tests/`, `e2e/`) are not
judged.

## Why it matters
A page answers 200 (or a redirect `curl -f` accepts) while the database is down, so the
orchestrator keeps routing traffic to a broken container; or it is expensive (server-side
rendering on every probe) and flaps under load. A health route can check what the page cannot.

## How to fix
Probe a route that checks the dependencies (and add one if it does not exist).

```dockerfile dockerfile
HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1:3000/api/health || exit 1
```
```yaml compose
healthcheck:
  test: ["CMD", "wget", "-qO-", "http://127.0.0.1:3000/api/health"]
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\$\{?\w+\}?)(?::[\w${}]+)?"
                  r"(?P<path>/[^\s\"'\]\),]*)?(?=[\s\"'\]\),]|$)")
_PAGES = re.compile(r"^/?(index\.html?|login|signin|sign-in|auth/login|dashboard|home)?/?$", re.IGNORECASE)
_NOT_PRODUCTION = re.compile(r"(^|/)(\.devcontainer|tests?|e2e|cypress|examples?)/|[.-](dev|test|ci|local)\.",
                             re.IGNORECASE)


@check(id="APP-HEALTHCHECK-PAGE", severity=Severity.MEDIUM, section=Section.HARDENING, effort_hours=0.5,
       passed="Container health checks probe a health route")
def healthcheck_page(project: Project) -> Iterator[Finding]:
    """Flag HEALTHCHECKs and compose healthchecks whose URL is a page."""
    judged = False
    for rel in (*project.dockerfile_paths, *project.compose_paths):
        if _NOT_PRODUCTION.search(rel):
            continue
        lines = (project.read_text(rel) or "").splitlines()
        for lineno, line in enumerate(lines, start=1):
            if not _is_probe(rel, lines, lineno):
                continue
            for match in _URL.finditer(line):
                judged = True
                path = match.group("path") or "/"
                if _PAGES.match(path):
                    yield Finding(f"{rel}: the health check requests the page {path}, which answers while the "
                                  "database is down; probe a health route that checks dependencies",
                                  Location(rel, lineno), key=f"{rel}:{path}")
    if not judged:
        raise NotApplicable("no HTTP health check in Dockerfiles or compose files")


def _is_probe(rel: str, lines: list[str], lineno: int) -> bool:
    """The line belongs to a Dockerfile HEALTHCHECK or a compose healthcheck test."""
    line = lines[lineno - 1]
    name = rel.rsplit("/", 1)[-1].lower()
    if "dockerfile" in name or name.endswith(".dockerfile"):
        start = lineno - 1
        while start > 0 and lines[start - 1].rstrip().endswith("\\"):
            start -= 1  # a HEALTHCHECK continued over several lines
        return lines[start].lstrip().upper().startswith("HEALTHCHECK")
    if "test:" in line:
        back = "\n".join(lines[max(lineno - 4, 0):lineno])
        return "healthcheck" in back
    return False
