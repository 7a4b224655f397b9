"""The printed deployment model of each corpus repository, checked by hand and kept as a snapshot.

Skipped when ``../shared/realworld`` is absent. Regenerate with ``PRODCHECK_UPDATE_SNAPSHOTS=1`` after
checking the new model against the repository's own files; ``snapshots/KNOWN-WRONG.md`` lists what
the model still gets wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.deploy.render import render_text
from auditor.project import Project

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "realworld"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
REPOS = ("fastapi-boilerplate", "full-stack-fastapi-template", "healthchecks", "hemmelig", "kaneo",
         "nestjs-boilerplate", "node-express-boilerplate", "umami")


@pytest.mark.parametrize("name", REPOS)
def test_printed_model_matches_snapshot(name: str) -> None:
    repo = CORPUS / name
    if not repo.is_dir():
        pytest.skip(f"corpus repository {repo} is absent (../shared/realworld is not beside this clone)")
    printed = render_text(Project(repo).deployment)
    snapshot = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("PRODCHECK_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(printed, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot for {name}; run with PRODCHECK_UPDATE_SNAPSHOTS=1"
    assert printed == snapshot.read_text(encoding="utf-8")
