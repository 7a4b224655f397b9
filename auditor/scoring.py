"""Scoring as DESIGN.md defines it: weighted pass ratio, grade bands, caps, risk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.model import DEFAULT_MIN_CONFIDENCE, CheckResult, Confidence, Section, SectionScore, Severity, Status

COVERAGE_FOR_GRADE = 0.8
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Score:
    """Overall score outcome."""

    score: float | None
    grade: str
    risk: str
    complete: bool
    coverage: float


def uncounted(result: CheckResult, min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> bool:
    """A failing result whose every finding is below ``min_confidence``: a guess, not a verdict.

    Such a result neither passes nor fails for the score, the grade and the
    gates; the reports still list it (marked low confidence).
    """
    return result.status is Status.FAIL and not result.counted(min_confidence)


def counted_severity(result: CheckResult, min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> Severity:
    """The worst severity among the findings that count (the declared one when none override)."""
    findings = result.counted(min_confidence) or result.findings
    if not findings:
        return result.meta.severity
    return max(f.severity if f.severity is not None else result.meta.severity for f in findings)


def weighted_score(results: Iterable[CheckResult],
                   min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> tuple[float | None, float]:
    """(score, coverage): ``100 * sum(w * passed) / sum(w)`` over checks that ran.

    Coverage is the share of applicable weight that ran (errors count as not
    run; skips are not applicable). Zero-weight (info) checks count one
    hundredth of a point for coverage so an all-info run is not "empty".
    A failing check whose findings are all below ``min_confidence`` is left
    out, like a skip: the scan could not tell.
    """
    ran = passed = applicable = 0.0
    for result in results:
        if result.status is Status.SKIPPED or uncounted(result, min_confidence):
            continue
        weight = result.meta.severity.weight
        applicable += weight
        if result.status is Status.ERROR:
            continue
        ran += weight
        if result.status is Status.PASS:
            passed += weight
    coverage = ran / applicable if applicable else 1.0
    score = round(100.0 * passed / ran, 1) if ran else None
    return score, coverage


def letter(score: float) -> str:
    """A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    for bound, grade in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
        if score >= bound:
            return grade
    return "F"


_CAP_ORDER = "ABCDF"


def cap(grade: str, worst: Severity | None) -> str:
    """Any failing critical caps at D; any failing high caps at B."""
    limit = {Severity.CRITICAL: "D", Severity.HIGH: "B"}.get(worst) if worst is not None else None
    if limit is None or grade not in _CAP_ORDER:
        return grade
    return max(grade, limit, key=_CAP_ORDER.index)


def worst_failing(results: Iterable[CheckResult],
                  min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> Severity | None:
    """The highest severity among failing results that count, None when nothing fails."""
    worst = None
    for result in results:
        if result.status is Status.FAIL and not uncounted(result, min_confidence):
            sev = counted_severity(result, min_confidence)
            worst = sev if worst is None or sev > worst else worst
    return worst


def risk_level(worst: Severity | None, score: float | None, complete: bool) -> str:
    """Critical / High / Medium / Low: the worst failing severity that counts, tempered by the score.

    "Critical" needs a critical finding and "High" a high one, except that a
    score below 50 made only of medium gaps reads as High: many gaps at once
    are a risk of their own. A low score never invents a critical risk.
    """
    levels = ["Low", "Medium", "High", "Critical"]
    level = 0
    if worst is not None:
        level = {Severity.CRITICAL: 3, Severity.HIGH: 2, Severity.MEDIUM: 1}.get(worst, 0)
    if score is not None and score < 50 and level == 1:
        level = 2
    if not complete:
        level = max(level, 1)  # an incomplete scan never reads as clean
    return levels[level]


def overall(results: Sequence[CheckResult], min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> Score:
    """Score, grade (or ``incomplete``), risk and coverage of a whole run."""
    score, coverage = weighted_score(results, min_confidence)
    complete = coverage >= COVERAGE_FOR_GRADE and score is not None
    worst = worst_failing(results, min_confidence)
    grade = cap(letter(score), worst) if complete and score is not None else INCOMPLETE
    return Score(score, grade, risk_level(worst, score, complete), complete, round(coverage, 3))


def section_scores(results: Sequence[CheckResult],
                   min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> tuple[SectionScore, ...]:
    """Per-area score and status line (Good / Needs improvements / Critical gaps)."""
    out = []
    for section in Section:
        mine = [r for r in results if r.meta.section is section]
        score, _ = weighted_score(mine, min_confidence)
        counts = {s: sum(1 for r in mine if r.status is s) for s in Status}
        worst = worst_failing(mine, min_confidence)
        if counts[Status.PASS] + counts[Status.FAIL] == 0:
            status = "Not assessed"
        elif (worst is Severity.CRITICAL or (worst is Severity.HIGH and score is not None and score < 60)
              or (worst is Severity.MEDIUM and score is not None and score < 40)):
            # Low-severity gaps alone never make an area "critical", whatever its score; otherwise the
            # label follows the score too, so an area at 0 never reads better than one at 40.
            status = "Critical gaps"
        elif counts[Status.FAIL] and (worst or Severity.INFO) > Severity.INFO:
            status = "Needs improvements"
        else:
            status = "Good"
        out.append(
            SectionScore(
                section=section,
                score=score,
                status=status,
                passed=counts[Status.PASS],
                failed=counts[Status.FAIL],
                errored=counts[Status.ERROR],
                skipped=counts[Status.SKIPPED],
            )
        )
    return tuple(out)
