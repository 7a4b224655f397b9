"""GitHub workflow-command annotations and the step summary."""

from __future__ import annotations

from pathlib import Path

from auditor.model import CheckResult, Finding, Location, Section, Severity, Status
from reports import github
from tests.reports.helpers import make_report, meta
from tests.reports_web.helpers import sample_report


def test_escaping_follows_the_runner_rules() -> None:
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.command("error", "bad: 100%\nreally", file="a,b.yml", line=3, title="X: y, z")
    assert line == "::error file=a%2Cb.yml,line=3,title=X%3A y%2C z::bad: 100%25%0Areally"


def test_annotations_cap_ten_errors_ten_warnings_then_one_notice() -> None:
    report = sample_report(findings_per_check=8)
    lines = github.render(report).splitlines()
    errors = [ln for ln in lines if ln.startswith("::error")]
    warnings = [ln for ln in lines if ln.startswith("::warning")]
    notices = [ln for ln in lines if ln.startswith("::notice")]
    assert len(errors) == 10 and len(warnings) == 10 and len(notices) == 1
    assert lines[-1] == notices[0]
    total = len(report.findings)
    left = total - 20
    assert f"{left} more findings not annotated" in notices[0]
    assert all("\n" not in ln for ln in lines)
    # Worst first: the critical finding leads.
    assert "COMPOSE-DEFAULT-CREDS" in errors[0]
    assert "file=deploy/compose.yaml,line=3," in errors[0]


def test_live_annotations_have_no_file_without_anchor() -> None:
    lines = github.render(sample_report()).splitlines()
    live = [ln for ln in lines if "LIVE-HSTS" in ln]
    assert live and "file=" not in live[0] and "https%3A//example.test/" not in live[0].split("::")[1]


def test_small_report_has_notice_without_remainder() -> None:
    lines = github.render(sample_report()).splitlines()
    assert "not annotated" not in lines[-1] and lines[-1].startswith("::notice title=prodcheck::")


def test_step_summary_is_appended_only_when_set(tmp_path: Path) -> None:
    report = sample_report()
    assert github.write_step_summary(report, {}) is None
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    written = github.write_step_summary(report, {"GITHUB_STEP_SUMMARY": str(summary)})
    assert written == summary
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n")
    assert len(text) > len("# earlier step\n") + 100


def test_truncation_keeps_summary_under_the_limit() -> None:
    text = "".join(f"- line {i} ✓ ünïcode\n" for i in range(200_000))
    assert len(text.encode()) > github.SUMMARY_LIMIT
    out = github.truncate_summary(text, github.SUMMARY_LIMIT)
    assert len(out.encode("utf-8")) <= github.SUMMARY_LIMIT
    assert out.endswith(github.TRUNCATION_NOTICE)
    assert github.truncate_summary("short\n", 100) == "short\n"


def test_huge_report_summary_file_stays_under_one_mib(tmp_path: Path) -> None:
    report = sample_report(findings_per_check=6000)
    summary = tmp_path / "summary.md"
    summary.write_text("x" * 1000, encoding="utf-8")
    github.write_step_summary(report, {"GITHUB_STEP_SUMMARY": str(summary)})
    size = summary.stat().st_size
    assert size < github.SUMMARY_LIMIT


def test_repository_wide_findings_are_titled_repository() -> None:
    absent = Finding(message="no CI workflow", key="ci", check_id="CI-NO-WORKFLOW",
                     location=Location(path="docker-compose.yml", line=1, anchor_only=True))
    report = make_report([CheckResult(meta("CI-NO-WORKFLOW", Severity.MEDIUM, Section.OPERATIONS,
                                           title="No CI pipeline"), Status.FAIL, (absent,))])
    line = github.render(report).splitlines()[0]
    # The anchor stays (GitHub needs a file), the title says the finding is about the repository.
    assert line.startswith("::warning file=docker-compose.yml,line=1,")
    assert "title=CI-NO-WORKFLOW [medium]%3A No CI pipeline (repository)::no CI workflow" in line
