"""``deploy:`` / ``roles:`` settings, ``prodcheck deploy-model`` and the report appendix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main
from auditor.settings import SettingsError, resolve_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deploy"


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def test_config_roles_and_deploy_overrides(tmp_path: Path) -> None:
    repo = _copy(tmp_path, "test-folder")
    (repo / ".prodcheck.yaml").write_text('roles: all\ndeploy:\n  "e2e/*": tooling\n', encoding="utf-8")
    settings = resolve_settings(root=repo, config_path=None, cli={}, environ={})
    assert settings.roles == "all"
    assert settings.deploy_roles == {"e2e/*": "tooling"}
    options = settings.scan_options(path=repo, urls=())
    assert options.roles == "all" and dict(options.deploy_roles) == {"e2e/*": "tooling"}


@pytest.mark.parametrize(("text", "message"), [
    ("roles: some\n", "roles must be 'production' or 'all'"),
    ('deploy:\n  "tests/**": staging\n', "unknown role 'staging'"),
    ("deploy: production\n", "expected a mapping of path or glob: role"),
])
def test_bad_deploy_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".prodcheck.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})


def test_deploy_model_command_json() -> None:
    result = CliRunner().invoke(main, ["deploy-model", str(FIXTURES / "override-chain"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["judged_roles"] == "production"
    roles = {f["path"]: (f["role"], f["reason"]) for f in data["files"]}
    assert roles["compose.override.yml"][0] == "development"
    assert "deployments run the -f chain at scripts/deploy.sh:3" in roles["compose.override.yml"][1]
    assert [p["files"] for p in data["compose_projects"]] == [["compose.yml", "compose.prod.yml"],
                                                              ["compose.yml", "compose.override.yml"]]
    api = next(s for s in data["services"] if s["name"] == "api" and s["role"] == "production")
    assert (api["dockerfile"], api["user"], api["pid1"], api["start_path"]) == (
        "Dockerfile", "1000", "runtime", ["Dockerfile CMD"])


def test_deploy_model_command_text_and_config(tmp_path: Path) -> None:
    repo = _copy(tmp_path, "devcontainer")
    (repo / ".prodcheck.yaml").write_text('deploy:\n  ".devcontainer/*": production\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["deploy-model", str(repo)])
    assert result.exit_code == 0, result.output
    assert ".devcontainer/Dockerfile (dockerfile): set in the config (deploy: .devcontainer/*: production)" \
        in result.output
    bad = CliRunner().invoke(main, ["deploy-model", str(repo), "--config", str(repo / "missing.yaml")])
    assert bad.exit_code == 2


def test_scan_roles_all_and_appendix(tmp_path: Path) -> None:
    repo = _copy(tmp_path, "devcontainer")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline", "-q", "--format", "json", "-o", str(out)])
    assert result.exit_code in (0, 1, 3), result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert not [f for f in report["findings"] if f["check_id"] == "DOCKER-ROOT-USER"]
    assert ".devcontainer/Dockerfile: judged as devcontainer: under .devcontainer/" in report["notes"]
    result = CliRunner().invoke(main, ["scan", str(repo), "--offline", "-q", "--roles", "all", "--format", "json",
                                       "-o", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [f["location"]["path"] for f in report["findings"] if f["check_id"] == "DOCKER-ROOT-USER"] == [
        ".devcontainer/Dockerfile"]
