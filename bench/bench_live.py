"""Benchmark the live scan on loopback against peers measured in the same run.

    python bench/bench_live.py [--hosts 10] [--rtt-ms 20] [--repeat 3]

Starts N copies of the heydev emulation on 127.0.0.1 (HTTPS with a test CA),
EACH IN ITS OWN PROCESS: in one process, ten servers would share one GIL and
the servers, not prodcheck, would set the pace. Then measures, in two rounds
(raw loopback, and with an emulated network round trip of ``--rtt-ms``):

1. ``prodcheck scan --url`` of one host as a fresh process, exactly as a user runs it:
   interpreter start, imports (httpx, sslyze: about 0.4 s of CPU on their own, shown
   on a line of their own), TLS + HTTP probes and all live checks;
2. the same scan warm, in this process after a first scan (imports and sslyze's
   plugin loading excluded): what a long-running caller pays per target; the
   earlier README figure ("0.25 s, faster than sslyze") was this warm number set
   against sslyze's cold one, an unfair comparison;
3. ``python -m sslyze 127.0.0.1:PORT`` on the same target (TLS only, a fresh process);
4. ``testssl.sh`` on the same target (a fresh process), when installed (Debian
   package ``testssl.sh``); skipped with the reason otherwise;
5. N hosts in one fresh ``prodcheck scan`` process versus one.

Ratios are cold against cold (fresh processes on both sides). For each scan it
prints wall time and CPU time of the client (this process plus the commands it
ran and waited for) and of the servers (their processes, from /proc), and the CPU
floor: the time N scans need at best on this machine's cores if they are
CPU-bound. Targets (issue 14): one host under 2 s, at least 30x faster than
testssl.sh; N hosts under 2x one. Not a timed test.

RTT emulation (server side only, the client is untouched): each accepted
connection waits one RTT before the server reads it (the TCP handshake), one
more when it starts a TLS handshake, and every HTTP request waits one RTT
before it is answered. A real network costs about that: connect, handshake and
each request/response are one round trip each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "fixtures" / "apps"), str(ROOT)]

_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- server process


def serve(cert: Path, key: Path, rtt_ms: float) -> None:
    """Child-process entry: serve the heydev emulation on a free port, print it, run until killed."""
    import socket
    import ssl

    import _dualserver
    import heydev_emulation

    rtt = rtt_ms / 1000.0

    class DelayedHandler(_dualserver._Handler):
        def parse_request(self) -> bool:
            time.sleep(rtt)  # the request travelled half an RTT, the response will travel the other half
            return bool(super().parse_request())

    class BenchServer(_dualserver.DualServer):
        # socketserver's default listen backlog is 5: sslyze's 10 parallel connections overflow it,
        # the kernel drops SYNs and the client retransmits after 1 s. Real servers use 128-511.
        request_queue_size = 128

    class DelayedServer(BenchServer):
        def finish_request(self, request: Any, client_address: Any) -> None:
            conn: socket.socket = request
            time.sleep(rtt)  # SYN / SYN-ACK: nothing arrives before one round trip
            try:
                conn.settimeout(5.0)
                if conn.recv(1, socket.MSG_PEEK) == b"\x16":
                    time.sleep(rtt)  # TLS 1.3 / resumed handshake: one more round trip
            except (OSError, ssl.SSLError):
                return
            super().finish_request(request, client_address)

    ctx = _dualserver.server_context(cert, key)
    server: _dualserver.DualServer
    if rtt > 0:
        server = DelayedServer(0, heydev_emulation.app, ctx)
        server.RequestHandlerClass = DelayedHandler
    else:
        server = BenchServer(0, heydev_emulation.app, ctx)
    print(server.port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@dataclass
class Server:
    """One server process."""

    proc: subprocess.Popen[str]
    port: int

    def cpu(self) -> float:
        """User + system CPU seconds of the server process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14, 15)


@contextmanager
def servers(count: int, cert: Path, key: Path, rtt_ms: float) -> Iterator[list[Server]]:
    """Start ``count`` server processes; stop exactly those on exit."""
    started: list[Server] = []
    try:
        for _ in range(count):
            proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", "--cert", str(cert), "--key", str(key), "--rtt-ms", str(rtt_ms)],
                stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            started.append(Server(proc, int(proc.stdout.readline())))
        yield started
    finally:
        for server in started:
            server.proc.terminate()
        for server in started:
            server.proc.wait(timeout=10)


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Sample:
    """One measured run: wall time and CPU seconds on each side."""

    wall: float
    client_cpu: float
    server_cpu: float


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # server processes are running: never reaped here
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def _measure(run: Any, targets: list[Server]) -> Sample:
    cpu0, srv0, start = _client_cpu(), sum(s.cpu() for s in targets), time.monotonic()
    run()
    wall = time.monotonic() - start
    return Sample(wall, _client_cpu() - cpu0, sum(s.cpu() for s in targets) - srv0)


def _scan(urls: list[str], bundle: Path) -> None:
    from auditor.engine import scan
    from auditor.options import ScanOptions

    report = scan(ScanOptions(urls=tuple(urls), live={"ca_bundle": str(bundle), "timeout": 5}))
    errors = [t.error for t in report.targets if getattr(t, "error", None)]
    if errors:
        print(f"  warning: {len(errors)} target(s) errored: {errors[0]}")


