"""Real secret committed in an env file.

## What it checks
Env templates (`.env.example` ...) and real env files that are tracked by
git (or, outside a git work tree, not ignored by `.gitignore`) hold no value
that looks like a real credential:

- a known key format in any variable: OpenAI/Anthropic `sk-...`, Stripe
  `sk_live_` / `sk_test_` / `rk_live_`, Resend `re_...`, AWS `AKIA` / `ASIA`,
  GitHub `ghp_` / `github_pat_`, Slack `xoxb-` / `xoxp-`, Google `AIza`,
  SendGrid `SG.`, GitLab `glpat-`, and PEM private keys; obvious
  placeholders in those formats (`sk-xxxx...`, `sk_test_your_key_here`) pass;
- a long (20+ characters), high-entropy value in a secret-named variable.

Findings give the file, line, variable and kind of key only, never the value
(at most a 4-character masked hint).

## Why it matters
A key in git history is public to everyone who ever cloned the repository,
and stays there after the line is deleted. Attackers scan public and leaked
repositories for exactly these prefixes within minutes.

## How to fix
Rotate the key first (deleting it is not enough), then blank the value in
the template and keep real values in a secret store or an ignored `.env`.

```shell
# 1. revoke/rotate the key at the provider
# 2. blank it in the template
sed -i 's/^API_KEY=.*/API_KEY=/' .env.example
# 3. optionally purge history (coordinate with the team)
git filter-repo --replace-text <(echo 'sk-...==>REMOVED')
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.env_values import committed_env_files, high_entropy, known_key_kind, secret_name
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.redact import mask
from auditor.registry import NotApplicable, check


@check(id="ENV-COMMITTED-SECRET", severity=Severity.CRITICAL, section=Section.SECURITY, needs=("env",),
       security=True, effort_hours=1.0, passed="No real secrets committed in env files")
def committed_secret(project: Project) -> Iterator[Finding]:
    """Flag known key formats and high-entropy secret values in committed env files."""
    files = committed_env_files(project)
    if not files:
        raise NotApplicable("no committed env templates or env files")
    for env in files:
        for entry in env.entries:
            value = entry.value
            if not value.strip():
                continue
            kind = known_key_kind(value)
            if kind is None and secret_name(entry.key) and high_entropy(value):
                kind = "high-entropy secret"
            if kind is None:
                continue
            state = "commented-out " if entry.commented_out else ""
            yield Finding(
                message=f"{state}{entry.key} in {env.path} holds what looks like a real {kind}; rotate it",
                location=Location(path=env.path, line=entry.line),
                key=entry.key,
                evidence=f"{entry.key}={mask(value)}",
            )
