"""Shared helpers for the data-driven check harness and other tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from auditor.model import CheckResult
from auditor.project import Project
from auditor.registry import CheckSpec, Registry, load_registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CHECK_CASES = FIXTURES / "checks"
LIVE_CASES = FIXTURES / "live"

_REGISTRY: Registry | None = None


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (folders made as needed) and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def registry() -> Registry:
    """The built-in registry, loaded once per test session."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = load_registry(plugins=False)
    return _REGISTRY


def load_expect(case: Path) -> dict[str, Any]:
    """Read a case's expect.yaml."""
    from auditor.parsing.yamlsafe import load_yaml

    data = load_yaml((case / "expect.yaml").read_text(encoding="utf-8")) or {}
    return dict(data)


def finding_tuples(result: CheckResult) -> set[tuple[str | None, int | None, str]]:
    """(path or url, line, key) of every finding, for exact comparison."""
    return {(f.location.path or f.location.url, f.location.line, f.key) for f in result.findings}


def expected_tuples(expect: dict[str, Any]) -> set[tuple[str | None, int | None, str]]:
    """The same tuples from expect.yaml."""
    out = set()
    for item in expect.get("findings") or []:
        where = item.get("path") or item.get("url")
        line = item.get("line")
        out.add((str(where) if where is not None else None, int(line) if line is not None else None,
                 str(item.get("key", ""))))
    return out


def _expected_today(case: Path) -> dt.date | None:
    """The ``today:`` date an expect.yaml fixes for time-dependent checks (end-of-life dates), else None."""
    if not (case / "expect.yaml").is_file():
        return None
    today = load_expect(case).get("today")
    return dt.date.fromisoformat(str(today)[:10]) if today else None


def run_case(spec: CheckSpec, case: Path) -> CheckResult:
    """Run one check on one fixture case (a repo dir, or a dir with observations.json).

    A repo case may carry ``deps-observations.json``: recorded dependency-audit
    observations placed in ``Project.dependency_observations`` as the dependency probe would.
    """
    from auditor.runner import run_live_checks, run_repo_checks

    observations = case / "observations.json"
    if observations.exists():
        from auditor.live.observations import load_observations

        targets = load_observations(observations)
        results = run_live_checks([spec], targets, frozenset())
        assert len(results) == 1, f"{case}: expected one live target in observations.json"
        return results[0]
    # The expectation is not part of the fixture; its optional `today:` fixes the scan's date.
    project = Project(case, excludes=("expect.yaml",), today=_expected_today(case))
    recorded_deps = case / "deps-observations.json"
    if recorded_deps.exists():
        # Dependency audits are probes: their recorded observations stand in for the network.
        import json

        from auditor.deps.model import observations_from_dict
        project.dependency_observations = observations_from_dict(
            json.loads(recorded_deps.read_text(encoding="utf-8")))
    results = run_repo_checks([spec], project, frozenset())
    return results[0]


def builtin_grouping(check_id: str) -> dict[str, Any]:
    """The ``group``/``group_rank``/``data_loss`` metadata of the built-in check with this id (or none).

    Tests build synthetic metadata by id; grouping lives on ``@check``, so they borrow it.
    """
    spec = registry().resolve(check_id)
    if spec is None:
        return {}
    return {"group": spec.meta.group, "group_rank": spec.meta.group_rank, "data_loss": spec.meta.data_loss}
