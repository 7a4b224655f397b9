"""Unit tests for Dockerfile-check details the fixture harness expresses awkwardly."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.deploy.checkviews import resolve, segments, words
from auditor.model import Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from checks.docker.copy_all_dockerignore import ignore_problems
from checks.docker.dev_server import dev_servers
from checks.docker.healthcheck_tool import image_tools, tools_used
from tests.harness import registry


def _scan(tmp_path: Path, files: dict[str, str], check_id: str) -> tuple[Status, list[tuple[int | None, str]]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    spec = registry().resolve(check_id)
    assert spec is not None
    result = run_repo_checks([spec], Project(tmp_path), frozenset())[0]
    return result.status, [(f.location.line, f.key) for f in result.findings]


def test_resolve_variants() -> None:
    values = {"V": "20"}
    assert resolve("node:${V}-alpine", values) == "node:20-alpine"
    assert resolve("node:$V", values) == "node:20"
    assert resolve("node:${MISSING:-18}", values) == "node:18"
    assert resolve("node:${MISSING}", values) == "node:${MISSING}"


def test_segments_and_words() -> None:
    assert segments("a && b; c | d || e") == ["a", "b", "c", "d", "e"]
    assert words("NODE_ENV=production npm ci --omit=dev") == ["npm", "ci", "--omit=dev"]


def test_heredoc_run_is_judged(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        "FROM debian:12-slim\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "apt-get install -y --no-install-recommends curl\n"
        "EOF\n"
        "CMD [\"/app\"]\n"
    )
    assert _scan(tmp_path, {"Dockerfile": dockerfile}, "DOCKER-PKG-CACHE") == (Status.FAIL, [(3, "apt-get")])


def test_heredoc_run_with_cleanup_passes(tmp_path: Path) -> None:
    dockerfile = (
        "FROM debian:12-slim\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "apt-get install -y curl\n"
        "rm -rf /var/lib/apt/lists/*\n"
        "EOF\n"
    )
    assert _scan(tmp_path, {"Dockerfile": dockerfile}, "DOCKER-PKG-CACHE") == (Status.PASS, [])


def test_late_arg_resolves_from_image(tmp_path: Path) -> None:
    # ARG declared inside a stage is not visible to a later FROM in Docker, but people mean it.
    dockerfile = "FROM alpine:3.20\nARG IMAGE=alpine:3.12\nFROM $IMAGE\n"
    assert _scan(tmp_path, {"Dockerfile": dockerfile}, "DOCKER-BASE-UNPINNED") == (Status.PASS, [])


def test_global_arg_without_default_is_not_judged(tmp_path: Path) -> None:
    dockerfile = "ARG BASE_TAG\nFROM node:${BASE_TAG}\n"
    assert _scan(tmp_path, {"Dockerfile": dockerfile}, "DOCKER-BASE-UNPINNED") == (Status.PASS, [])


def test_user_from_arg(tmp_path: Path) -> None:
    dockerfile = "FROM alpine:3.20\nARG RUN_AS=root\nUSER ${RUN_AS}\n"
    assert _scan(tmp_path, {"Dockerfile": dockerfile}, "DOCKER-ROOT-USER") == (Status.FAIL, [(3, "USER root")])


def test_secret_value_never_in_message(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nENV API_TOKEN=Zx81kQ0pLm2Vb7Rt\n", encoding="utf-8")
    spec = registry().resolve("DOCKER-SECRETS-IN-ENV")
    assert spec is not None
    result = run_repo_checks([spec], Project(tmp_path), frozenset())[0]
    assert result.status is Status.FAIL
    for finding in result.findings:
        assert "Zx81kQ0pLm2Vb7Rt" not in finding.message + finding.evidence + finding.key


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (".git\n.env\n", []),
        ("node_modules\n", [".env", ".git"]),
        ("*\n!src\n", []),
        ("/.git\n*.env\n", []),
        (".env\n!.env\n.git/\n", [".env"]),
        ("**/.env*\n.git*\n", []),
    ],
)
def test_dockerignore_patterns(text: str, missing: list[str]) -> None:
    assert ignore_problems(text) == missing


def test_dev_server_patterns() -> None:
    assert dev_servers("uvicorn app:app --reload") == ["--reload"]
    assert dev_servers("python manage.py runserver 0.0.0.0:8000") == ["manage.py runserver"]
    assert dev_servers("node --watch-path=src x.js --watcher") == []
    assert dev_servers("vite build") == []
    assert dev_servers("next start") == []


def test_healthcheck_tools() -> None:
    assert tools_used("curl -f http://x || /usr/bin/wget -q http://x") == ["curl", "wget"]
    assert tools_used("node -e \"require('http').get('http://localhost/curl')\"") == []
    assert image_tools("node:20-bookworm") == frozenset({"curl", "wget"})
    assert image_tools("node:20-bookworm-slim") == frozenset()
    assert image_tools("ghcr.io/acme/base:1") is None


HOSTILE = [
    "",
    "FROM\n",
    "FROM alpine:3.20\nCMD []\nENTRYPOINT [1, 2]\nUSER\nHEALTHCHECK\nCOPY\nADD x\nENV\nARG\n",
    "FROM alpine:3.20\nRUN echo 'unterminated\nCMD [\"sh\", \"-c\"]\n",
    "FROM a AS a\nFROM a AS b\nFROM b AS a\nCOPY --from=a . .\nCOPY --from=9 /x /y\n",
    "FROM alpine:3.20\n" + "RUN " + "x && " * 5000 + "true\n",
    "FROM alpine:3.20\nRUN <<EOF\napk add curl\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_malformed_dockerfiles_never_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "Dockerfile").write_text(text, encoding="utf-8")
    (tmp_path / "package.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "drizzle").mkdir()
    (tmp_path / "drizzle" / "0000_x.sql").write_text("select 1;\n", encoding="utf-8")
    specs = [s for s in registry() if s.id.startswith("DOCKER-")]
    results = run_repo_checks(specs, Project(tmp_path), frozenset())
    errors = [(r.meta.id, r.reason) for r in results if r.status is Status.ERROR]
    assert not errors
