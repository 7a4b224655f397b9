"""The sample repositories: exact findings per repository, and the hardened one scores A.

``fixtures/expected/<repo>.yaml`` lists every finding a scan of
``fixtures/repos/<repo>`` must report as ``CHECK-ID path:line key``, compared
exactly (never by count), so a new false finding or a lost true one fails.
Regenerate after a reviewed change with ``python -m tests.test_sample_repos``.
"""

from __future__ import annotations

import pytest

from auditor.engine import scan
from auditor.model import Report, Severity, Status
from auditor.options import ScanOptions
from tests.harness import FIXTURES, registry

REPOS = FIXTURES / "repos"
EXPECTED = FIXTURES / "expected"
SAMPLES = ["heydev", "nestjs-traefik", "hardened", "fastapi-service"]


# The samples are reviewed as of one day (the seed audit's date, as in tests/reports): an end of life
# passing later must not change their expected findings.
SAMPLES_DATE = "2026-01-26"


def scan_repo(name: str) -> Report:
    """Offline scan of one sample repository, as of the samples' review date."""
    return scan(ScanOptions(path=REPOS / name, offline=True, today=SAMPLES_DATE), registry())


def finding_lines(report: Report) -> set[str]:
    """One line per open finding: ``CHECK-ID path:line key``."""
    out = set()
    for result in report.results:
        for f in result.findings:
            where = f.location.url or f"{f.location.path}:{f.location.line if f.location.line else ''}"
            out.add(f"{result.meta.id} {where} {f.key}")
    return out


def expected_lines(name: str) -> set[str]:
    """The reviewed expectation for one sample."""
    path = EXPECTED / f"{name}.txt"
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("name", [s for s in SAMPLES if (REPOS / s).is_dir()])
def test_exact_findings(name: str) -> None:
    report = scan_repo(name)
    errors = [(r.meta.id, r.reason) for r in report.results if r.status is Status.ERROR]
    assert not errors, errors
    got, want = finding_lines(report), expected_lines(name)
    assert got - want == set(), f"unexpected findings in {name}"
    assert want - got == set(), f"findings no longer reported in {name}"


def test_hardened_scores_a_without_high_or_critical() -> None:
    report = scan_repo("hardened")
    worst = [f for f in report.findings
             if (f.severity if f.severity is not None else registry().checks[f.check_id].meta.severity)
             >= Severity.HIGH]
    assert worst == []
    assert report.complete and report.grade == "A", (report.score, report.grade)


def test_seed_shaped_samples_are_not_ready() -> None:
    heydev, nest = scan_repo("heydev"), scan_repo("nestjs-traefik")
    assert heydev.grade in {"D", "F"} and heydev.risk in {"High", "Critical"}
    assert nest.grade in {"D", "F"} and nest.risk in {"High", "Critical"}


def _write_expectations() -> None:
    """Regenerate the expectation files (review the diff before committing)."""
    for name in SAMPLES:
        if not (REPOS / name).is_dir():
            continue
        lines = sorted(finding_lines(scan_repo(name)))
        header = f"# Findings a scan of fixtures/repos/{name} must report (CHECK-ID path:line key); reviewed by hand.\n"
        (EXPECTED / f"{name}.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _write_expectations()
