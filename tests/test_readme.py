"""The README's promises hold: its commands, its sample output and its live example.

The sample-output block between ``<!-- sample-output:start -->`` and ``<!-- sample-output:end -->``
is what the README's first command prints to the terminal; this test runs that command and compares.
After a deliberate change, ``PRODCHECK_UPDATE_README=1 python -m pytest tests/test_readme.py``
rewrites the block.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT

README = ROOT / "README.md"
START, END = "<!-- sample-output:start -->", "<!-- sample-output:end -->"


def _sh_blocks() -> list[str]:
    """The ``sh`` code blocks of the README, in order."""
    return re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _scan_argv() -> list[str]:
    """The ``prodcheck scan ...`` part of the README's first command, as an argument list."""
    first = _sh_blocks()[0].strip()
    scan = next(part.strip() for part in first.split("&&") if part.strip().startswith("prodcheck scan"))
    return shlex.split(scan)[1:]


def test_readme_commands_use_a_virtual_environment() -> None:
    """Both set-up commands work on an externally managed (PEP 668) Python: they make a venv first."""
    install, tests = _sh_blocks()[0].strip(), _sh_blocks()[1].strip()
    for command in (install, tests):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install "), command
    assert tests.endswith("&& python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    """``.ci/run`` runs the same test command the README gives, in a venv and in a fresh clone."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _sh_blocks()[1].strip() in ci, "CI must run the README's test command verbatim"
    assert "git clone" in ci, "CI must also run the suite from a clone with no ../shared beside it"


def test_sample_output_matches_the_first_command(tmp_path: Path) -> None:
    """The README's sample terminal output is what the first command prints (as of 2026-01-26)."""
    argv = _scan_argv()
    out_dir = argv.index("--output-dir") + 1
    argv[out_dir] = str(tmp_path / "reports-out")
    # As of the samples' review date (SOURCE_DATE_EPOCH): an end of life passing later must not
    # make the README stale by itself.
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "SOURCE_DATE_EPOCH": "1769385600"}  # 2026-01-26
    proc = subprocess.run([sys.executable, "-m", "auditor", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "reports-out").iterdir())
    assert written == ["prodcheck-report.html", "prodcheck-report.json", "prodcheck-report.md"]
    shown = proc.stderr.replace(str(tmp_path / "reports-out"), "reports-out").rstrip("\n")
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    block = f"\n```\n{shown}\n```\n"
    if os.environ.get("PRODCHECK_UPDATE_README"):
        README.write_text(text[:start] + block + text[end:], encoding="utf-8")
        return
    assert text[start:end] == block, "README sample output is stale: rerun with PRODCHECK_UPDATE_README=1"


@pytest.mark.network_local
def test_emulation_writes_its_ca_to_a_fixed_path_and_cleans_up(tmp_path: Path) -> None:
    """Run twice, the live example finds exactly one CA file, and no temporary folder is left behind."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    ca_out = tmp_path / "ca.pem"
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "fixtures" / "apps" / "heydev_emulation.py"), "--port", "0",
             "--ca-out", str(ca_out)],
            env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline() for _ in range(3)]
            assert any(f"CA bundle: {ca_out}" in line for line in lines), lines
            assert ca_out.read_text(encoding="ascii").startswith("-----BEGIN CERTIFICATE-----")
            assert any(temp.iterdir()), "certificates are made in a temporary folder while serving"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        assert list(temp.iterdir()) == [], "the emulation must remove its temporary folder on exit"
