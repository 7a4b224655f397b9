"""Several live targets are probed at the same time, and a dead one holds nobody back.

Not a timing test: each server records when connections reach it, and the
assertions compare those events with each other (do the probes overlap?) and
with the dead target's timeout (did the live ones start before it expired?).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from auditor.live.tls import TlsTarget, probe_tls_many
from auditor.options import ScanOptions
from tests.live.tls_server import silent_server

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "fixtures" / "apps"))

import _dualserver  # noqa: E402

DEAD_TIMEOUT = 4.0  # the dead target's probe timeout; live probes must not wait for it


def _app(req: _dualserver.Req) -> tuple[int, list[tuple[str, str]], bytes]:
    return 200, [("Content-Type", "text/plain")], b"ok\n"


class RecordingServer(_dualserver.DualServer):
    """HTTPS + HTTP on one port that notes the arrival time of every connection."""

    request_queue_size = 128  # the default 5 drops SYNs under sslyze's parallel connections

    def __init__(self, context: Any) -> None:
        super().__init__(0, _app, context)
        self.arrivals: list[float] = []
        self._lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Record, then serve as usual."""
        with self._lock:
            self.arrivals.append(time.monotonic())
        super().finish_request(request, client_address)

    def window(self) -> tuple[float, float]:
        """(first, last) connection arrival."""
        with self._lock:
            return min(self.arrivals), max(self.arrivals)


@contextmanager
def _servers(tmp: Path, count: int) -> Iterator[tuple[Path, list[RecordingServer]]]:
    bundle, cert, key = _dualserver.test_pki(tmp)
    context = _dualserver.server_context(cert, key)
    servers = [RecordingServer(context).start() for _ in range(count)]
    try:
        yield bundle, servers
    finally:
        for server in servers:
            server.stop()


def _assert_overlap(servers: list[RecordingServer]) -> None:
    windows = [s.window() for s in servers]
    latest_first = max(first for first, _ in windows)
    earliest_last = min(last for _, last in windows)
    # Probed one after the other, some server's last connection would precede another's first.
    assert latest_first < earliest_last, f"probes did not overlap: {windows}"


def test_probe_tls_many_scans_hosts_together_and_skips_a_dead_one(tmp_path: Path) -> None:
    """One Scanner, three live hosts overlapping; a silent host is its own error, late, alone."""
    with _servers(tmp_path, 3) as (bundle, servers), silent_server() as (dead_host, dead_port):
        targets = [TlsTarget("localhost", s.port, ip="127.0.0.1", ca_bundle=str(bundle), timeout=5) for s in servers]
        targets.insert(1, TlsTarget("localhost", dead_port, ip=dead_host, timeout=DEAD_TIMEOUT))
        finished: dict[int, float] = {}

        def note(index: int, _: object) -> None:
            finished.setdefault(index, time.monotonic())

        started = time.monotonic()
        observations = probe_tls_many(targets, on_result=note)
    assert [o.port for o in observations] == [t.port for t in targets]
    dead = observations.pop(1)
    assert dead.error and "timed out" in dead.error
    for obs in observations:
        assert obs.error is None, obs.error
        assert obs.protocols.get("TLSv1.2") and obs.certificate is not None and obs.certificate.trusted
    _assert_overlap(servers)
    # The live hosts were reached, and finished, before the dead one's timeout could even expire.
    assert all(s.window()[0] < started + DEAD_TIMEOUT for s in servers)
    assert max(finished[i] for i in (0, 2, 3)) < finished[1]


def test_live_scan_probes_targets_concurrently(tmp_path: Path) -> None:
    """The whole live scan (HTTP + TLS) of three hosts overlaps; a refused and a silent target stay errors."""
    from auditor.live.session import observe_targets

    with ExitStack() as stack:
        bundle, servers = stack.enter_context(_servers(tmp_path, 3))
        dead_host, dead_port = stack.enter_context(silent_server())
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            refused_port = sock.getsockname()[1]
        live = [f"https://localhost:{s.port}" for s in servers]
        silent = f"https://localhost:{dead_port}"
        refused = f"https://localhost:{refused_port}"
        options = ScanOptions(urls=(live[0], silent, live[1], refused, live[2]),
                              live={"ca_bundle": str(bundle), "timeout": DEAD_TIMEOUT, "no_burst": True,
                                    "resolve": [f"localhost:{dead_port}:{dead_host}"]})  # pin the address
        targets = observe_targets(options, lambda _: None)
    by_url = {t.url: t for t in targets}
    assert [t.url for t in targets] == list(options.urls)
    for url in live:
        target = by_url[url]
        assert target.error is None, target.error
        assert target.http is not None and target.tls is not None and target.tls.error is None, target.notes
        # Neither dead target delayed this one: done well before the silent one's timeout.
        assert target.duration_s is not None and target.duration_s < DEAD_TIMEOUT, target.duration_s
    assert by_url[silent].error, "a silent target must be an error"
    assert by_url[refused].error and "refused" in (by_url[refused].error or "").lower()
    _assert_overlap(servers)


def test_single_target_keeps_the_one_host_path(tmp_path: Path) -> None:
    """One URL: the per-host probe (HTTP and TLS side by side), same facts as the batch path."""
    from auditor.live.session import observe_targets

    with _servers(tmp_path, 1) as (bundle, servers):
        url = f"https://localhost:{servers[0].port}"
        [target] = observe_targets(ScanOptions(urls=(url,), live={"ca_bundle": str(bundle), "no_burst": True,
                                                                   "timeout": 5}), lambda _: None)
    assert target.error is None and target.tls is not None and target.tls.error is None
    assert target.tls.accepted_protocols == ("TLSv1.2", "TLSv1.3")


def test_sslyze_internals_used_by_the_fast_path_exist() -> None:
    """The refused-protocol shortcut uses two private sslyze 6 names; without them it silently falls back
    to the slow full scan, so fail loudly here when an sslyze upgrade moves them."""
    from sslyze.server_connectivity import _detect_support_for_tls_1_2_or_below, _TlsVersionNotSupported

    assert callable(_detect_support_for_tls_1_2_or_below)
    assert issubclass(_TlsVersionNotSupported, Exception)
