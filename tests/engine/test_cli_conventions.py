"""CLI conventions users bring from ruff, hadolint, checkov and trivy (issue: everyday use).

The per-finding text listing, comma lists, --select/--ignore/--exclude, --severity, -q/-v,
colour switches, config found upward to the repository root, and one error model at the edge.
Every test runs the real command line in a subprocess on real files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.engine.test_cli import HEYDEV, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LISTING_LINE = re.compile(r"^(?P<where>[^\s][^:]*(?::\d+)?|\(repository\)): (?P<sev>CRITICAL|HIGH|MEDIUM|LOW|INFO) "
                          r"(?P<id>[A-Z0-9-]+) \S")
ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]


def _listing(stdout: str) -> list[re.Match[str]]:
    lines = [line for line in stdout.splitlines() if line]
    matches = [LISTING_LINE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m][:3]
    return [m for m in matches if m]


def test_default_output_is_a_per_finding_listing_grouped_by_file() -> None:
    proc = run("scan", str(HEYDEV), "--offline")
    assert proc.returncode == 0, proc.stderr
    rows = _listing(proc.stdout)
    json_proc = run("scan", str(HEYDEV), "--offline", "-f", "json", "-q")
    findings = json.loads(json_proc.stdout)["findings"]
    assert len(rows) == len(findings)
    # Grouped: once a file's block ends, that file never appears again.
    files = [m["where"].rsplit(":", 1)[0] for m in rows]
    blocks = [f for i, f in enumerate(files) if i == 0 or files[i - 1] != f]
    assert len(blocks) == len(set(blocks)), blocks
    # Within a file, most severe first.
    for name in set(files):
        sevs = [ORDER.index(m["sev"]) for m in rows if m["where"].rsplit(":", 1)[0] == name]
        assert sevs == sorted(sevs), (name, sevs)
    assert "Dockerfile:21: HIGH DOCKER-ROOT-USER " in proc.stdout
    assert not ANSI.search(proc.stdout), "no colour when stdout is not a terminal"


def test_severity_filters_the_listing_but_not_the_gate() -> None:
    proc = run("scan", str(HEYDEV), "--offline", "--severity", "high", "--fail-on", "medium")
    rows = _listing(proc.stdout)
    assert rows and {m["sev"] for m in rows} <= {"HIGH", "CRITICAL"}
    assert proc.returncode == 1, "the gate still counts medium findings"
    assert "gate failed" in proc.stderr


def test_comma_lists_for_formats_and_summary_implies_markdown(tmp_path: Path) -> None:
    proc = run("scan", str(HEYDEV), "--offline", "-f", "md,json", "--format", "sarif", "--output-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "prodcheck-report.json", "prodcheck-report.md", "prodcheck-report.sarif"]
    for name in ("prodcheck-report.json", "prodcheck-report.md", "prodcheck-report.sarif"):
        assert f"wrote {tmp_path / name}" in proc.stderr
    summary = run("scan", str(HEYDEV), "--offline", "--summary", "-q")
    assert summary.returncode == 0 and summary.stdout.lstrip().startswith("#"), summary.stdout[:200]
    bad = run("scan", str(HEYDEV), "--offline", "-f", "md,pdf")
    assert bad.returncode == 2 and "unknown format 'pdf'" in bad.stderr


def test_select_ignore_and_exclude(tmp_path: Path) -> None:
    only = run("scan", str(HEYDEV), "--offline", "-f", "json", "-q", "--select", "DOCKER-ROOT-USER,APP-CORS")
    ids = {f["check_id"] for f in json.loads(only.stdout)["findings"]}
    assert ids == {"DOCKER-ROOT-USER", "APP-CORS"}
    ignored = run("scan", str(HEYDEV), "--offline", "-f", "json", "-q", "--ignore", "DOCKER-ROOT-USER")
    assert "DOCKER-ROOT-USER" not in {f["check_id"] for f in json.loads(ignored.stdout)["findings"]}
    typo = run("scan", str(HEYDEV), "--offline", "--ignore", "DOCKER-ROOT-USR")
    assert typo.returncode == 2 and "did you mean DOCKER-ROOT-USER?" in typo.stderr
    repo = tmp_path / "repo"
    shutil.copytree(HEYDEV, repo)
    excluded = run("scan", str(repo), "--offline", "-f", "json", "-q", "--exclude", "Dockerfile")
    paths = {f["location"]["path"] for f in json.loads(excluded.stdout)["findings"]}
    assert "Dockerfile" not in paths


def test_quiet_still_explains_a_failed_gate_and_verbose_lists_timing() -> None:
    quiet = run("scan", str(HEYDEV), "--offline", "-q", "--fail-on", "high")
    assert quiet.returncode == 1
    assert "gate failed:" in quiet.stderr and "score" not in quiet.stderr
    verbose = run("scan", str(HEYDEV), "--offline", "-v")
    assert "check timing (slowest first):" in verbose.stderr
    assert re.search(r"^\s+\d+\.\d ms  [A-Z]", verbose.stderr, re.M)
    assert "skipped checks:" in verbose.stderr and "DEPS-" in verbose.stderr


@pytest.mark.parametrize(("args", "env", "coloured"), [
    (("--color",), {}, True),
    ((), {"FORCE_COLOR": "1"}, True),
    (("--no-color",), {"FORCE_COLOR": "1"}, False),
    ((), {"NO_COLOR": "1"}, False),
    ((), {}, False),  # not a terminal
])
def test_colour_switches(args: tuple[str, ...], env: dict[str, str], coloured: bool) -> None:
    proc = run("scan", str(HEYDEV), "--offline", *args, env=env)
    assert bool(ANSI.search(proc.stderr)) is coloured


def test_config_is_found_upward_to_the_repository_root(tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    shutil.copytree(HEYDEV, mono / "svc")
    (mono / ".git").mkdir()
    (mono / ".prodcheck.yaml").write_text("fail_on: high\n", encoding="utf-8")
    proc = run("scan", str(mono / "svc"), "--offline")
    assert proc.returncode == 1, "the monorepo root's gate applies to a scan of one service"
    assert f"config: {mono / '.prodcheck.yaml'}" in proc.stderr
    # Above the repository root nothing is read.
    outside = tmp_path / "outer"
    shutil.copytree(HEYDEV, outside / "repo" / "svc")
    (outside / "repo" / ".git").mkdir()
    (outside / ".prodcheck.yaml").write_text("fail_on: info\n", encoding="utf-8")
    proc = run("scan", str(outside / "repo" / "svc"), "--offline")
    assert proc.returncode == 0 and "config:" not in proc.stderr


def test_unwritable_output_is_exit_2_and_other_reports_are_still_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    proc = run("scan", str(HEYDEV), "--offline", "-o", str(blocker / "x.md"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "is not a directory" in proc.stderr


def test_an_unexpected_error_is_one_line_and_exit_2_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    # A plugin module that crashes the renderer registry at import time is an unexpected error.
    bad = tmp_path / "cfg.yaml"
    bad.write_text("fail_on: high\n", encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path)}
    (tmp_path / "sitecustomize.py").write_text(
        "import reports\nreports.FORMATS['md'] = 'no_such_renderer_module'\n", encoding="utf-8")
    proc = run("scan", str(HEYDEV), "--offline", "-f", "md", "-f", "json", "--output-dir", str(tmp_path / "out"),
               env=env)
    assert proc.returncode == 2, proc.stderr
    assert "md report not written" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "out" / "prodcheck-report.json").is_file(), "one failing renderer does not stop the others"
    debug = run("--debug", "scan", str(HEYDEV), "--offline", "-f", "md", "-q", env=env)
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_summary_names_errored_checks_and_mentions_the_appendix_only_when_written() -> None:
    from auditor.model import Status
    from reports.terminal import render_summary
    from tests.reports_web.helpers import sample_report

    report = sample_report()
    errored = [r for r in report.results if r.status is Status.ERROR]
    assert errored, "the sample report has an errored check"
    plain = render_summary(report)
    assert "appendix" not in plain
    for result in errored:
        assert f"  {result.meta.id}: " in plain
    assert "details in the report appendix" in render_summary(report, reports_written=True)
