"""The ``prodcheck`` command line.

Startup is kept lean: heavy modules (parsers, httpx, sslyze, renderers) are
imported inside the commands that need them, so ``prodcheck --version`` and
``prodcheck --help`` stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from auditor import __version__
from auditor.errors import debug_enabled, debug_traceback, enable_debug
from auditor.history.options import history_options

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
SEVERITIES = ["info", "low", "medium", "high", "critical"]
FORMAT_NAMES = ["text", "md", "json", "sarif", "html", "github"]


def _stderr(message: str, color: bool | None = None) -> None:
    # click strips ANSI codes when the stream is not a terminal unless told otherwise (--color).
    click.echo(message, err=True, color=color)


def _one_line(exc: BaseException) -> str:
    """An exception as one line: its type when it has no message."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Cli(click.Group):
    """The command group with the one error boundary at the edge.

    A :class:`~auditor.errors.ProdcheckError` prints its message and exits 2; any other exception
    prints one line (the traceback with ``--debug``) and exits 2 too, never 1, which CI reads as
    "a gate failed".
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command inside the error boundary."""
        from auditor.errors import ProdcheckError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except ProdcheckError as exc:
            debug_traceback()
            _stderr(f"prodcheck: {_message(exc)}")
            ctx.exit(exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the edge: nothing escapes as a traceback
            debug_traceback()
            hint = "" if debug_enabled() else " (run with --debug for the traceback)"
            _stderr(f"prodcheck: internal error: {type(exc).__name__}: {_one_line(exc)}{hint}")
            ctx.exit(EXIT_USAGE)


def _message(exc: Exception) -> str:
    from auditor.settings import SettingsError

    prefix = "configuration error: " if isinstance(exc, SettingsError) else ""
    return prefix + _one_line(exc)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="prodcheck")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _p, value: enable_debug() if value else None,
              help="Show tracebacks for unexpected errors.")
def main() -> None:
    """prodcheck: is this service ready for production, and what do we fix first?"""


