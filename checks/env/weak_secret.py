"""Weak or placeholder secret value.

## What it checks
Secret-named variables (`*_SECRET`, `*_PASSWORD`, `*_TOKEN`, `*_API_KEY`,
`*_KEY` ...) do not hold a weak value: a placeholder (`change-me`,
`your-secret-here`, `xxx`, `<your-key>`), a common password (`secret`,
`password`, `admin`, `123456`, `test`), a single repeated character, or
anything shorter than 12 characters. It reads:

- env templates (`.env.example` ...): an empty value is what a template is
  for and passes; a filled-in placeholder fails at **medium** severity,
  because copies of the template deploy with it (but the template itself is
  not what runs);
- real env files, except development/test/local ones (`.env.development`,
  `.env.test`, `.env.local` ...), at **high** severity: that value is live;
- `${VAR:-default}` defaults in compose files, at **high** severity: an
  unset variable silently deploys the default.

In a template, a placeholder for a credential an outside provider issues
(`SMTP_PASSWORD=email-server-password`, `STRIPE_SECRET_KEY=your-key`) passes:
the deployer cannot choose that value, so a copied placeholder only fails to
authenticate with the provider; nothing is signed or protected with it.

A weak value in an env file that only a compose data-store service reads
(`POSTGRES_PASSWORD: ${DB_PASSWORD}` in a `db` service that publishes no port
on every host interface) passes: that password guards a database reachable
only from the compose network, and the operator edits the visible
placeholder. A `${VAR:-default}` in the compose file itself is still judged,
because nobody sees that default when it deploys.

A placeholder that the application itself compares against and refuses at
start-up (`if value == "changethis": raise ValueError(...)`) is guarded and
passes. Names that hold durations, counts or addresses
(`*_EXPIRATION_MINUTES`, `*_ATTEMPTS`, `*_EMAIL`) are not secrets.

Values are never shown. When no file holds a secret-named variable at all,
the check is skipped.

## Why it matters
Placeholder secrets survive into production more often than anyone admits:
a JWT signed with `change-me` can be forged by anyone, and a default
database password is the first thing scanners try.

## How to fix
Leave secrets empty in templates, generate real ones
(`openssl rand -base64 32`), and refuse to start without them.

```yaml compose
services:
  api:
    environment:
      JWT_SECRET: ${JWT_SECRET:?generate with: openssl rand -base64 32}
```
```ts hono
const secret = process.env.JWT_SECRET
if (!secret || secret.length < 32) throw new Error('JWT_SECRET must be set (32+ chars)')
```
```python fastapi
class Settings(BaseSettings):
    jwt_secret: SecretStr = Field(min_length=32)  # fails fast at startup
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.compose import all_services, ports_of
from auditor.env_values import loose_env_templates, secret_name, weak_reason
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

DEV_ENV_NAME = re.compile(r"\.(local|dev|development|test|testing|ci)(\.|$)", re.IGNORECASE)


# Name words of services that issue the credential themselves (mail relays, payment, OAuth, cloud APIs):
# the deployer pastes what the provider gave them, so a template placeholder cannot be deployed as a secret.
_PROVIDER_WORDS = frozenset({
    "SMTP", "MAIL", "MAILER", "EMAIL", "SES", "SENDGRID", "MAILGUN", "POSTMARK", "RESEND", "MAILJET", "BREVO",
    "TWILIO", "VONAGE", "STRIPE", "PAYPAL", "BRAINTREE", "GITHUB", "GITLAB", "BITBUCKET", "GOOGLE", "FACEBOOK",
    "APPLE", "TWITTER", "DISCORD", "SLACK", "MICROSOFT", "AZURE", "AWS", "GCP", "OPENAI", "ANTHROPIC",
    "CLOUDINARY", "SENTRY", "AUTH0", "OKTA", "ALGOLIA", "FIREBASE", "PUSHER", "MAPBOX", "RECAPTCHA",
    "HCAPTCHA", "TURNSTILE", "LINKEDIN", "OAUTH",
})


def _provider_issued(key: str) -> bool:
    """A credential an outside provider issues (``SMTP_PASSWORD``, ``GITHUB_CLIENT_SECRET``), by its name."""
    return any(word in _PROVIDER_WORDS for word in key.upper().split("_"))


_SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
_LITERAL = re.compile(r"""["']([^"'\s]{3,64})["']""")
_REFUSES = re.compile(r"\braise\b|\bthrow\b|process\.exit|sys\.exit")


def _refused_values(project: Project) -> frozenset[str]:
    """Placeholder values that application code compares against and refuses (raise/throw/exit).

    full-stack templates ship `SECRET_KEY=changethis` and a settings validator that raises when it
    is left unchanged; such a value is guarded, not weak. Only placeholder-like literals count.
    """
    found: set[str] = set()
    for path in project.files:
        if not path.endswith(_SOURCE_SUFFIXES) or "/test" in f"/{path}" or "node_modules" in path:
            continue
        text = project.read_text(path)
        if not text or not _REFUSES.search(text):
            continue
        for line in text.splitlines():
            if "==" not in line and "!=" not in line and " in " not in line:
                continue
            for literal in _LITERAL.findall(line):
                if weak_reason(literal) == "a placeholder or common password":
                    found.add(literal.lower())
    return frozenset(found)


def _guards_unpublished_store(project: Project, key: str) -> bool:
    """Whether ``key`` is read only by data-store services, none of which publishes a port on every interface.

    Such a password keeps out clients on the compose network alone, so a template placeholder for it is
    not an open door; a store published to the host's interfaces (or a non-store reader) keeps the finding.
    """
    readers = [svc for svc in all_services(project) if svc.reads_variable(key)]
    if not readers or any(svc.kind is None for svc in readers):
        return False
    return not any(port.all_interfaces for svc in readers for part in svc.parts for port in ports_of(part))


@check(id="ENV-WEAK-SECRET", severity=Severity.HIGH, section=Section.SECURITY, needs=(),
       security=True, effort_hours=0.5, passed="No weak or placeholder secret values")
def weak_secret(project: Project) -> Iterator[Finding]:
    """Flag secret-named keys whose value or compose default is a placeholder or weak."""
    files = [*project.env_templates, *loose_env_templates(project),
             *(f for f in project.env_files if not DEV_ENV_NAME.search(f.path.rsplit("/", 1)[-1]))]
    if not files and not project.compose_files:
        raise NotApplicable("no env files or compose files found")
    judged = False
    refused: frozenset[str] | None = None  # read from the source only once a weak value needs it
    for env in files:
        for entry in env.entries:
            if entry.commented_out or not secret_name(entry.key):
                continue
            judged = True
            reason = weak_reason(entry.value)
            if reason and refused is None:
                refused = _refused_values(project)
            if reason and refused is not None and entry.value.strip().lower() in refused:
                continue  # the application refuses this very value at start-up: it cannot reach production
            if reason and env.template and _provider_issued(entry.key):
                continue  # a stand-in for what the provider issues: a copy fails to authenticate, exposes nothing
            if reason and _guards_unpublished_store(project, entry.key):
                continue  # the password of a database only the compose network reaches
            if reason:
                tail = "; deploys copied from this template inherit it" if env.template else ""
                yield Finding(
                    message=f"{entry.key} in {env.path} is {reason}{tail}",
                    location=Location(path=env.path, line=entry.line),
                    key=entry.key,
                    # A template is copied, not run: a real env file or compose default is live.
                    severity=Severity.MEDIUM if env.template else None,
                )
    for compose in project.compose_files:
        for ref in compose.var_refs():
            if ref.default is None or not secret_name(ref.name):
                continue
            judged = True
            reason = weak_reason(ref.default)
            if reason:
                yield Finding(
                    message=f"${{{ref.name}}} in {compose.path} defaults to a value that is {reason}",
                    location=Location(path=compose.path, line=ref.line),
                    key=ref.name,
                )
    if not judged:
        raise NotApplicable("no secret-named variable in env files or compose defaults")
