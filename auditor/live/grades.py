"""Sub-grades of one live target for the report: TLS grade and header grade/score."""

from __future__ import annotations

from typing import Any


def target_grades(target: Any) -> dict[str, Any]:
    """``tls_grade``, ``header_grade`` and ``header_score`` (None when not observed)."""
    grades: dict[str, Any] = {"tls_grade": None, "header_grade": None, "header_score": None}
    if getattr(target, "error", None):
        return grades
    http = getattr(target, "http", None)
    hsts_age = None
    if http is not None:
        from auditor.live.headers_grade import grade_headers, hsts_max_age

        result = grade_headers(http, https=bool(getattr(target, "is_https", False)))
        grades["header_grade"] = result.grade
        grades["header_score"] = result.score
        hsts_age = hsts_max_age(http.page.header("strict-transport-security"))
    tls = getattr(target, "tls", None)
    if tls is not None and not getattr(tls, "error", None):
        try:
            from auditor.live.tls_grade import tls_grade
        except ImportError:  # the TLS grading module ships separately
            return grades
        try:
            grade = tls_grade(tls, hsts_age)
        except Exception:  # noqa: BLE001 - a grading bug must not lose the report
            return grades
        grades["tls_grade"] = getattr(grade, "grade", grade) if grade is not None else None
    return grades
