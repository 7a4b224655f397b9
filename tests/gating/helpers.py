"""Shared helpers for the gating tests: tiny repos and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Keep scans deterministic while other checks come and go: only the checks these tests reason about.
ONLY_CONFIG = "checks:\n  only: [PARSE-ERROR, SUPPRESSION-NO-REASON]\n"


def write_repo(root: Path, files: dict[str, str]) -> Path:
    """Create a small repository tree."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``prodcheck`` in a subprocess (the real entry point, real exit codes)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PRODCHECK_", "GITHUB_"))}
    base["NO_COLOR"] = "1"
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], cwd=cwd, env=base, capture_output=True, text=True, timeout=120,
        check=False,
    )
