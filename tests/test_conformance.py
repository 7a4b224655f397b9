"""Agreement with other scanners' own samples (KICS, checkov) on the concepts prodcheck shares.

``fixtures/conformance/*.yaml`` map entries of ``../shared/conformance/manifest.yaml`` to our
check ids. Each case of a mapped entry is copied alone into a temporary repository (as
``Dockerfile`` or ``docker-compose.yml``) and scanned with only the mapped checks: a ``fail``
case must give at least one finding from them, a ``pass`` case none. Cases listed under
``disagreements:`` must keep disagreeing, so that list stays honest.

Run ``python -m pytest tests/test_conformance.py -q -s`` to see the agreement rate.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.model import Status
from auditor.parsing.yamlsafe import load_yaml
from auditor.project import Project
from auditor.runner import run_repo_checks
from tests.harness import FIXTURES, ROOT, registry

CORPUS = ROOT.parent / "shared" / "conformance"
MAPPINGS = FIXTURES / "conformance"
_TARGET_NAME = {"dockerfile": "Dockerfile", "compose": "docker-compose.yml"}


@dataclass(frozen=True)
class Case:
    """One upstream sample, with what upstream expects and which of our checks judge it."""

    entry: str
    file: str
    platform: str
    expect: str
    checks: tuple[str, ...]
    key_pattern: str | None
    disagreement: str | None


@dataclass(frozen=True)
class Outcome:
    """What prodcheck said about one case."""

    case: Case
    findings: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        """A fail case got a finding, a pass case got none (and nothing errored)."""
        if self.errors:
            return False
        return bool(self.findings) == (self.case.expect == "fail")


def _load(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))


def _mapping_entries(data: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], str | None]]:
    out: dict[str, tuple[tuple[str, ...], str | None]] = {}
    for entry_id, value in (data.get("mappings") or {}).items():
        if isinstance(value, list):
            out[str(entry_id)] = (tuple(str(v) for v in value), None)
        elif isinstance(value, dict):
            checks = value.get("checks") or []
            pattern = value.get("key_pattern")
            out[str(entry_id)] = (tuple(str(c) for c in checks), str(pattern) if pattern else None)
    return out


def load_cases() -> list[Case]:
    """Every case of every mapped manifest entry, across all mapping files."""
    if not (CORPUS / "manifest.yaml").is_file() or not MAPPINGS.is_dir():
        return []
    manifest = {str(e["id"]): e for e in _load(CORPUS / "manifest.yaml") or []}
    cases: list[Case] = []
    for mapping_file in sorted(MAPPINGS.glob("*.yaml")):
        data = _load(mapping_file) or {}
        disagreements = {str(k): str(v) for k, v in (data.get("disagreements") or {}).items()}
        for entry_id, (checks, pattern) in _mapping_entries(data).items():
            entry = manifest.get(entry_id)
            if entry is None:
                raise AssertionError(f"{mapping_file.name}: {entry_id} is not in the manifest")
            for item in entry.get("cases") or []:
                cases.append(Case(entry_id, str(item["file"]), str(entry["platform"]), str(item["expect"]),
                                  checks, pattern, disagreements.get(str(item["file"]))))
    return cases


def evaluate(case: Case) -> Outcome:
    """Scan one sample alone with only the mapped checks."""
    specs = []
    for check_id in case.checks:
        spec = registry().resolve(check_id)
        if spec is None:
            raise AssertionError(f"mapping names unknown check {check_id}")
        specs.append(spec)
    with tempfile.TemporaryDirectory(prefix="prodcheck-conformance-") as tmp:
        target = Path(tmp) / _TARGET_NAME[case.platform]
        shutil.copyfile(CORPUS / case.file, target)
        results = run_repo_checks(specs, Project(Path(tmp)), frozenset())
    pattern = re.compile(case.key_pattern) if case.key_pattern else None
    findings = tuple(f"{r.meta.id}:{f.location.line}:{f.key}" for r in results for f in r.findings
                     if pattern is None or pattern.search(f.key))
    errors = tuple(f"{r.meta.id}: {r.reason}" for r in results if r.status is Status.ERROR)
    return Outcome(case, findings, errors)


def agreement() -> tuple[int, int, float]:
    """(agreeing cases, mapped cases, rate); disagreements count as not agreeing."""
    outcomes = [evaluate(c) for c in load_cases()]
    agreeing = sum(1 for o in outcomes if o.agrees)
    total = len(outcomes)
    return agreeing, total, (agreeing / total if total else 0.0)


CASES = load_cases()


@pytest.mark.skipif(not CASES, reason="no conformance corpus or mapping files")
@pytest.mark.parametrize("case", CASES, ids=[f"{c.platform}:{c.file}" for c in CASES])
def test_case(case: Case) -> None:
    outcome = evaluate(case)
    assert not outcome.errors, f"{case.file}: check errored: {outcome.errors}"
    if case.disagreement:
        assert not outcome.agrees, (
            f"{case.file} now agrees with upstream ({case.expect}); remove it from disagreements"
        )
        return
    wanted = "at least one finding" if case.expect == "fail" else "no finding"
    assert outcome.agrees, f"{case.file} ({case.entry}): upstream expects {wanted}; got {list(outcome.findings)}"


@pytest.mark.skipif(not CASES, reason="no conformance corpus or mapping files")
def test_agreement_rate(capsys: pytest.CaptureFixture[str]) -> None:
    agreeing, total, rate = agreement()
    by_platform: dict[str, list[bool]] = {}
    for case in CASES:
        by_platform.setdefault(case.platform, []).append(evaluate(case).agrees)
    with capsys.disabled():
        detail = ", ".join(f"{p} {sum(v)}/{len(v)}" for p, v in sorted(by_platform.items()))
        print(f"\nconformance agreement: {agreeing}/{total} = {rate:.1%} ({detail})")
    assert total > 0
