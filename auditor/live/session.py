"""Live scan plumbing: probe every requested URL (concurrently) or load recorded observations.

The engine calls :func:`observe_targets`. Every target's HTTP probe (httpx)
runs in its own thread, side by side with the TLS probe (sslyze). With several
https targets the TLS probes share ONE sslyze ``Scanner``
(:func:`auditor.live.tls.probe_tls_many`): sslyze is built to scan many servers
at once with a bounded pool of worker threads, where one Scanner per host would
start ten threads per host and spend the CPU fighting over the GIL. A target
that cannot be reached gets a one-line ``error`` and the others carry on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from auditor.live.observations import LiveTarget, load_observations, save_observations
from auditor.options import ScanOptions

Progress = Callable[[str], None]
MAX_WORKERS = 16
TARGET_TIMEOUT = 60.0


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


@dataclass(frozen=True)
class _Plan:
    """One URL's probe settings, parsed once (the HTTP and TLS halves both read it)."""

    url: str
    scheme: str
    host: str
    port: int
    ip: str | None
    timeout: float
    target_timeout: float
    ca_bundle: str | None
    resolve: dict[tuple[str, int], str]
    settings: Any  # http_probe.ProbeSettings (imported lazily with httpx)


def observe_url(url: str, config: Mapping[str, Any]) -> LiveTarget:
    """Probe one URL (HTTP and, for https, TLS in parallel); never raises."""
    started = time.monotonic()
    try:
        plan = _plan(url, config)
        if isinstance(plan, LiveTarget):
            return plan
        tls_future = _in_daemon(_probe_tls, plan) if plan.scheme == "https" else None
        return _observe_http(plan, started, tls_future.result if tls_future is not None else None)
    except Exception as exc:  # noqa: BLE001 - one broken target must not stop the scan
        return _failed(url, exc, started)