def _split_commas(values: tuple[str, ...]) -> list[str]:
    """``--format md,html --format json`` -> ``["md", "html", "json"]`` (ruff/checkov style lists)."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _check_ids(values: tuple[str, ...], option: str) -> frozenset[str]:
    """Validate ``--select``/``--ignore`` ids against the registry, with a did-you-mean hint."""
    names = _split_commas(values)
    if not names:
        return frozenset()
    import difflib

    from auditor.registry import known_check_ids

    names_to_ids = known_check_ids()  # the catalog: no check module imported
    known = sorted(set(names_to_ids.values()))
    for name in names:
        if name.strip().upper() not in names_to_ids:
            close = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (see 'prodcheck checks list')"
            raise click.UsageError(f"{option}: unknown check {name!r}{hint}")
    return frozenset(names)


@main.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--url", "urls", multiple=True, help="Live URL to probe (repeatable).")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT[,FORMAT...]",
              help="Report format (repeatable or comma list): text, md, json, sarif, html, github. "
                   "Default: the per-finding text listing on stdout.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the (single) report here; '-' for stdout.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one report per format into this directory.")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
              help="Exit 1 when a finding at or above this severity is open.")
@click.option("--min-score", type=click.FloatRange(0, 100), help="Exit 1 when the score is below N.")
@click.option("--severity", "min_severity", type=click.Choice(SEVERITIES, case_sensitive=False),
              help="Show only findings at or above this severity in the text listing (not a gate).")
@click.option("--select", "select_ids", multiple=True, metavar="ID[,ID...]",
              help="Run only these checks (repeatable or comma list).")
@click.option("--ignore", "ignore_ids", multiple=True, metavar="ID[,ID...]",
              help="Do not run these checks (repeatable or comma list).")
@click.option("--exclude", "exclude_globs", multiple=True, metavar="GLOB",
              help="Do not scan files matching this gitignore-style pattern (repeatable).")
@click.option("--min-confidence", type=click.Choice(("high", "medium", "low"), case_sensitive=False),
              help="Grade and gate on findings at or above this confidence (default: medium).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: the nearest .prodcheck.yaml, prodcheck.yaml or [tool.prodcheck] "
                   "from PATH up to the repository root).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file: --fail-on counts only findings not in it.")
@click.option("--offline", is_flag=True, default=None, help="Skip checks that need the network (vulnerability DBs).")
@click.option("--summary", is_flag=True, help="Short Markdown (fits a PR comment); implies --format md.")
@click.option("--no-burst", is_flag=True, default=None, help="Do not send the rate-limit burst.")
@click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CA bundle for private certificate authorities.")
@click.option("--resolve", "resolves", multiple=True, metavar="HOST:PORT:IP",
              help="Connect HOST:PORT to IP (curl style).")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=None,
              help="Per-request time limit, connect to last byte (s).")
@click.option("--target-timeout", type=click.FloatRange(1, 3600), default=None,
              help="Time limit per live target (s, default 60); what was not observed by then is an error.")
@click.option("--save-observations", type=click.Path(dir_okay=False, path_type=Path),
              help="Write live observations as JSON.")
@click.option("--from-observations", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Judge recorded observations instead of probing.")
@click.option("--roles", type=click.Choice(["production", "all"]), default=None,
              help="Deployment roles to judge (default production; see `prodcheck deploy-model`).")
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Judge only files changed since git REF (plus untracked ones); show only their findings.")
@click.option("--quiet", "-q", is_flag=True, help="No terminal summary (gate failures are still explained).")
@click.option("--verbose", "-v", is_flag=True, help="Also list per-check timing and why checks were skipped.")
@click.option("--color/--no-color", "color", default=None,
              help="Force colour on or off (default: FORCE_COLOR, NO_COLOR, then whether stderr is a terminal).")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@history_options
def scan(path: Path | None, urls: tuple[str, ...], formats: tuple[str, ...], output: Path | None,
         output_dir: Path | None, fail_on: str | None, min_score: float | None, min_severity: str | None,
         select_ids: tuple[str, ...], ignore_ids: tuple[str, ...], exclude_globs: tuple[str, ...],
         config_path: Path | None, baseline: Path | None, offline: bool | None, summary: bool,
         no_burst: bool | None, ca_bundle: Path | None, resolves: tuple[str, ...], timeout: float | None,
         save_observations: Path | None, from_observations: Path | None, quiet: bool, verbose: bool,
         color: bool | None, debug: bool, target_timeout: float | None,
         roles: str | None, min_confidence: str | None, changed_since: str | None = None,
         **history: Any) -> None:
    """Scan a repository PATH and/or live --url targets and report readiness."""
    import dataclasses

    from auditor.console import PhaseLine, use_color
    from auditor.live.targets import resolve_problem, url_problem
    from auditor.observation_file import check_observation_file
    from auditor.outputs import install_warning_filter, preflight, write_reports
    from auditor.settings import resolve_settings

    install_warning_filter()
    if debug:
        enable_debug()
    for problem in [*map(url_problem, urls), *map(resolve_problem, resolves)]:
        if problem:
            raise click.UsageError(problem)
    if path is not None and not path.is_dir():
        raise click.UsageError(f"path {str(path)!r} is not a directory")
    if path is None and not urls and from_observations is None:
        path = Path(".")
    changed = _changed_set(path, changed_since) if changed_since is not None else None
    wanted = _split_commas(formats)
    for fmt in wanted:
        if fmt not in FORMAT_NAMES:
            raise click.UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMAT_NAMES)})")
    if summary and "md" not in wanted:
        wanted.append("md")
    if output is not None and len(wanted) > 1:
        raise click.UsageError("--output takes one format; use --output-dir for several")
    selected, ignored = _check_ids(select_ids, "--select"), _check_ids(ignore_ids, "--ignore")
    cli_values: dict[str, Any] = {
        "fail_on": fail_on, "min_score": min_score, "min_confidence": min_confidence, "offline": offline, "no_burst": no_burst,
        "timeout": timeout, "formats": wanted or None, "target_timeout": target_timeout, "roles": roles,
    }
    settings = resolve_settings(root=path, config_path=config_path, cli=cli_values, environ=os.environ)
    # Before any work: a scan must not end in a crash because its output cannot be written.
    preflight(output=output, output_dir=output_dir, save_observations=save_observations)
    if from_observations is not None:
        check_observation_file(from_observations)
    options = settings.scan_options(path=path, urls=urls, ca_bundle=ca_bundle, resolves=resolves,
                                    save_observations=save_observations,
                                    from_observations=from_observations)
    options = dataclasses.replace(
        options,
        only_checks=options.only_checks | selected,
        disabled_checks=options.disabled_checks | ignored,
        excludes=(*options.excludes, *exclude_globs),
        changed=changed,
    )
    for note in options.live.get("notes") or ():
        _stderr(f"prodcheck: note: {note}")
    from auditor.history import HistoryError
    from auditor.history.scan_hook import settings_summary, start

    if changed is not None:
        history_hook = _partial_scan_history(settings.history, history)
    else:
        try:  # before probing: a bad history or webhook fails fast, with no traffic sent
            history_hook = start(settings.history, history, os.environ, settings_summary(settings))
        except HistoryError as exc:
            _stderr(f"prodcheck: {exc}")
            sys.exit(EXIT_USAGE)
    from auditor.engine import scan as run_scan

    phase = PhaseLine() if not quiet else None
    try:
        report = history_hook.compare(run_scan(options, progress=phase if phase is not None else (lambda m: None)))
    finally:
        if phase is not None:
            phase.clear()
    new_findings = None
    if baseline is not None:
        from auditor.baseline import apply_baseline

        report, new_findings = apply_baseline(report, baseline)
    paint = use_color(color)
    written, failed = write_reports(report, settings.formats, output, output_dir, summary=summary,
                                    text_color=use_color(color, sys.stdout), min_severity=min_severity)
    failed = [*report.extra.get("output_failures", ()), *failed]
    history_hook.finish(report, (lambda m: None) if quiet else _stderr)
    from auditor.gates import evaluate
    from auditor.model import Severity

    outcome = evaluate(
        report,
        fail_on=Severity.parse(settings.fail_on) if settings.fail_on else None,
        min_score=settings.min_score,
        new_findings=new_findings,
    )
    if not quiet:
        from reports.terminal import render_summary

        _stderr(render_summary(report, color=paint, reports_written=bool(written)), color=paint)
        if settings.source:
            _stderr(f"config: {settings.source}")
        for note in (n for n in report.notes if n.startswith("partial scan:")):  # --changed-since
            _stderr(note)
        if verbose:
            _stderr(_verbose_lines(report))
        for target_path in written:
            _stderr(f"wrote {target_path}")
    for reason in [*outcome.reasons, *history_hook.gate_reasons()]:
        _stderr(f"gate failed: {reason}")
    if failed:
        for message in failed:
            _stderr(f"prodcheck: {message}")
        sys.exit(EXIT_USAGE)
    incomplete = (not report.complete) or any(t.error for t in report.targets) or bool(history_hook.failed_write)
    if not outcome.passed or history_hook.gate_reasons():
        sys.exit(EXIT_GATE)
    if incomplete:
        if not quiet:
            _stderr("scan incomplete: some targets or checks could not be assessed (exit 3)")
        sys.exit(EXIT_INCOMPLETE)
    sys.exit(EXIT_OK)


def _changed_set(path: Path | None, ref: str) -> Any:
    """``--changed-since``: the files changed since ``ref`` in the scanned repository, or a usage error."""
    from auditor.changed import ChangedSinceError, changed_files

    if path is None:
        raise click.UsageError("--changed-since needs a repository PATH")
    try:
        return changed_files(path, ref)
    except ChangedSinceError as exc:
        raise click.UsageError(str(exc)) from None


def _partial_scan_history(file_config: Any, cli: dict[str, Any]) -> Any:
    """An inert history hook: a ``--changed-since`` scan hides findings, so it is never a run to record or compare.

    Recorded, it would become "the last run" and the next whole scan would call every hidden
    finding new. Asked for on the command line, that is a usage error; configured (file or
    ``PRODCHECK_HISTORY``), it is skipped with a note.
    """
    from auditor.history.scan_hook import HistoryHook

    asked = [f"--{name.replace('_', '-')}" for name in ("history", "fail_on_regression", "notify", "notify_always")
             if cli.get(name)]
    if asked:
        raise click.UsageError(f"--changed-since is a partial scan: it cannot be used with {', '.join(asked)}")
    if os.environ.get("PRODCHECK_HISTORY") or file_config.get("history") or file_config.get("notify"):
        _stderr("prodcheck: note: a --changed-since scan is not recorded in the history nor notified")
    return HistoryHook()


def _verbose_lines(report: Any) -> str:
    """``-v``: the slowest checks and every skipped check with its reason."""
    from auditor.model import Status
    from reports.common import one_line

    timed = sorted(report.results, key=lambda r: -r.elapsed)
    lines = ["check timing (slowest first):"]
    lines += [f"  {r.elapsed * 1000:8.1f} ms  {r.meta.id}" for r in timed[:15] if r.status is not Status.SKIPPED]
    # Checks that could not look (or were left out) first: those are the gaps in the scan.
    skipped = sorted((r for r in report.results if r.status is Status.SKIPPED),
                     key=lambda r: (not r.unexamined, r.meta.id))
    if skipped:
        lines.append("skipped checks:")
        lines += [f"  {r.meta.id} ({r.skip_kind.value}): {one_line(r.reason)}" for r in skipped]
    return "\n".join(lines)


@main.group()
def checks() -> None:
    """List and explain the checks."""


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def checks_list(fmt: str) -> None:
    """List every check with its id, severity and section."""
    from auditor.checks_listing import listing_rows

    rows, problems = listing_rows()  # from the catalog: imports no check module
    if fmt == "json":
        import json

        click.echo(json.dumps([{k: row[k] for k in ("id", "title", "severity", "section", "target")}
                               for row in rows], indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']:<34} {row['severity']:<8} {row['section_title']:<22} {row['title']}")
    for problem in problems:
        _stderr(problem)


@checks.command("explain")
@click.argument("check_id")
def checks_explain(check_id: str) -> None:
    """Show a check's documentation: what, why, how to fix."""
    from auditor.registry import load_check

    spec = load_check(check_id)  # imports only that check's module when the catalog is fresh
    if spec is None:
        _stderr(f"prodcheck: unknown check {check_id!r} (see 'prodcheck checks list')")
        sys.exit(EXIT_USAGE)
    meta = spec.meta
    click.echo(f"{meta.id}: {meta.title}\n")
    click.echo(f"Severity: {meta.severity.label}    Section: {meta.section.title}    Target: {meta.target.value}\n")
    click.echo(meta.doc.raw.partition("\n")[2].strip())



