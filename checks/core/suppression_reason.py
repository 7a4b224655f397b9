"""Suppression without a reason.

## What it checks
Every inline suppression comment (``prodcheck`` followed by ``: ignore[CHECK-ID]``)
in the scanned files says why the finding is accepted: some text must follow
the closing bracket, in the file's own comment syntax (``#``, ``//``,
``/* */`` or ``<!-- -->``).

## Why it matters
A suppression hides a finding from every report and gate. Without a reason,
nobody can later tell an accepted risk from a shortcut, and nobody knows when
to revisit it. Reviewers should see the justification next to the code.

## How to fix
Write the reason after the closing bracket, on the same line. For a
temporary exception, prefer a config ignore with an ``expires`` date.

```dockerfile
# prodcheck: ignore[DOCKER-ROOT-USER] the init system drops privileges itself
USER root
```

```yaml compose
services:
  web:
    privileged: true  # prodcheck: ignore[COMPOSE-PRIVILEGED] needs /dev/kvm until INFRA-42
```

```ts node
// prodcheck: ignore[APP-CORS-WILDCARD] public read-only API, no cookies
app.use(cors({ origin: "*" }));
```

```python fastapi
app.add_middleware(CORSMiddleware, allow_origins=["*"])  # prodcheck: ignore[APP-CORS-WILDCARD] public API
```

```yaml config
# .prodcheck.yaml: a time-boxed exception instead of an inline comment
ignore:
  - check: DOCKER-ROOT-USER
    path: legacy/Dockerfile
    reason: legacy image, replaced in Q3
    expires: 2026-09-30
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.suppress import comment_styles, parse_suppressions

# Generated files that never carry hand-written suppressions; big, so not worth reading.
_GENERATED = ("pnpm-lock.yaml", "yarn.lock", "package-lock.json", "poetry.lock", "uv.lock", "Cargo.lock")


@check(id="SUPPRESSION-NO-REASON", severity=Severity.LOW, section=Section.COMPLIANCE, effort_hours=0.25,
       passed="Every inline suppression states its reason")
def suppression_without_reason(project: Project) -> Iterator[Finding]:
    """Report inline suppressions that give no reason."""
    seen = 0
    for rel in project.files:
        if rel.endswith(_GENERATED) or not comment_styles(rel):
            continue
        text = project.read_text(rel)
        if not text:
            continue
        for sup in parse_suppressions(rel, text):
            seen += 1
            if sup.reason:
                continue
            ids = ",".join(sup.check_ids) or "(no check id)"
            yield Finding(
                message=f"Suppression of {ids} gives no reason; say why the finding is accepted",
                location=Location(path=rel, line=sup.line),
                key=ids,
            )
    if not seen:
        # Nothing to judge: a repository without suppressions earns no "every reason given" strength.
        raise NotApplicable("no inline suppression comments in the scanned files")
