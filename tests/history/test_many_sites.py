"""Many sites on one machine: a long ``targets:`` list is probed concurrently, never all at once.

Not a timing test: every 127.0.0.1 server notes when a request is in flight,
and the assertion compares how many *different* targets were being served at
the same moment with the session's worker bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from auditor.live.session import MAX_WORKERS, observe_targets
from auditor.settings import resolve_settings

SITES = MAX_WORKERS + 6  # more targets than workers, so the bound has to bite


class _Gauge:
    """How many distinct servers have a request in flight, and the most ever seen at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[int, int] = {}
        self.peak = 0

    @contextmanager
    def serving(self, server: int) -> Iterator[None]:
        """Count ``server`` as busy for the duration of one request."""
        with self._lock:
            self._active[server] = self._active.get(server, 0) + 1
            self.peak = max(self.peak, len(self._active))
        try:
            yield
        finally:
            with self._lock:
                self._active[server] -= 1
                if not self._active[server]:
                    del self._active[server]


def _server(index: int, gauge: _Gauge) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with gauge.serving(index):
                time.sleep(0.25)  # long enough for the other workers' requests to overlap this one
                body = b"ok\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_targets_list_is_probed_concurrently_within_the_bound(tmp_path: Path) -> None:
    gauge = _Gauge()
    servers = [_server(i, gauge) for i in range(SITES)]
    try:
        urls = [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
        config = tmp_path / "sites.yaml"
        config.write_text("no_burst: true\nlive:\n  target_timeout: 120\ntargets:\n"
                          + "".join(f"  - url: {u}\n    health_paths: [/health]\n" for u in urls), encoding="utf-8")
        settings = resolve_settings(root=None, config_path=config, cli={}, environ={})
        options = settings.scan_options(path=None, urls=())
        assert list(options.urls) == urls  # the config's list is what gets scanned
        targets = observe_targets(options, lambda _: None)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert [t.url for t in targets] == urls
    for target in targets:
        assert target.error is None and target.http is not None, target.error
    assert 1 < gauge.peak <= MAX_WORKERS, gauge.peak
