"""Where a scan's results go: checked before the scan, written one by one, never a traceback.

* :func:`preflight` refuses an output path that cannot be written
  (``-o /etc/hostname/x.md``, a directory in the way, no permission) before
  any work is done, so a long scan never ends in a crash at write time.
* :func:`write_reports` renders and writes each format on its own: when one
  fails (a renderer bug, a full disk), the others are still written and the
  failure is returned as a message.
* :func:`install_warning_filter` routes library warnings (ruamel prints the
  raw line of a duplicate anchor, which may hold a secret) through the same
  masking and escaping as reports, on one line.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from auditor.errors import ProdcheckError
from auditor.textsafe import safe_path, safe_text


class OutputError(ProdcheckError):
    """An output path that cannot be written; the message names it and says why."""


def _writable_target(path: Path, what: str) -> None:
    shown = safe_path(str(path))
    if path.is_dir():
        raise OutputError(f"{what} {shown}: is a directory")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise OutputError(f"{what} {shown}: not writable")
        return
    _creatable_dir(path.parent, what, shown)


def _creatable_dir(directory: Path, what: str, shown: str) -> None:
    """``directory`` exists and is writable, or can be created under its nearest existing ancestor."""
    ancestor = directory if str(directory) else Path(".")
    while not ancestor.exists():
        if ancestor.is_symlink():
            raise OutputError(f"{what} {shown}: {safe_path(str(ancestor))} is a broken symlink")
        parent = ancestor.parent
        if parent == ancestor:
            break
        ancestor = parent
    if not ancestor.is_dir():
        raise OutputError(f"{what} {shown}: {safe_path(str(ancestor))} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {shown}: cannot write in {safe_path(str(ancestor))}")


def preflight(*, output: Path | None = None, output_dir: Path | None = None,
              save_observations: Path | None = None, baseline_out: Path | None = None) -> None:
    """Raise :class:`OutputError` unless every output path given can be written."""
    if output is not None and str(output) != "-":
        _writable_target(output, "--output")
    if output_dir is not None:
        shown = safe_path(str(output_dir))
        if output_dir.exists() and not output_dir.is_dir():
            raise OutputError(f"--output-dir {shown}: not a directory")
        _creatable_dir(output_dir, "--output-dir", shown)
    if save_observations is not None:
        _writable_target(save_observations, "--save-observations")
    if baseline_out is not None:
        _writable_target(baseline_out, "baseline")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 (undecodable leftovers escaped, never a crash), creating parents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="backslashreplace")


def write_reports(report: Any, formats: Sequence[str], output: Path | None, output_dir: Path | None, *,
                  summary: bool = False, text_color: bool = False, min_severity: Any = None,
                  stdout: TextIO | None = None) -> tuple[list[str], list[str]]:
    """Render and write every format on its own; return (files written, one message per failed format).

    With no format asked for, the per-finding text listing goes to stdout (Markdown when an
    ``--output`` or ``--output-dir`` is given). One failing renderer or unwritable file does not
    stop the others.
    """
    from auditor.model import Severity
    from reports import renderer

    out = stdout or sys.stdout
    if not formats:
        formats = ["md"] if (output is not None or output_dir is not None) else ["text"]
    threshold = Severity.parse(min_severity) if isinstance(min_severity, str) else (min_severity or Severity.INFO)
    written: list[str] = []
    failures: list[str] = []
    for fmt in formats:
        try:
            destination = _write_one(report, fmt, output, output_dir, summary, out, renderer(fmt),
                                     color=text_color and output is None and output_dir is None,
                                     min_severity=threshold)
        except Exception as exc:  # noqa: BLE001 - one broken format must not cost the others
            from auditor.errors import debug_traceback

            debug_traceback()
            detail = str(exc).splitlines()[0][:200] if str(exc) else ""
            failures.append(safe_text(f"{fmt} report not written: {type(exc).__name__}: {detail}".rstrip(": "),
                                      keep_newlines=False))
            continue
        if destination is not None:
            written.append(safe_path(str(destination)))
    return written, failures


def _write_one(report: Any, fmt: str, output: Path | None, output_dir: Path | None, summary: bool,
               out: TextIO, module: Any, *, color: bool, min_severity: Any) -> Path | None:
    """Render one format and write it; returns the file written (None for stdout)."""
    if fmt == "text":
        text = module.render(report, color=color, min_severity=min_severity)
    elif fmt == "md" and summary:
        from reports.markdown import render_summary_markdown

        text = render_summary_markdown(report)
    else:
        text = module.render(report)
    if fmt == "github":
        # Annotations go to stdout where the runner reads them; the step summary to its file.
        out.write(text)
        write_summary = getattr(module, "write_step_summary", None)
        if callable(write_summary):
            write_summary(report)  # no-op unless $GITHUB_STEP_SUMMARY is set
        return None
    destination: Path | None = None
    if output is not None and str(output) != "-":
        destination = output
    elif output is None and output_dir is not None:
        destination = output_dir / f"prodcheck-report.{module.EXTENSION}"
    if destination is None:
        out.write(text)
        out.flush()
        return None
    write_text(destination, text)
    return destination


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    text = " ".join(str(message).split())
    stream = file or sys.stderr
    try:
        stream.write(safe_text(f"prodcheck: warning: {category.__name__}: {text}", keep_newlines=False)[:500] + "\n")
    except (OSError, ValueError):
        pass  # a closed stderr is no reason to fail the scan


def install_warning_filter() -> None:
    """Show every Python warning masked, escaped and on one line (library warnings quote scanned text)."""
    warnings.showwarning = _show_warning
