"""Signing secret falls back to a value written in the code.

## What it checks
A secret the application signs, encrypts or authenticates with (`JWT_SECRET`, `SECRET_KEY`,
`SESSION_SECRET`, `*_HMAC_SECRET`, `*_API_KEY`, `*_TOKEN` ...) is read from the environment
without a literal fallback in server code:

- `process.env.JWT_SECRET || "dev-secret"` / `?? "..."`, and
  `const { JWT_SECRET = "..." } = process.env`;
- `ConfigService.get("JWT_SECRET", "...")`;
- `os.getenv("SECRET_KEY", "...")`, `os.environ.get(...)`, and settings helpers that read one
  variable with a default (`config("SECRET_KEY", default="...")`, `env.str(...)`,
  `envsecret("SECRET_KEY", "---")`).

A secret that falls back to another variable that is not a secret of its own
(`process.env.APP_SECRET || process.env.DATABASE_URL`, `os.getenv("SECRET_KEY", os.getenv("SITE_ROOT"))`)
is reported at **medium**: the service then signs with a configuration value that other services,
env files and compose defaults share, instead of failing. A fallback to another secret-named
variable (`JWT_SECRET || AUTH_SECRET`) passes.

An empty fallback (`""`, the feature is off), a flag or number, and a literal the same file
compares against and refuses (`if SECRET_KEY == "---": raise ...`) pass. Passwords are not
judged here: a default admin password is APP-DEFAULT-CREDENTIALS's finding, a template's
placeholder ENV-WEAK-SECRET's. Tests are not judged. One finding per file, the other
variables as related locations; values are never shown.

## Why it matters
When the variable is missing (a new deployment, a typo in the manifest, the README's minimal
`docker run`), the service starts anyway and signs sessions or tokens with a value anyone can
read in the repository: every session can be forged and every token verified by an outsider.
Failing at start-up turns that silent hole into a deploy that does not come up.

## How to fix
Read the secret without a fallback and refuse to start when it is missing or short.

```ts
const secret = process.env.JWT_SECRET
if (!secret || secret.length < 32) throw new Error("JWT_SECRET must be set (32+ characters)")
```
```python
SECRET_KEY = os.environ["SECRET_KEY"]  # KeyError at start-up instead of a published default
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.env_values import secret_setting
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import EnvDefault, SourceFile

_PASSWORD = re.compile(r"PASSWORD|PASSWD|PASS$|PWD", re.IGNORECASE)
# Settings about a secret rather than the secret itself (SALT_ROTATION=month, TOKEN_SCHEME=Bearer).
_ABOUT_A_SECRET = re.compile(r"_(ROTATION|PERIOD|POLICY|SCHEME|KIND|STORE|BACKEND)$", re.IGNORECASE)
_NOT_A_SECRET_VALUE = re.compile(r"^(?:true|false|yes|no|on|off|none|null|undefined|\d+)$", re.IGNORECASE)
_REFUSES = r"(?:raise|throw|process\.exit|sys\.exit|ImproperlyConfigured)"


def _signing_secret(name: str) -> bool:
    """A secret-named setting (see :func:`secret_setting`) that is not a password."""
    return secret_setting(name) and not _PASSWORD.search(name) and not _ABOUT_A_SECRET.search(name)


def _refused(text: str, value: str) -> bool:
    """Whether the file compares the variable with its fallback literal and refuses to go on."""
    quoted = rf"[\"']{re.escape(value)}[\"']"
    return bool(re.search(rf"(?:==|!=|\bin\b|\bis\b)\s*[\[(]?\s*{quoted}[^\n]*(?:\n[^\n]*){{0,3}}?\b{_REFUSES}",
                          text) or re.search(rf"{quoted}\s*(?:==|!=)[^\n]*(?:\n[^\n]*){{0,3}}?\b{_REFUSES}", text))


@check(id="APP-SECRET-FALLBACK", severity=Severity.HIGH, section=Section.SECURITY, security=True,
       effort_hours=0.5, passed="Signing secrets have no fallback value in the code")
def secret_fallback(project: Project) -> Iterator[Finding]:
    """Report server files that fall back to a literal signing secret when the variable is unset."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        for source in index.files_of(service):
            # Tests, scripts and bundler configs are not in the service's index files at all.
            yield from _derived(service, source)
            if not source.env_defaults:
                continue
            judged = True
            hits: list[EnvDefault] = []
            for default in sorted(source.env_defaults, key=lambda d: d.line):
                value = default.value.strip()
                if not value or _NOT_A_SECRET_VALUE.match(value) or value.startswith("$"):
                    continue
                if not _signing_secret(default.name) or any(h.name == default.name for h in hits):
                    continue
                if _refused(project.read_text(source.path) or "", default.value):
                    continue
                hits.append(default)
            if not hits:
                continue
            names = ", ".join(h.name for h in hits)
            yield Finding(
                message=(f"{names} fall{'s' if len(hits) == 1 else ''} back to a value written in "
                         f"{source.path} when unset: the service starts and signs with a published secret"),
                location=Location(source.path, hits[0].line), key=f"{service.name}:{source.path}",
                related=tuple(Location(source.path, h.line) for h in hits[1:]),
            )
        judged = judged or any(f.env_fallbacks for f in index.files_of(service))
    if not judged:
        raise NotApplicable("no server code reads an environment variable with a fallback value")


def _derived(service: rules.Service, source: SourceFile) -> Iterator[Finding]:
    """Signing secrets that fall back to a non-secret variable (``APP_SECRET || DATABASE_URL``)."""
    hits = [f for f in sorted(source.env_fallbacks, key=lambda f: f.line)
            if _signing_secret(f.name) and not secret_setting(f.other)]
    for hit in hits[:1]:  # one finding per file, as for literal fallbacks; the rest are related
        yield Finding(
            message=(f"{hit.name} falls back to {hit.other} when unset ({source.path}): the service starts and "
                     f"signs with a configuration value it shares with other services and files, not a secret "
                     f"of its own"),
            location=Location(source.path, hit.line), key=f"{service.name}:{source.path}:derived",
            related=tuple(Location(source.path, h.line) for h in hits[1:]),
            severity=Severity.MEDIUM,
        )
