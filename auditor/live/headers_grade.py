"""Header grade following the MDN HTTP Observatory's published scoring, as a table of rules.

Sources (mdn/mdn-http-observatory): ``src/grader/charts.js`` (``SCORE_TABLE``:
one modifier per result, ``GRADE_CHART``, ``MINIMUM_SCORE_FOR_EXTRA_CREDIT``),
``src/scanner/index.js`` (baseline 100, the ten tests in this order; penalties
always count, bonuses only when the score without them is >= 90),
``src/grader/grader.js`` (floor 0; grade at the score rounded down to a
multiple of 5, capped at 100) and ``src/analyzer/tests/*.js`` (how each test
picks its result). :data:`SCORE_TABLE` below is that table; each test function
cites the analyzer file whose decision order it follows.

Deliberate differences, each repeated in the finding text where it applies:

* CORS: an echoed foreign ``Origin`` with ``Access-Control-Allow-Credentials:
  true`` costs -50 (cross-origin-resource-sharing-implemented-with-universal-access),
  as the published table says. The Observatory's code reads the ``Origin`` it
  sent from the response's request object, where it is not found, so in
  practice it never awards this result.
* HSTS: a non-numeric ``max-age`` is invalid (-20, the table's "cannot be
  recognized"); the code's ``parseInt`` would credit it (see ``auditor.live.hsts``).
* ``frame-ancestors`` in a ``<meta>`` CSP is ignored, as browsers ignore it;
  the Observatory's X-Frame-Options test credits it (+5).
* No HSTS preload list: hsts-preloaded (+5) and
  redirection-all-redirects-preloaded are never awarded.
* Registrable domains for Subresource Integrity are approximated by the last
  two host labels (the Observatory uses the Public Suffix List).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from auditor.live.csp import CspInvalid, ParsedCsp, parse_policies, split_policies, strip_meta_only
from auditor.live.hsts import NON_NUMERIC_NOTE, SIX_MONTHS, HstsPolicy, parse_hsts
from auditor.live.observations import (
    CookieObservation,
    HttpObservation,
    PageObservation,
    header_value,
    header_values,
)

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90  # charts.js
# charts.js GRADE_CHART: score bucket (multiple of 5) -> letter.
_GRADE_CHART = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+"), (50, "C"),
    (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"),
)

# charts.js SCORE_TABLE: result -> (modifier, description). Every result a test can return is here.
SCORE_TABLE: dict[str, tuple[int, str]] = {
    # Content Security Policy (analyzer/tests/csp.js)
    "csp-implemented-with-no-unsafe-default-src-none": (10, "CSP with default-src 'none' and no unsafe sources"),
    "csp-implemented-with-no-unsafe": (5, "CSP without 'unsafe-inline' or 'unsafe-eval'"),
    "csp-implemented-with-unsafe-inline-in-style-src-only": (0, "CSP with unsafe sources inside style-src only"),
    "csp-implemented-with-insecure-scheme-in-passive-content-only": (
        -10, "CSP allows images or media to be loaded over HTTP"),
    "csp-implemented-with-unsafe-eval": (-10, "CSP allows 'unsafe-eval'"),
    "csp-implemented-with-unsafe-inline": (
        -20, "CSP implemented unsafely ('unsafe-inline' or data: in script-src, overly broad sources in "
             "script-src or object-src, or object-src/script-src not restricted)"),
    "csp-implemented-with-insecure-scheme": (-20, "CSP allows resources to be loaded over HTTP"),
    "csp-implemented-but-duplicate-directives": (0, "CSP implemented, but contains duplicate directives"),
    "csp-header-invalid": (-25, "Content-Security-Policy cannot be parsed successfully"),
    "csp-not-implemented": (-25, "Content-Security-Policy not implemented"),
    "csp-not-implemented-but-reporting-enabled": (
        -25, "CSP only in Content-Security-Policy-Report-Only (reporting, not enforced)"),
    # Cookies (analyzer/tests/cookies.js)
    "cookies-secure-with-httponly-sessions-and-samesite": (
        5, "All cookies Secure, session cookies HttpOnly, SameSite set"),
    "cookies-secure-with-httponly-sessions": (0, "All cookies Secure and session cookies HttpOnly; SameSite missing"),
    "cookies-not-found": (0, "No cookies detected"),
    "cookies-without-secure-flag-but-protected-by-hsts": (-5, "Cookies without Secure, but HSTS prevents http"),
    "cookies-session-without-secure-flag-but-protected-by-hsts": (
        -10, "Session cookie without Secure, but HSTS prevents http"),
    "cookies-without-secure-flag": (-20, "Cookies set without the Secure flag or over HTTP"),
    "cookies-samesite-flag-invalid": (-20, "Cookie SameSite set to something other than Strict, Lax or None "
                                            "(or None without Secure)"),
    "cookies-anticsrf-without-samesite-flag": (-20, "Anti-CSRF token set without SameSite"),
    "cookies-session-without-httponly-flag": (-30, "Session cookie set without HttpOnly"),
    "cookies-session-without-secure-flag": (-40, "Session cookie set without Secure or over HTTP"),
    # CORS (analyzer/tests/cors.js)
    "cross-origin-resource-sharing-not-implemented": (0, "Content not visible via CORS"),
    "cross-origin-resource-sharing-implemented-with-public-access": (0, "Public content visible via CORS (*)"),
    "cross-origin-resource-sharing-implemented-with-restricted-access": (0, "CORS restricted to specific origins"),
    "cross-origin-resource-sharing-implemented-with-universal-access": (
        -50, "Any origin is reflected with credentials allowed"),
    # Redirection (analyzer/tests/redirection.js)
    "redirection-to-https": (0, "Initial redirect is to https on the same host, final destination https"),
    "redirection-not-needed-no-http": (0, "Not reachable over http: no redirect needed"),
    "redirection-off-host-from-http": (-5, "Initial redirect from http to https goes to another host"),
    "redirection-not-to-https-on-initial-redirection": (-10, "Initial redirect goes to another http URL"),
    "redirection-not-to-https": (-20, "Redirects, but the final destination is not https"),
    "redirection-missing": (-20, "Does not redirect to an https site"),
    "redirection-invalid-cert": (-20, "Invalid certificate chain encountered during redirection"),
    # Referrer Policy (analyzer/tests/referrer-policy.js)
    "referrer-policy-private": (5, "Referrer-Policy keeps full URLs private"),
    "referrer-policy-not-implemented": (0, "Referrer-Policy not implemented"),
    "referrer-policy-unsafe": (-5, "Referrer-Policy set unsafely"),
    "referrer-policy-header-invalid": (-5, "Referrer-Policy cannot be recognized"),
    # HSTS (analyzer/tests/strict-transport-security.js)
    "hsts-implemented-max-age-at-least-six-months": (0, "HSTS set to at least six months (15552000 s)"),
    "hsts-implemented-max-age-less-than-six-months": (-10, "HSTS max-age is less than six months (15552000 s)"),
    "hsts-not-implemented": (-20, "Strict-Transport-Security not implemented"),
    "hsts-header-invalid": (-20, "Strict-Transport-Security cannot be recognized"),
    "hsts-not-implemented-no-https": (-20, "HSTS cannot be set for sites not available over https"),
    "hsts-invalid-cert": (-20, "HSTS cannot work: the site's certificate chain is invalid"),
    # Subresource Integrity (analyzer/tests/subresource-integrity.js)
    "sri-implemented-and-all-scripts-loaded-securely": (5, "SRI implemented, all scripts from a similar origin"),
    "sri-implemented-and-external-scripts-loaded-securely": (5, "SRI implemented, all scripts loaded securely"),
    "sri-not-implemented-response-not-html": (0, "SRI only applies to HTML"),
    "sri-not-implemented-but-no-scripts-loaded": (0, "No script tags"),
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": (
        0, "SRI not implemented, but all scripts from a similar origin"),
    "sri-not-implemented-but-external-scripts-loaded-securely": (-5, "External scripts without SRI (over https)"),
    "sri-implemented-but-external-scripts-not-loaded-securely": (
        -20, "SRI implemented, but external scripts loaded over http or protocol-relative"),
    "sri-not-implemented-and-external-scripts-not-loaded-securely": (
        -50, "External scripts over http or protocol-relative, without SRI"),
    # X-Content-Type-Options (analyzer/tests/x-content-type-options.js)
    "x-content-type-options-nosniff": (0, "X-Content-Type-Options nosniff"),
    "x-content-type-options-not-implemented": (-5, "X-Content-Type-Options not implemented"),
    "x-content-type-options-header-invalid": (-5, "X-Content-Type-Options cannot be recognized"),
    # X-Frame-Options (analyzer/tests/x-frame-options.js)
    "x-frame-options-implemented-via-csp": (5, "Framing controlled by CSP frame-ancestors"),
    "x-frame-options-sameorigin-or-deny": (0, "X-Frame-Options SAMEORIGIN or DENY"),
    "x-frame-options-allow-from-origin": (0, "X-Frame-Options ALLOW-FROM"),
    "x-frame-options-not-implemented": (-20, "X-Frame-Options not implemented"),
    "x-frame-options-header-invalid": (-20, "X-Frame-Options cannot be recognized"),
    # Cross-Origin-Resource-Policy (analyzer/tests/cross-origin-resource-policy.js)
    "corp-implemented-with-same-origin": (10, "CORP same-origin"),
    "corp-implemented-with-same-site": (10, "CORP same-site"),
    "corp-implemented-with-cross-origin": (0, "CORP cross-origin"),
    "corp-not-implemented": (0, "CORP not implemented (defaults to cross-origin)"),
    "corp-header-invalid": (-5, "CORP cannot be recognized"),
}

# Where prodcheck follows the published table and the Observatory's code does not.
CORS_CREDENTIALS_NOTE = (
    "prodcheck follows the Observatory's published table (-50); its code never reads back the Origin it sent, "
    "so the Observatory itself scores this 0"
)
META_FRAME_ANCESTORS_NOTE = (
    "frame-ancestors in a <meta> CSP is ignored by browsers and not credited (the Observatory credits it)"
)


@dataclass(frozen=True)
class HeaderTest:
    """The outcome of one Observatory test: its result id, the table's modifier and a description."""

    name: str
    result: str
    modifier: int
    description: str
    note: str = ""  # where prodcheck deliberately differs from the Observatory, or extra context

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


