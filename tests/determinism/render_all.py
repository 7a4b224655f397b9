"""Subprocess helper: scan each sample repo twice and print every format's rendering as JSON.

Run as ``python -m tests.determinism.render_all`` (by test_determinism.py, with a chosen
PYTHONHASHSEED). ``generated_at`` is pinned so that only real differences remain.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from auditor.engine import scan
from auditor.options import ScanOptions
from reports import FORMATS, renderer
from tests.harness import FIXTURES, registry


def renderings() -> dict[str, str]:
    """``repo/format/run`` -> rendered text, for two scans of every sample repository."""
    out: dict[str, str] = {}
    for repo in sorted(p for p in (FIXTURES / "repos").iterdir() if p.is_dir()):
        for run in (1, 2):
            report = scan(ScanOptions(path=repo, offline=True), registry())
            report = dataclasses.replace(report, generated_at="2026-01-01T00:00:00Z")
            for fmt in FORMATS:
                out[f"{repo.name}/{fmt}/{run}"] = renderer(fmt).render(report)
    return out


if __name__ == "__main__":
    json.dump(renderings(), sys.stdout)
