"""The history's part in ``prodcheck scan``: options, compare, record, notify, gate.

The CLI calls, in order: :func:`start` (before scanning, so a bad history fails fast with exit 2
and no probe traffic), :meth:`HistoryHook.compare` (adds ``report.since_last``), then writes the
reports, then :meth:`HistoryHook.finish` (writes the run, posts alerts) and
:meth:`HistoryHook.gate_reasons`. A failed webhook is a warning: the report is already written
and the history entry is already committed when alerts go out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.history.errors import HistoryError
from auditor.model import Report, Severity

# The store, comparison and webhook modules load only when a history or a webhook is configured:
# most scans have neither, and importing them costs about 20 ms of every scan's start-up.
if TYPE_CHECKING:
    from auditor.history.notify import Webhook
    from auditor.history.record import RunSnapshot
    from auditor.history.regressions import SinceLast, Thresholds
    from auditor.history.store import HistoryStore, StoredRun

Echo = Callable[[str], None]


@dataclass
class HistoryHook:
    """State of one scan's history work (inert when no history and no webhook is configured)."""

    store: HistoryStore | None = None
    thresholds: Thresholds | None = None  # None: the defaults, set only with a store
    hooks: tuple[Webhook, ...] = ()
    notify_always: bool = False
    fail_on_regression: Severity | None = None
    config: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    run: RunSnapshot | None = None
    stored: StoredRun | None = None
    since: SinceLast | None = None
    failed_write: str | None = None

    def compare(self, report: Report) -> Report:
        """Compare each target with its previous complete run; the report gains ``since_last``."""
        if self.store is None:
            return report
        from auditor.history.record import build_run
        from auditor.history.regressions import SinceLast, Thresholds, compare

        thresholds = self.thresholds or Thresholds()
        self.run = build_run(report, duration_s=round(time.monotonic() - self.started, 3), config=self.config)
        comparisons = []
        try:
            for snapshot in self.run.targets:
                previous = self.store.previous(snapshot.target)
                comparisons.append(compare(previous.snapshot if previous else None, snapshot, thresholds,
                                           previous_run=previous.run_id if previous else None,
                                           previous_at=previous.stamped_at if previous else None))
        except HistoryError as exc:
            self.failed_write = str(exc)
            return report
        self.since = SinceLast(tuple(comparisons))
        return dataclasses.replace(report, since_last=self.since)

    def finish(self, report: Report, echo: Echo) -> None:
        """Write the run, then post alerts; problems are reported through ``echo``, never raised."""
        if self.store is not None and self.run is not None:
            regressions = {c.target: c.regressions for c in (self.since.comparisons if self.since else ())}
            try:
                self.stored = self.store.add_run(self.run, regressions)
                echo(f"history: recorded run {self.stored.run_id} in {self.store.display}")
            except HistoryError as exc:
                self.failed_write = str(exc)
            finally:
                self.store.close()
        if self.failed_write:
            echo(f"prodcheck: {self.failed_write}")
        if not self.hooks:
            return
        from auditor.history.notify import build_alert, notify_all, should_notify

        if should_notify(self.since, self.notify_always):
            alert = build_alert(self.since, run_id=self.stored.run_id if self.stored else None,
                                stamped_at=self.stored.stamped_at if self.stored else None,
                                tool_version=report.tool_version, score=report.score, grade=report.grade,
                                targets=[t.value for t in report.targets],
                                digest=self.notify_always)
            for delivery in notify_all(self.hooks, alert):
                if delivery.ok:
                    echo(f"notify: delivered to {delivery.display}")
                else:
                    echo(f"notify: delivery to {delivery.display} failed after {delivery.attempts} attempt(s): "
                         f"{delivery.error}")

    def gate_reasons(self) -> list[str]:
        """Why ``--fail-on-regression`` fails the gate (empty: it passes or is off)."""
        if self.fail_on_regression is None or self.since is None:
            return []
        found = self.since.at_least(self.fail_on_regression)
        return [f"regression since the last scan [{r.severity.label}] {r.target}: {r.message}" for r in found]


def start(file_config: Mapping[str, Any], cli: Mapping[str, Any], environ: Mapping[str, str],
          settings_summary: Mapping[str, Any]) -> HistoryHook:
    """Resolve the history options (CLI > ``PRODCHECK_HISTORY`` > config) and open the store.

    Raises HistoryError (the CLI exits 2) for a bad option, config value or history.
    """
    location = cli.get("history") or environ.get("PRODCHECK_HISTORY") or file_config.get("history")
    if location is not None and not isinstance(location, str):
        raise HistoryError("config: 'history' must be a path or a postgresql:// URL")
    if location is None and not any((cli.get("notify"), file_config.get("notify"), cli.get("fail_on_regression"),
                                     file_config.get("regressions"), cli.get("notify_always"),
                                     file_config.get("notify_always"))):
        return HistoryHook()  # nothing configured: an inert hook, and none of the history modules imported
    from auditor.history.masking import mask_credentials
    from auditor.history.notify import parse_webhook
    from auditor.history.regressions import Thresholds
    from auditor.history.store import open_store

    try:
        thresholds = Thresholds.from_config(file_config.get("regressions"))
    except (TypeError, ValueError) as exc:
        raise HistoryError(f"config: bad value for 'regressions': {exc}") from None
    specs: list[Any] = list(cli.get("notify") or ())
    if not specs:
        raw = file_config.get("notify") or ()
        specs = [raw] if isinstance(raw, (str, Mapping)) else list(raw)
    try:
        hooks = tuple(parse_webhook(s) for s in specs)
    except ValueError as exc:
        raise HistoryError(f"notify: {exc}") from None
    fail_on = cli.get("fail_on_regression")
    hook = HistoryHook(thresholds=thresholds, hooks=hooks,
                       notify_always=bool(cli.get("notify_always") or file_config.get("notify_always")),
                       fail_on_regression=Severity.parse(fail_on) if fail_on else None)
    if hooks and location is None and not hook.notify_always:
        # Without a history there is no "last run": only a digest (--notify-always) has anything to say.
        raise HistoryError("--notify needs --history (alerts are about changes since the last run) "
                           "or --notify-always for a digest")
    if fail_on and location is None:
        raise HistoryError("--fail-on-regression needs --history")
    if location is not None:
        hook.store = open_store(str(location))
        hook.config = {**settings_summary, "history": mask_credentials(str(location)),
                       "notify": [h.display for h in hooks], "regressions": dataclasses.asdict(thresholds)}
    return hook


def settings_summary(settings: Any) -> dict[str, Any]:
    """The config a run used, as stored with it: no secrets (webhooks masked, no file contents)."""
    source = getattr(settings, "source", None)
    digest = None
    if source and Path(source).is_file():
        digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    return {
        "config_file": source, "config_sha256": digest, "fail_on": settings.fail_on,
        "min_score": settings.min_score, "offline": settings.offline, "no_burst": settings.no_burst,
        "timeout": settings.timeout, "targets": [str(t.get("url")) for t in settings.targets],
        "disabled_checks": sorted(settings.disabled_checks),
    }