@dataclass(frozen=True)
class _Context:
    """What every test may look at, computed once."""

    obs: HttpObservation
    page: PageObservation
    https: bool  # the final page was served over https
    cert_valid: bool  # the https certificate is trusted, matches and is within its dates
    hsts: HstsPolicy
    csp: ParsedCsp | None  # None: no policy at all
    csp_error: str | None  # the CSP could not be parsed
    csp_http_only: ParsedCsp | None  # the header policies alone (frame-ancestors)
    meta_frame_ancestors: bool

    def equiv(self, name: str) -> list[str]:
        """Values a ``<meta>`` tag gave for ``name``."""
        return header_values(self.obs.meta_http_equiv, name)


def _result(name: str, result: str, note: str = "") -> HeaderTest:
    modifier, description = SCORE_TABLE[result]
    return HeaderTest(name, result, modifier, description, note)


# --------------------------------------------------------------------------- CSP (csp.js)

# Sources csp.js calls dangerously broad, and those it calls unsafe-inline. blob: is neither.
DANGEROUSLY_BROAD = frozenset({"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"})
UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
_NONCE_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
_PASSIVE = ("img-src", "media-src")


def _has_nonce_or_hash(sources: set[str]) -> bool:
    return any(s.startswith(_NONCE_HASH) for s in sources)