def _in_daemon(func: Callable[..., Any], *args: Any) -> Future[Any]:
    """Run ``func(*args)`` on a daemon thread; its result (or exception) lands in the returned future.

    A daemon thread, not an executor: a TLS probe still running past the target's
    time limit (sslyze against a server that drips) must not keep the process
    alive after the report is written.
    """
    future: Future[Any] = Future()

    def run() -> None:
        try:
            future.set_result(func(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            future.set_exception(exc)

    threading.Thread(target=run, name="prodcheck-tls", daemon=True).start()
    return future


def _failed(url: str, exc: Exception, started: float) -> LiveTarget:
    from auditor.live.redaction import redact_text

    reason = f"probe failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    return LiveTarget(url=url, error=redact_text(reason.rstrip(": ")),
                      duration_s=round(time.monotonic() - started, 3))


def _plan(url: str, config: Mapping[str, Any]) -> _Plan | LiveTarget:
    """Parse a URL and its config into a plan, or a target carrying the reason it cannot be probed."""
    from auditor.live.http_fetch import default_port, parse_resolve
    from auditor.live.http_probe import BURST_DEFAULT, BURST_MAX, ProbeSettings

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return LiveTarget(url=url, error=f"not an http(s) URL: {url!r}")
    try:
        resolve = parse_resolve(_as_tuple(config.get("resolve")))
        port = parts.port or default_port(scheme)
    except ValueError as exc:
        return LiveTarget(url=url, error=str(exc))
    host = parts.hostname.lower()
    settings = ProbeSettings(
        assets=_as_tuple(config.get("assets")),
        health_paths=_as_tuple(config.get("health_paths")),
        burst_path=str(config["burst_path"]) if config.get("burst_path") else None,
        burst_size=max(1, min(int(config.get("burst_size") or BURST_DEFAULT), BURST_MAX)),
        no_burst=bool(config.get("no_burst")),
    )
    return _Plan(url=url, scheme=scheme, host=host, port=port, ip=resolve.get((host, port)),
                 timeout=float(config.get("timeout") or 10.0),
                 target_timeout=float(config.get("target_timeout") or TARGET_TIMEOUT),
                 ca_bundle=str(config["ca_bundle"]) if config.get("ca_bundle") else None,
                 resolve=resolve, settings=settings)


def _observe_http(plan: _Plan, started: float, tls_result: Callable[..., Any] | None) -> LiveTarget:
    """Run the HTTP probe here, then collect the TLS half (running elsewhere meanwhile) and combine.

    Both halves end by the target's time limit: requests after it are not
    attempted (and say so), and a TLS probe still running then is reported as
    errored. When the page cannot be fetched but the TLS probe saw the server,
    the target keeps its TLS facts and the HTTP side is an error with its reason.
    """
    from auditor.live.http_fetch import FetchConfig, Fetcher
    from auditor.live.http_probe import probe_http
    from auditor.live.redaction import redact_text

    deadline = started + plan.target_timeout
    config = FetchConfig(timeout=plan.timeout, ca_bundle=plan.ca_bundle, resolve=plan.resolve,
                         target_deadline=deadline, target_timeout=plan.target_timeout)
    with Fetcher(config) as fetcher:
        http, error = probe_http(plan.url, fetcher, plan.settings)
    tls = _tls_within(plan, tls_result, deadline) if tls_result is not None else None
    notes = []
    if tls is not None and getattr(tls, "error", None):
        notes.append(f"TLS probe: {tls.error}")
    if http is not None:
        notes += list(http.notes)
    if http is not None and http.legacy_tls:
        notes.append(f"Python's default TLS client could not connect ({http.legacy_tls}); the HTTP probes used a "
                     "permissive TLS context (TLS 1.0/1.1 and legacy cipher suites allowed)")
    http_error = None
    if error is not None and tls is not None and not getattr(tls, "error", None):
        # The server answered the TLS probe: judge what it saw, mark the HTTP side errored.
        http_error, error = error, None
        notes.append(f"the TLS probe reached the server but the page could not be fetched: {http_error}")
    return LiveTarget(url=plan.url, error=error, tls=tls, http=http, resolved_ip=plan.ip,
                      duration_s=round(time.monotonic() - started, 3),
                      notes=tuple(redact_text(n) for n in notes), http_error=http_error)


def _tls_within(plan: _Plan, tls_result: Callable[..., Any], deadline: float) -> Any:
    """The TLS observation if it arrives before the target's time limit, else an errored one."""
    from concurrent.futures import TimeoutError as FutureTimeout

    try:
        return tls_result(timeout=max(0.5, deadline - time.monotonic()))
    except FutureTimeout:
        from auditor.live.tls import TlsObservation

        return TlsObservation(host=plan.host, port=plan.port, server_name=plan.host, ip=plan.ip,
                              error=f"TLS probe not finished within the target time limit ({plan.target_timeout:g}s)")


def _tls_target(plan: _Plan) -> Any:
    import os

    from auditor.live.tls import TlsTarget

    # The same trust the HTTP half uses: an explicit bundle, else SSL_CERT_FILE.
    bundle = plan.ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    return TlsTarget(host=plan.host, port=plan.port, server_name=plan.host, ip=plan.ip, ca_bundle=bundle,
                     timeout=plan.timeout)


def _tls_failure(plan: _Plan, exc: Exception) -> Any:
    from auditor.live.tls import TlsObservation

    return TlsObservation(host=plan.host, port=plan.port, server_name=plan.host, ip=plan.ip,
                          error=f"TLS probe failed: {type(exc).__name__}: {exc}"[:300])


def _probe_tls(plan: _Plan) -> Any:
    """The sslyze probe of one host, guarded: a failure there must not lose the HTTP facts."""
    try:
        from auditor.live.tls import probe_tls_many
    except ImportError:
        return None
    try:
        return probe_tls_many([_tls_target(plan)])[0]
    except Exception as exc:  # noqa: BLE001
        return _tls_failure(plan, exc)


def _probe_tls_many(plans: list[_Plan], results: list[Future[Any]]) -> None:
    """All https hosts in ONE sslyze Scanner; each result lands in its target's future as soon as it is known."""

    def deliver(index: int, observation: Any) -> None:
        if not results[index].done():
            results[index].set_result(observation)

    try:
        from auditor.live.tls import probe_tls_many

        probe_tls_many([_tls_target(p) for p in plans], on_result=deliver)
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - a failure there must not lose the HTTP facts
        for index, plan in enumerate(plans):
            deliver(index, _tls_failure(plan, exc))
    for index in range(len(plans)):
        deliver(index, None)  # anything not delivered by now has no TLS facts


def _observe_many(urls: list[str], options: ScanOptions) -> list[LiveTarget]:
    """Probe several URLs at once: one thread per target for HTTP, one shared TLS scan for all https hosts.

    The TLS scan starts first (it is the long pole) and runs while the HTTP
    probes do; each target then waits only for its own TLS result.
    """
    started = time.monotonic()
    plans: list[_Plan | LiveTarget] = []
    for url in urls:
        try:
            plans.append(_plan(url, _target_config(options.live, url)))
        except Exception as exc:  # noqa: BLE001 - a bad config entry costs only its target
            plans.append(_failed(url, exc, started))
    https = [p for p in plans if isinstance(p, _Plan) and p.scheme == "https"]
    tls_results: list[Future[Any]] = [Future() for _ in https]
    tls_of = {id(plan): future.result for plan, future in zip(https, tls_results, strict=True)}
    probed = [p for p in plans if isinstance(p, _Plan)]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, max(1, len(probed))),
                            thread_name_prefix="prodcheck-http") as http_pool:
        if https:
            _in_daemon(_probe_tls_many, https, tls_results)

        def one(plan: _Plan | LiveTarget) -> LiveTarget:
            if isinstance(plan, LiveTarget):
                return plan
            try:
                # The time limit runs from when a worker takes the target up, not from the scan's
                # start: with more targets than workers, the last ones must not time out by waiting.
                return _observe_http(plan, time.monotonic(), tls_of.get(id(plan)))
            except Exception as exc:  # noqa: BLE001 - one broken target must not stop the scan
                return _failed(plan.url, exc, started)

        return list(http_pool.map(one, plans))


