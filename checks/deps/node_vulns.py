"""Node dependency with a known vulnerability.

## What it checks
Every package resolved in `package-lock.json` (v1 to v3), `pnpm-lock.yaml`
and `yarn.lock` is looked up in the OSV database (one batch query, then the
details of each vulnerability). Findings carry the package, version, OSV id
and aliases (CVE, GHSA), the fixed versions, and a severity computed from the
record's CVSS v3 vector where it has one (else its advisory label, else high).
With `--offline` the check is skipped, never passed; when OSV cannot be
reached the result is an error.

## Why it matters
Known-vulnerable packages are the commonest way into small web services,
and lockfiles pin them until someone looks.

## How to fix
Upgrade to a fixed version (or override a transitive one), then keep the
audit in CI.

```shell npm
npm audit fix            # or: npm install PACKAGE@FIXED_VERSION
npm audit --audit-level=high
```
```json overrides
{ "overrides": { "vulnerable-transitive-package": "^1.2.4" } }
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deps.judge import dependency_findings
from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import check


@check(id="DEPS-NODE-VULNS", severity=Severity.HIGH, section=Section.SECURITY, security=True, effort_hours=2,
       passed="No known vulnerabilities in Node dependencies")
def node_vulnerabilities(project: Project) -> Iterator[Finding]:
    """Report OSV advisories for packages in Node lockfiles."""
    return dependency_findings(project, "npm")