def _csp(ctx: _Context) -> HeaderTest:
    name = "content-security-policy"
    if ctx.csp_error:
        return _result(name, "csp-header-invalid", ctx.csp_error)
    csp = ctx.csp
    if csp is None:
        if ctx.page.header("content-security-policy-report-only"):
            return _result(name, "csp-not-implemented-but-reporting-enabled")
        return _result(name, "csp-not-implemented")
    star = ("*",)
    default = csp.get("default-src")
    script = set(csp.get("script-src") or default or star)
    obj = set(csp.get("object-src") or default or star)
    # A missing style-src falls back to default-src, then to * (csp.js), so it counts as unsafe in style-src.
    style = set(csp.get("style-src") or default or star)
    result: str | None = None
    note = ""
    for sources in (script, style):
        if _has_nonce_or_hash(sources):
            sources.discard("'unsafe-inline'")  # browsers ignore 'unsafe-inline' next to a nonce or hash
    if "'strict-dynamic'" in script:
        if _has_nonce_or_hash(script):
            # With a nonce/hash, 'strict-dynamic' makes browsers ignore host and scheme sources and 'self'.
            script = {s for s in script if s not in ("'self'", "'unsafe-inline'")
                      and not any(s.startswith(b) for b in DANGEROUSLY_BROAD)}
            note = "'strict-dynamic' with a nonce or hash: host, scheme and 'unsafe-inline' sources are ignored"
        else:
            result = "csp-header-invalid"
            note = "'strict-dynamic' without a nonce or hash blocks every script"
    active = [s for d, srcs in csp.directives.items() if d not in (*_PASSIVE, "script-src") for s in srcs]
    active += list(script)
    passive = [s for d in _PASSIVE for s in (csp.get(d) or default or ())]

    def insecure(sources: list[str]) -> bool:
        return any(s.startswith(("http:", "ftp:")) for s in sources)

    checks: tuple[tuple[bool, str], ...] = (
        (bool(script & (DANGEROUSLY_BROAD | UNSAFE_INLINE)) or bool(obj & DANGEROUSLY_BROAD),
         "csp-implemented-with-unsafe-inline"),
        (ctx.https and insecure(active), "csp-implemented-with-insecure-scheme"),
        ("'unsafe-eval'" in script | style, "csp-implemented-with-unsafe-eval"),
        (ctx.https and insecure(passive), "csp-implemented-with-insecure-scheme-in-passive-content-only"),
        (bool(style & (DANGEROUSLY_BROAD | UNSAFE_INLINE)), "csp-implemented-with-unsafe-inline-in-style-src-only"),
        (default == ("'none'",), "csp-implemented-with-no-unsafe-default-src-none"),
        (True, "csp-implemented-with-no-unsafe"),
    )
    if result is None:
        result = next(r for hit, r in checks if hit)
    if result in ("csp-implemented-with-no-unsafe", "csp-implemented-with-no-unsafe-default-src-none",
                  "csp-implemented-with-unsafe-inline-in-style-src-only",
                  "csp-implemented-with-insecure-scheme-in-passive-content-only") and csp.duplicate_warnings:
        result = "csp-implemented-but-duplicate-directives"
        note = f"duplicate {', '.join(csp.duplicate_warnings)}"
    return _result(name, result, note)