# -- baselines, diff, init (gating) -------------------------------------------


@main.group()
def baseline() -> None:
    """Accept today's findings so that gates judge only new ones."""


@baseline.command("create")
@click.argument("path", required=False, default=Path("."),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--url", "urls", multiple=True, help="Live URL to include (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Config file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file to write (default: PATH/.prodcheck-baseline.json).")
@click.option("--offline", is_flag=True, default=None, help="Skip checks that need the network.")
@click.option("--no-burst", is_flag=True, default=None, help="Do not send the rate-limit burst.")
@click.option("--from-observations", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Judge recorded live observations instead of probing.")
def baseline_create(path: Path, urls: tuple[str, ...], config_path: Path | None, output: Path | None,
                    offline: bool | None, no_burst: bool | None, from_observations: Path | None) -> None:
    """Scan PATH and write every open finding to a baseline file."""
    from auditor.baseline import BASELINE_NAME, BaselineError, write_baseline
    from auditor.engine import scan as run_scan
    from auditor.settings import SettingsError, resolve_settings

    try:
        settings = resolve_settings(root=path, config_path=config_path,
                                    cli={"offline": offline, "no_burst": no_burst}, environ=os.environ)
    except SettingsError as exc:
        _stderr(f"prodcheck: configuration error: {exc}")
        sys.exit(EXIT_USAGE)
    target = output or path / BASELINE_NAME
    from auditor.outputs import OutputError, preflight

    try:
        preflight(baseline_out=target)
    except OutputError as exc:
        _stderr(f"prodcheck: {exc}")
        sys.exit(EXIT_USAGE)
    options = settings.scan_options(path=path, urls=urls, from_observations=from_observations)
    from auditor.console import PhaseLine

    phase = PhaseLine()
    report = run_scan(options, progress=phase)
    phase.clear()
    try:
        written = write_baseline(report, target)
    except BaselineError as exc:
        _stderr(f"prodcheck: {exc}")
        sys.exit(EXIT_USAGE)
    _stderr(f"wrote {len(written.entries)} finding(s) to {target}")
    if not report.complete:
        _stderr("note: the scan was incomplete; findings of checks that did not run are not in the baseline")


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Compare two JSON reports (OLD then NEW): new, resolved and changed findings, score delta."""
    from auditor.diff import DiffError, diff_reports, load_report, render_json, render_text

    try:
        result = diff_reports(load_report(old), load_report(new))
    except DiffError as exc:
        _stderr(f"prodcheck: {exc}")
        sys.exit(EXIT_USAGE)
    click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)


@main.command("init")
@click.argument("path", required=False, default=Path("."),
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing .prodcheck.yaml.")
def init_command(path: Path, force: bool) -> None:
    """Write a commented starter .prodcheck.yaml for the stack detected in PATH."""
    from auditor.init_config import InitError, write_starter_config

    try:
        written, stacks = write_starter_config(path, force=force)
    except InitError as exc:
        _stderr(f"prodcheck: {exc}")
        sys.exit(EXIT_USAGE)
    detected = ", ".join(stacks) or "no specific stack"
    click.echo(f"wrote {written} ({detected}); edit it, then run 'prodcheck scan {path}'")


def _register_deploy_model() -> None:
    from auditor.deploy.command import deploy_model_command

    main.add_command(deploy_model_command)


_register_deploy_model()

from auditor.history.commands import history as _history_group  # noqa: E402 - registered after the core commands

main.add_command(_history_group)

if __name__ == "__main__":  # pragma: no cover
    main()
