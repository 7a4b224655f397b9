"""Compose file has an obsolete `version:` key.

## What it checks
The compose file has no top-level `version:` key. The Compose
Specification ignores it, and Docker Compose v2 prints a warning
("the attribute `version` is obsolete") on every command.

## Why it matters
It is harmless at runtime but misleading: readers assume the file follows
the old 2.x/3.x schema rules (for example that `deploy:` is swarm-only),
and the warning trains people to ignore compose output.

## How to fix
Delete the line.

```yaml compose
# version: "3.8"   <- remove
services:
  api:
    image: ghcr.io/acme/api:1.4.2
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.compose import judged_compose_files
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="COMPOSE-OBSOLETE-VERSION", severity=Severity.INFO, section=Section.CONFIGURATION,
       needs=("compose",), effort_hours=0.1, passed="Compose files omit the obsolete version key")
def obsolete_version(project: Project) -> Iterator[Finding]:
    """Flag compose files with a top-level version key."""
    files = [f for f in judged_compose_files(project) if isinstance(f.data, dict)]
    if not files:
        raise NotApplicable("no compose files parsed")
    for file in files:
        if "version" in file.data:
            yield Finding(
                message=f"{file.path} declares version: {file.data['version']!s:.20}, obsolete in the Compose Specification",
                location=Location(path=file.path, line=file.top_line("version")),
                key="version",
            )
