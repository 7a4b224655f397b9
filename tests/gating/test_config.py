"""Configuration: precedence (flag > PRODCHECK_* env > file > default) and errors naming file, key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import Section, Severity
from auditor.settings import SettingsError, resolve_settings
from tests.gating.helpers import ONLY_CONFIG, run_cli, write_repo


def test_precedence_in_resolve_settings(tmp_path: Path) -> None:
    assert resolve_settings(root=tmp_path, config_path=None, cli={}, environ={}).fail_on is None  # default
    (tmp_path / ".prodcheck.yaml").write_text("fail_on: critical\nmin_score: 90\n")
    file_only = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert (file_only.fail_on, file_only.min_score) == ("critical", 90.0)
    env = {"PRODCHECK_FAIL_ON": "medium", "PRODCHECK_MIN_SCORE": "10"}
    with_env = resolve_settings(root=tmp_path, config_path=None, cli={}, environ=env)
    assert (with_env.fail_on, with_env.min_score) == ("medium", 10.0)
    flags = resolve_settings(root=tmp_path, config_path=None, cli={"fail_on": "high", "min_score": 50.0}, environ=env)
    assert (flags.fail_on, flags.min_score) == ("high", 50.0)
    unset_flags = resolve_settings(root=tmp_path, config_path=None, cli={"fail_on": None, "min_score": None},
                                   environ=env)
    assert unset_flags.fail_on == "medium"  # an absent flag does not erase the environment


def test_precedence_through_the_cli(tmp_path: Path) -> None:
    # One medium PARSE-ERROR finding; score 33.3 (PARSE-ERROR fails, SUPPRESSION-NO-REASON passes:
    # the one suppression states its reason).
    dockerfile = "# prodcheck: ignore[DOCKER-ROOT-USER] base image drops root\nFROM x\nFOO a\n"
    repo = write_repo(tmp_path, {".prodcheck.yaml": ONLY_CONFIG, "Dockerfile": dockerfile})
    assert run_cli("scan", str(repo), "-q").returncode == 0  # default: no gate
    (repo / ".prodcheck.yaml").write_text(ONLY_CONFIG + "fail_on: critical\n")
    assert run_cli("scan", str(repo), "-q").returncode == 0  # file: critical, nothing that bad
    env = {"PRODCHECK_FAIL_ON": "medium"}
    assert run_cli("scan", str(repo), "-q", env=env).returncode == 1  # env beats file
    assert run_cli("scan", str(repo), "-q", "--fail-on", "high", env=env).returncode == 0  # flag beats env

    (repo / ".prodcheck.yaml").write_text(ONLY_CONFIG + "min_score: 90\n")
    assert run_cli("scan", str(repo), "-q").returncode == 1  # file: 33 < 90
    env = {"PRODCHECK_MIN_SCORE": "10"}
    assert run_cli("scan", str(repo), "-q", env=env).returncode == 0  # env beats file
    assert run_cli("scan", str(repo), "-q", "--min-score", "50", env=env).returncode == 1  # flag beats env


def test_pyproject_and_explicit_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.prodcheck]\nfail_on = 'low'\nexclude = ['tests/**']\n")
    settings = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert settings.fail_on == "low" and settings.excludes == ["tests/**"]
    (tmp_path / "prodcheck.yaml").write_text("fail_on: medium\n")  # a YAML file wins over pyproject
    assert resolve_settings(root=tmp_path, config_path=None, cli={}, environ={}).fail_on == "medium"
    other = tmp_path / "ci.yaml"
    other.write_text("fail_on: critical\n")
    assert resolve_settings(root=tmp_path, config_path=other, cli={}, environ={}).fail_on == "critical"


def test_full_config_loads(tmp_path: Path) -> None:
    (tmp_path / ".prodcheck.yaml").write_text(
        "fail_on: high\nmin_score: 75\noffline: true\nformats: [md, json]\nexclude: ['legacy/**']\n"
        "checks:\n  disable: [suppression-no-reason]\nsections:\n  disable: [observability]\n"
        "severity:\n  PARSE-ERROR: high\n"
        "ignore:\n  - check: PARSE-ERROR\n    path: legacy/*\n    reason: replaced in Q3\n    expires: 2030-01-01\n"
        "targets:\n  - url: https://staging.example.test\n    health_paths: [/health]\n"
        "live:\n  burst_size: 10\n"
    )
    s = resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert s.offline and s.formats == ["md", "json"] and s.excludes == ["legacy/**"]
    assert s.disabled_checks == {"SUPPRESSION-NO-REASON"}
    assert s.disabled_sections == {Section.OBSERVABILITY}
    assert s.severity_overrides == {"PARSE-ERROR": Severity.HIGH}
    assert [(r.check_id, r.path, r.expires) for r in s.ignores] == [("PARSE-ERROR", "legacy/*", "2030-01-01")]
    assert s.targets[0]["url"] == "https://staging.example.test" and s.targets[0]["_line"] == 18


BAD_CONFIGS = [
    ("fail_on: high\nfail_onn: low\n", 2, "unknown key 'fail_onn'"),
    ("fail_on: hihg\n", 1, "bad value for 'fail_on'"),
    ("min_score: 150\n", 1, "between 0 and 100"),
    ("min_score: yes\n", 1, "bad value for 'min_score'"),
    ("checks:\n  disable: [PARSE-ERROR]\n  disabel: []\n", 3, "unknown key 'checks.disabel'"),
    ("checks:\n  disable:\n    - PARSE-ERROR\n    - PARSE-EROR\n", 4, "unknown check 'PARSE-EROR'"),
    ("severity:\n  PARSE-ERROR: loud\n", 2, "bad value for 'severity.PARSE-ERROR'"),
    ("sections:\n  disable: [deployment, kitchen]\n", 2, "unknown section 'kitchen'"),
    ("ignore:\n  - check: PARSE-ERROR\n    reason: ok\n  - check: PARSE-ERROR\n", 4,
     "ignore[1] needs a non-empty 'reason'"),
    ("ignore:\n  - check: PARSE-ERROR\n    reason: ok\n    expires: next week\n", 4, "'ignore[0].expires'"),
    ("ignore:\n  - check: PARSE-ERROR\n    reason: ok\n    until: 2030-01-01\n", 4, "unknown key 'ignore[0].until'"),
    ("targets:\n  - url: https://a.test\n    helth_paths: [/h]\n", 3, "unknown key 'targets[0].helth_paths'"),
    ("live:\n  burst: 3\n", 2, "unknown key 'live.burst'"),
    ("formats: [md, pdf]\n", 1, "unknown format 'pdf'"),
    ("fail_on: [high]\n", 1, "expected a single value"),
    ("- just\n- a list\n", 1, "must be a mapping"),
    ("fail_on: high\n  bad: indent\n", 2, "invalid YAML"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_CONFIGS, ids=[m for _, _, m in BAD_CONFIGS])
def test_bad_config_is_a_usage_error_naming_file_key_and_line(tmp_path: Path, text: str, line: int,
                                                              message: str) -> None:
    config = tmp_path / ".prodcheck.yaml"
    config.write_text(text)
    with pytest.raises(SettingsError) as err:
        resolve_settings(root=tmp_path, config_path=None, cli={}, environ={})
    assert f"{config}:{line}:" in str(err.value)
    assert message in str(err.value)
    proc = run_cli("scan", str(tmp_path), "-q")
    assert proc.returncode == 2
    assert f"{config}:{line}:" in proc.stderr and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_environment_and_missing_config_are_usage_errors(tmp_path: Path) -> None:
    proc = run_cli("scan", str(tmp_path), "-q", env={"PRODCHECK_FAIL_ON": "sometimes"})
    assert proc.returncode == 2 and "environment" in proc.stderr
    proc = run_cli("scan", str(tmp_path), "-q", "--config", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "nope.yaml: config file not found" in proc.stderr
    (tmp_path / "x.yaml").write_text("ignore:\n  - check: PARSE-ERROR\n    reason: ok\n    expires: 2026-13-01\n")
    proc = run_cli("scan", str(tmp_path), "-q", "--config", str(tmp_path / "x.yaml"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
