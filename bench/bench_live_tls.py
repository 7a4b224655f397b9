"""Benchmark: prodcheck's TLS probe vs ``python -m sslyze`` on the same loopback target.

    python bench/bench_live_tls.py [--hosts 10] [--rtt-ms 0]

TLS only (the long pole of a live scan). Uses the server processes of
``bench_live.py`` (one process per server, optional emulated RTT) and compares,
in the same run: one host with :func:`probe_tls`; ``python -m sslyze`` on it;
N hosts as N ``probe_tls`` calls in threads (one sslyze Scanner each); N hosts
in one :func:`probe_tls_many` (one Scanner). Not a timed test. Only 127.0.0.1
is contacted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_live
from bench_live import Sample, _command, _line, _measure, _median, servers

from auditor.live.tls import TlsTarget, probe_tls, probe_tls_many


def main() -> None:
    """Run the comparisons and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import _dualserver

    os.environ.pop("SSL_CERT_FILE", None)
    with tempfile.TemporaryDirectory() as tmp:
        bundle, cert, key = _dualserver.test_pki(Path(tmp))
        with servers(args.hosts, cert, key, args.rtt_ms) as procs:
            targets = [TlsTarget("localhost", s.port, ip="127.0.0.1", ca_bundle=str(bundle), timeout=5)
                       for s in procs]

            def one(target: TlsTarget) -> None:
                obs = probe_tls(target.host, target.port, ip=target.ip, ca_bundle=target.ca_bundle, timeout=5)
                if obs.error:
                    raise SystemExit(f"probe failed: {obs.error}")

            def threads() -> None:
                with ThreadPoolExecutor(max_workers=len(targets)) as pool:
                    list(pool.map(one, targets))

            def many() -> None:
                errors = [o.error for o in probe_tls_many(targets) if o.error]
                if errors:
                    raise SystemExit(f"probe failed: {errors[0]}")

            def median(run: object, on: list[bench_live.Server]) -> Sample:
                return _median([_measure(run, on) for _ in range(max(1, args.repeat))])

            one(targets[0])  # warm-up
            single = median(lambda: one(targets[0]), procs[:1])
            _line("prodcheck TLS probe, 1 host", single)
            sslyze = median(_command([sys.executable, "-m", "sslyze", f"127.0.0.1:{procs[0].port}",
                                      f"--certinfo_ca_file={bundle}"]), procs[:1])
            _line("python -m sslyze (all plugins)", sslyze, f"prodcheck/sslyze {single.wall / sslyze.wall:.2f}")
            threaded = median(threads, procs)
            _line(f"{args.hosts} x probe_tls in threads", threaded, f"{threaded.wall / single.wall:.2f}x one host")
            batched = median(many, procs)
            _line(f"probe_tls_many, {args.hosts} hosts", batched, f"{batched.wall / single.wall:.2f}x one host")


if __name__ == "__main__":
    main()
