"""Benchmark: prodcheck's TLS probe vs ``python -m sslyze`` on the same loopback target.

Run: ``python -m bench.bench_live_tls``. Prints wall times and ratios measured in the
same run (not a timed test). Also scans ten local hosts concurrently and compares
with one. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from auditor.live.tls import probe_tls
from tests.live.tls_scenarios import SCENARIOS, Scenario


def _probe(scenario: Scenario) -> float:
    started = time.monotonic()
    obs = probe_tls(scenario.server_name, scenario.port, ip=scenario.host, ca_bundle=scenario.ca_bundle, timeout=5)
    if obs.error:
        raise SystemExit(f"probe failed: {obs.error}")
    return time.monotonic() - started


def main() -> None:
    """Run the comparisons and print a small table."""
    os.environ.pop("SSL_CERT_FILE", None)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        hosts = [stack.enter_context(SCENARIOS["valid"](Path(tmp) / str(i))) for i in range(10)]
        one = _probe(hosts[0])
        started = time.monotonic()
        cmd = [sys.executable, "-m", "sslyze", f"localhost:{hosts[0].port}{{127.0.0.1}}", "--quiet"]
        subprocess.run(cmd, check=False, capture_output=True, timeout=300)
        sslyze_full = time.monotonic() - started
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(_probe, hosts))
        ten = time.monotonic() - started
    print(f"prodcheck TLS probe, one host : {one:6.2f} s")
    print(f"python -m sslyze (all plugins): {sslyze_full:6.2f} s  (ratio {sslyze_full / one:4.1f}x)")
    print(f"prodcheck, ten hosts at once  : {ten:6.2f} s  ({ten / one:4.2f}x one host)")


if __name__ == "__main__":
    main()
