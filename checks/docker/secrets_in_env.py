r"""Secret baked into the image with ENV or ARG.

## What it checks
Every `ENV` and `ARG` in every stage (and global `ARG`s): a secret-looking
name (`*_SECRET`, `*_TOKEN`, `*PASSWORD`, `*_API_KEY`, ...) with a literal,
non-placeholder value; any value that carries a known credential prefix
(`sk_live_`, `sk-`, `AKIA`, `ghp_`, `xoxb-`, `SG.`, ...); a URL with an
embedded password; and `ENV SECRET=$SECRET`, which copies a build argument
into the runtime image. An `ARG` without a default, or a `${...}`
reference, is fine on its own. Values are never shown, only names.

## Why it matters
`ENV` values are stored in the image config and `ARG`/`ENV` values in its
history: anyone who can pull the image (a registry, a laptop, a CI cache)
can read them with `docker inspect` or `docker history`, and the literal is
committed to the repository as well. Rotating it means rebuilding and
re-pushing every image that ever had it.

## How to fix
Pass secrets at run time (compose `secrets:`, an orchestrator secret, or an
environment variable set by the platform) and use BuildKit secret mounts for
build-time credentials.

```dockerfile
# build time: never lands in a layer
RUN --mount=type=secret,id=npm_token \
    NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
```

```yaml compose
services:
  api:
    secrets: [stripe_key]
    environment:
      STRIPE_KEY_FILE: /run/secrets/stripe_key
secrets:
  stripe_key:
    file: ./secrets/stripe_key.txt
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import dockerfiles
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Instruction
from auditor.project import Project
from auditor.redact import mask
from auditor.registry import check
from auditor.secrets import env_pairs, looks_secret_key

KNOWN_PREFIXES = re.compile(
    r"(?<![A-Za-z0-9])(sk_live_|rk_live_|sk_test_|sk-|AKIA[0-9A-Z]{12}|ASIA[0-9A-Z]{12}|ghp_|gho_|ghu_|ghs_|ghr_|"
    r"github_pat_|glpat-|xox[abposr]-|SG\.[\w-]{16,}|sq0atp-|sq0csp-|AIza[\w-]{30}|whsec_|npm_[A-Za-z0-9]{30}|"
    r"shpat_|pk_live_|-----BEGIN [A-Z ]*PRIVATE KEY)"
)
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
_NOT_SECRET_SUFFIX = re.compile(r"(_FILE|_PATH|_DIR|_TTL|_EXPIRY|_EXPIRES(_IN)?|_LENGTH|_HEADER|_ALGORITHM|_ENABLED|"
                                r"_NAME|_ID|_URL|_HOST|_PORT|_TIMEOUT|_PREFIX|_FIELD|_TYPE|_VERSION)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(|changeme|change[-_]?me.*|secret|password|example.*|placeholder|todo|xxx+|none|null|true|false|yes|no|"
    r"dummy.*|fake.*|pass|passwd|pw|build[-_]?key|test|testing|default|required|replace[-_]?me.*|your[-_].*|<.*>|"
    r"\*+|\.\.\.|set[-_]?me.*|tbd|n/?a)$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}?$")


def _literal_secret(value: str) -> bool:
    """A value that is a real-looking literal: not empty, a placeholder, a number, a path or a reference."""
    value = value.strip().strip("\"'")
    if _PLACEHOLDER.match(value) or value.isdigit() or value.startswith(("/", "$", "./")):
        return False
    return len(value) >= 4


def _findings_for(path: str, ins: Instruction, secret_args: set[str]) -> Iterator[Finding]:
    for name, value in env_pairs(ins.args):
        if value is None:
            continue
        raw = value.strip().strip("\"'")
        where = Location(path=path, line=ins.line)
        prefix = KNOWN_PREFIXES.search(raw)
        reference = _REFERENCE.match(raw)
        url = _URL_PASSWORD.search(raw)
        if prefix:
            yield Finding(
                message=f"{path}: {ins.keyword} {name} holds a credential with a known key prefix",
                location=where, key=name, evidence=f"{name}={mask(raw)}",
            )
        elif url and "$" not in url.group(1) and not _PLACEHOLDER.match(url.group(1)):
            yield Finding(
                message=f"{path}: {ins.keyword} {name} is a URL with an embedded password",
                location=where, key=name,
            )
        elif reference and ins.keyword == "ENV" and (looks_secret_key(name) or reference.group(1) in secret_args):
            if _NOT_SECRET_SUFFIX.search(name) and reference.group(1) not in secret_args:
                continue
            yield Finding(
                message=(f"{path}: ENV {name} copies build argument {reference.group(1)} into the runtime image, "
                         "where docker inspect shows it"),
                location=where, key=name,
            )
        elif looks_secret_key(name) and not _NOT_SECRET_SUFFIX.search(name) and _literal_secret(raw):
            yield Finding(
                message=f"{path}: {ins.keyword} {name} sets a secret-looking value in the Dockerfile",
                location=where, key=name, evidence=f"{name}={mask(raw)}",
            )


@check(id="DOCKER-SECRETS-IN-ENV", severity=Severity.HIGH, section=Section.SECURITY, needs=("dockerfiles",),
       security=True, effort_hours=1.0,
       passed="Secrets kept out of Dockerfile ENV and ARG")
def secrets_in_env(project: Project) -> Iterator[Finding]:
    """Report secrets set by ENV/ARG literals, known key prefixes, and ARG secrets copied into ENV."""
    for dockerfile in dockerfiles(project):
        instructions = [*dockerfile.preamble, *(i for s in dockerfile.stages for i in s.instructions)]
        secret_args = {name for ins in instructions if ins.keyword == "ARG"
                       for name, _value in env_pairs(ins.args) if looks_secret_key(name)}
        for ins in instructions:
            if ins.keyword in {"ENV", "ARG"}:
                yield from _findings_for(dockerfile.path, ins, secret_args)
