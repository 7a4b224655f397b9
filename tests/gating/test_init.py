"""``prodcheck init``: a commented starter config for the detected stack that loads cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.init_config import render_starter_config
from auditor.settings import resolve_settings
from tests.gating.helpers import ROOT, run_cli, write_repo

HONO_REPO = {
    "package.json": json.dumps({"dependencies": {"hono": "^4.0.0"}}),
    "Dockerfile": "FROM node:20-alpine\n",
    "compose.yaml": "services:\n  web:\n    build: .\n",
}


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    write_repo(tmp_path, HONO_REPO)
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    config = tmp_path / ".prodcheck.yaml"
    text = config.read_text()
    assert "Detected stack: hono, npm, dockerfile, compose, node" in text
    assert text.count("\n#") > 10  # commented, not bare
    settings = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert settings.source == str(config)
    assert settings.fail_on == "high"
    scan = run_cli("scan", str(tmp_path), "--quiet", "--offline")
    assert scan.returncode in (0, 1, 3), scan.stderr  # never a configuration error


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / ".prodcheck.yaml").write_text("fail_on: low\n")
    proc = run_cli("init", str(tmp_path))
    assert proc.returncode == 2
    assert "already exists" in proc.stderr and "--force" in proc.stderr
    assert (tmp_path / ".prodcheck.yaml").read_text() == "fail_on: low\n"
    assert run_cli("init", str(tmp_path), "--force").returncode == 0
    assert "fail_on: high" in (tmp_path / ".prodcheck.yaml").read_text()


@pytest.mark.parametrize("stacks", [(), ("fastapi", "python"), ("nestjs", "dockerfile", "node"),
                                    ("express", "compose", "node")])
def test_every_starter_variant_loads(tmp_path: Path, stacks: tuple[str, ...]) -> None:
    (tmp_path / ".prodcheck.yaml").write_text(render_starter_config(stacks))
    settings = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert settings.fail_on == "high" and settings.min_score is None


@pytest.mark.parametrize("fixture", sorted(p.name for p in (ROOT / "fixtures" / "repos").iterdir() if p.is_dir())
                         if (ROOT / "fixtures" / "repos").is_dir() else [])
def test_init_on_sample_repos(tmp_path: Path, fixture: str) -> None:
    import shutil

    repo = tmp_path / fixture
    shutil.copytree(ROOT / "fixtures" / "repos" / fixture, repo, ignore=shutil.ignore_patterns(".prodcheck.yaml"))
    assert run_cli("init", str(repo)).returncode == 0
    resolve_settings(root=repo, config_path=None, cli={}, environ={})
