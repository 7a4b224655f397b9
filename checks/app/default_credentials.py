"""Default application credentials seeded in code or migrations.

## What it checks
The application does not create a login with a password everyone can read in the repository:

- a migration (`*.sql`) that inserts into a user or account table a password hash literal
  (bcrypt `$2b$...`, argon2, Django `pbkdf2_sha256$...`): **high confidence**;
- seed or bootstrap code that hashes a literal password (`bcrypt.hash('secret', ...)`,
  `make_password("admin")`, `hashSync('changeme')`) or creates a user with `password: '...'`;
- an admin/root/superuser password variable with a literal fallback in code
  (`ADMIN_PASSWORD = config("ADMIN_PASSWORD", default="...")`,
  `process.env.ROOT_PASSWORD || 'admin'`, `const { ROOT_PASSWORD = 'iamgroot' } = process.env`):
  medium confidence, since a deployer may always set it.

Tests are not judged. Values are never shown.

## Why it matters
A default admin login published in the repository (and often in the README) is the first thing
anyone tries against an unattended install: with it they own the instance, its data and its
users. Nothing forces the operator to change it.

## How to fix
Create the first admin from required configuration, refuse to start without it, or force a
password change on first login.

```python fastapi
ADMIN_PASSWORD: SecretStr = Field(min_length=12)  # no default: start-up fails until it is set
```
```ts nestjs
const password = this.config.getOrThrow<string>('ADMIN_PASSWORD'); // no literal fallback
await this.users.create({ email, password: await bcrypt.hash(password, 12), mustChangePassword: true });
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_CODE = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
_HASH = re.compile(r"'\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}'|'\$argon2(id|i|d)\$[^']+'|'pbkdf2_sha256\$[^']+'")
_USER_INSERT = re.compile(r"INSERT\s+INTO\s+[\"`]?\w*?(user|users|account|accounts|admin|admins|member|members)[\"`]?\s",
                          re.IGNORECASE)
_HASHES_LITERAL = re.compile(r"\b(bcrypt\.hash|bcrypt\.hashSync|hashSync|hashPassword|hash_password|make_password|"
                             r"get_password_hash|argon2\.hash|set_password)\(\s*([\"'])(?P<value>[^\"'$]{3,})\2")
_ADMIN_VAR = r"\w*?(?:ADMIN|ROOT|SUPERUSER|FIRST_SUPERUSER|DEFAULT_USER|INITIAL_ADMIN|OWNER)\w*?_?PASS(?:WORD)?"
_LITERAL_FALLBACK = re.compile(
    rf"\b({_ADMIN_VAR})\b[^\n]*?(?:default\s*=\s*|\|\|\s*|\?\?\s*|,\s*)([\"'])(?P<value>[^\"'$]{{3,}})\2"
    rf"|\b({_ADMIN_VAR})\s*=\s*([\"'])(?P<destructured>[^\"'$]{{3,}})\5\s*,?\s*$",
    re.IGNORECASE | re.MULTILINE)
# Cheap tests a file must pass before the two regexes above can match (they try a match at every
# word): every _HASHES_LITERAL callee contains `hash` or `_password`, and every _ADMIN_VAR one of
# these words, compared with the same IGNORECASE rules as the full pattern.
_HASHING_WORDS = ("hash", "_password")
_ADMIN_WORD = re.compile(r"ADMIN|ROOT|SUPERUSER|DEFAULT_USER|OWNER", re.IGNORECASE)


@check(id="APP-DEFAULT-CREDENTIALS", severity=Severity.HIGH, section=Section.SECURITY, security=True,
       effort_hours=1.0, passed="No default login seeded in code or migrations")
def default_credentials(project: Project) -> Iterator[Finding]:
    """Flag fixed admin passwords seeded by migrations, seeds or config fallbacks."""
    judged = False
    for rel in project.files:
        lower = f"/{rel.lower()}"
        if any(part in lower for part in ("/test", "/tests/", "/e2e/", "/__tests__/", "node_modules/", ".spec.",
                                           ".test.", "/fixtures/", "/cypress/")):
            continue
        if rel.endswith(".sql"):
            judged = True
            yield from _sql(project, rel)
        elif rel.endswith(_CODE):
            judged = True
            yield from _code(project, rel)
    if not judged:
        raise NotApplicable("no source or migration files")


def _sql(project: Project, rel: str) -> Iterator[Finding]:
    text = project.read_text(rel) or ""
    for statement in re.finditer(r"INSERT\s+INTO[^;]*;", text, re.IGNORECASE | re.DOTALL):
        body = statement.group(0)
        if _USER_INSERT.match(body) and _HASH.search(body):
            line = text.count("\n", 0, statement.start()) + 1
            yield Finding(f"{rel} inserts a user with a fixed password hash: every install gets the same login",
                          Location(rel, line), key=f"{rel}:seeded-user", confidence=Confidence.HIGH)
            return


def _code(project: Project, rel: str) -> Iterator[Finding]:
    text = project.read_text(rel) or ""
    if "pass" not in text.lower():
        return
    for match in _HASHES_LITERAL.finditer(text) if any(w in text for w in _HASHING_WORDS) else ():
        line = text.count("\n", 0, match.start()) + 1
        yield Finding(f"{rel} hashes a literal password ({match.group(1)}) for a seeded account",
                      Location(rel, line), key=f"{rel}:hashed-literal", confidence=Confidence.HIGH)
        return
    # The admin variable's name holds PASS, and the pattern tries a match at every word: so it runs
    # only on lines that name a password and an admin word (a line's match never needs the next line).
    for line, match in _line_matches(text, _LITERAL_FALLBACK) if _ADMIN_WORD.search(text) else ():
        name = match.group(1) or match.group(4)
        yield Finding(f"{name} falls back to a literal password in {rel}: unless every deployer sets it, "
                      "the admin login is public", Location(rel, line), key=f"{rel}:{name}",
                      confidence=Confidence.MEDIUM)
        return


def _line_matches(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """``pattern``'s first match on each line that names a password and an admin word, with its line number."""
    for number, line in enumerate(text.split("\n"), start=1):
        if "pass" in line.lower() and _ADMIN_WORD.search(line):
            match = pattern.search(line)
            if match is not None:
                yield number, match
