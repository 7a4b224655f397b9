"""What a repository scan could see: notes on what the configuration left out, and an empty scope.

A repository's own config can exclude everything (``exclude: ['**']``) or set
a size cap that keeps nothing (``max_file_kb: 1``). Then every check passes
or skips for lack of files, and a report that reads "complete" would praise a
repository nobody looked at. The engine adds these notes to the report and
marks a scan that judged nothing as incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from auditor.model import CheckResult
from auditor.options import ScanOptions
from auditor.project import Project
from auditor.scoring import INCOMPLETE, Score, risk_level, worst_failing
from auditor.textsafe import safe_path

# Files that say how to scan rather than what is deployed: keeping only these judges nothing.
_CONTROL_FILES = frozenset({
    ".gitignore", ".dockerignore", ".prodcheck.yaml", ".prodcheck.yml", "prodcheck.yaml", "prodcheck.yml",
    ".prodcheck-baseline.json", ".gitattributes", ".editorconfig",
})


def _who(options: ScanOptions) -> str:
    source = options.live.get("config_file")
    return f"the config file {safe_path(str(source))}" if source else "the scan options"


def scope_notes(project: Project, options: ScanOptions) -> list[str]:
    """One note per way the configuration narrowed the scan, naming who narrowed it."""
    found = project.discovery
    notes: list[str] = []
    if found.excluded_files or found.excluded_dirs:
        parts = []
        if found.excluded_files:
            parts.append(f"{found.excluded_files} file(s)")
        if found.excluded_dirs:
            parts.append(f"{found.excluded_dirs} director(ies)")
        examples = ", ".join(safe_path(e) for e in found.excluded_examples)
        notes.append(f"{' and '.join(parts)} left out by the 'exclude' patterns of {_who(options)}"
                     f" (for example {examples})")
    if found.oversized:
        cap_kb = options.max_file_bytes // 1024
        notes.append(f"{found.oversized} file(s) over the {cap_kb} KiB size cap were not read"
                     f" ('max_file_kb' of {_who(options)} or the default)")
    if judged_nothing(project):
        notes.append("no file that prodcheck judges was left to scan: the repository was not assessed,"
                     " so the scan is incomplete")
    return notes


def judged_nothing(project: Project) -> bool:
    """True when discovery kept no file beyond scan-control files (ignore lists, prodcheck config)."""
    return not any(rel.rsplit("/", 1)[-1] not in _CONTROL_FILES for rel in project.files)


def without_judgement(score: Score, results: Sequence[CheckResult]) -> Score:
    """The run's score marked incomplete: a scan that judged nothing never grades or reads as clean."""
    worst = worst_failing(results)
    return replace(score, grade=INCOMPLETE, complete=False, coverage=0.0,
                   risk=risk_level(worst, score.score, False))
