"""Each check runs inside its own error boundary; secrets never leave."""

from __future__ import annotations

from pathlib import Path

from auditor.model import Finding, Location, Section, Severity, SkipKind, Status
from auditor.project import Project
from auditor.registry import NotApplicable, NotChecked, check
from auditor.runner import run_one, run_repo_checks


@check(id="T-BOOM", severity=Severity.HIGH, section=Section.DATA)
def boom(project: Project) -> list[Finding]:
    """Raises."""
    raise KeyError("services")


@check(id="T-NA", severity=Severity.HIGH, section=Section.DATA)
def not_applicable(project: Project) -> list[Finding]:
    """Skips."""
    raise NotApplicable("no database found")


@check(id="T-BLIND", severity=Severity.HIGH, section=Section.DATA)
def not_checked(project: Project) -> list[Finding]:
    """Could not look."""
    raise NotChecked("advisories not fetched (--offline)")


@check(id="T-LEAK", severity=Severity.HIGH, section=Section.DATA)
def leaky(project: Project) -> list[Finding]:
    """Tries to print a secret."""
    return [Finding("token is sk_live_abcdefghijklmnop", Location("x", 1), evidence="sk_live_abcdefghijklmnop")]


@check(id="T-NEEDS", severity=Severity.HIGH, section=Section.DATA, needs=("dockerfiles",))
def needs_docker(project: Project) -> list[Finding]:
    """Needs a Dockerfile."""
    return []


def spec(func: object):  # type: ignore[no-untyped-def]
    return func.__prodcheck_spec__  # type: ignore[attr-defined]


def test_exception_becomes_error_result(tmp_path: Path) -> None:
    result = run_one(spec(boom), Project(tmp_path), target="repo", secrets=frozenset())
    assert result.status is Status.ERROR
    assert result.reason == "KeyError: 'services'"


def test_not_applicable_becomes_skip(tmp_path: Path) -> None:
    result = run_one(spec(not_applicable), Project(tmp_path), target="repo", secrets=frozenset())
    assert (result.status, result.reason) == (Status.SKIPPED, "no database found")
    assert result.skip_kind is SkipKind.NOT_APPLICABLE and not result.unexamined


def test_not_checked_is_a_skip_the_reader_must_see(tmp_path: Path) -> None:
    """"Could not look" is not "nothing to judge": reports list it under checks not run."""
    result = run_one(spec(not_checked), Project(tmp_path), target="repo", secrets=frozenset())
    assert (result.status, result.skip_kind) == (Status.SKIPPED, SkipKind.NOT_CHECKED)
    assert result.unexamined and result.reason == "advisories not fetched (--offline)"


def test_checks_left_out_by_the_caller_are_not_run(tmp_path: Path) -> None:
    [result] = run_repo_checks([spec(not_applicable)], Project(tmp_path), frozenset(), skip=lambda _: "unchanged")
    assert (result.status, result.skip_kind, result.reason) == (Status.SKIPPED, SkipKind.NOT_RUN, "unchanged")
    assert result.unexamined


def test_secret_values_are_scrubbed(tmp_path: Path) -> None:
    result = run_one(spec(leaky), Project(tmp_path), target="repo", secrets=frozenset({"sk_live_abcdefghijklmnop"}))
    finding = result.findings[0]
    assert "abcdefghijklmnop" not in finding.message + finding.evidence
    assert "sk_l********" in finding.message
    assert finding.check_id == "T-LEAK"


def test_missing_needs_skip_with_reason(tmp_path: Path) -> None:
    [result] = run_repo_checks([spec(needs_docker)], Project(tmp_path), frozenset())
    assert (result.status, result.reason) == (Status.SKIPPED, "no dockerfiles found")
    assert result.skip_kind is SkipKind.NOT_APPLICABLE


def test_fingerprint_is_line_free() -> None:
    a = Finding("m", Location("Dockerfile", 3), key="root", check_id="X")
    b = Finding("m2", Location("Dockerfile", 30), key="root", check_id="X")
    c = Finding("m", Location("Dockerfile", 3), key="other", check_id="X")
    assert a.fingerprint == b.fingerprint != c.fingerprint
