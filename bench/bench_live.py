"""Benchmark the live scan on loopback against peers measured in the same run.

    python bench/bench_live.py [--hosts 10]

Starts the heydev emulation on 127.0.0.1 (HTTPS with a test CA), then measures:
1. a full prodcheck live scan of one host (TLS + HTTP probes + all live checks);
2. ``python -m sslyze 127.0.0.1:PORT`` on the same target (TLS only);
3. ``testssl.sh`` on the same target, when installed;
4. N hosts (N servers) scanned concurrently versus one.
Prints wall times and ratios. Targets: one host under 5 s; N hosts under 2x one.
Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "fixtures" / "apps"), str(ROOT)]

import _dualserver  # noqa: E402
import heydev_emulation  # noqa: E402

from auditor.engine import scan  # noqa: E402
from auditor.options import ScanOptions  # noqa: E402


def _scan(urls: list[str], bundle: Path) -> float:
    start = time.monotonic()
    report = scan(ScanOptions(urls=tuple(urls), live={"ca_bundle": str(bundle), "timeout": 5}))
    took = time.monotonic() - start
    errors = [t.error for t in report.targets if t.error]
    if errors:
        print(f"  warning: {len(errors)} target(s) errored: {errors[0]}")
    return took


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float | None:
    start = time.monotonic()
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  {cmd[0]} failed: {exc}")
        return None
    return time.monotonic() - start


def main() -> None:
    """Run the benchmark and print ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle, cert, key = _dualserver.test_pki(Path(tmp))
        ctx = _dualserver.server_context(cert, key)
        servers = [_dualserver.DualServer(0, heydev_emulation.app, ctx).start() for _ in range(args.hosts)]
        try:
            first = servers[0]
            _scan([f"https://localhost:{first.port}"], bundle)  # warm-up: imports, sslyze plugin load
            one = _scan([f"https://localhost:{first.port}"], bundle)
            print(f"prodcheck live scan, 1 host:          {one:6.2f} s  (target < 5 s)")
            sslyze = _timed([sys.executable, "-m", "sslyze", f"127.0.0.1:{first.port}",
                             f"--certinfo_ca_file={bundle}"])
            if sslyze is not None:
                print(f"python -m sslyze (TLS only):          {sslyze:6.2f} s  ratio prodcheck/sslyze {one / sslyze:.2f}")
            testssl = shutil.which("testssl.sh") or shutil.which("testssl")
            if testssl:
                took = _timed([testssl, "--quiet", "--color", "0", f"127.0.0.1:{first.port}"])
                if took is not None:
                    print(f"testssl.sh:                           {took:6.2f} s  ratio prodcheck/testssl {one / took:.2f}")
            else:
                print("testssl.sh:                           not installed, skipped")
            many = _scan([f"https://localhost:{s.port}" for s in servers], bundle)
            print(f"prodcheck live scan, {args.hosts} hosts at once: {many:6.2f} s  ratio to 1 host {many / one:.2f} "
                  "(target < 2.0)")
        finally:
            for server in servers:
                server.stop()


if __name__ == "__main__":
    main()
