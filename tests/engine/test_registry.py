"""Registry: built-in walk, duplicate ids rejected, entry-point plugins in their own error boundary."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from auditor.model import Section, Severity
from auditor.registry import Registry, check, load_registry, specs_in_module


def _install_plugin(tmp_path: Path, name: str, module_src: str, entry: str) -> None:
    """Create an importable module plus a dist-info whose entry point names it."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_src))
    dist = tmp_path / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[prodcheck.checks]\n{name} = {entry}\n")


@pytest.fixture
def plugin_path(tmp_path: Path):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for mod in [m for m in sys.modules if m.startswith("pc_plugin_")]:
        del sys.modules[mod]


GOOD = '''
"""Plugin check.

## What it checks
Nothing much.
## Why it matters
Tests.
## How to fix
```shell
true
```
"""
from auditor.model import Section, Severity, Finding
from auditor.registry import check

@check(id="PLUGIN-GOOD", severity=Severity.LOW, section=Section.OPERATIONS)
def good(project):
    """Always one finding."""
    yield Finding("from plugin")
'''


def test_builtin_registry_loads_and_has_unique_ids() -> None:
    registry = load_registry(plugins=False)
    assert "PARSE-ERROR" in registry.checks
    assert len({s.id for s in registry}) == len(registry)


def test_plugin_loaded_and_broken_plugin_reported(plugin_path: Path) -> None:
    _install_plugin(plugin_path, "pc_plugin_good", GOOD, "pc_plugin_good")
    _install_plugin(plugin_path, "pc_plugin_broken", "raise RuntimeError('boom at import')\n", "pc_plugin_broken")
    dup = GOOD.replace("PLUGIN-GOOD", "PARSE-ERROR")
    _install_plugin(plugin_path, "pc_plugin_dup", dup, "pc_plugin_dup")
    registry = load_registry()
    assert registry.checks["PLUGIN-GOOD"].meta.origin == "plugin:pc_plugin_good"
    problems = "\n".join(registry.problems)
    assert "pc_plugin_broken" in problems and "boom at import" in problems
    assert "duplicate check id 'PARSE-ERROR'" in problems
    assert registry.checks["PARSE-ERROR"].meta.origin == "builtin"


def test_duplicate_ids_and_aliases_rejected() -> None:
    @check(id="DUP-A", severity=Severity.LOW, section=Section.DATA, aliases=("OLD-A",))
    def first(project: object) -> list[object]:
        """One."""
        return []

    @check(id="OLD-A", severity=Severity.LOW, section=Section.DATA)
    def second(project: object) -> list[object]:
        """Two."""
        return []

    registry = Registry()
    registry.add(first.__prodcheck_spec__)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="duplicate check id 'OLD-A'"):
        registry.add(second.__prodcheck_spec__)  # type: ignore[attr-defined]
    assert registry.resolve("old-a") is registry.checks["DUP-A"]


def test_specs_in_module_ignores_imported_checks() -> None:
    import checks.core.parse_errors as mod

    assert [s.id for s in specs_in_module(mod)] == ["PARSE-ERROR"]
