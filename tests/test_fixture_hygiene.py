"""Fixture files must reach git: fixtures carry their own .gitignore files, which git honours too.

A fixture's ``.gitignore`` (needed to test ``.env`` handling) hides files such as
``.env`` from the project's own git, so a case passes locally and fails on a
clean checkout. Such files must be added with ``git add -f``; this test lists
any that were not (it can only see them in a working tree that has them).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.harness import FIXTURES, ROOT


def test_no_fixture_file_is_hidden_from_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git work tree")
    proc = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", str(FIXTURES)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )
    hidden = [line for line in proc.stdout.splitlines() if "__pycache__" not in line and not line.endswith(".pyc")]
    assert hidden == [], "fixture files ignored by git (add them with git add -f): " + ", ".join(hidden)
