"""Benchmark the history: 10,000 runs over 50 targets.

Measures, on a generated SQLite history (and on PostgreSQL when PRODCHECK_TEST_PG_URL is set):

* ``prodcheck history`` (the CLI in a fresh process, text and JSON, all runs and one target);
* what the history adds to one scan: open the store, compare every target with its previous
  run, write the run (the engine's own work is not included: it is the same with or without).

Run: ``python bench/bench_history.py [--runs 10000] [--targets 50] [--repeat 5]``.
Targets: ``prodcheck history`` answers in under 1 s; the history adds under 50 ms to a scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.history.record import (  # noqa: E402
    BurstFacts,
    CertFacts,
    FindingFacts,
    HealthFacts,
    RunSnapshot,
    TargetSnapshot,
)
from auditor.history.regressions import Thresholds, compare  # noqa: E402
from auditor.history.store import open_store  # noqa: E402


def _snapshot(target: str, i: int) -> TargetSnapshot:
    """A plausible target snapshot (findings drift, the certificate ages and renews)."""
    days = 90 - (i % 85)
    findings = tuple(FindingFacts(f"{target}-{k}", f"CHECK-{k}", ("medium", "low", "high")[k % 3], f"finding {k}")
                     for k in range(12 + i % 5))
    return TargetSnapshot(
        target=target, kind="url", reachable=i % 97 != 0, error=None if i % 97 else "connection refused",
        score=70.0 + i % 25, grade="BCA"[i % 3], tls_grade="A", header_grade="B",
        cert=CertFacts("site", ("site",), "CA", "2027-01-01T00:00:00Z", days, "EC 256"),
        protocols=("TLSv1.2", "TLSv1.3"),
        headers=(("strict-transport-security", "max-age=31536000"), ("x-frame-options", "DENY")),
        health=(HealthFacts("/health", 200 if i % 13 else 503, 20.0 + i % 7),),
        burst=BurstFacts(True, 6, 6), findings=findings,
    )


def _run(targets: tuple[TargetSnapshot, ...]) -> RunSnapshot:
    return RunSnapshot("0.1.0", targets[0].score, targets[0].grade, "medium", True, 3.0, targets, {"fail_on": "high"})


def build(location: str, runs: int, targets: int) -> float:
    """Fill the history with ``runs`` runs round-robin over ``targets`` targets (one target per run)."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    counter = iter(range(10**9))
    store = open_store(location, clock=lambda: start + dt.timedelta(hours=next(counter)))
    began = time.perf_counter()
    names = [f"https://site{n:02d}.test" for n in range(targets)]
    for i in range(runs):
        name = names[i % targets]
        snap = _snapshot(name, i // targets)
        store.add_run(_run((snap,)), {})
    store.close()
    return time.perf_counter() - began


def scan_overhead(location: str, repeat: int, targets_per_scan: int) -> list[float]:
    """Wall time of the history's part of one scan: open, compare each target, write, close."""
    times = []
    for r in range(repeat):
        began = time.perf_counter()
        store = open_store(location)
        snaps = tuple(_snapshot(f"https://site{n:02d}.test", 1000 + r) for n in range(targets_per_scan))
        regressions = {}
        for snap in snaps:
            previous = store.previous(snap.target)
            regressions[snap.target] = compare(previous.snapshot if previous else None, snap, Thresholds()).regressions
        store.add_run(_run(snaps), regressions)
        store.close()
        times.append(time.perf_counter() - began)
    return times


def real_scan(location: str, tmp: Path, repeat: int) -> tuple[list[float], list[float]]:
    """A whole ``prodcheck scan`` of recorded observations, alternately with and without the history."""
    obs = tmp / "obs.json"
    obs.write_text(json.dumps({"schema_version": 1, "targets": [{"url": "https://site07.test", "error": None,
                                                                  "tls": None, "http": None}]}), encoding="utf-8")
    base = [sys.executable, "-m", "auditor", "scan", "--from-observations", str(obs), "--quiet", "--format", "json",
            "--output", str(tmp / "r.json")]
    with_history: list[float] = []
    without: list[float] = []
    for _ in range(repeat * 2):
        for argv, bucket in ((base, without), ([*base, "--history", location], with_history)):
            began = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            bucket.append(time.perf_counter() - began)
    return with_history, without


def cli(location: str, *args: str, repeat: int) -> list[float]:
    """``prodcheck history ...`` in a fresh interpreter (what a user waits for), output discarded."""
    env = {**os.environ, "NO_COLOR": "1"}
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "auditor", "history", "--history", location, *args], cwd=ROOT,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return times


def _fmt(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:7.1f} ms  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"


def main() -> None:
    """Build the history, time the views and the scan overhead, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    locations = []
    tmp = tempfile.TemporaryDirectory()
    locations.append(("sqlite", str(Path(tmp.name) / "history.sqlite")))
    pg = os.environ.get("PRODCHECK_TEST_PG_URL")
    if pg:
        import psycopg

        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS bench_history CASCADE")
            conn.execute("CREATE SCHEMA bench_history")
        locations.append(("postgres", f"{pg}{'&' if '?' in pg else '?'}options=-csearch_path%3Dbench_history"))
    for kind, location in locations:
        print(f"== {kind}: {args.runs} runs over {args.targets} targets")
        print(f"build            {build(location, args.runs, args.targets):7.2f} s")
        if kind == "sqlite":
            print(f"file size        {Path(location).stat().st_size / 1e6:7.1f} MB")
        print(f"history (text)   {_fmt(cli(location, repeat=args.repeat))}")
        print(f"history --format json {_fmt(cli(location, '--format', 'json', repeat=args.repeat))}")
        print(f"history --target {_fmt(cli(location, '--target', 'https://site07.test', repeat=args.repeat))}")
        print(f"history --format html {_fmt(cli(location, '--format', 'html', repeat=args.repeat))}")
        print(f"scan overhead, 1 target   {_fmt(scan_overhead(location, args.repeat * 4, 1))}")
        print(f"scan overhead, 10 targets {_fmt(scan_overhead(location, args.repeat * 4, 10))}")
        if kind == "sqlite":
            with_history, without = real_scan(location, Path(tmp.name), args.repeat)
            print(f"prodcheck scan --from-observations, no history   {_fmt(without)}")
            print(f"prodcheck scan --from-observations --history     {_fmt(with_history)}")
            print(f"  difference of medians (noisy: process start dominates): "
                  f"{(statistics.median(with_history) - statistics.median(without)) * 1000:.1f} ms")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import auditor.cli"], cwd=ROOT, check=True)
        print(f"(python start + import auditor.cli: {(time.perf_counter() - started) * 1000:.0f} ms, "
              "included in the history timings)")
    tmp.cleanup()


if __name__ == "__main__":
    main()
