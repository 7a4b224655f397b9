"""Parsers turning scanned files into typed, line-aware views. None executes anything."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseProblem:
    """A file (or part of one) that could not be parsed, with where and why."""

    path: str
    line: int | None
    reason: str
