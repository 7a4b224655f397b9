"""Every YAML parse failure, whatever ruamel raises, is a parse problem with a line; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.parsing.compose import parse_compose
from auditor.parsing.workflow import parse_github_workflow
from auditor.parsing.yamlsafe import YamlError, load_yaml
from tests.hostile.helpers import assert_no_traceback, run_cli, scan

SELF_MERGE = "services:\n  web: &self\n    <<: *self\n    image: nginx:1.27\n"
HOSTILE_YAML = {
    "self-merge": SELF_MERGE,
    "bool-z": "services:\n  web:\n    image: nginx:1.27\n    tty: !!bool z\n",
    "int-tag": "services:\n  web:\n    ports: !!int zz\n",
    "bad-date": "services:\n  web:\n    x: !!timestamp 2026-13-45\n",
    "omap-scalar": "services: !!omap [a]\n",
    "bad-float": "x: !!float nope\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_loader_raises_only_yaml_error_with_a_line(name: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml(HOSTILE_YAML[name])
    assert caught.value.reason.startswith("invalid YAML")  # "invalid YAML" or "invalid YAML value"
    assert caught.value.line is not None and caught.value.line >= 1


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_compose_and_workflow_parsers_report_a_problem(name: str) -> None:
    compose = parse_compose("compose.yaml", HOSTILE_YAML[name])
    workflow = parse_github_workflow(".github/workflows/ci.yml", HOSTILE_YAML[name])
    for parsed in (compose, workflow):
        assert parsed.problems, name
        assert parsed.problems[0].line is not None


def test_self_merge_is_a_parse_finding_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(SELF_MERGE)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    report = scan(tmp_path)
    [result] = [r for r in report.results if r.meta.id == "PARSE-ERROR"]
    [finding] = result.findings
    assert finding.location.path == "docker-compose.yml"
    assert finding.location.line in (2, 3)


@pytest.mark.parametrize("name", ["self-merge", "bool-z"])
def test_hostile_config_yaml_is_a_configuration_error(tmp_path: Path, name: str) -> None:
    (tmp_path / ".prodcheck.yaml").write_text(HOSTILE_YAML[name])
    proc = run_cli("scan", tmp_path, "-q", "--offline")
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert b".prodcheck.yaml:" in proc.stderr and b"invalid YAML" in proc.stderr


def test_duplicate_anchor_warning_is_not_printed_raw(tmp_path: Path) -> None:
    token = "ghp_W4rnIngT0kenV4lue1234567890abcdefgh"
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  a: &x\n    image: nginx:1.27\n  b: &x\n    image: nginx:1.27\n    command: echo {token}\n")
    for quiet in (["-q"], []):
        proc = run_cli("scan", tmp_path, *quiet, "--offline", "-f", "json")
        assert_no_traceback(proc)
        assert b"duplicate anchor" not in proc.stderr
        assert token[4:12].encode() not in proc.stderr + proc.stdout
