"""CI jobs asking for a GitHub-hosted runner image that GitHub has retired.

## What it checks
Every GitHub Actions job's `runs-on` label, with `${{ matrix.* }}` axes expanded, against the
runner images GitHub has removed from service: `ubuntu-16.04`, `ubuntu-18.04`, `ubuntu-20.04`,
`macos-10.15`, `macos-11`, `macos-12`, `macos-13` (and their `-large`/`-xlarge` sizes),
`windows-2016` and `windows-2019`. Self-hosted labels and current images pass.

## Why it matters
A job on a retired image never starts: it waits for a runner that does not exist and then fails
or is cancelled. If that job is the test suite, the security scan or the release, it has silently
stopped doing its work, and a required check that never reports can block every merge.

## How to fix
Move the job to a supported image (or a `-latest` label that GitHub keeps current).

```yaml github-actions
jobs:
  scan:
    runs-on: ubuntu-24.04   # was ubuntu-20.04, retired on 2025-04-15
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.ci_config import ci_config_files
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

# GitHub-hosted runner images removed from service, with the date GitHub retired them
# (https://github.com/actions/runner-images: each image's deprecation issue).
RETIRED_IMAGES: dict[str, str] = {
    "ubuntu-16.04": "2021-09-20",
    "ubuntu-18.04": "2023-04-03",
    "ubuntu-20.04": "2025-04-15",
    "macos-10.15": "2022-12-01",
    "macos-11": "2024-06-28",
    "macos-12": "2024-12-03",
    "macos-13": "2025-12-04",
    "windows-2016": "2022-03-15",
    "windows-2019": "2025-06-30",
}
_SIZE_SUFFIX = re.compile(r"-(?:large|xlarge|arm64)$")


def retired_image(label: str) -> str | None:
    """The image a runner label names when GitHub has retired it (sizes folded), else None."""
    image = _SIZE_SUFFIX.sub("", label.strip().lower())
    return image if image in RETIRED_IMAGES else None


@check(id="CI-RETIRED-RUNNER", severity=Severity.MEDIUM, section=Section.OPERATIONS, effort_hours=0.25,
       passed="CI jobs run on supported runner images")
def retired_runner(project: Project) -> Iterator[Finding]:
    """One finding per workflow whose jobs ask for a retired GitHub-hosted runner image."""
    if not ci_config_files(project):
        # The same reason as the other CI checks, so a report lists them together.
        raise NotApplicable("no CI configuration found (see CI-NO-WORKFLOW)")
    workflows = [w for w in project.workflows if w.path.startswith(".github/")]
    if not any(w.runners for w in workflows):
        raise NotApplicable("no GitHub Actions job names a runner")
    for workflow in workflows:
        # One finding per workflow file (one fix: move its jobs), each job listed once.
        hits: dict[str, tuple[str, int | None]] = {}
        for runner in workflow.runners:
            image = retired_image(runner.label)
            if image is not None and runner.job not in hits:
                hits[runner.job] = (runner.label, runner.line)
        if not hits:
            continue
        jobs = "; ".join(f"'{job}' on {label} (retired {RETIRED_IMAGES[retired_image(label) or '']})"
                         for job, (label, _line) in hits.items())
        lines = [line for _label, line in hits.values()]
        yield Finding(
            message=f"{len(hits)} job{'s' if len(hits) != 1 else ''} ask{'s' if len(hits) == 1 else ''} for a "
                    f"GitHub-hosted image that GitHub has retired: {jobs}; such a job no longer starts, so "
                    "whatever it checks has stopped",
            location=Location(workflow.path, lines[0]),
            key="retired-runner",
            related=tuple(Location(workflow.path, line) for line in lines[1:]),
        )