def _redacted(target: LiveTarget) -> LiveTarget:
    """A loaded target with its HTTP facts, error and notes redacted."""
    import dataclasses

    from auditor.live.redaction import redact_observation, redact_text

    return dataclasses.replace(
        target, http=redact_observation(target.http) if target.http is not None else None,
        error=redact_text(target.error) if target.error else None,
        http_error=redact_text(target.http_error) if target.http_error else None,
        notes=tuple(redact_text(n) for n in target.notes))


def observe_targets(options: ScanOptions, progress: Progress,
                    problems: list[str] | None = None) -> list[LiveTarget]:
    """Probe ``options.urls`` concurrently (or load ``options.from_observations``); save when asked.

    A ``--save-observations`` file that cannot be written (the disk filled up after the preflight)
    is reported in ``problems``, never raised: the observations are still judged and reported.
    """
    targets: list[LiveTarget] = []
    if options.from_observations is not None:
        progress(f"loading observations from {options.from_observations}")
        try:
            # Recorded elsewhere (maybe by an older prodcheck): redacted like a live probe before judging.
            targets.extend(_redacted(t) for t in load_observations(options.from_observations))
        except (OSError, ValueError) as exc:
            targets.append(LiveTarget(url=str(options.from_observations),
                                      error=f"cannot read observations: {str(exc).splitlines()[0][:200]}"))
    urls = [u for u in options.urls if u not in {t.url for t in targets}]
    for url in urls:
        progress(f"probing {url}")
    from auditor.live.redaction import redacted_stderr

    with redacted_stderr():  # library warnings printed meanwhile carry no secret from a response
        if len(urls) == 1:
            targets.append(observe_url(urls[0], _target_config(options.live, urls[0])))
        elif urls:
            targets.extend(_observe_many(urls, options))
    if options.save_observations is not None:
        try:
            save_observations(targets, options.save_observations)
            progress(f"observations written to {options.save_observations}")
        except OSError as exc:
            if problems is not None:
                problems.append(f"cannot write observations to {options.save_observations}: "
                                f"{exc.strerror or type(exc).__name__}")
    return targets
