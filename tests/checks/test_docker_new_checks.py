"""Unit tests for DOCKER-COPY-MISSING-SOURCE and DOCKER-SINGLE-STAGE helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.parsing.dockerfile import parse_dockerfile
from auditor.project import Project
from checks.docker.copy_missing_source import _Tree, context_sources
from checks.docker.single_stage import build_step


@pytest.mark.parametrize(("command", "label"), [
    ("npm run build --workspace=server", "npm run build"),
    ("pnpm --filter api build", "pnpm --filter api build"),
    ("npx tsc -p .", "npx tsc"),
    ("apk add --no-cache build-base python3", "installs build-base"),
    ("npm ci --omit=dev", None),
    ("npm run lint", None),
    ("pip install --no-cache-dir -r requirements.txt", None),
])
def test_build_steps(command: str, label: str | None) -> None:
    assert build_step(command) == label


def test_context_sources_skip_stages_urls_and_heredocs() -> None:
    text = ("FROM alpine\nCOPY --from=build /a /b\nADD https://example.com/x.tgz /x\n"
            "COPY <<EOF /f\nhi\nEOF\nCOPY [\"a b.txt\", \"c\", \"/d/\"]\n")
    stage = parse_dockerfile("Dockerfile", text).stages[0]
    assert [context_sources(i) for i in stage.of("COPY", "ADD")] == [[], [], [], ["a b.txt", "c"]]


def test_globs_do_not_cross_directories(tmp_path: Path) -> None:
    (tmp_path / "scripts" / "sub").mkdir(parents=True)
    (tmp_path / "scripts" / "sub" / "run.sh").write_text("echo\n")
    tree = _Tree(Project(tmp_path))
    assert tree.glob("scripts/*.sh") == []
    assert tree.glob("scripts/*/run.sh") == ["scripts/sub/run.sh"]
    assert tree.exists("scripts/sub")


FIXTURES_SIGTERM = Path(__file__).resolve().parents[2] / "fixtures" / "checks" / "DOCKER-SIGTERM-NOT-FORWARDED"


@pytest.mark.parametrize(("case", "confidence"), [
    ("npm-start-with-handler", "medium"),  # depends on the package manager's version
    ("entrypoint-without-exec", "high"),  # a shell without exec never passes the signal on
])
def test_sigterm_not_forwarded_confidence(case: str, confidence: str) -> None:
    """A package manager in front of node is a likely loss of SIGTERM, a shell script a certain one."""
    from auditor.model import Confidence
    from checks.docker.sigterm_not_forwarded import sigterm_not_forwarded

    findings = list(sigterm_not_forwarded(Project(FIXTURES_SIGTERM / case)))
    assert [f.confidence for f in findings] == [Confidence.parse(confidence)]
    assert "src/server.js:5" in findings[0].message
