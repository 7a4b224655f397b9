"""Broken, minified, huge and build-output source is skipped with a reason, never a crash."""

from __future__ import annotations

import json
import time
from pathlib import Path

from auditor.model import Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from auditor.source.index import source_index
from tests.harness import registry


def _service(root: Path) -> None:
    (root / "package.json").write_text(json.dumps({"name": "svc", "dependencies": {"express": "^4.19.2"}}))
    (root / "src").mkdir()
    (root / "src" / "server.js").write_text(
        "const express = require('express');\nconst app = express();\n"
        "app.get('/health', (req, res) => res.json({ ok: true }));\napp.listen(3000);\n"
    )


def test_broken_minified_huge_and_dist_are_skipped(tmp_path: Path) -> None:
    _service(tmp_path)
    src = tmp_path / "src"
    (src / "broken.ts").write_text("export function f( {\n  return 1;\n")
    (src / "vendor.min.js").write_text("var a=1;" * 100)
    (src / "bundle.js").write_text("var a=function(){return 1};" * 2000)  # one 54 KB line
    (src / "generated.ts").write_text("export const x = 1;\n" * 80_000)  # ~1.6 MB, under discovery's cap
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.js").write_text("console.log('built');\n")
    (src / "broken.py").write_text("def f(:\n")

    index = source_index(Project(tmp_path))
    reasons = {s.path: s.reason for s in index.skipped}
    assert reasons["src/broken.ts"].startswith("syntax error at line")
    assert "minified" in reasons["src/vendor.min.js"]
    assert "minified or bundled" in reasons["src/bundle.js"]
    assert "oversized" in reasons["src/generated.ts"]
    assert "dist/index.js" not in index.files  # build output is never judged
    assert "src/server.js" in index.files
    assert "src/broken.py" not in index.files  # Python files belong to Python services only


def test_python_syntax_error_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi==0.111.0\n")
    (tmp_path / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (tmp_path / "bad.py").write_text("def broken(:\n    pass\n")
    (tmp_path / "deep.py").write_text("x = " + "(" * 400 + "1" + ")" * 400 + "\n")
    index = source_index(Project(tmp_path))
    reasons = {s.path: s.reason for s in index.skipped}
    assert reasons["bad.py"].startswith("syntax error at line 1")
    assert "main.py" in index.files
    assert [s.framework for s in index.services] == ["fastapi"]


def test_five_megabyte_file_does_not_hang(tmp_path: Path) -> None:
    _service(tmp_path)
    (tmp_path / "src" / "huge.js").write_text("var x = [" + "1," * 2_500_000 + "];\n")
    started = time.monotonic()
    project = Project(tmp_path, max_file_bytes=8 * 1024 * 1024)  # even when discovery lets it through
    index = source_index(project)
    assert time.monotonic() - started < 5
    assert "src/huge.js" not in index.files
    assert any(s.path == "src/huge.js" for s in index.skipped)


def test_checks_run_without_error_on_hostile_source(tmp_path: Path) -> None:
    _service(tmp_path)
    (tmp_path / "src" / "weird.ts").write_text("\x00\x01 garbage ``` <<<\n")
    (tmp_path / "src" / "unicode.ts").write_text("const s = '\u202e\ud7ff'; app.get('/\u00e9', (c) => c.text('x'));\n")
    specs = [s for s in registry() if s.id.startswith("APP-")]
    for result in run_repo_checks(specs, Project(tmp_path), frozenset()):
        assert result.status is not Status.ERROR, f"{result.meta.id}: {result.reason}"


def test_no_services_means_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# docs only\n")
    specs = [s for s in registry() if s.id.startswith("APP-")]
    results = run_repo_checks(specs, Project(tmp_path), frozenset())
    assert {r.status for r in results} == {Status.SKIPPED}


def test_skips_reach_the_report_appendix(tmp_path: Path) -> None:
    _service(tmp_path)
    (tmp_path / "src" / "broken.ts").write_text("export function f( {\n")
    project = Project(tmp_path)
    source_index(project)
    assert any(s.path == "src/broken.ts" and s.reason.startswith("source not analysed: syntax error")
               for s in project.skipped)


def test_files_belong_to_their_innermost_service_root() -> None:
    """One pass over the files: a nested package's files are its own, the repository root takes the rest."""
    from auditor.source.index import _innermost_roots

    files = ("index.ts", "src/app.ts", "packages/api/src/main.ts", "packages/api/nested/x/y.ts",
             "packages/api/nested/x/z/w.ts", "packages/web/src/ui.tsx", "docs/a.md")
    owned = _innermost_roots(files, [".", "packages/api", "packages/api/nested/x/", "elsewhere"])
    assert owned == {
        "": ["index.ts", "src/app.ts", "packages/web/src/ui.tsx", "docs/a.md"],
        "packages/api": ["packages/api/src/main.ts"],
        "packages/api/nested/x": ["packages/api/nested/x/y.ts", "packages/api/nested/x/z/w.ts"],
    }
