"""Differential test: header configurations graded by prodcheck against the MDN HTTP Observatory's scoring.

Every expected score below was worked out by hand from the Observatory's
published table (``src/grader/charts.js`` SCORE_TABLE, GRADE_CHART, the
90-point rule in ``src/scanner/index.js``) and the decision order of its
analyzer tests (``src/analyzer/tests/*.js``), never from prodcheck's output.
The comment on each row is that arithmetic. Rows where prodcheck deliberately
differs carry the Observatory's own score too, and the reason, which prodcheck
must also state in the test's note (the finding text).

The baseline site: https://example.test/ (HTML, no scripts), http:// redirects
301 to the same URL on https, HSTS one year, ``X-Content-Type-Options: nosniff``,
``X-Frame-Options: DENY``, ``Content-Security-Policy: default-src 'self'``
(+5, csp-implemented-with-no-unsafe). Baseline 100, no penalty, so the +5
bonus counts: 105, A+.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from auditor.live.headers_grade import CORS_CREDENTIALS_NOTE, META_FRAME_ANCESTORS_NOTE, grade_headers
from auditor.live.hsts import NON_NUMERIC_NOTE
from auditor.live.observations import (
    CookieObservation,
    CorsObservation,
    Hop,
    HttpObservation,
    PageObservation,
    ScriptRef,
)

URL = "https://example.test/"
BASE_HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'self'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
HTTP_TO_HTTPS = (Hop("http://example.test/", 301, "http", "example.test", URL), Hop(URL, 200, "https", "example.test"))


@dataclass(frozen=True)
class Row:
    """One configuration: changes to the baseline and the Observatory's score for it."""

    name: str
    observatory: tuple[int, str]  # (score, grade) by the Observatory's table and code
    headers: dict[str, str | None] | None = None  # None value: header removed
    meta: tuple[tuple[str, str], ...] = ()
    cookies: tuple[CookieObservation, ...] = ()
    cors: CorsObservation | None = None
    scripts: tuple[ScriptRef, ...] = ()
    http_hops: tuple[Hop, ...] = HTTP_TO_HTTPS
    verify_error: str | None = None
    prodcheck: tuple[int, str] | None = None  # set only where prodcheck deliberately differs
    why: str = ""  # the note prodcheck must give for the difference


def _echo(origin: str) -> CorsObservation:
    headers = (("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"))
    return CorsObservation(origin=origin, url=URL, preflight_status=204, preflight_headers=headers,
                           simple_status=200, simple_headers=headers)


FOREIGN = "https://prodcheck-probe.invalid"

