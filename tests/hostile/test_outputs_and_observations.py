"""Unwritable outputs fail before the scan (exit 2); one failing renderer costs only its own report;
hostile --from-observations files are a clear usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.outputs import OutputError, preflight, write_reports
from tests.hostile.helpers import assert_no_traceback, run_cli, scan


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    return root


@pytest.mark.parametrize("flag", ["-o", "--save-observations", "--output-dir"])
def test_unwritable_output_is_refused_before_the_scan(repo: Path, tmp_path: Path, flag: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = run_cli("scan", repo, "--offline", flag, blocker / "sub" / "x.md")
    assert_no_traceback(proc)
    assert proc.returncode == 2
    assert b"is not a directory" in proc.stderr
    assert b"score" not in proc.stderr  # refused before scanning: no summary was printed


def test_preflight_cases(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        preflight(output=tmp_path / "dir")
    (tmp_path / "dir" / "f").write_text("")
    with pytest.raises(OutputError, match="not a directory"):
        preflight(output_dir=tmp_path / "dir" / "f" / "g")
    with pytest.raises(OutputError, match="not a directory"):
        preflight(output_dir=tmp_path / "dir" / "f")
    preflight(output=tmp_path / "new" / "deeper" / "r.md", output_dir=tmp_path / "out", save_observations=None)
    preflight(output=Path("-"))


def test_one_failing_renderer_leaves_the_others_written(repo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.html

    def broken(report: object) -> str:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(reports.html, "render", broken)
    out = tmp_path / "out"
    written, failures = write_reports(scan(repo), ["md", "html", "json", "sarif"], None, out, summary=False)
    assert failures == ["html report not written: RuntimeError: renderer exploded"]
    assert sorted(Path(p).suffix for p in written) == [".json", ".md", ".sarif"]
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".md", ".sarif"]


HOSTILE_OBSERVATIONS = {
    "nan": ('{"targets": [{"url": "https://a.test", "http": {"status": NaN}}]}', "NaN"),
    "infinity-literal": ('{"targets": [{"url": "https://a.test", "duration_s": Infinity}]}', "Infinity"),
    "overflow": ('{"targets": [{"url": "https://a.test", "duration_s": 1e400}]}', "out of range"),
    "deep": ("[" * 5000 + "]" * 5000, "nested deeper"),
    "not-json": ("{'targets': []}", "not valid JSON"),
    "wrong-top": ("[1, 2]", "not a prodcheck observations file"),
    "url-number": ('{"targets": [{"url": 5}]}', "targets[0].url"),
    "status-string": ('{"targets": [{"url": "https://a.test", "error": 7}]}', "targets[0].error"),
    "schema-string": ('{"schema_version": "x", "targets": []}', "not a prodcheck observations file"),
    "bad-utf8": (b"\xff\xfe{}".decode("latin-1"), "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_OBSERVATIONS))
def test_hostile_observation_files_exit_2(tmp_path: Path, name: str) -> None:
    text, expected = HOSTILE_OBSERVATIONS[name]
    path = tmp_path / "obs.json"
    path.write_bytes(text.encode("latin-1") if name == "bad-utf8" else text.encode())
    proc = run_cli("scan", "--from-observations", path, "-q", "-f", "json")
    assert_no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert expected.encode() in proc.stderr, proc.stderr


def test_valid_observations_still_load(tmp_path: Path) -> None:
    path = tmp_path / "obs.json"
    path.write_text(json.dumps({"schema_version": 1, "targets": [{"url": "https://a.test", "error": "refused"}]}))
    proc = run_cli("scan", "--from-observations", path, "-q", "-f", "json")
    assert_no_traceback(proc)
    assert proc.returncode == 3  # the recorded target was unreachable: incomplete, not a usage error


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fail a write after the preflight")
def test_observations_that_cannot_be_saved_after_the_preflight_lose_no_report(tmp_path: Path) -> None:
    """A disk that fills up mid-scan: the reports are still written, the failure named, exit 2, no traceback."""
    from click.testing import CliRunner

    from auditor.cli import main
    from tests.harness import LIVE_CASES

    recorded = next(LIVE_CASES.glob("*/*/observations.json"))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", "--from-observations", str(recorded), "--save-observations",
                                       "/dev/full", "-q", "-f", "json", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot write observations to /dev/full" in result.output
    assert "Traceback" not in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["findings"] is not None
