"""The HDR-* and HEADER-GRADE checks judge as the header grade does, and name prodcheck's deliberate differences."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.live.headers_grade import CORS_CREDENTIALS_NOTE
from auditor.live.hsts import NON_NUMERIC_NOTE
from auditor.live.observations import (
    CookieObservation,
    CorsObservation,
    Hop,
    HttpObservation,
    LiveTarget,
    PageObservation,
    ScriptRef,
)
from auditor.registry import NotApplicable
from checks.live.headers import cookies, csp, header_grade, hsts, referrer, sri

URL = "https://example.test/"
ROOT = Path(__file__).resolve().parents[2]


def _target(headers: tuple[tuple[str, str], ...] = (), *, cookies_: tuple[CookieObservation, ...] = (),
            scripts: tuple[ScriptRef, ...] = (), meta: tuple[tuple[str, str], ...] = (),
            cors: CorsObservation | None = None, verify_error: str | None = None) -> LiveTarget:
    page = PageObservation(url=URL, hops=(Hop(URL, 200, "https", "example.test"),), status=200, final_url=URL,
                           headers=(("Content-Type", "text/html"), *headers), cookies=cookies_,
                           content_type="text/html")
    http = HttpObservation(page=page, scripts=scripts, cors=cors, is_html=True, verify_error=verify_error,
                           meta_http_equiv=meta)
    return LiveTarget(url=URL, http=http)


def test_cookies_a_browser_rejects_are_not_graded() -> None:
    foreign = CookieObservation("sessionid", domain="evil.example")
    with pytest.raises(NotApplicable, match=r"Domain=evil\.example"):
        list(cookies(_target(cookies_=(foreign,))))
    parent = CookieObservation("sessionid", domain=".example.test")  # a parent domain is fine: graded
    assert [f.key for f in cookies(_target(cookies_=(parent, foreign)))] == ["cookie:sessionid"]


def test_same_host_script_over_http_is_not_external() -> None:
    same_host = ScriptRef("http://example.test/app.js", same_origin=False, secure=False)
    with pytest.raises(NotApplicable, match="no script from another origin"):
        list(sri(_target(scripts=(same_host,))))
    other = ScriptRef("https://cdn.other.test/lib.js", same_origin=False)
    assert [f.key for f in sri(_target(scripts=(same_host, other)))] == ["script:https://cdn.other.test/lib.js"]


def test_hsts_on_an_invalid_certificate_is_not_credited() -> None:
    header = (("Strict-Transport-Security", "max-age=31536000"),)
    assert list(hsts(_target(header))) == []
    (finding,) = hsts(_target(header, verify_error="TLS certificate verification failed for example.test"))
    assert "not credited" in finding.message and "invalid certificate" in finding.message


def test_non_numeric_max_age_finding_says_it_follows_the_table() -> None:
    (finding,) = hsts(_target((("Strict-Transport-Security", "max-age=abc"),)))
    assert NON_NUMERIC_NOTE in finding.message


def test_six_months_is_15552000_seconds() -> None:
    assert list(hsts(_target((("Strict-Transport-Security", "max-age=15552000"),)))) == []
    (finding,) = hsts(_target((("Strict-Transport-Security", "max-age=15551999"),)))
    assert "15552000" in finding.message


def test_meta_policies_count_for_the_checks() -> None:
    assert list(csp(_target(meta=(("content-security-policy", "default-src 'self'"),)))) == []
    assert list(referrer(_target(meta=(("referrer-policy", "no-referrer"),)))) == []
    (finding,) = csp(_target())
    assert finding.key == "content-security-policy"


def test_header_grade_finding_names_the_cors_difference() -> None:
    echo = (("Access-Control-Allow-Origin", "https://prodcheck-probe.invalid"),
            ("Access-Control-Allow-Credentials", "true"))
    cors = CorsObservation(origin="https://prodcheck-probe.invalid", url=URL, preflight_status=204,
                           preflight_headers=echo)
    (finding,) = header_grade(_target(cors=cors))
    assert CORS_CREDENTIALS_NOTE in finding.message
    (finding,) = header_grade(_target((("Strict-Transport-Security", "max-age=abc"),)))
    assert NON_NUMERIC_NOTE in finding.message


def test_strict_dynamic_without_nonce_is_reported_invalid() -> None:
    target = _target((("Content-Security-Policy", "script-src 'strict-dynamic'; object-src 'none'"),))
    (finding,) = csp(target)
    assert "cannot be parsed" in finding.message and "strict-dynamic" in finding.message
    fixed = replace(target, http=replace(target.http, page=replace(target.http.page, headers=(  # type: ignore[union-attr]
        ("Content-Security-Policy", "script-src 'nonce-abc' 'strict-dynamic' https:; object-src 'none'"),))))
    assert list(csp(fixed)) == []


def test_redirect_to_an_invalid_certificate_costs_20_on_a_real_server(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """http:// redirects to https:// whose certificate is not trusted: redirection-invalid-cert and hsts-invalid-cert."""
    sys.path.insert(0, str(ROOT / "fixtures" / "apps"))
    import _dualserver
    import heydev_hardened

    from auditor.live.headers_grade import grade_target_headers
    from auditor.live.session import observe_url
    from tests.live.certs import make_ca, make_leaf

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the test CA is not trusted: the chain is invalid
    ca = make_ca(tmp_path)
    leaf = make_leaf(ca, tmp_path, names=("heydev.test", "localhost", "127.0.0.1"))
    server = _dualserver.DualServer(0, heydev_hardened.app, _dualserver.server_context(leaf.cert_path, leaf.key_path))
    server.start()
    try:
        url = f"https://heydev.test:{server.port}"
        target = observe_url(url, {"resolve": [f"heydev.test:{server.port}:127.0.0.1"], "timeout": 5,
                                   "no_burst": True})
    finally:
        server.stop()
    assert target.http is not None and target.http.verify_error, target.error
    grade = grade_target_headers(target)
    assert grade is not None
    results = {t.name: (t.result, t.modifier) for t in grade.tests}
    assert results["redirection"] == ("redirection-invalid-cert", -20)
    assert results["strict-transport-security"] == ("hsts-invalid-cert", -20)
    (finding,) = hsts(target)
    assert "not credited" in finding.message