def _parse_csp(obs: HttpObservation) -> tuple[ParsedCsp | None, str | None, ParsedCsp | None]:
    """(combined policy, parse error, header-only policy) from the headers and <meta> tags."""
    header_policies = split_policies(header_values(obs.page.headers, "content-security-policy"))
    meta_policies = split_policies(header_values(obs.meta_http_equiv, "content-security-policy"))
    if not header_policies and not meta_policies:
        return None, None, None
    try:
        header_only = parse_policies(header_policies)
        parse_policies(meta_policies)  # a broken meta policy makes the CSP invalid, as in csp.js
        # Browsers ignore frame-ancestors, report-uri and sandbox in <meta> (HTML standard).
        meta = [p for p in (strip_meta_only(p) for p in meta_policies) if p]
        combined = parse_policies([*header_policies, *meta])
    except CspInvalid as exc:
        return None, str(exc), None
    if not combined.directives:
        return None, None, None  # a meta tag with only disallowed directives: not implemented (csp.js)
    return combined, None, header_only


# --------------------------------------------------------------------------- cookies (cookies.js)

_COOKIE_ORDER = (  # cookies.js "goodness": later is worse; the worst result found wins
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)


def _domain_matches(host: str, domain: str) -> bool:
    """RFC 6265 5.1.3 domain-match of a request host against a cookie's Domain attribute."""
    domain = domain.strip().lstrip(".").lower()
    host = host.lower()
    if not domain:
        return True
    if host == domain:
        return True
    if _is_ip(host):
        return False
    return host.endswith("." + domain)


