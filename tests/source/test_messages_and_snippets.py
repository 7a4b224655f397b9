"""What the APP-/OPS-/CI-/DOCS- findings say, how severe they are, and which fix snippet a repo gets."""

from __future__ import annotations

from pathlib import Path

from auditor.model import CheckResult, Confidence, Severity, Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from auditor.stacks import detect_stacks
from tests.harness import FIXTURES, registry

REPOS = FIXTURES / "repos"


def _run(repo: str | Path, *check_ids: str) -> dict[str, CheckResult]:
    specs = [registry().checks[i] for i in check_ids]
    root = repo if isinstance(repo, Path) else REPOS / repo
    return {r.meta.id: r for r in run_repo_checks(specs, Project(root), frozenset())}


def _snippet(repo: str, check_id: str) -> str:
    stacks = detect_stacks(Project(REPOS / repo))
    snippet = registry().checks[check_id].meta.doc.snippet_for(stacks)
    assert snippet is not None
    return snippet.code


def test_rate_limit_names_the_costly_services_in_one_finding_per_service() -> None:
    findings = _run("heydev", "APP-RATE-LIMIT")["APP-RATE-LIMIT"].findings
    assert len(findings) == 1  # one concept per service: the routes are related locations
    head = findings[0]
    assert head.key == "@heydev/server"
    assert "no rate limiting at all" in head.message
    assert "Resend email" in head.message and "OpenAI Whisper" in head.message
    assert "POST /api/transcribe" in head.message and "Resend email through sendMagicLink" in head.message
    assert head.severity is Severity.HIGH  # as severe as the worst route it exposes
    assert {(loc.path, loc.line) for loc in head.related} == {
        ("server/src/routes/auth.ts", 14), ("server/src/routes/feedback.ts", 10),
        ("server/src/routes/transcribe.ts", 8), ("server/src/routes/upload.ts", 10)}
    assert "paid or email API" not in head.message


def test_rate_limit_without_costly_routes_is_a_low_hint(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "svc", "dependencies": {"express": "^4.19.2"}}')
    (tmp_path / "server.js").write_text(
        "const express = require('express');\nconst app = express();\n"
        "app.get('/items', (req, res) => res.json([]));\napp.listen(3000);\n")
    findings = _run(tmp_path, "APP-RATE-LIMIT")["APP-RATE-LIMIT"].findings
    assert [(f.key, f.severity, f.confidence) for f in findings] == [("svc", Severity.LOW, Confidence.LOW)]


def test_nest_without_a_global_filter_passes_on_its_safe_default() -> None:
    """Nest's BaseExceptionFilter logs unknown errors and answers 500, as Starlette's and Fastify's do."""
    result = _run("nestjs-traefik", "APP-ERROR-HANDLER")["APP-ERROR-HANDLER"]
    assert result.status is Status.PASS and result.findings == ()


def test_vacuous_cases_are_skipped_not_passed() -> None:
    heydev = _run("heydev", "APP-METRICS-EXPOSED", "SUPPRESSION-NO-REASON")
    assert all(r.status is Status.SKIPPED and r.reason for r in heydev.values())
    nest = _run("nestjs-traefik", "APP-UPLOAD-LIMITS", "APP-STATIC-CACHING")
    assert all(r.status is Status.SKIPPED and r.reason for r in nest.values())


def test_backup_and_runbook_snippets_fit_the_database() -> None:
    assert ".backup" in _snippet("heydev", "OPS-NO-BACKUP")
    assert "pg_dump" not in _snippet("heydev", "OPS-NO-BACKUP")
    assert "pg_dump" in _snippet("fastapi-service", "OPS-NO-BACKUP")
    assert "pg_restore" not in _snippet("heydev", "DOCS-RUNBOOK")
    assert "sqlite3" in _snippet("heydev", "DOCS-RUNBOOK")
    assert "pg_restore" in _snippet("nestjs-traefik", "DOCS-RUNBOOK")
    generic = registry().checks["OPS-NO-BACKUP"].meta.doc.snippets[0].code
    assert "pg_dump" not in generic and "sqlite3" not in generic


def test_ci_snippets_fit_the_package_manager() -> None:
    assert "pnpm" in _snippet("nestjs-traefik", "CI-NO-TEST-STEP")
    assert "pnpm audit" in _snippet("nestjs-traefik", "CI-NO-DEPENDENCY-AUDIT")
    assert "npm audit" in _snippet("heydev", "CI-NO-DEPENDENCY-AUDIT")
    assert "pip-audit" in _snippet("fastapi-service", "CI-NO-DEPENDENCY-AUDIT")
    assert "pytest" in _snippet("fastapi-service", "CI-NO-TEST-STEP")


def test_error_leak_snippets_are_neutral() -> None:
    for snippet in registry().checks["APP-ERROR-LEAK"].meta.doc.snippets:
        assert "transcri" not in snippet.code.lower()


def test_backup_locations_name_the_database_and_the_dump() -> None:
    assert [(f.location.path, f.location.line) for f in _run("heydev", "OPS-NO-BACKUP")["OPS-NO-BACKUP"].findings] \
        == [("server/drizzle.config.js", 6)]
    hardening = _run("nestjs-traefik", "OPS-BACKUP-HARDENING")["OPS-BACKUP-HARDENING"].findings
    assert {(f.location.path, f.location.line) for f in hardening} == {("scripts/backup-db.sh", 7)}


def test_delivery_checks_on_the_samples() -> None:
    heydev = _run("heydev", "APP-STATIC-CACHING", "APP-COMPRESSION")
    assert heydev["APP-STATIC-CACHING"].status is Status.FAIL
    assert "./dashboard/dist" in heydev["APP-STATIC-CACHING"].findings[0].message
    assert heydev["APP-COMPRESSION"].status is Status.FAIL
    nest = _run("nestjs-traefik", "APP-COMPRESSION")["APP-COMPRESSION"]
    assert nest.status is Status.PASS and nest.meta.passed == "Responses compressed (gzip/brotli)"
    hardened = _run("hardened", "APP-COMPRESSION", "APP-METRICS-EXPOSED")  # Caddy encode; bearer-checked /metrics
    assert all(r.status is Status.PASS for r in hardened.values())
