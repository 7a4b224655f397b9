"""File names that are not UTF-8 or hold control and bidi characters render safely in every format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.textsafe import escape_controls, safe_report
from tests.hostile.helpers import FORMATS, UNSAFE, assert_no_traceback, assert_printable, render_all, run_cli, scan

EVIL_NAME = "evil\u202ecod\x1b[31m\x07\x9b\u2066x"


@pytest.fixture
def evil_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    undecodable = os.fsencode(str(repo)) + b"/\xff\xfe-svc"
    os.mkdir(undecodable)
    with open(undecodable + b"/Dockerfile", "wb") as handle:
        handle.write(b"FROM node\nRUN echo hi\n")
    (repo / EVIL_NAME).mkdir()
    (repo / EVIL_NAME / "Dockerfile").write_text("FROM node\nADD https://example.com/x.tgz /x\n")
    (repo / "api").mkdir()
    (repo / "api" / "Dockerfile").write_text("FROM node\n")
    return repo


def test_every_format_is_written_and_printable(evil_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for fmt in FORMATS:
        proc = run_cli("scan", evil_repo, "--offline", "-f", fmt, "--output-dir", out)
        assert_no_traceback(proc)
        assert proc.returncode in (1, 0, 3), proc.stderr[-2000:]
        assert_printable(f"{fmt} stderr", proc.stderr.decode("utf-8"))
        assert_printable(f"{fmt} stdout", proc.stdout.decode("utf-8"))
    written = sorted(p.name for p in out.iterdir())
    assert written == ["prodcheck-report.html", "prodcheck-report.json", "prodcheck-report.md",
                       "prodcheck-report.sarif"]
    for path in out.iterdir():
        text = path.read_bytes().decode("utf-8")
        assert_printable(path.name, text)
        assert "\\xff\\xfe-svc" in text or "\\\\xff\\\\xfe-svc" in text, path.name  # shown, escaped


def test_in_process_renderers_are_printable(evil_repo: Path) -> None:
    report = scan(evil_repo)
    assert any("\ud8ff" < c for f in report.findings for c in (f.location.path or "")), "the raw path is kept"
    for name, text in render_all(report).items():
        assert_printable(name, text)


def test_github_annotations_carry_no_escape_or_bell(evil_repo: Path) -> None:
    from reports.github import render

    text = render(scan(evil_repo))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "::error" in text or "::warning" in text


def test_escape_is_visible_and_idempotent() -> None:
    raw = "a\x1bb\x07c\u202ed\x9be\udcffz\nline"
    once = escape_controls(raw)
    assert once == "a\\x1bb\\x07c\\u202ed\\x9be\\xffz\nline"
    assert escape_controls(once) == once
    assert UNSAFE.search(escape_controls(raw, keep_newlines=False)) is None
    assert "\n" not in escape_controls(raw, keep_newlines=False)


def test_safe_report_keeps_fingerprints_of_clean_findings(evil_repo: Path) -> None:
    report = scan(evil_repo)
    clean = {f.fingerprint for f in report.findings if not UNSAFE.search(f.location.path or "")}
    assert clean and clean <= {f.fingerprint for f in safe_report(report).findings}