def browser_rejects(cookie: CookieObservation, hosts: tuple[str, ...]) -> str | None:
    """Why a browser would drop this cookie (a foreign Domain, a broken prefix), else None."""
    if cookie.domain and not any(_domain_matches(h, cookie.domain) for h in hosts):
        return f"Domain={cookie.domain} does not cover {', '.join(dict.fromkeys(hosts))}"
    if cookie.prefix and not cookie.secure:
        return f"{cookie.prefix} prefix without Secure"
    if cookie.prefix == "__Host-" and (cookie.domain or (cookie.path or "/") != "/"):
        return "__Host- prefix with a Domain or a Path other than /"
    return None


def graded_cookies(page: PageObservation) -> tuple[list[CookieObservation], list[tuple[str, str]]]:
    """(cookies a browser keeps, (name, reason) of those it rejects): only kept ones are graded."""
    hosts = tuple(h.host for h in page.hops) or ((urlsplit(page.url).hostname or ""),)
    kept, rejected = [], []
    for cookie in page.cookies:
        reason = browser_rejects(cookie, hosts)
        if reason:
            rejected.append((cookie.name, reason))
        else:
            kept.append(cookie)
    return kept, rejected


def _cookies(ctx: _Context) -> HeaderTest:
    name = "cookies"
    kept, rejected = graded_cookies(ctx.page)
    note = "; ".join(f"{n!r} not graded: a browser rejects it ({why})" for n, why in rejected)
    if not kept:
        return _result(name, "cookies-not-found", note)
    hsts_ok = _hsts(ctx).result == "hsts-implemented-max-age-at-least-six-months"
    found: set[str] = set()
    missing_samesite = False
    for cookie in kept:
        low = cookie.name.lower()
        session = "login" in low or "sess" in low
        secure = cookie.secure
        if cookie.raw_samesite_invalid or (not cookie.secure and (cookie.samesite or "").lower() == "none"):
            found.add("cookies-samesite-flag-invalid")
        if not secure:
            found.add("cookies-without-secure-flag-but-protected-by-hsts" if hsts_ok else "cookies-without-secure-flag")
        if "csrf" in low and not cookie.samesite:
            found.add("cookies-anticsrf-without-samesite-flag")
        if session and not secure:
            found.add("cookies-session-without-secure-flag-but-protected-by-hsts" if hsts_ok
                      else "cookies-session-without-secure-flag")
        if session and not cookie.httponly:
            found.add("cookies-session-without-httponly-flag")
        if not cookie.samesite:
            missing_samesite = True
    worst = [r for r in _COOKIE_ORDER if r in found]
    if worst:
        return _result(name, worst[-1], note)
    if missing_samesite:
        return _result(name, "cookies-secure-with-httponly-sessions", note)
    return _result(name, "cookies-secure-with-httponly-sessions-and-samesite", note)


