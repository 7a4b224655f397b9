"""Start-up stays lean: ``--version`` without click, scans import only the families they judge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor import engine
from auditor.model import Target
from auditor.options import ScanOptions

ROOT = Path(__file__).resolve().parents[2]


def test_version_answers_without_click() -> None:
    code = ("import sys; sys.argv = ['prodcheck', '--version']; from auditor.entry import main; main(); "
            "print(sorted(m for m in sys.modules if m == 'click' or m.startswith(('auditor.cli', 'checks'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    version_line, imported = out.splitlines()
    from auditor import __version__

    assert version_line == f"prodcheck, version {__version__}"
    assert imported == "[]"


def test_version_line_matches_click() -> None:
    fast = subprocess.run([sys.executable, "-m", "auditor", "--version"], cwd=ROOT, capture_output=True, text=True)
    code = "import sys; sys.argv = ['prodcheck', '--version']; from auditor.cli import main; main()"
    slow = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert fast.stdout == slow.stdout and fast.returncode == slow.returncode == 0


class _Stop(Exception):
    pass


@pytest.mark.parametrize(("options", "wanted"), [
    (ScanOptions(urls=("https://127.0.0.1:1",)), {Target.LIVE}),
    (ScanOptions(path=ROOT / "fixtures" / "repos" / "heydev", offline=True), {Target.REPO}),
    (ScanOptions(path=ROOT, urls=("https://127.0.0.1:1",)), {Target.REPO, Target.LIVE}),
])
def test_scan_loads_only_the_families_it_judges(monkeypatch: pytest.MonkeyPatch, options: ScanOptions,
                                                wanted: set[Target]) -> None:
    seen: list[frozenset[Target]] = []

    def fake_load(*, targets: frozenset[Target], **_: object) -> None:
        seen.append(targets)
        raise _Stop

    monkeypatch.setattr(engine, "scan_registry", fake_load)
    with pytest.raises(_Stop):
        engine.scan(options)
    assert seen == [frozenset(wanted)]
