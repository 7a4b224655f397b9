"""``prodcheck diff OLD.json NEW.json``: new, resolved, changed findings and the score delta."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.diff import diff_reports
from tests.gating.helpers import ONLY_CONFIG, run_cli, write_repo


def _finding(fp: str, check: str = "PARSE-ERROR", severity: str = "medium", message: str = "m",
             path: str = "Dockerfile", line: int = 1) -> dict:
    return {"fingerprint": fp, "check_id": check, "severity": severity, "message": message,
            "location": {"path": path, "line": line, "url": None}}


OLD = {"score": 70.0, "grade": "C", "findings": [
    _finding("a", message="kept", line=3),
    _finding("b", message="fixed"),
    _finding("c", severity="low", message="severity rises"),
    _finding("d", message="old wording"),
]}
NEW = {"score": 62.5, "grade": "D", "findings": [
    _finding("a", message="kept", line=9),  # moved: not a change
    _finding("c", severity="high", message="severity rises"),
    _finding("d", message="new wording"),
    _finding("e", check="SUPPRESSION-NO-REASON", severity="low", message="added"),
]}


def test_diff_classifies_findings() -> None:
    diff = diff_reports(OLD, NEW)
    assert [f.fingerprint for f in diff.new] == ["e"]
    assert [f.fingerprint for f in diff.resolved] == ["b"]
    assert [(c.old.fingerprint, c.old.severity, c.new.severity) for c in diff.changed] == [
        ("c", "low", "high"), ("d", "medium", "medium")]
    assert diff.score_delta == -7.5


def test_diff_cli_text_and_json(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(OLD))
    new.write_text(json.dumps(NEW))
    text = run_cli("diff", str(old), str(new))
    assert text.returncode == 0, text.stderr
    assert "score: 70 -> 62.5 (-7.5)" in text.stdout
    assert "grade: C -> D" in text.stdout
    assert "+ [low] SUPPRESSION-NO-REASON: added" in text.stdout
    assert "- [medium] PARSE-ERROR: fixed" in text.stdout
    assert "severity low -> high" in text.stdout and "was: old wording" in text.stdout
    js = run_cli("diff", str(old), str(new), "--format", "json")
    assert js.returncode == 0
    data = json.loads(js.stdout)
    assert data["score"] == {"old": 70.0, "new": 62.5, "delta": -7.5}
    assert [f["fingerprint"] for f in data["new"]] == ["e"]
    assert [f["fingerprint"] for f in data["resolved"]] == ["b"]
    assert [c["new"]["fingerprint"] for c in data["changed"]] == ["c", "d"]


def test_diff_of_real_reports(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {".prodcheck.yaml": ONLY_CONFIG, "Dockerfile": "FROM x\nFOO a\n"})
    run_cli("scan", str(repo), "-f", "json", "-o", str(tmp_path / "a.json"))
    (repo / "Dockerfile").write_text("FROM x\n\nFOO a\nBAR b\n")
    run_cli("scan", str(repo), "-f", "json", "-o", str(tmp_path / "b.json"))
    data = json.loads(run_cli("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--format", "json").stdout)
    assert [f["message"] for f in data["new"]] == ["Dockerfile: unknown instruction 'BAR'"]
    assert data["resolved"] == [] and data["changed"] == []


def test_diff_unreadable_input_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    proc = run_cli("diff", str(bad), str(tmp_path / "missing.json"))
    assert proc.returncode == 2
    assert "bad.json: not valid JSON" in proc.stderr
    bad.write_text('"a string"')
    assert "not a prodcheck JSON report" in run_cli("diff", str(bad), str(bad)).stderr
