"""``prodcheck scan --changed-since REF``: judge and report only what changed.

The changed set is what ``git diff --name-only REF`` lists (committed, staged and unstaged
changes of the work tree against REF) plus untracked files git does not ignore. git is run
with the scanned repository's command hooks disabled (fsmonitor, hooks, external diff and
textconv drivers, the system config): listing changes never executes scanned code.

A scan limited to that set

* runs a check family only when a changed file is of a kind its findings can be located in
  (a Dockerfile change runs the Dockerfile checks, not the compose or source ones); the
  others are skipped, and their modules are never imported;
* reports only findings located in a changed file (or with a related location there),
  plus repository-level findings (no path, or only anchored to one) of the families that ran.
  A check whose findings all lie in unchanged files is skipped with that reason, not passed.

Gates then apply to what is shown: a pre-commit hook fails on what this change touches.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.model import CheckResult, Finding, SkipKind, Status
from auditor.registry import CheckSpec, DeferredCheck

#: Kinds of changed file, as families care about them.
DOCKER, COMPOSE, ENV, CI, MANIFEST, OTHER = "docker", "compose", "env", "ci", "manifest", "other"
ALL_KINDS = frozenset({DOCKER, COMPOSE, ENV, CI, MANIFEST, OTHER})

# Where each built-in family's findings can be located (read from the checks' Location(...)
# calls and the corpus ledger): env reads in source and compose, backups evidence in any
# config file, migrations in SQL/source. A family not listed (a plugin, a new package) runs
# on any change: slower, never a missed finding.
FAMILY_KINDS: dict[str, frozenset[str]] = {
    "docker": frozenset({DOCKER}),
    "compose": frozenset({COMPOSE}),
    "env": frozenset({ENV, COMPOSE, MANIFEST, OTHER}),
    "app": frozenset({MANIFEST, OTHER}),
    "deps": frozenset({MANIFEST}),
    "ops": frozenset({COMPOSE, ENV, CI, MANIFEST, OTHER}),
    "core": ALL_KINDS,  # parse errors and suppression comments can sit in any file
}

_MANIFESTS = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock",
    "pyproject.toml", "poetry.lock", "uv.lock", "pipfile", "pipfile.lock", "setup.py", "setup.cfg",
})
_CI_FILES = frozenset({".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml",
                       "jenkinsfile", ".drone.yml"})
_CI_DIRS = (".github/workflows/", ".circleci/", ".buildkite/")

# The scanned repository's git configuration must not run anything: no fsmonitor daemon,
# no hooks, no system config; diff drivers are disabled per command (--no-ext-diff, --no-textconv).
_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "--no-optional-locks", "--no-pager")


class ChangedSinceError(ValueError):
    """The changed set cannot be computed (no git work tree, unknown revision): a usage error."""


@dataclass(frozen=True)
class ChangedSet:
    """The files changed since ``ref``, as paths relative to the scanned root (POSIX separators)."""

    ref: str
    files: frozenset[str]


def changed_files(root: Path, ref: str) -> ChangedSet:
    """The changed set of ``root`` against ``ref``; raises ChangedSinceError with a one-line reason."""
    if not ref.strip() or ref.startswith("-"):
        raise ChangedSinceError(f"--changed-since: {ref!r} is not a git revision")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise ChangedSinceError(f"--changed-since needs a git work tree: {str(root)!r} is not in one"
                                f"{_reason(inside)}")
    verified = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if verified.returncode != 0:
        if ref in _HEAD_NAMES and _unborn(root):
            # The repository's first commit: nothing was committed before, so everything staged
            # or untracked (not ignored) is the change (the pre-commit hook's `HEAD` on a new repository).
            return _everything(root, ref)
        raise ChangedSinceError(f"--changed-since: unknown git revision {ref!r} in {str(root)!r}")
    commit = verified.stdout.decode("ascii", "replace").strip()
    # --relative: paths relative to ROOT, and only those below it (ROOT may be a sub-directory).
    diff = _git(root, "diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv", "--no-renames",
                "--relative", commit, "--")
    others = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    for proc in (diff, others):
        if proc.returncode != 0:
            raise ChangedSinceError(f"--changed-since: git failed in {str(root)!r}{_reason(proc)}")
    names = [*_split(diff.stdout), *_split(others.stdout)]
    return ChangedSet(ref=ref, files=frozenset(names))


_HEAD_NAMES = frozenset({"HEAD", "@"})


def _unborn(root: Path) -> bool:
    """HEAD names a branch that has no commit yet (a repository before its first commit)."""
    branch = _git(root, "symbolic-ref", "--quiet", "HEAD")
    if branch.returncode != 0:
        return False
    tip = _git(root, "rev-parse", "--verify", "--quiet", branch.stdout.decode("utf-8", "replace").strip())
    return tip.returncode != 0


def _everything(root: Path, ref: str) -> ChangedSet:
    """Every file in the index plus untracked, not ignored ones, relative to ``root``."""
    staged = _git(root, "ls-files", "-z", "--cached")
    others = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    for proc in (staged, others):
        if proc.returncode != 0:
            raise ChangedSinceError(f"--changed-since: git failed in {str(root)!r}{_reason(proc)}")
    return ChangedSet(ref=ref, files=frozenset([*_split(staged.stdout), *_split(others.stdout)]))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    env.pop("GIT_EXTERNAL_DIFF", None)
    try:
        return subprocess.run([*_GIT, *args], cwd=root, capture_output=True, timeout=30, check=False, env=env)
    except FileNotFoundError:
        raise ChangedSinceError("--changed-since needs git, which is not installed") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise ChangedSinceError(f"--changed-since: git could not run: {type(exc).__name__}") from None


def _split(output: bytes) -> list[str]:
    return [os.fsdecode(name).replace(os.sep, "/") for name in output.split(b"\0") if name]


def _reason(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return f" ({lines[0][:200]})" if lines else ""


def kind_of(rel: str) -> str:
    """The kind of a changed file: docker, compose, env, ci, manifest or other."""
    from auditor.project import is_compose_name, is_dockerfile_name, is_env_file_name, is_env_template_name

    name = posixpath.basename(rel)
    lower = name.lower()
    if is_dockerfile_name(name):
        return DOCKER
    if is_compose_name(name):
        return COMPOSE
    if is_env_template_name(name) or is_env_file_name(name):
        return ENV
    if lower in _CI_FILES or any(f"/{d}" in f"/{rel}" for d in _CI_DIRS):
        return CI
    if lower in _MANIFESTS or (lower.startswith("requirements") and lower.endswith((".txt", ".in"))):
        return MANIFEST
    return OTHER


def family_of(spec: CheckSpec) -> str | None:
    """The built-in family (``checks.<family>.module``) a check belongs to; None for a plugin."""
    module = spec.func.module if isinstance(spec.func, DeferredCheck) else getattr(spec.func, "__module__", "")
    parts = (module or "").split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "checks" and spec.meta.origin == "builtin" else None


@dataclass(frozen=True)
class Scope:
    """What a changed-since scan judges: the changed files that were scanned, and their kinds."""

    ref: str
    files: frozenset[str]
    kinds: frozenset[str]

    def skip_reason(self, spec: CheckSpec) -> str:
        """Why ``spec`` does not run in this scan ("" when it runs)."""
        family = family_of(spec)
        wanted = FAMILY_KINDS.get(family, ALL_KINDS) if family is not None else ALL_KINDS
        if wanted & self.kinds:
            return ""
        return f"no file it judges changed since {self.ref}"

    def limit(self, results: Iterable[CheckResult]) -> list[CheckResult]:
        """Keep only findings in changed files or repository-level ones; emptied failures become skips."""
        out = []
        for result in results:
            if result.status is not Status.FAIL or result.target != "repo":
                out.append(result)
                continue
            kept = tuple(f for f in result.findings if self.shows(f))
            if kept:
                out.append(replace(result, findings=kept))
            else:
                out.append(replace(result, status=Status.SKIPPED, findings=(), skip_kind=SkipKind.NOT_RUN,
                                   reason=f"findings only in files unchanged since {self.ref}"))
        return out

    def shows(self, finding: Finding) -> bool:
        """A finding located in a changed file (or related to one), or about the repository as a whole."""
        location = finding.location
        if location.anchor_only or not location.path:
            return True
        return location.path in self.files or any(r.path in self.files for r in finding.related)

    def note(self) -> str:
        """The report note saying this is a partial scan."""
        count = len(self.files)
        return (f"partial scan: {count} changed file{'s' if count != 1 else ''} since {self.ref} "
                "(findings in other files are not shown; gates apply to what is shown)")


def scope(changed: ChangedSet, scanned: Sequence[str] | frozenset[str]) -> Scope:
    """The scope of a changed-since scan: changed files the scan discovered (deleted or excluded ones drop out)."""
    present = frozenset(changed.files) & frozenset(scanned)
    return Scope(ref=changed.ref, files=present, kinds=frozenset(kind_of(rel) for rel in present))
