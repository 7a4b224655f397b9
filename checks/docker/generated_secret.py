"""A signing secret generated afresh at every container start.

## What it checks
Shell scripts on a production image's start path (its ENTRYPOINT or CMD followed into the
repository's scripts) that assign a secret-like variable (`*SECRET*`, `*KEY*`, `*TOKEN*`,
`*SALT*`) from a random generator (`openssl rand`, `/dev/urandom`, `crypto.randomBytes`,
`secrets.token_*`, `uuidgen`, `pwgen`) without writing it anywhere that outlives the container.
A script that keeps the generated value in a file (`> /data/secret`, `tee`) passes.

## Why it matters
A secret made at start-up lives only as long as the container: every restart, redeploy or
crash signs with a new one, so every session, cookie and token issued before it stops working.
With two replicas, each signs with its own secret and users are logged out whenever the load
balancer switches. The script usually prints a warning, which nobody reads in production; failing
closed makes the missing setting visible at the first deploy.

## How to fix
Require the secret in production and stop the container without it; generate it once at install
time (or keep the generated value on a volume).

```shell
if [ -z "${AUTH_SECRET:-}" ]; then
  echo "AUTH_SECRET is required: generate one with 'openssl rand -hex 32' and set it in .env" >&2
  exit 1
fi
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import dockerfiles, runtime_stage, start_path
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_SECRET_ASSIGNMENT = re.compile(
    r"(?:^|[\s;:{])(?:export\s+)?\$?\{?([A-Z][A-Z0-9_]*(?:SECRET|KEY|TOKEN|SALT)[A-Z0-9_]*)(?::?=)[\"']?\$\(")
_RANDOM = re.compile(r"openssl\s+rand|/dev/u?random|randomBytes|secrets\.token_|token_(?:hex|urlsafe)|uuidgen|"
                     r"\bpwgen\b|/proc/sys/kernel/random/uuid|get_random_secret_key")


def generated_secrets(text: str) -> list[tuple[str, int]]:
    """(variable, line) of secret-like variables a shell script assigns from a random generator
    and never writes to a file (so the value dies with the container)."""
    lines = text.splitlines()
    found: list[tuple[str, int]] = []
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _SECRET_ASSIGNMENT.search(line)
        if match is None or not _RANDOM.search(line[match.end():]):
            continue
        name = match.group(1)
        if not _persisted(name, lines[number - 1:]):
            found.append((name, number))
    return found


def _persisted(name: str, rest: list[str]) -> bool:
    """The value is written to a file after it is made (``echo "$X" > /data/x``, ``| tee``)."""
    uses = re.compile(rf"\$\{{?{re.escape(name)}\b")
    return any(uses.search(line) and re.search(r"[^2]>>?\s*\S|\btee\b", line) for line in rest)


@check(id="DOCKER-GENERATED-SECRET", severity=Severity.MEDIUM, section=Section.SECURITY, needs=("dockerfiles",),
       security=True, effort_hours=0.5, passed="No signing secret is generated at container start")
def generated_secret(project: Project) -> Iterator[Finding]:
    """Flag start-path scripts that invent a secret when it is unset, instead of failing."""
    scripts: dict[str, str] = {}
    for dockerfile in dockerfiles(project):
        path = start_path(project, dockerfile, runtime_stage(project, dockerfile))
        for step in path.steps:
            if step.kind == "script":
                scripts.setdefault(step.origin, dockerfile.path)
    if not scripts:
        raise NotApplicable("no start-path shell script in the repository")
    for script, image in sorted(scripts.items()):
        for name, line in generated_secrets(project.read_text(script) or ""):
            yield Finding(
                message=f"{script} generates {name} at every container start when it is unset ({image} runs "
                        "it): sessions and tokens signed before a restart stop working, and replicas sign with "
                        "different secrets; require it instead",
                location=Location(script, line),
                key=f"{script}:{name}",
            )
