"""Python dependency with a known vulnerability.

## What it checks
Pinned packages in `requirements*.txt`, `pyproject.toml` (exact `==` pins),
`poetry.lock`, `uv.lock`, `pylock.toml` and `Pipfile.lock` are audited with
pip-audit's PyPI vulnerability service. Unpinned requirements cannot be
audited without resolving them and are listed as skipped. Findings carry the
package, version, advisory ids and aliases, and fixed versions. With
`--offline` the check is skipped, never passed; when the service cannot be
reached the result is an error.

## Why it matters
A vulnerable framework or parser version is often remotely exploitable, and
pinned versions never move by themselves.

## How to fix
Upgrade to a fixed version, regenerate the lockfile, and audit in CI.

```shell
pip install --upgrade "PACKAGE>=FIXED_VERSION" && pip freeze > requirements.txt
pip-audit -r requirements.txt
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deps.judge import dependency_findings
from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import check


@check(id="DEPS-PYTHON-VULNS", severity=Severity.HIGH, section=Section.SECURITY, security=True, effort_hours=2,
       passed="No known vulnerabilities in pinned Python packages")
def python_vulnerabilities(project: Project) -> Iterator[Finding]:
    """Report PyPI advisories for pinned Python packages."""
    return dependency_findings(project, "PyPI")