# --------------------------------------------------------------------------- CORS (cors.js)

def _cors(ctx: _Context) -> HeaderTest:
    name = "cross-origin-resource-sharing"
    cors = ctx.obs.cors
    if cors is None:
        return _result(name, "cross-origin-resource-sharing-not-implemented")
    for headers in (cors.preflight_headers, cors.simple_headers):
        acao = (header_value(headers, "access-control-allow-origin") or "").strip()
        acac = (header_value(headers, "access-control-allow-credentials") or "").strip().lower()
        if acao and acao != "*" and acao == cors.origin and acac == "true":
            return _result(name, "cross-origin-resource-sharing-implemented-with-universal-access",
                           CORS_CREDENTIALS_NOTE)
    allowed = header_value(cors.preflight_headers, "access-control-allow-origin") or header_value(
        cors.simple_headers, "access-control-allow-origin")
    if allowed is None:
        return _result(name, "cross-origin-resource-sharing-not-implemented")
    if allowed.strip() == "*":
        return _result(name, "cross-origin-resource-sharing-implemented-with-public-access")
    return _result(name, "cross-origin-resource-sharing-implemented-with-restricted-access")


# --------------------------------------------------------------------------- redirection (redirection.js)

def _redirection(ctx: _Context) -> HeaderTest:
    name = "redirection"
    obs = ctx.obs
    leg = obs.http if obs.http is not None else obs.page
    if leg.error and not leg.hops:
        return _result(name, "redirection-not-needed-no-http")
    hops = leg.hops
    if not hops or hops[0].scheme != "http":
        return _result(name, "redirection-to-https", "scanned over https; no http leg observed")
    if not ctx.cert_valid and any(h.scheme == "https" for h in hops):
        return _result(name, "redirection-invalid-cert", "the http redirect lands on an invalid certificate")
    if len(hops) == 1:
        return _result(name, "redirection-missing")
    if hops[-1].scheme != "https":
        return _result(name, "redirection-not-to-https")
    if hops[1].scheme == "http":
        return _result(name, "redirection-not-to-https-on-initial-redirection")
    if hops[1].host != hops[0].host:
        return _result(name, "redirection-off-host-from-http")
    return _result(name, "redirection-to-https")


# --------------------------------------------------------------------------- referrer (referrer-policy.js)

_PRIVATE_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
_UNSAFE_REFERRER = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def referrer_policy_value(page: PageObservation, meta: tuple[tuple[str, str], ...]) -> str | None:
    """The header and ``<meta name=referrer>`` values joined; the meta tag comes last and wins."""
    values = [*header_values(page.headers, "referrer-policy"), *header_values(meta, "referrer-policy")]
    return ", ".join(values) if values else None


def effective_referrer_policy(value: str | None) -> str | None:
    """The last recognised token, as browsers and the Observatory take it."""
    tokens = [t.strip().lower() for t in (value or "").split(",")]
    known = [t for t in tokens if t in _PRIVATE_REFERRER + _UNSAFE_REFERRER]
    return known[-1] if known else None


def _referrer(ctx: _Context) -> HeaderTest:
    name = "referrer-policy"
    value = referrer_policy_value(ctx.page, ctx.obs.meta_http_equiv)
    if value is None:
        return _result(name, "referrer-policy-not-implemented")
    policy = effective_referrer_policy(value)
    note = "set in a <meta name=referrer> tag" if ctx.equiv("referrer-policy") else ""
    if policy in _PRIVATE_REFERRER:
        return _result(name, "referrer-policy-private", note)
    if policy in _UNSAFE_REFERRER:
        return _result(name, "referrer-policy-unsafe", note or f"policy {policy}")
    return _result(name, "referrer-policy-header-invalid", note)


# --------------------------------------------------------------------------- HSTS (strict-transport-security.js)

