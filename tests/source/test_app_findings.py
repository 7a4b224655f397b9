"""Exact APP-* findings on the three sample repositories, including the absence of false findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import CheckResult, Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from auditor.source.index import source_index
from tests.harness import FIXTURES, registry

REPOS = FIXTURES / "repos"
Expected = set[tuple[str, int, str]] | None  # None: skipped as not applicable

HEYDEV = "@heydev/server"
EXPECTED: dict[str, dict[str, Expected]] = {
    "heydev": {
        "APP-COMPRESSION": {("server/src/index.ts", 12, HEYDEV)},
        "APP-CORS": {("server/src/index.ts", 17, f"{HEYDEV}:cors"),
                     ("server/src/index.ts", 17, f"{HEYDEV}:cors-private-routes")},
        "APP-DB-POOL": None,
        "APP-ENV-VALIDATION": {("server/src/index.ts", 12, HEYDEV),
                               ("server/src/routes/auth.ts", 11, f"{HEYDEV}:undeclared")},
        "APP-ERROR-HANDLER": {("server/src/index.ts", 12, HEYDEV)},
        "APP-ERROR-LEAK": {("server/src/routes/transcribe.ts", 20, f"{HEYDEV}:err.message")},
        "APP-ERROR-TRACKING": {("server/src/index.ts", 12, HEYDEV)},
        "APP-GRACEFUL-SHUTDOWN": {("server/src/index.ts", 12, HEYDEV)},
        "APP-HEALTH": {("server/src/index.ts", 33, f"{HEYDEV}:shallow:/health")},
        "APP-IN-MEMORY-STATE": {("server/src/routes/events.ts", 7, f"{HEYDEV}:clients")},
        "APP-INPUT-VALIDATION": {("server/src/routes/auth.ts", 14, f"{HEYDEV}:unvalidated-body"),
                                 ("server/src/routes/feedback.ts", 10, f"{HEYDEV}:unvalidated-body")},
        "APP-METRICS": {("server/src/index.ts", 12, HEYDEV)},
        "APP-METRICS-EXPOSED": None,
        # One finding per service; the four exposed routes are its related locations (see below).
        "APP-RATE-LIMIT": {("server/src/index.ts", 12, HEYDEV)},
        "APP-REQUEST-ID": {("server/src/index.ts", 12, HEYDEV)},
        "APP-SECURITY-HEADERS": {("server/src/index.ts", 12, HEYDEV)},
        "APP-SQLITE-WAL": set(),  # the seed's server enables WAL: no false finding
        "APP-STATIC-CACHING": {("server/src/index.ts", 44, f"{HEYDEV}:static:./dashboard/dist")},
        "APP-STRUCTURED-LOGGING": {("server/src/index.ts", 29, HEYDEV)},
        "APP-SCHEMA-SYNC-ON-START": set(), "APP-HEALTHCHECK-PAGE": set(), "APP-CORS-ALLOWLIST": set(),
        "APP-DEFAULT-CREDENTIALS": set(), "APP-UNCAUGHT-CONTINUE": None, "APP-BASIC-AUTH-UNTHROTTLED": None,
        "APP-RATE-LIMIT-PROXY-IP": None, "APP-SPOOFABLE-CLIENT-IP": None,
        "APP-PUBLIC-KEY-WRITE": {("server/src/routes/feedback.ts", 10, "@heydev/server:POST /api/feedback")},
        "APP-SECRET-FALLBACK": set(),
        "APP-INSECURE-COOKIES": None,  # no Django service
        "APP-START-FAILURE-SWALLOWED": None,  # listen() is not inside a try
        "APP-UPLOAD-LIMITS": {("server/src/routes/transcribe.ts", 8, f"{HEYDEV}:POST /api/transcribe"),
                              ("server/src/routes/upload.ts", 10, f"{HEYDEV}:POST /api/upload")},
    },
    "nestjs-traefik": {
        # helmet, ValidationPipe, express-rate-limit, allow-listed CORS, prom-client and a sized
        # Prisma pool are present: none of those checks may fire.
        "APP-COMPRESSION": set(),  # compression() in main.ts
        "APP-CORS": set(),
        "APP-DB-POOL": set(),
        "APP-ENV-VALIDATION": {("apps/api/src/main.ts", 9, "api")},
        "APP-ERROR-HANDLER": set(),  # Nest's built-in filter logs and answers 500
        "APP-ERROR-LEAK": set(),
        "APP-ERROR-TRACKING": {("apps/api/src/main.ts", 9, "api")},
        "APP-GRACEFUL-SHUTDOWN": {("apps/api/src/main.ts", 9, "api")},
        # The Dockerfile HEALTHCHECK probes /api/v1/health: that route decides, and it is shallow.
        "APP-HEALTH": {("apps/api/src/health/health.controller.ts", 6, "api:shallow:/api/v1/health")},
        "APP-IN-MEMORY-STATE": set(),
        "APP-INPUT-VALIDATION": set(),
        "APP-METRICS": set(),
        "APP-METRICS-EXPOSED": {("apps/api/src/metrics/metrics.controller.ts", 10, "api:/api/v1/metrics")},
        "APP-RATE-LIMIT": set(),
        "APP-REQUEST-ID": {("apps/api/src/main.ts", 9, "api")},
        "APP-SECURITY-HEADERS": set(),
        "APP-SQLITE-WAL": None,
        "APP-STATIC-CACHING": None,
        "APP-STRUCTURED-LOGGING": {("apps/api/src/main.ts", 42, "api")},
        "APP-SCHEMA-SYNC-ON-START": set(), "APP-HEALTHCHECK-PAGE": set(), "APP-CORS-ALLOWLIST": None,
        "APP-DEFAULT-CREDENTIALS": set(), "APP-UNCAUGHT-CONTINUE": None, "APP-BASIC-AUTH-UNTHROTTLED": None,
        # express-rate-limit keys on req.ip, Traefik forwards every request and Nest's Express never trusts it.
        "APP-RATE-LIMIT-PROXY-IP": {("apps/api/src/main.ts", 17, "api:trust-proxy")},
        "APP-SPOOFABLE-CLIENT-IP": None,
        "APP-PUBLIC-KEY-WRITE": None,
        "APP-SECRET-FALLBACK": None,
        "APP-INSECURE-COOKIES": None,
        "APP-START-FAILURE-SWALLOWED": None,
        "APP-UPLOAD-LIMITS": None,  # no route accepts files
    },
    "fastapi-service": {
        "APP-COMPRESSION": {("app/main.py", 30, "orders-api")},
        "APP-CORS": {("app/main.py", 34, "orders-api:cors")},
        # An unsized SQLAlchemy engine uses its sane default pool (5 + 10 overflow): a pass.
        "APP-DB-POOL": set(),
        "APP-ENV-VALIDATION": {("app/routers/webhooks.py", 14, "orders-api:undeclared")},
        "APP-ERROR-HANDLER": set(),
        "APP-ERROR-LEAK": {("app/main.py", 51, "orders-api:str(exc)")},
        "APP-ERROR-TRACKING": set(),
        "APP-GRACEFUL-SHUTDOWN": set(),
        "APP-HEALTH": set(),
        "APP-IN-MEMORY-STATE": set(),
        "APP-INPUT-VALIDATION": set(),  # the only body-reading route is an HMAC-verified webhook
        "APP-METRICS": set(),
        "APP-METRICS-EXPOSED": {("app/main.py", 41, "orders-api:/metrics")},
        "APP-RATE-LIMIT": set(),
        "APP-REQUEST-ID": set(),
        "APP-SECURITY-HEADERS": {("app/main.py", 30, "orders-api")},
        "APP-SQLITE-WAL": None,
        "APP-STATIC-CACHING": None,
        "APP-STRUCTURED-LOGGING": set(),
        "APP-SCHEMA-SYNC-ON-START": set(), "APP-HEALTHCHECK-PAGE": set(), "APP-CORS-ALLOWLIST": None,
        "APP-DEFAULT-CREDENTIALS": set(), "APP-UNCAUGHT-CONTINUE": None, "APP-BASIC-AUTH-UNTHROTTLED": None,
        "APP-RATE-LIMIT-PROXY-IP": None, "APP-SPOOFABLE-CLIENT-IP": None,
        "APP-PUBLIC-KEY-WRITE": None,
        "APP-SECRET-FALLBACK": None,
        "APP-INSECURE-COOKIES": None,
        "APP-START-FAILURE-SWALLOWED": None,
        "APP-UPLOAD-LIMITS": set(),
    },
}


def _results(repo: str) -> dict[str, CheckResult]:
    specs = [s for s in registry() if s.id.startswith("APP-")]
    return {r.meta.id: r for r in run_repo_checks(specs, Project(REPOS / repo), frozenset())}


@pytest.mark.parametrize("repo", sorted(EXPECTED))
def test_exact_app_findings(repo: str) -> None:
    results = _results(repo)
    assert set(results) == set(EXPECTED[repo]), "every APP-* check is covered by this table"
    for check_id, wanted in EXPECTED[repo].items():
        result = results[check_id]
        assert result.status is not Status.ERROR, f"{check_id}: {result.reason}"
        if wanted is None:
            assert result.status is Status.SKIPPED, f"{check_id} should not apply to {repo}"
            continue
        got = {(f.location.path, f.location.line, f.key) for f in result.findings}
        assert got == wanted, f"{repo} {check_id}"


def test_logging_message_counts_console_calls() -> None:
    finding = _results("heydev")["APP-STRUCTURED-LOGGING"].findings[0]
    assert "17 console calls" in finding.message


def test_services_and_entry_points() -> None:
    heydev = source_index(Project(REPOS / "heydev"))
    assert [(s.name, s.framework, s.entry) for s in heydev.services] == [
        (HEYDEV, "hono", "server/src/index.ts")]
    nest = source_index(Project(REPOS / "nestjs-traefik"))
    assert [(s.name, s.framework, s.entry, s.entry_line) for s in nest.services] == [
        ("api", "nestjs", "apps/api/src/main.ts", 9)]
    fastapi = source_index(Project(REPOS / "fastapi-service"))
    assert [(s.name, s.framework, s.entry) for s in fastapi.services] == [
        ("orders-api", "fastapi", "app/main.py")]


def test_hardened_repo_has_no_app_findings() -> None:
    if not (REPOS / "hardened").is_dir():
        pytest.skip("hardened sample not present")
    failing = {i: r.findings for i, r in _results("hardened").items() if r.status is Status.FAIL}
    assert failing == {}


def test_paths_are_relative(tmp_path: Path) -> None:
    index = source_index(Project(REPOS / "heydev"))
    assert all(not p.startswith("/") for p in index.files)
