"""Real env file is committed or not ignored.

## What it checks
Real env files (`.env`, `.env.production`, `.env.local`, `services/api/.env`
...; not templates such as `.env.example`) are neither tracked by git nor
left out of `.gitignore`. Outside a git work tree only `.gitignore` is
judged. Development and test env files (`.env.development`, `.env.test`,
`.env.ci`) that hold no secret-named value with content pass, since
frameworks such as Next.js and Vite commit them on purpose. Any env file is
reported only when it holds a secret-named key (`*_SECRET`, `*_PASSWORD`,
`*_TOKEN`, `*_KEY` ...) with a real-looking value: one holding only
`COMPOSE_PROJECT_NAME`, a database file path, public URLs or placeholders
such as `changethis` is a committed template, not a leak.

## Why it matters
Real env files hold the production secrets. One `git add .` of an
unignored `.env` publishes them to everyone with access to the repository,
forever (history keeps them after deletion).

## How to fix
Ignore every real env file, keep the template, and untrack any that were
committed (then rotate what they held).

```gitignore
.env
.env.*
!.env.example
```
```shell
git rm --cached .env && git commit -m "stop tracking .env"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.env_values import real_looking, secret_name
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.envfile import parse_env
from auditor.project import Project, is_env_file_name
from auditor.registry import NotApplicable, check


def _holds_secret(project: Project, path: str) -> bool:
    text = project.read_text(path)
    if text is None:
        return True  # unreadable: assume the worst
    env = parse_env(path, text, template=False)
    return any(not e.commented_out and real_looking(e.value) and secret_name(e.key) for e in env.entries)


@check(id="ENV-FILE-NOT-IGNORED", severity=Severity.CRITICAL, section=Section.SECURITY, needs=(),
       security=True, effort_hours=0.5, passed="Env files with secrets are git-ignored and untracked")
def file_not_ignored(project: Project) -> Iterator[Finding]:
    """Flag real env files that git tracks or .gitignore does not ignore."""
    tracked = project.git_tracked
    paths = set(project.env_file_paths)
    if tracked is not None:
        paths |= {p for p in tracked if is_env_file_name(p.rsplit("/", 1)[-1])}
    if not paths:
        raise NotApplicable("no real env files found")
    for path in sorted(paths):
        name = path.rsplit("/", 1)[-1]
        if tracked is not None and path in tracked:
            problem = "is tracked by git"
        elif not project.is_git_ignored(path):
            problem = "is not ignored by .gitignore"
        else:
            continue
        # A committed env file is a leak only when it holds a secret-named key with a real-looking
        # value: one with COMPOSE_PROJECT_NAME, a SQLite path or `changethis` placeholders is a template.
        if not _holds_secret(project, path):
            continue
        yield Finding(
            message=f"real env file {path} {problem}; its secrets end up in the repository",
            location=Location(path=path, line=None),
            key=name,
        )
