"""Shared tools for hostile-input tests: scan in process or through the CLI, render every format, grep outputs."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from auditor.model import Report
from auditor.options import ScanOptions

FORMATS = ("md", "json", "sarif", "html", "github")
# What no output may carry: C0 controls other than newline/tab/CR, DEL, C1 controls, bidi overrides,
# lone surrogates (undecodable file-name bytes).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@functools.cache
def registry() -> Any:
    """The built-in checks, loaded once (no plugins)."""
    from auditor.registry import load_registry

    return load_registry(plugins=False)


def scan(path: Path | None = None, **options: Any) -> Report:
    """Scan in process with the built-in checks, offline, on a fixed date."""
    from auditor.engine import scan as run_scan

    return run_scan(ScanOptions(path=path, offline=True, today="2026-01-26", **options), registry=registry())


def render_all(report: Report) -> dict[str, str]:
    """Every text prodcheck can show for a report: each format, the short summary, the terminal."""
    from reports import renderer
    from reports.github import summary_markdown
    from reports.markdown import render_summary_markdown
    from reports.terminal import render_summary

    out = {fmt: renderer(fmt).render(report) for fmt in FORMATS}
    out["md-summary"] = render_summary_markdown(report)
    out["github-summary"] = summary_markdown(report)
    out["terminal"] = render_summary(report, color=False)
    return out


def run_cli(*args: str | Path, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[bytes]:
    """``python -m auditor ARGS`` with bytes output (so a bad byte in the output is seen, not decoded away)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRODCHECK_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "auditor", *map(str, args)], capture_output=True, cwd=cwd,
                          env=env, timeout=timeout, check=False)


def assert_no_traceback(proc: subprocess.CompletedProcess[bytes]) -> None:
    """A clean exit: no Python traceback on either stream."""
    for stream in (proc.stdout, proc.stderr):
        assert b"Traceback (most recent call last)" not in stream, stream.decode("utf-8", "replace")[-3000:]


def assert_printable(name: str, text: str) -> None:
    """``text`` holds no control, bidi or undecodable character and encodes as UTF-8."""
    text.encode("utf-8")
    found = UNSAFE.search(text)
    assert found is None, f"{name}: unsafe character {found.group()!r} at {found.start()}: " \
                          f"{text[max(0, found.start() - 60): found.start() + 20]!r}"


def pieces(value: str, size: int = 8) -> set[str]:
    """Every ``size``-character piece of a secret (a partial leak is a leak)."""
    if len(value) <= size:
        return {value}
    return {value[i : i + size] for i in range(len(value) - size + 1)}


def assert_no_secret(outputs: Mapping[str, str | bytes], secrets: Iterable[str], *, size: int = 8) -> None:
    """No output holds any secret or any ``size``-character piece of it."""
    for name, text in outputs.items():
        body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        for secret in secrets:
            for piece in pieces(secret, size):
                assert piece not in body, f"{name} leaks {piece!r} of a planted secret"