def _hsts(ctx: _Context) -> HeaderTest:
    name = "strict-transport-security"
    if not ctx.https:
        return _result(name, "hsts-not-implemented-no-https")
    if not ctx.cert_valid:
        return _result(name, "hsts-invalid-cert", "browsers ignore HSTS received over an invalid certificate")
    policy = ctx.hsts
    if not policy.present:
        return _result(name, "hsts-not-implemented")
    if not policy.valid or policy.max_age is None:
        return _result(name, "hsts-header-invalid", policy.error or "")
    if policy.max_age < SIX_MONTHS:
        return _result(name, "hsts-implemented-max-age-less-than-six-months", f"max-age {policy.max_age}")
    return _result(name, "hsts-implemented-max-age-at-least-six-months", f"max-age {policy.max_age}")


# --------------------------------------------------------------------------- SRI (subresource-integrity.js)

def _site(host: str) -> str:
    """Registrable domain, approximated by the last two labels (the Observatory uses the PSL)."""
    host = host.lower().rstrip(".")
    if _is_ip(host):
        return host
    return ".".join(host.split(".")[-2:])


_SRI_ORDER = (  # subresource-integrity.js "goodness": later is worse
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
)


def script_is_external(src: str, page_url: str) -> bool:
    """The Observatory's "foreign origin": protocol-relative, or a full URL on another registrable domain.

    A script on the page's own host (or site) is not external even over http;
    that is an insecure scheme, judged by the scheme, not by the origin.
    """
    src = src.strip()
    if src.startswith("//") and not src.startswith("///"):
        return True
    if src.lower().startswith(("http://", "https://")):
        return _site(urlsplit(src).hostname or "") != _site(urlsplit(page_url).hostname or "")
    return False


