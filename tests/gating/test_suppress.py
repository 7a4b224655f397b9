"""Inline suppressions in each file type's comment syntax, config ignores and their expiry."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.engine import scan
from auditor.model import CheckMeta, CheckResult, Finding, Location, Status
from auditor.options import IgnoreRule, ScanOptions
from auditor.registry import load_registry
from auditor.suppress import comment_styles, expired_ignore_notes, parse_suppressions, suppress
from tests.gating.helpers import ONLY_CONFIG, run_cli, write_repo

ONLY = frozenset({"PARSE-ERROR", "SUPPRESSION-NO-REASON"})


@pytest.mark.parametrize(
    ("path", "line", "ids", "reason"),
    [
        ("Dockerfile", "# prodcheck: ignore[DOCKER-ROOT-USER] drops privileges later", ("DOCKER-ROOT-USER",),
         "drops privileges later"),
        ("compose.yaml", "    privileged: true  # prodcheck: ignore[A, b] - needs kvm", ("A", "B"), "needs kvm"),
        (".env.example", "# prodcheck: ignore[ENV-X]: template only", ("ENV-X",), "template only"),
        ("app/main.py", "x = 1  # prodcheck: ignore[PY-1] legacy", ("PY-1",), "legacy"),
        ("deploy.sh", "# prodcheck: ignore[SH-1] vendor script", ("SH-1",), "vendor script"),
        ("src/app.ts", "app.use(cors()) // prodcheck: ignore[CORS] public API", ("CORS",), "public API"),
        ("src/app.js", "/* prodcheck: ignore[CORS] public API */", ("CORS",), "public API"),
        ("index.html", "<!-- prodcheck: ignore[CSP] inline script hashed -->", ("CSP",), "inline script hashed"),
        ("README.md", "<!--prodcheck: ignore[DOCS]-->", ("DOCS",), ""),
    ],
)
def test_parse_each_comment_syntax(path: str, line: str, ids: tuple[str, ...], reason: str) -> None:
    found = parse_suppressions(path, f"first line\n{line}\n")
    assert [(s.line, s.check_ids, s.reason) for s in found] == [(2, ids, reason)]


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("src/app.ts", "# prodcheck: ignore[CORS] hash is not a TS comment"),
        ("Dockerfile", "// prodcheck: ignore[X] not a Dockerfile comment"),
        ("README.md", "# prodcheck: ignore[X] a Markdown heading, not a comment"),
        ("data.json", '{"a": "# prodcheck: ignore[X] json has no comments"}'),
        ("src/app.ts", 'const s = "prodcheck: ignore[X] a string";'),
    ],
)
def test_wrong_syntax_is_not_a_suppression(path: str, line: str) -> None:
    assert parse_suppressions(path, line + "\n") == []


def test_comment_styles_cover_the_stacks() -> None:
    assert comment_styles("api/Dockerfile.prod") == {"#"}
    assert comment_styles("docker-compose.yml") == {"#"}
    assert comment_styles(".env.production") == {"#"}
    assert comment_styles("src/main.tsx") == {"//", "/*"}
    assert comment_styles("docs/index.md") == {"<!--"}


def _scan(root: Path, **kwargs: object) -> object:
    return scan(ScanOptions(path=root, only_checks=ONLY, **kwargs))  # type: ignore[arg-type]


def _result(report: object, check_id: str) -> CheckResult:
    return next(r for r in report.results if r.meta.id == check_id)  # type: ignore[attr-defined]


def test_inline_suppression_on_and_above_the_line(tmp_path: Path) -> None:
    write_repo(tmp_path, {
        "Dockerfile": (
            "FROM node:20-alpine\n"
            "FOO bar # prodcheck: ignore[PARSE-ERROR] vendored syntax, checked upstream\n"
            "# prodcheck: ignore[SOMETHING-ELSE] unrelated\n"
            "# prodcheck: ignore[parse-error] lower-case id, stacked comments\n"
            "BAR baz\n"
            "QUX 1\n"
        ),
    })
    report = _scan(tmp_path)
    result = _result(report, "PARSE-ERROR")
    assert result.status is Status.FAIL
    assert [f.location.line for f in result.findings] == [6]
    assert sorted(f.location.line or 0 for f in result.suppressed) == [2, 5]


def test_fully_suppressed_result_passes(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": "FROM x\n# prodcheck: ignore[PARSE-ERROR] known\nFOO bar\n"})
    result = _result(_scan(tmp_path), "PARSE-ERROR")
    assert result.status is Status.PASS
    assert result.findings == ()
    assert len(result.suppressed) == 1


def test_a_code_line_above_does_not_cover_the_next_line(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": "FROM x\nFOO a # prodcheck: ignore[PARSE-ERROR] this line only\nBAR b\n"})
    result = _result(_scan(tmp_path), "PARSE-ERROR")
    assert [f.location.line for f in result.findings] == [3]


def test_suppression_without_reason_applies_but_is_a_low_finding(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": "FROM x\n# prodcheck: ignore[PARSE-ERROR]\nFOO bar\n"})
    report = _scan(tmp_path)
    assert _result(report, "PARSE-ERROR").status is Status.PASS
    no_reason = _result(report, "SUPPRESSION-NO-REASON")
    assert no_reason.status is Status.FAIL
    assert [(f.location.path, f.location.line, f.key) for f in no_reason.findings] == [("Dockerfile", 2, "PARSE-ERROR")]
    assert no_reason.meta.severity.label == "low"


def test_config_ignore_with_path_glob_and_expiry(tmp_path: Path) -> None:
    write_repo(tmp_path, {"Dockerfile": "FROM x\nFOO bar\n", "legacy/Dockerfile": "FROM x\nBAR baz\n"})
    rule = IgnoreRule("PARSE-ERROR", "legacy image, replaced in Q3", "legacy/*", "2030-01-31")
    live = _result(_scan(tmp_path, ignores=(rule,), today="2030-01-31"), "PARSE-ERROR")
    assert [f.location.path for f in live.findings] == ["Dockerfile"]
    assert [f.location.path for f in live.suppressed] == ["legacy/Dockerfile"]

    report = _scan(tmp_path, ignores=(rule,), today="2030-02-01")
    expired = _result(report, "PARSE-ERROR")
    assert sorted(f.location.path or "" for f in expired.findings) == ["Dockerfile", "legacy/Dockerfile"]
    assert expired.suppressed == ()


def test_expired_ignore_produces_a_note() -> None:
    meta = _result_meta("PARSE-ERROR")
    finding = Finding("boom", Location(path="legacy/Dockerfile", line=3), key="k", check_id="PARSE-ERROR")
    results = [CheckResult(meta, Status.FAIL, (finding,))]
    options = ScanOptions(ignores=(IgnoreRule("PARSE-ERROR", "temporary", "legacy/**", "2024-01-01"),),
                          today="2024-06-01")
    outcome = suppress(results, None, options)
    assert outcome.results[0].findings == (finding,)
    assert len(outcome.notes) == 1
    note = outcome.notes[0]
    assert "PARSE-ERROR" in note and "expired on 2024-01-01" in note and "1 finding" in note
    assert expired_ignore_notes(options) and "no longer applies" in expired_ignore_notes(options)[0]


def test_config_ignore_resolves_check_aliases() -> None:
    meta = replace(_result_meta("PARSE-ERROR"), aliases=("OLD-PARSE",))
    finding = Finding("boom", Location(path="Dockerfile", line=3), key="k", check_id="PARSE-ERROR")
    outcome = suppress([CheckResult(meta, Status.FAIL, (finding,))], None,
                       ScanOptions(ignores=(IgnoreRule("OLD-PARSE", "renamed check"),)))
    assert outcome.results[0].status is Status.PASS
    assert outcome.records[0].reason == "renamed check"
    assert outcome.records[0].source == "config"


def test_live_findings_match_config_ignores_by_url() -> None:
    meta = _result_meta("PARSE-ERROR")
    finding = Finding("header", Location(url="https://example.test/"), key="csp", check_id="PARSE-ERROR")
    outcome = suppress([CheckResult(meta, Status.FAIL, (finding,))], None,
                       ScanOptions(ignores=(IgnoreRule("PARSE-ERROR", "staging only", "https://example.test/*"),)))
    assert outcome.results[0].suppressed == (finding,)


def test_suppressed_findings_reach_the_json_report(tmp_path: Path) -> None:
    write_repo(tmp_path, {
        ".prodcheck.yaml": ONLY_CONFIG,
        "Dockerfile": "FROM x\n# prodcheck: ignore[PARSE-ERROR] generated by a tool we trust\nFOO bar\n",
    })
    out = tmp_path / "r.json"
    proc = run_cli("scan", str(tmp_path), "--format", "json", "--output", str(out), "--fail-on", "low")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["findings"] == []
    assert [s["check_id"] for s in data.get("suppressed", [])] == ["PARSE-ERROR"]


def _result_meta(check_id: str) -> CheckMeta:
    spec = load_registry(plugins=False).resolve(check_id)
    assert spec is not None
    return spec.meta
