"""Which files the repository added since its last release, read from git metadata.

Only git plumbing commands run (``describe``, ``rev-parse``, ``merge-base``, ``diff-tree``), with
the user's and the system's git configuration off, no pager, no prompt, no fsmonitor hook and a
time limit, so reading history never executes anything the scanned repository ships. Git is
consulted only when the scanned folder itself holds a ``.git``; anything unexpected means "no
history", and the checks fall back to what the files alone show.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from auditor.project import Project

_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


@dataclass(frozen=True)
class History:
    """Files added since a reference point (``since`` names it: a tag or a base branch)."""

    since: str
    added: frozenset[str]


def added_since_release(project: Project) -> History | None:
    """Files added since the last release tag, else on the branch against its base; None without history."""
    return project.view(added_since_release, lambda: _read(project.root))


def _git(root: Path, *args: str) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
                "GIT_PAGER": "cat", "GIT_CEILING_DIRECTORIES": str(root.parent), "GIT_OPTIONAL_LOCKS": "0"})
    try:
        done = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(root), *args], env=env,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _read(root: Path) -> History | None:
    if not (root / ".git").exists():
        return None
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if not head:
        return None
    since = _git(root, "describe", "--tags", "--abbrev=0", "HEAD")
    point = _git(root, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}") if since else None
    if not point:
        for base in _BASES:
            ref = _git(root, "rev-parse", "--verify", "--quiet", base)
            point = _git(root, "merge-base", head, ref) if ref else None
            if point and point != head:
                since = base
                break
        else:
            return None
    if not point or not since:
        return None
    names = _git(root, "diff-tree", "-r", "--name-only", "--no-renames", "--diff-filter=A", "--relative", point, head)
    if names is None:
        return None
    return History(since, frozenset(line for line in names.splitlines() if line))
