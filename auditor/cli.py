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

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
SEVERITIES = ["info", "low", "medium", "high", "critical"]
FORMAT_NAMES = ["md", "json", "sarif", "html", "github"]


def _stderr(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="prodcheck")
def main() -> None:
    """prodcheck: is this service ready for production, and what do we fix first?"""


@main.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--url", "urls", multiple=True, help="Live URL to probe (repeatable).")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
              help="Report format (repeatable): md, json, sarif, html, github.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the (single) report here; '-' for stdout.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one report per format into this directory.")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
              help="Exit 1 when a finding at or above this severity is open.")
@click.option("--min-score", type=click.FloatRange(0, 100), help="Exit 1 when the score is below N.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (default: .prodcheck.yaml, prodcheck.yaml or [tool.prodcheck]).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Baseline file: --fail-on counts only findings not in it.")
@click.option("--offline", is_flag=True, default=None, help="Skip checks that need the network (vulnerability DBs).")
@click.option("--summary", is_flag=True, help="Short Markdown (fits a PR comment).")
@click.option("--no-burst", is_flag=True, default=None, help="Do not send the rate-limit burst.")
@click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="CA bundle for private certificate authorities.")
@click.option("--resolve", "resolves", multiple=True, metavar="HOST:PORT:IP",
              help="Connect HOST:PORT to IP (curl style).")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=None, help="Per-request timeout (s).")
@click.option("--save-observations", type=click.Path(dir_okay=False, path_type=Path),
              help="Write live observations as JSON.")
@click.option("--from-observations", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Judge recorded observations instead of probing.")
@click.option("--quiet", "-q", is_flag=True, help="No terminal summary.")
def scan(path: Path | None, urls: tuple[str, ...], formats: tuple[str, ...], output: Path | None,
         output_dir: Path | None, fail_on: str | None, min_score: float | None, config_path: Path | None,
         baseline: Path | None, offline: bool | None, summary: bool, no_burst: bool | None,
         ca_bundle: Path | None, resolves: tuple[str, ...], timeout: float | None,
         save_observations: Path | None, from_observations: Path | None, quiet: bool) -> None:
    """Scan a repository PATH and/or live --url targets and report readiness."""
    from auditor.observation_file import ObservationFileError, check_observation_file
    from auditor.outputs import OutputError, install_warning_filter, preflight, write_reports
    from auditor.settings import SettingsError, resolve_settings

    install_warning_filter()

    if path is not None and not path.is_dir():
        raise click.UsageError(f"path {str(path)!r} is not a directory")
    if path is None and not urls and from_observations is None:
        path = Path(".")
    if output is not None and len(formats) > 1:
        raise click.UsageError("--output takes one format; use --output-dir for several")
    cli_values: dict[str, Any] = {
        "fail_on": fail_on, "min_score": min_score, "offline": offline, "no_burst": no_burst,
        "timeout": timeout, "formats": list(formats) or None,
    }
    try:
        settings = resolve_settings(
            root=path, config_path=config_path, cli=cli_values, environ=os.environ,
        )
    except SettingsError as exc:
        _stderr(f"prodcheck: configuration error: {exc}")
        sys.exit(EXIT_USAGE)
    try:
        # Before any work: a scan must not end in a crash because its output cannot be written.
        preflight(output=output, output_dir=output_dir, save_observations=save_observations)
        if from_observations is not None:
            check_observation_file(from_observations)
    except (OutputError, ObservationFileError) as exc:
        _stderr(f"prodcheck: {exc}")
        sys.exit(EXIT_USAGE)
    options = settings.scan_options(path=path, urls=urls, ca_bundle=ca_bundle, resolves=resolves,
                                    save_observations=save_observations,
                                    from_observations=from_observations)
    from auditor.engine import scan as run_scan

    report = run_scan(options, progress=(lambda m: None) if quiet else _progress)
    new_findings = None
    if baseline is not None:
        from auditor.baseline import BaselineError, apply_baseline

        try:
            report, new_findings = apply_baseline(report, baseline)
        except BaselineError as exc:
            _stderr(f"prodcheck: {exc}")
            sys.exit(EXIT_USAGE)
    write_failures = write_reports(report, settings.formats, output, output_dir, summary)
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

        _stderr(render_summary(report, color=_use_color()))
        for reason in outcome.reasons:
            _stderr(f"gate failed: {reason}")
    for failure in write_failures:
        _stderr(f"prodcheck: {failure}")
    if write_failures:
        sys.exit(EXIT_USAGE)
    incomplete = (not report.complete) or any(t.error for t in report.targets)
    if not outcome.passed:
        sys.exit(EXIT_GATE)
    if incomplete:
        if not quiet:
            _stderr("scan incomplete: some targets or checks could not be assessed (exit 3)")
        sys.exit(EXIT_INCOMPLETE)
    sys.exit(EXIT_OK)


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        _stderr(f"… {message}")


def _use_color() -> bool:
    return sys.stderr.isatty() and not os.environ.get("NO_COLOR")


@main.group()
def checks() -> None:
    """List and explain the checks."""


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def checks_list(fmt: str) -> None:
    """List every check with its id, severity and section."""
    from auditor.registry import load_registry

    registry = load_registry()
    if fmt == "json":
        import json

        rows = [{"id": s.id, "title": s.meta.title, "severity": s.meta.severity.label,
                 "section": s.meta.section.id, "target": s.meta.target.value} for s in registry]
        click.echo(json.dumps(rows, indent=2))
        return
    for spec in registry:
        meta = spec.meta
        click.echo(f"{meta.id:<34} {meta.severity.label:<8} {meta.section.title:<22} {meta.title}")
    for problem in registry.problems:
        _stderr(problem)


@checks.command("explain")
@click.argument("check_id")
def checks_explain(check_id: str) -> None:
    """Show a check's documentation: what, why, how to fix."""
    from auditor.registry import load_registry

    spec = load_registry().resolve(check_id)
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
    report = run_scan(options, progress=_progress)
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


if __name__ == "__main__":  # pragma: no cover
    main()
