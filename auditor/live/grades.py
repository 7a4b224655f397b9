"""Sub-grades of one live target for the report: TLS grade and header grade/score.

The report and the TLS-GRADE / HEADER-GRADE checks call the same two functions
(:func:`auditor.live.headers_grade.grade_target_headers` and
:func:`auditor.live.tls_grade.grade_target_tls`), which read HSTS through the
one parser in :mod:`auditor.live.hsts`, so the report and the checks cannot disagree.
"""

from __future__ import annotations

from typing import Any


def target_grades(target: Any) -> dict[str, Any]:
    """``tls_grade``, ``header_grade`` and ``header_score`` (None when not observed)."""
    grades: dict[str, Any] = {"tls_grade": None, "header_grade": None, "header_score": None}
    if getattr(target, "error", None):
        return grades
    from auditor.live.headers_grade import grade_target_headers
    from auditor.live.tls_grade import grade_target_tls

    headers = grade_target_headers(target)
    if headers is not None:
        grades["header_grade"] = headers.grade
        grades["header_score"] = headers.score
    try:
        tls = grade_target_tls(target)
    except Exception:  # noqa: BLE001 - a grading bug must not lose the report
        return grades
    grades["tls_grade"] = tls.grade or None if tls is not None else None
    return grades
