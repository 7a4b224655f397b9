"""The committed check catalog: fresh, equal to the registry, and what ``checks list`` reads."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import catalog
from auditor.checks_listing import listing_rows
from auditor.registry import known_check_ids, load_check, load_registry
from tests.engine.test_registry import GOOD, _install_plugin, plugin_path  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def test_committed_catalog_is_fresh() -> None:
    assert catalog.load() is not None, "checks/catalog.json is stale: run `python -m auditor.catalog` and commit it"
    committed = json.loads(catalog.CATALOG.read_text(encoding="utf-8"))
    assert committed == catalog.build()


def test_catalog_rows_are_the_registry_rows() -> None:
    entries = catalog.load()
    assert entries is not None
    specs = list(load_registry(plugins=False))
    assert [(e.id, e.title, e.severity, e.section, e.target, e.module) for e in entries] == [
        (s.id, s.meta.title, s.meta.severity.label, s.meta.section.id, s.meta.target.value, s.func.__module__)
        for s in specs]


def test_stale_or_broken_catalog_is_refused(tmp_path: Path) -> None:
    data = json.loads(catalog.CATALOG.read_text(encoding="utf-8"))
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({**data, "fingerprint": "0" * 64}))
    assert catalog.load(stale) is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert catalog.load(broken) is None
    assert catalog.load(tmp_path / "missing.json") is None


def test_fingerprint_follows_check_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "ROOT", tmp_path)
    pkg = tmp_path / "checks"
    pkg.mkdir()
    (pkg / "one.py").write_text("A = 1\n")
    first = catalog.fingerprint(pkg)
    assert catalog.fingerprint(pkg) == first
    (pkg / "one.py").write_text("A = 2\n")
    edited = catalog.fingerprint(pkg)
    (pkg / "two.py").write_text("")
    assert len({first, edited, catalog.fingerprint(pkg)}) == 3


def test_listing_imports_no_check_module() -> None:
    code = ("import sys; from auditor.checks_listing import listing_rows; rows, _ = listing_rows(); "
            "heavy = sorted(m for m in sys.modules if m.startswith(('checks.', 'tree_sitter', 'httpx', 'sslyze', "
            "'auditor.source', 'auditor.live', 'ruamel')) or m == 'ssl'); print(len(rows), heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    count, heavy = out.split(" ", 1)
    assert int(count) == len(load_registry(plugins=False))
    assert heavy.strip() == "[]"


def test_explain_imports_only_its_module() -> None:
    code = ("import sys; from auditor.registry import load_check; s = load_check('docker-base-unpinned'); "
            "print(s.id if s else None, sorted(m for m in sys.modules if m.startswith('checks.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.startswith("DOCKER-BASE-UNPINNED ")
    modules = ast.literal_eval(out.split(" ", 1)[1])
    # Its module, its package and the helpers it imports: no other check family, not all 100 modules.
    assert "checks.docker.base_unpinned" in modules
    assert all(m.startswith("checks.docker") for m in modules) and len(modules) <= 4, modules
    assert load_check("no-such-check") is None


def test_plugins_merge_into_the_catalog_listing(plugin_path: Path) -> None:  # noqa: F811
    _install_plugin(plugin_path, "pc_plugin_good", GOOD, "pc_plugin_good")
    _install_plugin(plugin_path, "pc_plugin_dup", GOOD.replace("PLUGIN-GOOD", "PARSE-ERROR"), "pc_plugin_dup")
    rows, problems = listing_rows()
    full = load_registry()
    assert [r["id"] for r in rows] == [s.id for s in full]
    assert problems == full.problems
    assert any("duplicate check id 'PARSE-ERROR'" in p for p in problems)
    assert load_check("plugin-good") is not None


def test_known_check_ids_match_the_registry(plugin_path: Path) -> None:  # noqa: F811
    _install_plugin(plugin_path, "pc_plugin_good", GOOD, "pc_plugin_good")
    full = load_registry()
    expected = {**{spec.id: spec.id for spec in full}, **full.aliases}
    assert known_check_ids() == expected
    assert "PLUGIN-GOOD" in expected


def test_scan_registry_is_the_imported_registry() -> None:
    from auditor.registry import DeferredCheck, scan_registry

    imported, built = list(load_registry(plugins=False)), list(scan_registry(plugins=False))
    assert [s.id for s in built] == [s.id for s in imported]
    for spec, lazy in zip(imported, built, strict=True):
        # Equal and printed alike (2 stays 2, not 2.0): reports render the catalog's metadata as before.
        assert (lazy.meta, lazy.needs) == (spec.meta, spec.needs)
        assert repr(lazy.meta) == repr(spec.meta)
        assert isinstance(lazy.func, DeferredCheck) and lazy.func.module == spec.func.__module__


def test_a_scan_imports_only_the_families_whose_inputs_exist(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "dependencies": {"express": "4.0.0"}}\n')
    (tmp_path / "index.js").write_text("const express = require('express')\nexpress().listen(3000)\n")
    code = ("import sys; from pathlib import Path; from auditor.engine import scan; "
            "from auditor.options import ScanOptions; "
            f"r = scan(ScanOptions(path=Path({str(tmp_path)!r}), offline=True)); "
            "print(len(r.results), sorted({m.split('.')[1] for m in sys.modules if m.startswith('checks.')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    count, families = out.split(" ", 1)
    # Every repository check has a result (skipped ones too), but no Dockerfile or compose check was imported.
    from auditor.model import Target

    assert int(count) == sum(1 for s in load_registry(plugins=False) if s.meta.target is Target.REPO)
    loaded = ast.literal_eval(families)
    assert "docker" not in loaded and "compose" not in loaded and "live" not in loaded
    assert "app" in loaded


def test_scan_registry_loads_plugins(plugin_path: Path) -> None:  # noqa: F811 - fixture
    from auditor.registry import _may_have_plugins, scan_registry

    _install_plugin(plugin_path, "pc_plugin_scanreg", GOOD, "pc_plugin_scanreg")
    assert _may_have_plugins()
    registry = scan_registry()
    spec = registry.resolve("PLUGIN-GOOD")
    assert spec is not None and spec.meta.origin == "plugin:pc_plugin_scanreg"


def test_a_catalog_row_this_code_cannot_read_falls_back_to_importing(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.registry import DeferredCheck, scan_registry

    entries = catalog.load()
    assert entries is not None
    monkeypatch.setattr(catalog, "load", lambda: [catalog.Entry(**{**e.__dict__, "details": {}}) for e in entries])
    specs = list(scan_registry(plugins=False))
    assert [s.id for s in specs] == [e.id for e in entries]
    assert not any(isinstance(s.func, DeferredCheck) for s in specs)
