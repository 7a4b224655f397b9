"""Header grade following the MDN HTTP Observatory's published scoring.

Source of the numbers (read from mdn/mdn-http-observatory): ``src/grader/charts.js``
(``SCORE_TABLE`` modifiers, ``GRADE_CHART``, ``MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90``),
``src/scanner/index.js`` (baseline 100; negative modifiers always count, bonuses only
when the score before bonuses is >= 90) and ``src/grader/grader.js`` (score floored at
0, grade looked up at the score rounded down to a multiple of 5, capped at 100).
Test logic follows ``src/analyzer/tests/*.js`` in simplified form:

* Content-Security-Policy: absent -25; unsafe script/object sources (``'unsafe-inline'``
  without nonce/hash, ``data:``, ``*``, ``http:``/``https:`` wildcards, or no script-src /
  object-src restriction) -20; http: sources -20 (-10 if only img/media); ``'unsafe-eval'``
  -10; unsafe sources only in style-src 0; clean +5; ``default-src 'none'`` with
  ``form-action`` set +10. The header form only: ``<meta>`` policies are not parsed.
* Cookies: session cookie (name contains ``sess``/``login``) without Secure -40 (-10 with
  HSTS), without HttpOnly -30; anti-CSRF without SameSite -20; invalid SameSite -20; any
  cookie without Secure -20 (-5 with HSTS); all good with SameSite +5.
* CORS: the foreign Origin reflected with credentials -50.
* Redirection: no redirect to https -20, final not https -20, first hop to http -10,
  first hop to another host -5; http unreachable 0.
* Referrer-Policy: private value +5, unsafe value -5, invalid -5, absent 0.
* Strict-Transport-Security: absent, invalid, not on https or invalid certificate -20;
  ``max-age`` < 15768000 -10. The preload-list bonus (+5) needs Chrome's list and is
  not awarded.
* Subresource Integrity: external scripts without integrity -5, over http -50 (with
  integrity -20); all scripts with integrity +5.
* X-Content-Type-Options: missing or not ``nosniff`` -5.
* X-Frame-Options: CSP ``frame-ancestors`` +5, DENY/SAMEORIGIN/ALLOW-FROM 0, missing or
  invalid -20.
* Cross-Origin-Resource-Policy: same-origin/same-site +10, cross-origin or absent 0,
  invalid -5.

The Observatory also reads the HSTS preload list and parses ``<meta>`` CSP and
HTML errors; prodcheck does not, so its score can differ by those modifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.live.observations import HttpObservation, PageObservation, header_value

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15768000
_GRADE_CHART = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"),
    (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"),
)
_PRIVATE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
_UNSAFE_REFERRER = {"origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"}


@dataclass(frozen=True)
class HeaderTest:
    """The outcome of one Observatory test."""

    name: str
    result: str
    modifier: int
    description: str

    @property
    def passed(self) -> bool:
        """No penalty."""
        return self.modifier >= 0


@dataclass(frozen=True)
class HeaderGrade:
    """Score, letter and per-test outcomes."""

    score: int
    grade: str
    tests: tuple[HeaderTest, ...]

    def test(self, name: str) -> HeaderTest | None:
        """The outcome of the named test."""
        return next((t for t in self.tests if t.name == name), None)


def grade_for(score: int) -> str:
    """Observatory grade for a score (rounded down to a multiple of 5, capped at 100)."""
    score = max(score, 0)
    bucket = min(score - score % 5, 100)
    for floor, letter in _GRADE_CHART:
        if bucket >= floor:
            return letter
    return "F"


def parse_csp(value: str | None) -> dict[str, list[str]] | None:
    """Directive -> sources (lower-cased); the first occurrence of a directive wins, as in browsers."""
    if value is None:
        return None
    policy: dict[str, list[str]] = {}
    # Several CSP headers: judge the first (browsers enforce all, the first is usually the main one).
    first = value.split(",")[0]
    for part in first.split(";"):
        tokens = part.strip().split()
        if not tokens:
            continue
        name = tokens[0].lower()
        policy.setdefault(name, [t.lower() for t in tokens[1:]])
    return policy


def hsts_max_age(value: str | None) -> int | None:
    """``max-age`` of an HSTS header, None when absent or invalid."""
    if not value:
        return None
    for part in value.split(";"):
        key, _, val = part.strip().partition("=")
        if key.strip().lower() == "max-age":
            try:
                return int(val.strip().strip('"'))
            except ValueError:
                return None
    return None


def _csp(page: PageObservation, https: bool) -> HeaderTest:
    name = "content-security-policy"
    policy = parse_csp(page.header("content-security-policy"))
    if policy is None:
        return HeaderTest(name, "csp-not-implemented", -25, "Content-Security-Policy header not implemented")
    if not policy:
        return HeaderTest(name, "csp-header-invalid", -25, "Content-Security-Policy header cannot be parsed")
    default = policy.get("default-src")
    script = policy.get("script-src", default)
    obj = policy.get("object-src", default)
    style = policy.get("style-src", default)
    broad = {"*", "http:", "https:", "data:", "blob:"}

    def unsafe_inline(sources: list[str] | None) -> bool:
        if sources is None:
            return True
        has_nonce = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources)
        return ("'unsafe-inline'" in sources and not has_nonce) or bool(broad & set(sources))

    if unsafe_inline(script) or (obj is None or bool(broad & set(obj))):
        return HeaderTest(name, "csp-implemented-with-unsafe-inline", -20,
                          "CSP allows unsafe script/object sources or does not restrict them")
    every = [s for sources in policy.values() for s in sources]
    if https and any(s == "http:" or s.startswith("http://") for s in every):
        passive = all(
            not any(s == "http:" or s.startswith("http://") for s in srcs)
            for d, srcs in policy.items() if d not in ("img-src", "media-src")
        )
        if passive:
            return HeaderTest(name, "csp-implemented-with-insecure-scheme-in-passive-content-only", -10,
                              "CSP allows images or media over http")
        return HeaderTest(name, "csp-implemented-with-insecure-scheme", -20, "CSP allows resources over http")
    if script is not None and "'unsafe-eval'" in script:
        return HeaderTest(name, "csp-implemented-with-unsafe-eval", -10, "CSP allows 'unsafe-eval'")
    if unsafe_inline(style) and style is not None:
        return HeaderTest(name, "csp-implemented-with-unsafe-inline-in-style-src-only", 0,
                          "CSP allows unsafe sources in style-src only")
    if default == ["'none'"] and policy.get("form-action"):
        return HeaderTest(name, "csp-implemented-with-no-unsafe-default-src-none", 10,
                          "CSP with default-src 'none', no unsafe sources, form-action set")
    return HeaderTest(name, "csp-implemented-with-no-unsafe", 5, "CSP without unsafe sources")


def _hsts(page: PageObservation, https: bool, verify_error: str | None) -> HeaderTest:
    name = "strict-transport-security"
    if not https:
        return HeaderTest(name, "hsts-not-implemented-no-https", -20, "HSTS cannot be set without HTTPS")
    if verify_error:
        return HeaderTest(name, "hsts-invalid-cert", -20, "HSTS cannot work with an invalid certificate chain")
    value = page.header("strict-transport-security")
    if value is None:
        return HeaderTest(name, "hsts-not-implemented", -20, "Strict-Transport-Security header not implemented")
    age = hsts_max_age(value)
    if age is None:
        return HeaderTest(name, "hsts-header-invalid", -20, "Strict-Transport-Security header cannot be recognized")
    if age < SIX_MONTHS:
        return HeaderTest(name, "hsts-implemented-max-age-less-than-six-months", -10,
                          f"HSTS max-age {age} is less than six months")
    return HeaderTest(name, "hsts-implemented-max-age-at-least-six-months", 0, "HSTS set to at least six months")


def _cookies(page: PageObservation, hsts_ok: bool) -> HeaderTest:
    name = "cookies"
    if not page.cookies:
        return HeaderTest(name, "cookies-not-found", 0, "No cookies detected")
    # Worst outcome wins, in the Observatory's order of badness.
    order = [
        ("cookies-without-secure-flag-but-protected-by-hsts", -5),
        ("cookies-without-secure-flag", -20),
        ("cookies-session-without-secure-flag-but-protected-by-hsts", -10),
        ("cookies-samesite-flag-invalid", -20),
        ("cookies-anticsrf-without-samesite-flag", -20),
        ("cookies-session-without-httponly-flag", -30),
        ("cookies-session-without-secure-flag", -40),
    ]
    found: set[str] = set()
    missing_samesite = False
    for cookie in page.cookies:
        low = cookie.name.lower()
        session = "login" in low or "sess" in low
        if cookie.raw_samesite_invalid or (not cookie.secure and (cookie.samesite or "").lower() == "none"):
            found.add("cookies-samesite-flag-invalid")
        if not cookie.secure:
            found.add("cookies-without-secure-flag-but-protected-by-hsts" if hsts_ok else "cookies-without-secure-flag")
        if "csrf" in low and not cookie.samesite:
            found.add("cookies-anticsrf-without-samesite-flag")
        if session and not cookie.secure:
            found.add("cookies-session-without-secure-flag-but-protected-by-hsts" if hsts_ok
                      else "cookies-session-without-secure-flag")
        if session and not cookie.httponly:
            found.add("cookies-session-without-httponly-flag")
        if not cookie.samesite:
            missing_samesite = True
    worst = None
    for result, modifier in order:
        if result in found:
            worst = (result, modifier)
    if worst:
        return HeaderTest(name, worst[0], worst[1], worst[0].replace("-", " "))
    if missing_samesite:
        return HeaderTest(name, "cookies-secure-with-httponly-sessions", 0,
                          "All cookies Secure, session cookies HttpOnly; SameSite missing")
    return HeaderTest(name, "cookies-secure-with-httponly-sessions-and-samesite", 5,
                      "All cookies Secure, session cookies HttpOnly, SameSite set")


def _cors(obs: HttpObservation) -> HeaderTest:
    name = "cross-origin-resource-sharing"
    cors = obs.cors
    if cors is None:
        return HeaderTest(name, "cross-origin-resource-sharing-not-implemented", 0, "CORS not observed")
    for headers in (cors.simple_headers, cors.preflight_headers):
        acao = header_value(headers, "access-control-allow-origin")
        acac = (header_value(headers, "access-control-allow-credentials") or "").strip().lower()
        if acao and acao.strip() == cors.origin and acac == "true":
            return HeaderTest(name, "cross-origin-resource-sharing-implemented-with-universal-access", -50,
                              "Any origin is reflected with credentials allowed")
    acao = header_value(cors.simple_headers, "access-control-allow-origin")
    if acao is None:
        return HeaderTest(name, "cross-origin-resource-sharing-not-implemented", 0, "Content not visible via CORS")
    if acao.strip() == "*":
        return HeaderTest(name, "cross-origin-resource-sharing-implemented-with-public-access", 0,
                          "Public content visible via CORS")
    return HeaderTest(name, "cross-origin-resource-sharing-implemented-with-restricted-access", 0,
                      "CORS restricted to specific origins")


def _redirection(obs: HttpObservation) -> HeaderTest:
    name = "redirection"
    leg = obs.http if obs.http is not None else obs.page
    if leg.error and not leg.hops:
        return HeaderTest(name, "redirection-not-needed-no-http", 0, "Not reachable over http: no redirect needed")
    hops = leg.hops
    if not hops or hops[0].scheme != "http":
        return HeaderTest(name, "redirection-to-https", 0, "Scanned over https")
    if len(hops) == 1:
        return HeaderTest(name, "redirection-missing", -20, "Does not redirect to an HTTPS site")
    final = hops[-1]
    if final.scheme != "https":
        return HeaderTest(name, "redirection-not-to-https", -20, "Redirects, but the final URL is not https")
    second = hops[1]
    if second.scheme != "https":
        return HeaderTest(name, "redirection-not-to-https-on-initial-redirection", -10,
                          "Initial redirect goes to another http URL")
    if second.host != hops[0].host:
        return HeaderTest(name, "redirection-off-host-from-http", -5, "Initial redirect to https changes host")
    return HeaderTest(name, "redirection-to-https", 0, "Initial redirect is to https on the same host")


def _referrer(page: PageObservation) -> HeaderTest:
    name = "referrer-policy"
    value = page.header("referrer-policy")
    if value is None:
        return HeaderTest(name, "referrer-policy-not-implemented", 0, "Referrer-Policy header not implemented")
    tokens = [t.strip().lower() for t in value.split(",") if t.strip()]
    known = [t for t in tokens if t in _PRIVATE_REFERRER | _UNSAFE_REFERRER]
    if not known:
        return HeaderTest(name, "referrer-policy-header-invalid", -5, "Referrer-Policy cannot be recognized")
    if known[-1] in _PRIVATE_REFERRER:  # browsers use the last policy they understand
        return HeaderTest(name, "referrer-policy-private", 5, f"Referrer-Policy {known[-1]}")
    return HeaderTest(name, "referrer-policy-unsafe", -5, f"Referrer-Policy set unsafely to {known[-1]}")


def _sri(obs: HttpObservation) -> HeaderTest:
    name = "subresource-integrity"
    if not obs.is_html:
        return HeaderTest(name, "sri-not-implemented-response-not-html", 0, "SRI only applies to HTML")
    if not obs.scripts:
        return HeaderTest(name, "sri-not-implemented-but-no-scripts-loaded", 0, "No script tags")
    external = [s for s in obs.scripts if not s.same_origin]
    if not external:
        if all(s.integrity for s in obs.scripts):
            return HeaderTest(name, "sri-implemented-and-all-scripts-loaded-securely", 5,
                              "SRI on all scripts, all from the same origin")
        return HeaderTest(name, "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0,
                          "All scripts from the same origin")
    insecure = [s for s in external if not s.secure]
    with_sri = all(s.integrity for s in external)
    if insecure:
        if with_sri:
            return HeaderTest(name, "sri-implemented-but-external-scripts-not-loaded-securely", -20,
                              "External scripts loaded over http")
        return HeaderTest(name, "sri-not-implemented-and-external-scripts-not-loaded-securely", -50,
                          "External scripts over http without SRI")
    if with_sri:
        return HeaderTest(name, "sri-implemented-and-external-scripts-loaded-securely", 5,
                          "SRI on all external scripts")
    return HeaderTest(name, "sri-not-implemented-but-external-scripts-loaded-securely", -5,
                      "External scripts without SRI")


def _xcto(page: PageObservation) -> HeaderTest:
    name = "x-content-type-options"
    value = page.header("x-content-type-options")
    if value is None:
        return HeaderTest(name, "x-content-type-options-not-implemented", -5, "X-Content-Type-Options missing")
    if value.strip().lower() != "nosniff":
        return HeaderTest(name, "x-content-type-options-header-invalid", -5, "X-Content-Type-Options invalid")
    return HeaderTest(name, "x-content-type-options-nosniff", 0, "X-Content-Type-Options nosniff")


def _xfo(page: PageObservation) -> HeaderTest:
    name = "x-frame-options"
    policy = parse_csp(page.header("content-security-policy")) or {}
    if "frame-ancestors" in policy:
        return HeaderTest(name, "x-frame-options-implemented-via-csp", 5, "Framing controlled by frame-ancestors")
    value = page.header("x-frame-options")
    if value is None:
        return HeaderTest(name, "x-frame-options-not-implemented", -20, "X-Frame-Options missing")
    low = value.strip().lower()
    if low in ("deny", "sameorigin"):
        return HeaderTest(name, "x-frame-options-sameorigin-or-deny", 0, f"X-Frame-Options {value.strip()}")
    if low.startswith("allow-from"):
        return HeaderTest(name, "x-frame-options-allow-from-origin", 0, "X-Frame-Options ALLOW-FROM")
    return HeaderTest(name, "x-frame-options-header-invalid", -20, "X-Frame-Options cannot be recognized")


def _corp(page: PageObservation) -> HeaderTest:
    name = "cross-origin-resource-policy"
    value = page.header("cross-origin-resource-policy")
    if value is None:
        return HeaderTest(name, "corp-not-implemented", 0, "CORP not implemented (defaults to cross-origin)")
    low = value.strip().lower()
    if low in ("same-origin", "same-site"):
        return HeaderTest(name, f"corp-implemented-with-{low}", 10, f"CORP {low}")
    if low == "cross-origin":
        return HeaderTest(name, "corp-implemented-with-cross-origin", 0, "CORP cross-origin")
    return HeaderTest(name, "corp-header-invalid", -5, "CORP cannot be recognized")


def grade_headers(obs: HttpObservation, *, https: bool) -> HeaderGrade:
    """Score the final response of the page the way the Observatory does."""
    page = obs.page
    final_https = (page.final_url or page.url).lower().startswith("https://")
    https = https or final_https
    hsts = _hsts(page, https, obs.verify_error)
    tests = (
        _csp(page, https), _cookies(page, hsts.passed and hsts.modifier == 0 and https), _cors(obs),
        _redirection(obs), _referrer(page), hsts, _sri(obs), _xcto(page), _xfo(page), _corp(page),
    )
    uncurved = 100 + sum(t.modifier for t in tests if t.modifier < 0)
    with_bonus = 100 + sum(t.modifier for t in tests)
    score = max(with_bonus if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved, 0)
    return HeaderGrade(score=score, grade=grade_for(score), tests=tests)
