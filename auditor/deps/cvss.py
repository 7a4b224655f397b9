"""CVSS v3.x base score from a vector string (FIRST specification, section 7.1)."""

from __future__ import annotations

import math

from auditor.model import Severity

_WEIGHTS = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PR = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def _roundup(value: float) -> float:
    """CVSS 3.1 Roundup: the smallest number, to one decimal, >= value (float-safe)."""
    scaled = round(value * 100000)
    if scaled % 10000 == 0:
        return scaled / 100000.0
    return (math.floor(scaled / 10000) + 1) / 10.0


def base_score(vector: str) -> float | None:
    """Base score of a ``CVSS:3.0/`` or ``CVSS:3.1/`` vector; None for other versions or bad vectors."""
    if not vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
        return None
    try:
        metrics = dict(part.split(":", 1) for part in vector.split("/")[1:])
        scope = metrics["S"]
        iss = 1 - (1 - _WEIGHTS["C"][metrics["C"]]) * (1 - _WEIGHTS["I"][metrics["I"]]) * (
            1 - _WEIGHTS["A"][metrics["A"]])
        if scope == "U":
            impact = 6.42 * iss
        else:
            impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
        exploitability = (8.22 * _WEIGHTS["AV"][metrics["AV"]] * _WEIGHTS["AC"][metrics["AC"]]
                          * _PR[scope][metrics["PR"]] * _WEIGHTS["UI"][metrics["UI"]])
    except (KeyError, ValueError):
        return None
    if impact <= 0:
        return 0.0
    if scope == "U":
        return _roundup(min(impact + exploitability, 10))
    return _roundup(min(1.08 * (impact + exploitability), 10))


def severity_of(score: float) -> Severity:
    """CVSS qualitative rating: 9.0+ critical, 7.0+ high, 4.0+ medium, 0.1+ low, else info."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.INFO


def severity_from_label(label: str | None) -> Severity | None:
    """GitHub/OSV ``database_specific.severity`` labels (LOW, MODERATE, HIGH, CRITICAL)."""
    mapping = {"LOW": Severity.LOW, "MODERATE": Severity.MEDIUM, "MEDIUM": Severity.MEDIUM,
               "HIGH": Severity.HIGH, "CRITICAL": Severity.CRITICAL}
    return mapping.get((label or "").strip().upper())
