"""``prodcheck history``: the trend of recorded scans, and ``prodcheck history prune``.

Views may read the clock (``--since 30d`` is relative to now); comparisons never do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.history.errors import HistoryError

if TYPE_CHECKING:  # the store module is imported when a history command runs, not at CLI start-up
    from auditor.history.store import HistoryStore

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"prodcheck: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _location(explicit: str | None, config_path: Path | None) -> str:
    """``--history`` > ``PRODCHECK_HISTORY`` > ``history:`` in the config file."""
    if explicit:
        return explicit
    if os.environ.get("PRODCHECK_HISTORY"):
        return os.environ["PRODCHECK_HISTORY"]
    from auditor.settings import SettingsError, resolve_settings

    try:
        settings = resolve_settings(root=Path("."), config_path=config_path, cli={}, environ={})
    except SettingsError as exc:
        _fail(f"configuration error: {exc}")
    location = settings.history.get("history")
    if not location:
        _fail("no history given: use --history PATH (or 'history:' in the config, or $PRODCHECK_HISTORY)")
    return str(location)


def _open(explicit: str | None, config_path: Path | None) -> HistoryStore:
    location = _location(explicit, config_path)
    if not location.lower().startswith(("postgresql://", "postgres://")) and not Path(location).exists():
        _fail(f"history {location}: no such file (scans create it with --history)")
    from auditor.history.store import open_store

    try:
        return open_store(location)
    except HistoryError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _since(text: str | None) -> str | None:
    if not text:
        return None
    from auditor.history.durations import parse_duration
    from auditor.history.store import stamp, utc_now

    try:
        return stamp(utc_now() - parse_duration(text))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


_COMMON = [
    click.option("--history", "location", metavar="PATH|URL", help="The history (SQLite file or postgresql://...)."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="Config file naming the history."),
]


def _common(func: Any) -> Any:
    for option in reversed(_COMMON):
        func = option(func)
    return func


@click.group(invoke_without_command=True)
@_common
@click.option("--target", help="Only this target (URL or repository path).")
@click.option("--since", "since", metavar="DURATION", help="Only runs in the last DURATION (30d, 12h, 2w).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.pass_context
def history(ctx: click.Context, location: str | None, config_path: Path | None, target: str | None,
            since: str | None, fmt: str, output: Path | None) -> None:
    """Trend of recorded scans: score, grades, days to expiry, findings, regressions."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"location": location, "config_path": config_path}  # `history --history X prune` works too
        return
    cutoff = _since(since)
    store = _open(location, config_path)
    try:
        rows = store.trend(target=target, since=cutoff)
    except HistoryError as exc:
        _fail(str(exc))
    finally:
        store.close()
    from reports.history_trend import render_html, render_json, render_text

    renderers = {"text": render_text, "json": render_json, "html": render_html}
    text = renderers[fmt](rows, source=store.display)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@history.command("prune")
@_common
@click.option("--keep", required=True, metavar="DURATION", help="Keep runs of the last DURATION (e.g. 90d).")
@click.pass_context
def prune(ctx: click.Context, location: str | None, config_path: Path | None, keep: str) -> None:
    """Delete runs older than --keep."""
    parent = ctx.obj or {}
    location = location or parent.get("location")
    config_path = config_path or parent.get("config_path")
    from auditor.history.durations import parse_duration

    try:
        window = parse_duration(keep)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--keep") from None
    from auditor.history.store import stamp, utc_now

    store = _open(location, config_path)
    cutoff = utc_now() - window
    try:
        deleted = store.prune(stamp(cutoff))
    except HistoryError as exc:
        _fail(str(exc))
    finally:
        store.close()
    click.echo(f"pruned {deleted} run(s) stamped before {cutoff:%Y-%m-%d %H:%M} UTC from {store.display}")


__all__ = ["history", "prune"]
