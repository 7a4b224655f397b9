"""Compose `${VAR}` missing from the env template.

## What it checks
This check is about the **deployer's documentation**: every variable a
compose file interpolates without a default (`${VAR}`, `$VAR`,
`$VAR`) on the deploy host is declared in at least one env template
(`.env.example`, `.env.sample`, and loosely named ones such as
`env-example-postgres`, `env.sample` or `example.env` ...; a commented `# VAR=` line counts), in a
committed `.env` (then that file is the template), in the compose file's
comments, or in the README or docs. `${VAR:?message}` passes: compose
refuses to start without it and says why. It does not look at the application code; a variable the code
reads but compose never hands to the container is ENV-NOT-PROVIDED. When
the repository has no env template at all, each such variable is reported,
since the template is the only place a new deployer learns what to set.
Variables Docker Compose or the shell provide (`HOME`, `PWD`, `USER`, `UID`,
`GID`, `HOSTNAME`, `COMPOSE_*`, `DOCKER_*`) are exempt. A git-ignored `.env`
does not count: it is not in the repository.

## Why it matters
Compose substitutes an empty string for an unset variable and only warns,
so a forgotten variable becomes an empty password, an empty image tag or a
service listening on the wrong host.

## How to fix
Declare the variable in the template (empty for secrets) and make compose
refuse to start without it.

```shell
# .env.example
PUBLIC_URL=
JWT_SECRET=
```
```yaml compose
services:
  api:
    environment:
      JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET in .env}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.env_values import committed_env_files, loose_env_templates
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

BUILTIN_VARS = frozenset({"HOME", "PWD", "USER", "UID", "GID", "HOSTNAME", "PATH", "SHELL", "LANG", "TZ"})
BUILTIN_PREFIXES = ("COMPOSE_", "DOCKER_", "BUILDKIT_")
_DOC_SUFFIXES = (".md", ".mdx", ".rst", ".txt", ".adoc")


def _docs_text(project: Project) -> str:
    """README and documentation text, where deployers look for the variables to set."""
    parts = []
    for path in project.files:
        if path.lower().endswith(_DOC_SUFFIXES) and "node_modules" not in path and "CHANGELOG" not in path.upper():
            parts.append(project.read_text(path) or "")
    return "\n".join(parts)


@check(id="ENV-UNDECLARED-VAR", severity=Severity.LOW, section=Section.CONFIGURATION, needs=("compose",),
       effort_hours=0.25, passed="Every compose ${VAR} without a default is documented in the env template")
def undeclared_var(project: Project) -> Iterator[Finding]:
    """Flag compose ${VAR} references without a default that no env template declares."""
    # A committed env file (not ignored) is the template its compose file reads.
    declared = {key for env in committed_env_files(project) for key in env.keys()}
    loose = {key for env in loose_env_templates(project) for key in env.keys()}
    declared |= loose
    seen: set[str] = set()
    refs = [(compose, ref) for compose in project.compose_files for ref in compose.var_refs()
            if ref.default is None and ref.name not in BUILTIN_VARS and not ref.name.startswith(BUILTIN_PREFIXES)]
    if not refs:
        raise NotApplicable("compose files interpolate no variable without a default")
    docs: str | None = None
    for compose, ref in refs:
        path = compose.path
        if ref.name in declared or ref.name in seen:
            continue
        if re.search(r"\$\{" + re.escape(ref.name) + r":?\?", compose.text):
            continue  # ${VAR:?message} anywhere in the file: compose refuses to start without it, and says why
        if re.search(r"#.*\b" + re.escape(ref.name) + r"\b", compose.text):
            continue  # documented in the compose file's own comments
        if docs is None:
            docs = _docs_text(project)
        if re.search(r"\b" + re.escape(ref.name) + r"\b", docs):
            continue  # documented for the deployer in the README or docs
        seen.add(ref.name)
        where = "no env template exists to document it" if not project.env_templates and not loose else \
            "no env template documents it for the deployer"
        yield Finding(
            message=f"compose interpolates ${{{ref.name}}} in {path} without a default, and {where}",
            location=Location(path=path, line=ref.line),
            key=ref.name,
        )
