"""Where a scan's time goes, per phase, on real repositories (in-process, one run each).

Wraps (in this process only, no source edited) the functions each phase runs in and
prints their inclusive CPU time: imports and registry, discovery (walk + ignore rules),
tree-sitter parsing, the JS and Python extractors, YAML loading, secret collection,
scrubbing, and the slowest checks (``CheckResult.elapsed``; the first check to ask for the
source index is charged for building it, so that phase is also shown on its own).

Usage: ``python bench/profile_repo.py [REPO ...]`` (default: the corpus kaneo, umami, healthchecks).
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "realworld"
TOTALS: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])


def timed(module: Any, name: str, label: str) -> None:
    """Replace ``module.name`` by a wrapper adding its CPU time to ``TOTALS[label]`` (outermost call only)."""
    original: Callable[..., Any] = getattr(module, name)
    depth = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                TOTALS[label][0] += time.process_time() - start
                TOTALS[label][1] += 1

    setattr(module, name, wrapper)


def main() -> None:
    """Profile each repository given (or the corpus three)."""
    started = time.process_time()
    from auditor import engine, project, runner, scrubber
    from auditor import secrets as secrets_mod
    from auditor.model import Target
    from auditor.options import ScanOptions
    from auditor.parsing import compose, workflow
    from auditor.registry import load_registry
    from auditor.source import index, js, py

    imports = time.process_time() - started
    registry = load_registry(targets=frozenset({Target.REPO}))
    loaded = time.process_time() - started - imports
    timed(project, "discover", "discovery (walk, ignore rules, stat)")
    timed(index, "_build", "source index build (all of it)")
    timed(js, "parse_tree", "  tree-sitter parse")
    timed(js, "extract", "  JS/TS extractor")
    timed(py, "extract", "  Python extractor")
    timed(compose, "load_yaml", "YAML: compose files (ruamel round-trip)")
    timed(workflow, "load_yaml", "YAML: workflows (ruamel round-trip)")
    timed(secrets_mod, "collect_secret_values", "secret value collection (parses env/compose/Dockerfiles)")
    timed(scrubber, "scrubber", "scrubber compile")
    check_cpu: dict[str, float] = {}
    run_one = runner.run_one

    def cpu_run_one(spec: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return run_one(spec, *args, **kwargs)
        finally:
            check_cpu[spec.id] = check_cpu.get(spec.id, 0.0) + time.process_time() - start

    runner.run_one = cpu_run_one
    repos = [Path(a) for a in sys.argv[1:]] or [CORPUS / n for n in ("kaneo", "umami", "healthchecks")]
    print(f"imports {imports * 1000:.0f} ms cpu; registry (repo checks) {loaded * 1000:.0f} ms cpu")
    for repo in repos:
        TOTALS.clear()
        check_cpu.clear()
        start = time.process_time()
        report = engine.scan(ScanOptions(path=repo, offline=True), registry=registry)
        total = time.process_time() - start
        print(f"\n{repo.name}: scan {total * 1000:.0f} ms cpu, {len(report.scanned_files)} files, "
              f"{sum(len(r.findings) for r in report.results)} findings")
        for label, (seconds, calls) in TOTALS.items():
            print(f"  {label:<42} {seconds * 1000:7.0f} ms  ({calls} calls)")
        print(f"  all checks together                        {sum(check_cpu.values()) * 1000:7.0f} ms")
        print("  slowest checks (cpu; the first to ask for the source index is charged for building it):")
        for check_id, seconds in sorted(check_cpu.items(), key=lambda kv: -kv[1])[:int(os.environ.get("PRODCHECK_PROFILE_TOP", "8"))]:
            print(f"    {check_id:<38} {seconds * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