def _sri(ctx: _Context) -> HeaderTest:
    name = "subresource-integrity"
    if not ctx.obs.is_html:
        return _result(name, "sri-not-implemented-response-not-html")
    scripts = ctx.obs.scripts
    if not scripts:
        return _result(name, "sri-not-implemented-but-no-scripts-loaded")
    page_url = ctx.page.final_url or ctx.page.url
    result: str | None = None
    foreign = False

    def worse(new: str) -> None:
        nonlocal result
        if result is None or _SRI_ORDER.index(new) > _SRI_ORDER.index(result):
            result = new

    for script in scripts:
        src = script.src.strip()
        relative = not src.lower().startswith(("http://", "https://")) and not src.startswith("//")
        secure_scheme = src.lower().startswith("https://") or (relative and ctx.https)
        if script_is_external(src, page_url):
            foreign = True
            if script.integrity and not secure_scheme:
                worse("sri-implemented-but-external-scripts-not-loaded-securely")
            elif not script.integrity and secure_scheme:
                worse("sri-not-implemented-but-external-scripts-loaded-securely")
            elif not script.integrity:
                worse("sri-not-implemented-and-external-scripts-not-loaded-securely")
        elif script.integrity and secure_scheme and result is None:
            result = "sri-implemented-and-all-scripts-loaded-securely"
    if result is None:
        result = ("sri-implemented-and-external-scripts-loaded-securely" if foreign
                  else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin")
    return _result(name, result)


# --------------------------------------------------------------------------- simple headers

def _xcto(ctx: _Context) -> HeaderTest:
    name = "x-content-type-options"
    value = ctx.page.header("x-content-type-options")
    if value is None:
        return _result(name, "x-content-type-options-not-implemented")
    if value.strip().lower() != "nosniff":
        return _result(name, "x-content-type-options-header-invalid")
    return _result(name, "x-content-type-options-nosniff")


def _xfo(ctx: _Context) -> HeaderTest:
    name = "x-frame-options"
    if ctx.csp_http_only is not None and "frame-ancestors" in ctx.csp_http_only.directives:
        return _result(name, "x-frame-options-implemented-via-csp")
    note = META_FRAME_ANCESTORS_NOTE if ctx.meta_frame_ancestors else ""
    value = header_values(ctx.page.headers, "x-frame-options")
    if not value:
        return _result(name, "x-frame-options-not-implemented", note)
    low = value[0].strip().lower()
    if low in ("deny", "sameorigin"):
        return _result(name, "x-frame-options-sameorigin-or-deny", note)
    if low.startswith("allow-from"):
        return _result(name, "x-frame-options-allow-from-origin", note)
    return _result(name, "x-frame-options-header-invalid", note)


def _corp(ctx: _Context) -> HeaderTest:
    name = "cross-origin-resource-policy"
    values = header_values(ctx.page.headers, "cross-origin-resource-policy")
    if not values:
        return _result(name, "corp-not-implemented")
    low = values[0].strip().lower()
    table = {"same-origin": "corp-implemented-with-same-origin", "same-site": "corp-implemented-with-same-site",
             "cross-origin": "corp-implemented-with-cross-origin"}
    return _result(name, table.get(low, "corp-header-invalid"))


# scanner/index.js allTests, in its order.
TESTS: tuple[Callable[[_Context], HeaderTest], ...] = (
    _csp, _cookies, _cors, _redirection, _referrer, _hsts, _sri, _xcto, _xfo, _corp,
)


# --------------------------------------------------------------------------- grading

def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def certificate_valid(obs: HttpObservation, tls: Any = None) -> bool:
    """The https certificate is one a browser accepts: no verification error, trusted, matching, in date."""
    if obs.verify_error:
        return False
    cert = getattr(tls, "certificate", None) if tls is not None and not getattr(tls, "error", None) else None
    if cert is None:
        return True  # nothing known against it: the HTTP probe verified the chain
    return bool(cert.trusted and cert.hostname_matches and not cert.self_signed and cert.days_left >= 0
                and not getattr(cert, "not_yet_valid", False))


def grade_headers(obs: HttpObservation, *, https: bool, tls: Any = None) -> HeaderGrade:
    """Score the final response of the page the way the Observatory does.

    ``tls`` (the target's TLS observation, optional) tells whether the
    certificate is valid when the HTTP probe could not (it retries unverified).
    """
    page = obs.page
    final_https = (page.final_url or page.url).lower().startswith("https://")
    csp, csp_error, header_only = _parse_csp(obs)
    meta_fa = any("frame-ancestors" in p.lower() for p in header_values(obs.meta_http_equiv,
                                                                        "content-security-policy"))
    ctx = _Context(
        obs=obs, page=page, https=https or final_https, cert_valid=certificate_valid(obs, tls),
        hsts=parse_hsts(page.header("strict-transport-security")), csp=csp, csp_error=csp_error,
        csp_http_only=header_only, meta_frame_ancestors=meta_fa,
    )
    tests = tuple(test(ctx) for test in TESTS)
    uncurved = 100 + sum(t.modifier for t in tests if t.modifier < 0)
    with_bonus = 100 + sum(t.modifier for t in tests)
    score = max(with_bonus if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved, 0)
    return HeaderGrade(score=score, grade=grade_for(score), tests=tests)


def grade_target_headers(target: Any) -> HeaderGrade | None:
    """The header grade of a live target (None when no HTTP observation was recorded)."""
    http = getattr(target, "http", None)
    if http is None:
        return None
    return grade_headers(http, https=bool(getattr(target, "is_https", False)), tls=getattr(target, "tls", None))


__all__ = ["CORS_CREDENTIALS_NOTE", "MINIMUM_SCORE_FOR_EXTRA_CREDIT", "NON_NUMERIC_NOTE", "SCORE_TABLE",
           "SIX_MONTHS", "HeaderGrade", "HeaderTest", "browser_rejects", "certificate_valid",
           "effective_referrer_policy", "grade_for", "grade_headers", "grade_target_headers", "graded_cookies",
           "referrer_policy_value", "script_is_external"]
