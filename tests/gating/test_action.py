"""The composite GitHub Action, run locally step by step in a simulated GitHub environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.gating.helpers import ONLY_CONFIG, ROOT, run_cli

ACTION = ROOT / "action.yml"
FIXTURE = ROOT / "fixtures" / "checks" / "PARSE-ERROR" / "malformed-dockerfile"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_action() -> dict[str, Any]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_action_shape() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"path", "url", "config", "formats", "output-dir", "fail-on", "min-score",
                                     "baseline"}
    assert set(action["outputs"]) >= {"score", "grade", "new-findings", "sarif-path"}
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"
    steps = action["runs"]["steps"]
    setup = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert len(setup) == 1
    assert re.fullmatch(r"actions/setup-python@[0-9a-f]{40}", setup[0]["uses"]), "pin setup-python to a full SHA"
    assert setup[0]["with"]["cache"] == "pip"
    install = next(s for s in steps if s.get("id") == "install")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # installs the checked-out action ref
    assert all(not s.get("uses") or re.search(r"@[0-9a-f]{40}$", s["uses"]) for s in steps)


def test_no_expressions_inside_scripts() -> None:
    """Every input reaches scripts through env: (script injection is impossible)."""
    used: set[str] = set()
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('name')!r} interpolates an expression in run:"
            assert step.get("shell") == "bash"
        for value in (step.get("env") or {}).values():
            used.update(m.group(1) for m in EXPR.finditer(str(value)))
    inputs = set(load_action()["inputs"]) - {"python-version"}  # python-version goes to setup-python's with:
    assert {f"inputs.{name}" for name in inputs} <= used


def _substitute(value: str, inputs: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        assert expr.startswith("inputs."), f"unexpected expression in env: {expr}"
        return inputs[expr.removeprefix("inputs.")]

    return EXPR.sub(one, value)


def run_action(workspace: Path, tmp_path: Path, **given: str) -> tuple[int, dict[str, str], str, str]:
    """Run every ``run:`` step except the pip install; return (exit code, outputs, summary, stdout)."""
    action = load_action()
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    output_file, summary_file = tmp_path / "github_output", tmp_path / "step_summary"
    output_file.write_text("")
    summary_file.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRODCHECK_", "GITHUB_"))}
    env.update({
        "GITHUB_ACTIONS": "true", "CI": "true", "NO_COLOR": "1",
        "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file),
    })
    code, stdout = 0, ""
    for step in action["runs"]["steps"]:
        if "uses" in step or step.get("id") == "install":
            continue  # setup-python is the runner's job; prodcheck is already installed here
        step_env = {**env, **{k: _substitute(str(v), inputs) for k, v in (step.get("env") or {}).items()}}
        # The runner's bash invocation for `shell: bash`.
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=workspace, env=step_env, capture_output=True, text=True, timeout=300, check=False)
        stdout += proc.stdout
        code = proc.returncode
        assert "Traceback" not in proc.stderr, proc.stderr
        if code != 0:
            break
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return code, outputs, summary_file.read_text(), stdout


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    repo = tmp_path / "workspace"
    shutil.copytree(FIXTURE, repo, ignore=shutil.ignore_patterns("expect.yaml"))
    (repo / ".prodcheck.yaml").write_text(ONLY_CONFIG)
    # One suppression with its reason, so SUPPRESSION-NO-REASON has something to judge (and passes).
    (repo / "app.ts").write_text("// prodcheck: ignore[APP-CORS] public read-only API\n")
    return repo


def test_passing_gate(workspace: Path, tmp_path: Path) -> None:
    code, outputs, summary, stdout = run_action(workspace, tmp_path, **{"fail-on": "critical"})
    assert code == 0
    assert outputs["exit-code"] == "0"
    assert float(outputs["score"]) == pytest.approx(33.3, abs=0.1)
    assert outputs["grade"] == "F"
    assert outputs["new-findings"] == "3"
    assert outputs["sarif-path"] == "prodcheck-reports/prodcheck-report.sarif"
    sarif = json.loads((workspace / outputs["sarif-path"]).read_text())
    assert sarif["version"] == "2.1.0"
    reports = sorted(p.name for p in (workspace / "prodcheck-reports").iterdir())
    assert {"prodcheck-report.json", "prodcheck-report.md", "prodcheck-report.html"} <= set(reports)
    assert "**prodcheck gate**: passed (exit 0)" in summary
    assert "Deployment file could not be parsed" in summary  # the Markdown step summary (--format github)
    assert "::warning" in stdout  # annotations for the medium findings
    assert (workspace / ".cache" / "prodcheck-action" / "pyproject.toml").is_file()  # the pip cache key step ran


def test_failing_gate(workspace: Path, tmp_path: Path) -> None:
    code, outputs, summary, _ = run_action(workspace, tmp_path, **{"fail-on": "medium", "formats": "md sarif"})
    assert code == 1
    assert outputs["exit-code"] == "1"
    assert outputs["new-findings"] == "3"
    assert outputs["grade"] == "F"
    assert "**prodcheck gate**: failed (exit 1)" in summary


def test_min_score_gate_and_custom_output_dir(workspace: Path, tmp_path: Path) -> None:
    code, outputs, _, _ = run_action(workspace, tmp_path, **{"min-score": "50", "output-dir": "out/reports",
                                                             "formats": "json"})
    assert code == 1
    assert outputs["sarif-path"] == ""
    assert (workspace / "out" / "reports" / "prodcheck-report.json").is_file()


def test_baseline_makes_the_gate_count_only_new_findings(workspace: Path, tmp_path: Path) -> None:
    assert run_cli("baseline", "create", str(workspace)).returncode == 0
    code, outputs, summary, _ = run_action(workspace, tmp_path, **{"fail-on": "low",
                                                                   "baseline": ".prodcheck-baseline.json"})
    assert code == 0, summary
    assert outputs["new-findings"] == "0"
    dockerfile = workspace / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("RUN npm ci\n", "RUN npm ci\nBAR baz\n"))
    code, outputs, _, _ = run_action(workspace, tmp_path, **{"fail-on": "low", "baseline": ".prodcheck-baseline.json"})
    assert code == 1
    assert outputs["new-findings"] == "1"


def test_hostile_inputs_stay_data(workspace: Path, tmp_path: Path) -> None:
    """An input full of shell syntax is passed as one argument, never executed."""
    marker = tmp_path / "pwned"
    code, outputs, summary, _ = run_action(workspace, tmp_path, **{"fail-on": f"high; touch {marker}",
                                                                   "config": f"$(touch {marker})"})
    assert not marker.exists()
    assert code == 2 and outputs["exit-code"] == "2"
    assert "usage or configuration error" in summary
