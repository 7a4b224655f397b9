"""Parallel source parsing: the same index as the single-process loop, and nothing lost when a worker fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from auditor.project import Project
from auditor.source import parallel
from auditor.source.index import source_index

FILES = parallel.PARALLEL_MIN_FILES + 20


def _monorepo(root: Path) -> Path:
    """An express service with enough modules to be parsed in parallel, one binary .js among them."""
    (root / "package.json").write_text(json.dumps({"name": "api", "dependencies": {"express": "^4.19.2"}}))
    src = root / "src"
    src.mkdir()
    (src / "index.js").write_text(
        "const express = require('express');\nconst app = express();\n"
        "app.get('/health', (req, res) => res.json({ ok: true }));\napp.listen(process.env.PORT || 3000);\n")
    for i in range(FILES):
        (src / f"module{i}.js").write_text(
            f"const x{i} = process.env.FEATURE_{i} ?? 'off';\n"
            f"export function handler{i}(req, res) {{\n  res.send(String(x{i}));\n}}\n")
    (src / "broken.js").write_text("function (\n")
    (src / "blob.js").write_bytes(b"\x00\x01binary")
    return root


def _index_with(monkeypatch: pytest.MonkeyPatch, root: Path, jobs: str) -> tuple[dict[str, object], list[str], list[str]]:
    monkeypatch.setenv("PRODCHECK_JOBS", jobs)
    project = Project(root)
    index = source_index(project)
    return (dict(index.files), [f"{s.path}: {s.reason}" for s in index.skipped],
            sorted(f"{s.path}: {s.reason}" for s in project.read_skips))


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_parallel_index_equals_the_single_process_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file's facts, the skips and the read refusals are identical with one and with two processes."""
    root = _monorepo(tmp_path)
    serial = _index_with(monkeypatch, root, "1")
    forked = _index_with(monkeypatch, root, "2")
    assert len(serial[0]) == FILES + 1
    assert list(serial[0]) == list(forked[0])  # same order, so reports are byte-identical
    assert serial == forked
    assert any("broken.js: syntax error" in s for s in forked[1])
    # The binary file was read in a worker; its refusal still reaches the report appendix.
    assert "src/blob.js: binary file" in forked[2]


def test_small_trees_and_jobs_1_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the threshold, or with PRODCHECK_JOBS=1, no worker is started."""
    monkeypatch.setenv("PRODCHECK_JOBS", "4")
    assert parallel.jobs(parallel.PARALLEL_MIN_FILES - 1) == 1
    if "fork" in __import__("multiprocessing").get_all_start_methods():
        assert parallel.jobs(parallel.PARALLEL_MIN_FILES) == 4
    monkeypatch.setenv("PRODCHECK_JOBS", "1")
    assert parallel.jobs(10 * parallel.PARALLEL_MIN_FILES) == 1


_PARENT = os.getpid()


def _dies_in_a_worker(project: Project, rel: str, size: int) -> tuple[str, int]:
    if os.getpid() != _PARENT:
        os._exit(3)  # a worker killed mid-share (out of memory, a signal)
    return rel, size


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork")
def test_a_dead_worker_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a worker dies, this process parses its share: every item comes back, in order."""
    monkeypatch.setenv("PRODCHECK_JOBS", "3")
    project = Project(tmp_path)
    items = [(f"f{i}.js", i) for i in range(FILES)]
    assert parallel.parse_all(project, items, _dies_in_a_worker) == items
