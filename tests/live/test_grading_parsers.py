"""The grading parsers (HSTS, CSP, <meta> policies), the probe recording <meta> policies, and module boundaries."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from auditor.live.csp import CspInvalid, http_equiv_headers, parse_policies
from auditor.live.headers_grade import grade_target_headers
from auditor.live.hsts import NON_NUMERIC_NOTE, parse_hsts
from auditor.live.session import observe_url
from tests.live.tls_server import Response, plain_http_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("value", "max_age", "error"), [
    ("max-age=31536000; includeSubDomains; preload", 31536000, None),
    ('max-age="15552000"', 15552000, None),  # RFC 6797 allows a quoted value
    ("MAX-AGE=0", 0, None),
    ("max-age=abc", None, NON_NUMERIC_NOTE),
    ("max-age=123abc", None, NON_NUMERIC_NOTE),
    ("max-age=-5", None, NON_NUMERIC_NOTE),
    ("includeSubDomains", None, "max-age is missing"),
    ("max-age=1, max-age=2", None, "the header is set more than once"),
    ("max-age=10; max-age=20", 20, None),  # the last one counts, as in the Observatory
])
def test_hsts_parser(value: str, max_age: int | None, error: str | None) -> None:
    policy = parse_hsts(value)
    assert policy.present
    assert (policy.max_age, policy.error) == (max_age, error)
    if value.endswith("preload"):
        assert policy.include_subdomains and policy.preload


def test_csp_parser_rules() -> None:
    parsed = parse_policies(["default-src 'self'; img-src", "default-src 'self' https://cdn.test"])
    assert parsed.get("img-src") == ("'none'",)  # a source list without sources is 'none'
    assert parsed.get("default-src") == ("'self'",)  # the intersection of both policies
    with pytest.raises(CspInvalid):
        parse_policies(["script-src 'self'; SCRIPT-SRC 'none'"])  # directive names are case-insensitive
    with pytest.raises(CspInvalid):
        parse_policies(["a"])  # too short to be a policy
    assert parse_policies(["default-src 'self'; report-to a; report-to b"]).duplicate_warnings == ("report-to",)


def test_meta_parser_is_pure_and_tolerant() -> None:
    html = (b"<html><head><META HTTP-EQUIV='Content-Security-Policy' content=\"default-src 'self'\">"
            b"<meta name=referrer content=no-referrer><meta http-equiv=refresh content=5>"
            b"<meta name=description content=x></head><body><p>unclosed <b>markup")
    assert http_equiv_headers(html) == (("content-security-policy", "default-src 'self'"),
                                        ("referrer-policy", "no-referrer"))
    assert http_equiv_headers(b"\xff\xfe<<<>>>") == ()


def test_the_probe_records_meta_policies_and_the_grade_counts_them() -> None:
    page = (b"<!doctype html><html><head>"
            b"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
            b"<meta name=\"referrer\" content=\"strict-origin-when-cross-origin\"></head><body>hi</body></html>")

    def handler(_: object) -> Response:
        return Response(headers=(("Content-Type", "text/html; charset=utf-8"),), body=page)

    with plain_http_server(handler) as (host, port):
        target = observe_url(f"http://{host}:{port}/", {"timeout": 5, "no_burst": True})
    assert target.http is not None, target.error
    assert ("content-security-policy", "default-src 'none'") in target.http.meta_http_equiv
    grade = grade_target_headers(target)
    assert grade is not None
    csp = grade.test("content-security-policy")
    referrer = grade.test("referrer-policy")
    assert csp is not None and csp.result == "csp-implemented-with-no-unsafe-default-src-none"
    assert referrer is not None and referrer.result == "referrer-policy-private"


def _private_sslyze_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sslyze":
            parts = (node.module or "").split(".")
            names += [a.name for a in node.names if a.name.startswith("_") or any(p.startswith("_") for p in parts)]
    return names


def test_sslyze_private_names_stay_in_one_adapter() -> None:
    offenders = {}
    for path in [*ROOT.joinpath("auditor").rglob("*.py"), *ROOT.joinpath("checks").rglob("*.py")]:
        names = _private_sslyze_imports(path)
        if names and path.name != "sslyze_private.py":
            offenders[str(path.relative_to(ROOT))] = names
    assert offenders == {}
    assert _private_sslyze_imports(ROOT / "auditor" / "live" / "sslyze_private.py")