ROWS: tuple[Row, ...] = (
    Row("baseline", (105, "A+")),  # 100 + CSP +5 (bonus: nothing deducted)
    Row("no CSP", (75, "B"), {"Content-Security-Policy": None}),  # csp-not-implemented -25
    Row("report-only CSP", (75, "B"),  # csp-not-implemented-but-reporting-enabled -25
        {"Content-Security-Policy": None, "Content-Security-Policy-Report-Only": "default-src 'self'"}),
    Row("unsafe-inline script", (80, "B+"),  # csp-implemented-with-unsafe-inline -20
        {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}),
    # nonce + 'strict-dynamic': https: and 'unsafe-inline' dropped from script-src; no style-src and no
    # default-src, so style-src is * : csp-implemented-with-unsafe-inline-in-style-src-only 0 -> 100.
    Row("nonce with strict-dynamic, no style-src", (100, "A+"),
        {"Content-Security-Policy": "script-src 'nonce-r4nd0m' 'unsafe-inline' 'strict-dynamic' https:; "
                                    "object-src 'none'"}),
    Row("hash with strict-dynamic and style-src", (105, "A+"),  # as above with style-src 'self': +5
        {"Content-Security-Policy": "script-src 'sha256-abc=' 'strict-dynamic' http:; object-src 'none'; "
                                    "style-src 'self'"}),
    Row("strict-dynamic without nonce", (75, "B"),  # csp-header-invalid -25
        {"Content-Security-Policy": "script-src 'strict-dynamic' 'self'; object-src 'none'"}),
    Row("duplicated directive", (75, "B"),  # cspParser throws: csp-header-invalid -25
        {"Content-Security-Policy": "default-src 'self'; script-src 'self'; script-src 'none'"}),
    Row("duplicated report-uri", (100, "A+"),  # allowed duplicate: csp-implemented-but-duplicate-directives 0
        {"Content-Security-Policy": "default-src 'self'; report-uri /a; report-uri /b"}),
    Row("https://* in script-src", (80, "B+"),  # dangerously broad: -20
        {"Content-Security-Policy": "default-src 'self'; script-src https://*"}),
    Row("http://* in script-src", (80, "B+"),  # dangerously broad (checked before insecure scheme): -20
        {"Content-Security-Policy": "default-src 'self'; script-src http://*"}),
    Row("ftp: in object-src", (80, "B+"),  # object-src dangerously broad: -20
        {"Content-Security-Policy": "default-src 'self'; object-src ftp:"}),
    Row("blob: in script-src", (105, "A+"),  # blob: is not in DANGEROUSLY_BROAD: +5
        {"Content-Security-Policy": "default-src 'self'; script-src 'self' blob:"}),
    Row("default-src 'none'", (110, "A+"),  # csp-implemented-with-no-unsafe-default-src-none +10
        {"Content-Security-Policy": "default-src 'none'"}),
    Row("http images only", (90, "A"),  # insecure scheme in passive content -10; 90 >= 90 but no bonus left
        {"Content-Security-Policy": "default-src 'self'; img-src http://img.example.test"}),
    Row("http connect-src", (80, "B+"),  # csp-implemented-with-insecure-scheme -20
        {"Content-Security-Policy": "default-src 'self'; connect-src http://api.example.test"}),
    Row("unsafe-eval", (90, "A"),  # csp-implemented-with-unsafe-eval -10
        {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-eval'"}),
    Row("CSP only in <meta>", (105, "A+"), {"Content-Security-Policy": None},  # meta policies count: +5
        meta=(("content-security-policy", "default-src 'self'"),)),
    Row("meta CSP with only frame-ancestors", (55, "C"),  # meta-only disallowed directive: not implemented -25;
        {"Content-Security-Policy": None, "X-Frame-Options": None},  # XFO not implemented -20
        meta=(("content-security-policy", "frame-ancestors 'none'"),)),
    # The Observatory's XFO test credits frame-ancestors from the combined (header + meta) policy: +5 +5 = 110.
    Row("meta CSP with frame-ancestors, no XFO", (110, "A+"), {"Content-Security-Policy": None, "X-Frame-Options": None},
        meta=(("content-security-policy", "default-src 'self'; frame-ancestors 'none'"),),
        prodcheck=(80, "B+"), why=META_FRAME_ANCESTORS_NOTE),  # browsers ignore it: XFO -20, CSP +5 not counted
    Row("HSTS exactly 15552000", (105, "A+"), {"Strict-Transport-Security": "max-age=15552000"}),
    Row("HSTS one second short", (95, "A"),  # max-age-less-than-six-months -10; 90 >= 90: +5 counts
        {"Strict-Transport-Security": "max-age=15551999"}),
    # parseInt("abc") is NaN, NaN < SIX_MONTHS is false: the code credits "at least six months" (105).
    Row("HSTS non-numeric max-age", (105, "A+"), {"Strict-Transport-Security": "max-age=abc"},
        prodcheck=(80, "B+"), why=NON_NUMERIC_NOTE),  # the table: cannot be recognized -20
    Row("HSTS set twice", (80, "B+"),  # a comma in the header: hsts-header-invalid -20
        {"Strict-Transport-Security": "max-age=31536000, max-age=31536000"}),
    Row("no HSTS", (80, "B+"), {"Strict-Transport-Security": None}),  # hsts-not-implemented -20
    # verified false: hsts-invalid-cert -20 and the http redirect lands on it: redirection-invalid-cert -20.
    Row("invalid certificate", (60, "C+"), verify_error="TLS certificate verification failed for example.test"),
    Row("no redirect to https", (80, "B+"), http_hops=(Hop("http://example.test/", 200, "http", "example.test"),)),
    Row("http to http to https", (95, "A"),  # not-to-https-on-initial-redirection -10, bonus counts
        http_hops=(Hop("http://example.test/", 301, "http", "example.test", "http://www.example.test/"),
                   Hop("http://www.example.test/", 301, "http", "www.example.test", URL), HTTP_TO_HTTPS[1])),
    Row("redirect to another host", (100, "A+"),  # off-host-from-http -5, bonus +5
        http_hops=(Hop("http://example.test/", 301, "http", "example.test", "https://www.example.test/"),
                   Hop("https://www.example.test/", 301, "https", "www.example.test", URL), HTTP_TO_HTTPS[1])),
    # sessionid without Secure (HSTS protects: -10) and without HttpOnly (-30): the worst, -30, wins.
    Row("session cookie without flags", (70, "B"), cookies=(CookieObservation("sessionid"),)),
    Row("cookie for a foreign Domain", (105, "A+"),  # the jar rejects it: cookies-not-found 0
        cookies=(CookieObservation("sessionid", domain="evil.example"),)),
    Row("good __Host- cookie", (110, "A+"),  # secure-with-httponly-sessions-and-samesite +5
        cookies=(CookieObservation("__Host-sid", secure=True, httponly=True, samesite="Lax", path="/"),)),
    Row("anti-CSRF cookie without SameSite", (80, "B+"),  # anticsrf-without-samesite -20
        cookies=(CookieObservation("csrftoken", secure=True),)),
    # The code reads the Origin header from the axios request object, finds none, and reports
    # restricted access (0): 105. The published table says universal access -50.
    Row("CORS echoes the Origin with credentials", (105, "A+"), cors=_echo(FOREIGN),
        prodcheck=(50, "C"), why=CORS_CREDENTIALS_NOTE),
    Row("CORS public", (105, "A+"), cors=CorsObservation(origin=FOREIGN, url=URL, preflight_status=204,
                                                        preflight_headers=(("Access-Control-Allow-Origin", "*"),))),
    # Same host over http: sameSecondLevelDomain and not protocol-relative, so not foreign: 0.
    Row("same-host script over http", (105, "A+"), scripts=(ScriptRef("http://example.test/app.js"),)),
    Row("external https script without SRI", (100, "A+"),  # -5, bonus +5
        scripts=(ScriptRef("https://cdn.other.test/lib.js", same_origin=False),)),
    Row("protocol-relative external script", (50, "C"),  # not loaded securely, no SRI: -50
        scripts=(ScriptRef("//cdn.other.test/lib.js", same_origin=False, secure=False),)),
    Row("same-origin script with SRI", (110, "A+"),  # sri-implemented-and-all-scripts-loaded-securely +5
        scripts=(ScriptRef("/app.js", integrity=True),)),
    Row("referrer policy list ending unsafe", (100, "A+"),  # last valid token unsafe-url: -5, bonus +5
        {"Referrer-Policy": "no-referrer, unsafe-url"}),
    Row("referrer policy in <meta>", (110, "A+"),  # meta name=referrer counts: private +5
        meta=(("referrer-policy", "strict-origin-when-cross-origin"),)),
    Row("meta referrer overrides header", (110, "A+"),  # header then meta; last wins: no-referrer +5
        {"Referrer-Policy": "unsafe-url"}, meta=(("referrer-policy", "no-referrer"),)),
    Row("invalid X-Frame-Options", (80, "B+"), {"X-Frame-Options": "ALLOWALL"}),  # header-invalid -20
    Row("frame-ancestors header, no XFO", (110, "A+"),  # implemented-via-csp +5
        {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "X-Frame-Options": None}),
    Row("CORP same-site", (115, "A+"), {"Cross-Origin-Resource-Policy": "same-site"}),  # +10
    Row("CORP invalid", (100, "A+"), {"Cross-Origin-Resource-Policy": "nobody"}),  # -5, bonus +5
    Row("no X-Content-Type-Options", (100, "A+"), {"X-Content-Type-Options": None}),  # -5, bonus +5
)


def _observation(row: Row) -> HttpObservation:
    merged: dict[str, str | None] = {**BASE_HEADERS, **(row.headers or {})}
    headers = tuple((k, v) for k, v in merged.items() if v is not None)
    page = PageObservation(url=URL, hops=(Hop(URL, 200, "https", "example.test"),), status=200, final_url=URL,
                           headers=headers, cookies=row.cookies, content_type="text/html; charset=utf-8")
    http_leg = replace(page, url="http://example.test/", hops=row.http_hops,
                       final_url=row.http_hops[-1].url, status=row.http_hops[-1].status)
    return HttpObservation(page=page, http=http_leg, scripts=row.scripts, cors=row.cors, is_html=True,
                           verify_error=row.verify_error, meta_http_equiv=row.meta)


def test_the_table_is_big_enough_and_differences_are_few() -> None:
    assert len(ROWS) >= 25
    assert len({r.name for r in ROWS}) == len(ROWS)
    differing = [r.name for r in ROWS if r.prodcheck is not None]
    assert len(differing) == 3, differing  # each is documented in headers_grade's module docstring


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_prodcheck_scores_as_the_observatory(row: Row) -> None:
    grade = grade_headers(_observation(row), https=True)
    expected = row.prodcheck or row.observatory
    assert (grade.score, grade.grade) == expected, [(t.result, t.modifier) for t in grade.tests]
    if row.prodcheck is not None:
        assert row.prodcheck != row.observatory
        notes = " ".join(t.note for t in grade.tests)
        assert row.why in notes, "a deliberate difference must be explained in the finding text"
