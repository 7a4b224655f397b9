"""Deployment file could not be parsed.

## What it checks
Every Dockerfile, compose file, env file and ``pyproject.toml`` prodcheck
found parses cleanly: no unknown instructions, unclosed heredocs, invalid or
hostile YAML (alias bombs, absurd nesting, merge keys that point at
themselves), invalid TOML, or lines that are not ``KEY=value``. With no such
file to parse (for example when the configuration excludes them all) the
check does not apply.

## Why it matters
A file that cannot be parsed cannot be judged, and the tools that deploy it
will usually reject it too; every other check silently sees less.

## How to fix
Fix the syntax at the reported line; validate locally before committing.

```shell
docker build --check .          # Dockerfile syntax and lint (BuildKit)
docker compose config --quiet   # compose syntax, anchors and merges
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check


@check(id="PARSE-ERROR", severity=Severity.MEDIUM, section=Section.DEPLOYMENT,
       passed="All deployment files parse cleanly")
def parse_errors(project: Project) -> Iterator[Finding]:
    """Report every parse problem the project met, at its file and line."""
    if not (project.dockerfile_paths or project.compose_paths or project.env_template_paths
            or project.env_file_paths or project.files_named("pyproject.toml")):
        # Nothing to parse: a pass here would praise files nobody read.
        raise NotApplicable("no deployment files to parse")
    for problem in project.parse_problems:
        yield Finding(
            message=f"{problem.path}: {problem.reason}",
            location=Location(path=problem.path, line=problem.line),
            key=problem.reason,
        )