def _cold_scan(urls: list[str], bundle: Path) -> Any:
    """A fresh ``prodcheck scan`` process (start-up and imports included), like the peers."""
    cmd = [sys.executable, "-m", "auditor", "scan", "--ca-bundle", str(bundle), "--timeout", "5", "-q"]
    for url in urls:
        cmd += ["--url", url]
    return _command(cmd)


def _command(cmd: list[str], timeout: float = 300) -> Any:
    def run() -> None:
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            print(f"  {Path(cmd[0]).name} stopped after {timeout:g} s: its ratio below is a lower bound")
        except OSError as exc:
            print(f"  {cmd[0]} failed: {exc}")
    return run


def _median(samples: list[Sample]) -> Sample:
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.client_cpu for s in samples),
                  statistics.median(s.server_cpu for s in samples))


def _line(label: str, s: Sample, extra: str = "") -> None:
    print(f"  {label:<34} {s.wall:6.2f} s wall  cpu client {s.client_cpu:5.2f} s  servers {s.server_cpu:5.2f} s"
          f"{'  ' + extra if extra else ''}")


def run_round(hosts: int, rtt_ms: float, repeat: int, cert: Path, key: Path, bundle: Path) -> tuple[float, float]:
    """One round at a given RTT; returns (one host wall, ratio N hosts / one host)."""
    cores = os.cpu_count() or 1
    print(f"\n== {'raw loopback' if rtt_ms <= 0 else f'emulated RTT {rtt_ms:g} ms'}, {hosts} server processes, "
          f"{cores} cores ==")
    with servers(hosts, cert, key, rtt_ms) as procs:
        first = procs[0]
        one_url = [f"https://localhost:{first.port}"]
        all_urls = [f"https://localhost:{s.port}" for s in procs]
        imports = _median([_measure(_command([sys.executable, "-c", "import httpx, sslyze"]), []) for _ in range(repeat)])
        bare = _median([_measure(_command([sys.executable, "-c", "pass"]), []) for _ in range(repeat)])
        _line("python -c 'import httpx, sslyze'", imports,
              f"(interpreter alone {bare.client_cpu:.2f} CPU-s: imports cost {imports.client_cpu - bare.client_cpu:.2f})")
        one = _median([_measure(_cold_scan(one_url, bundle), [first]) for _ in range(repeat)])
        _line("prodcheck scan --url, 1 host", one, "(fresh process; target < 2 s)")
        _scan(one_url, bundle)  # warm-up: imports, sslyze plugin load, trust stores
        warm = _median([_measure(lambda: _scan(one_url, bundle), [first]) for _ in range(repeat)])
        _line("  same, warm in-process", warm, "(imports excluded: not comparable to the peers)")
        sslyze = _median([_measure(_command([sys.executable, "-m", "sslyze", f"127.0.0.1:{first.port}",
                                             f"--certinfo_ca_file={bundle}"]), [first]) for _ in range(repeat)])
        _line("python -m sslyze (TLS only)", sslyze,
              f"prodcheck/sslyze wall {one.wall / sslyze.wall:.2f} cpu {one.client_cpu / sslyze.client_cpu:.2f}")
        testssl = shutil.which("testssl.sh") or shutil.which("testssl")
        if testssl:
            took = _measure(_command([testssl, "--quiet", "--color", "0", "--warnings", "off",
                                      "--add-ca", str(bundle), f"127.0.0.1:{first.port}"], timeout=600), [first])
            _line("testssl.sh (full default run)", took,
                  f"testssl/prodcheck {took.wall / one.wall:.1f}x wall {took.client_cpu / one.client_cpu:.1f}x cpu"
                  " (target >= 30x)")
        else:
            print("  testssl.sh                         skipped: not installed (apt-get install testssl.sh)")
        many = _median([_measure(_cold_scan(all_urls, bundle), procs) for _ in range(repeat)])
        ratio = many.wall / one.wall
        _line(f"prodcheck scan --url x{hosts}", many, f"ratio to 1 host {ratio:.2f} (target < 2.0)")
        per_scan_cpu = one.client_cpu + one.server_cpu
        floor = hosts * per_scan_cpu / cores
        print(f"  one scan burns {per_scan_cpu:.2f} CPU-s in {one.wall:.2f} s wall "
              f"({100 * per_scan_cpu / one.wall:.0f}% of one core); {hosts} scans need >= {floor:.2f} s on {cores} "
              f"cores, i.e. a floor of {floor / one.wall:.2f}x one host")
    return one.wall, ratio


def main() -> None:
    """Run the benchmark rounds and print ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--rtt-ms", type=float, default=20.0,
                        help="emulated round trip for the second round (0: raw loopback round only)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cert", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--key", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.cert, args.key, args.rtt_ms)
        return
    import _dualserver

    os.environ.pop("SSL_CERT_FILE", None)
    with tempfile.TemporaryDirectory() as tmp:
        bundle, cert, key = _dualserver.test_pki(Path(tmp))
        rounds = [0.0] + ([args.rtt_ms] if args.rtt_ms > 0 else [])
        results = {rtt: run_round(args.hosts, rtt, max(1, args.repeat), cert, key, bundle) for rtt in rounds}
    print("\nsummary:")
    for rtt, (one, ratio) in results.items():
        label = "raw loopback" if rtt <= 0 else f"RTT {rtt:g} ms"
        print(f"  {label:<14} 1 host {one:5.2f} s   {args.hosts} hosts / 1 host = {ratio:.2f}")


if __name__ == "__main__":
    main()
