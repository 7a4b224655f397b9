"""Live scan plumbing: probe every requested URL (concurrently) or load recorded observations.

The engine calls :func:`observe_targets`. Each target is probed in its own
thread (HTTP through httpx and TLS through sslyze, side by side), so ten hosts
take about as long as the slowest one. A target that cannot be reached gets a
one-line ``error`` and the others carry on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from auditor.live.observations import LiveTarget, load_observations, save_observations
from auditor.options import ScanOptions

Progress = Callable[[str], None]
MAX_WORKERS = 16


def _target_config(live: Mapping[str, Any], url: str) -> dict[str, Any]:
    """Global live knobs overlaid with the config-file entry for this URL, if any."""
    merged = {k: v for k, v in live.items() if k != "targets"}
    for entry in live.get("targets") or ():
        if isinstance(entry, Mapping) and str(entry.get("url")) == url:
            merged.update({k: v for k, v in entry.items() if k not in ("url", "_line") and v is not None})
    return merged


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def observe_url(url: str, config: Mapping[str, Any]) -> LiveTarget:
    """Probe one URL (HTTP and, for https, TLS in parallel); never raises."""
    started = time.monotonic()
    try:
        return _observe(url, config, started)
    except Exception as exc:  # noqa: BLE001 - one broken target must not stop the scan
        reason = f"probe failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return LiveTarget(url=url, error=reason.rstrip(": "), duration_s=round(time.monotonic() - started, 3))


def _observe(url: str, config: Mapping[str, Any], started: float) -> LiveTarget:
    from auditor.live.http_fetch import FetchConfig, Fetcher, default_port, parse_resolve
    from auditor.live.http_probe import BURST_DEFAULT, BURST_MAX, ProbeSettings, probe_http

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return LiveTarget(url=url, error=f"not an http(s) URL: {url!r}")
    try:
        resolve = parse_resolve(_as_tuple(config.get("resolve")))
    except ValueError as exc:
        return LiveTarget(url=url, error=str(exc))
    host = parts.hostname.lower()
    port = parts.port or default_port(scheme)
    timeout = float(config.get("timeout") or 10.0)
    ca_bundle = str(config["ca_bundle"]) if config.get("ca_bundle") else None
    ip = resolve.get((host, port))
    settings = ProbeSettings(
        assets=_as_tuple(config.get("assets")),
        health_paths=_as_tuple(config.get("health_paths")),
        burst_path=str(config["burst_path"]) if config.get("burst_path") else None,
        burst_size=max(1, min(int(config.get("burst_size") or BURST_DEFAULT), BURST_MAX)),
        no_burst=bool(config.get("no_burst")),
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        tls_future = pool.submit(_probe_tls, host, port, ip, ca_bundle, timeout) if scheme == "https" else None
        with Fetcher(FetchConfig(timeout=timeout, ca_bundle=ca_bundle, resolve=resolve)) as fetcher:
            http, error = probe_http(url, fetcher, settings)
        tls = tls_future.result() if tls_future is not None else None
    notes = []
    if tls is not None and getattr(tls, "error", None):
        notes.append(f"TLS probe: {tls.error}")
    return LiveTarget(url=url, error=error, tls=tls, http=http, resolved_ip=ip,
                      duration_s=round(time.monotonic() - started, 3), notes=tuple(notes))


def _probe_tls(host: str, port: int, ip: str | None, ca_bundle: str | None, timeout: float) -> Any:
    """The TLS engineer's sslyze probe, guarded: a failure there must not lose the HTTP facts."""
    import os

    try:
        from auditor.live.tls import probe_tls
    except ImportError:
        return None
    bundle = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    try:
        return probe_tls(host, port, server_name=host, ip=ip, ca_bundle=bundle, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        from auditor.live.tls import TlsObservation

        return TlsObservation(host=host, port=port, server_name=host, ip=ip,
                              error=f"TLS probe failed: {type(exc).__name__}: {exc}"[:300])


def observe_targets(options: ScanOptions, progress: Progress) -> list[LiveTarget]:
    """Probe ``options.urls`` concurrently (or load ``options.from_observations``); save when asked."""
    targets: list[LiveTarget] = []
    if options.from_observations is not None:
        progress(f"loading observations from {options.from_observations}")
        try:
            targets.extend(load_observations(options.from_observations))
        except (OSError, ValueError) as exc:
            targets.append(LiveTarget(url=str(options.from_observations),
                                      error=f"cannot read observations: {str(exc).splitlines()[0][:200]}"))
    urls = [u for u in options.urls if u not in {t.url for t in targets}]
    if urls:
        for url in urls:
            progress(f"probing {url}")
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(urls))) as pool:
            targets.extend(pool.map(lambda u: observe_url(u, _target_config(options.live, u)), urls))
    if options.save_observations is not None:
        save_observations(targets, options.save_observations)
        progress(f"observations written to {options.save_observations}")
    return targets
