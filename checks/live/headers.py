"""Security header checks: one check per header so each missing header is its own item."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.live.headers_grade import (
    CORS_CREDENTIALS_NOTE,
    NON_NUMERIC_NOTE,
    SIX_MONTHS,
    HeaderGrade,
    HeaderTest,
    effective_referrer_policy,
    grade_target_headers,
    graded_cookies,
    referrer_policy_value,
    script_is_external,
)
from auditor.live.hsts import target_hsts
from auditor.live.observations import LiveTarget
from auditor.live.views import here, http_of, served_over_https
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotApplicable, check

_SEC = {"section": Section.SECURITY, "target": Target.LIVE, "security": True}


def _grade(target: LiveTarget) -> HeaderGrade:
    http_of(target)  # NotApplicable without an HTTP observation
    grade = grade_target_headers(target)
    assert grade is not None
    return grade


def _message(test: HeaderTest, url: str) -> str:
    """The test's description on the URL, with its note (deviations from the Observatory say so)."""
    return f"{test.description} on {url}" + (f" ({test.note})" if test.note else "")


@check(id="HDR-CSP", group="Security headers missing", group_rank=2, severity=Severity.MEDIUM, effort_hours=4,
       passed="Content-Security-Policy restricts script and object sources", **_SEC)  # type: ignore[arg-type]
def csp(target: LiveTarget) -> Iterator[Finding]:
    """Content-Security-Policy missing or unsafe.

    ## What it checks
    The page's response carries a `Content-Security-Policy` header that restricts
    `script-src` and `object-src` (directly or through `default-src`) without
    `'unsafe-inline'` (unless nonces or hashes are used), `data:`, wildcards or
    `http:` sources.

    ## Why it matters
    CSP is the last line of defence against cross-site scripting: injected markup
    cannot run script the policy does not allow. The MDN HTTP Observatory takes
    25 points off for a missing policy and 20 for an unsafe one.

    ## How to fix
    Start strict and loosen per route (a widget served to other sites may need its
    own policy).

    ```ts hono
    import { secureHeaders } from 'hono/secure-headers'
    app.use('*', secureHeaders({ contentSecurityPolicy: {
      defaultSrc: ["'self'"], scriptSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"] } }))
    ```
    ```ts express
    app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"] } } }))
    ```
    ```python fastapi
    @app.middleware("http")
    async def csp(request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"
        return response
    ```
    """
    http = http_of(target)
    test = _grade(target).test("content-security-policy")
    assert test is not None
    if test.modifier < 0:
        value = http.page.header("content-security-policy") or next(
            (v for k, v in http.meta_http_equiv if k == "content-security-policy"), "")
        yield Finding(message=_message(test, target.url), location=here(target),
                      key="content-security-policy", evidence=(value or "")[:200])


@check(id="HDR-HSTS", group="Security headers missing", group_rank=3, severity=Severity.MEDIUM, effort_hours=0.5,
       passed="HSTS enabled with a max-age of six months or more", **_SEC)  # type: ignore[arg-type]
def hsts(target: LiveTarget) -> Iterator[Finding]:
    """Strict-Transport-Security missing or short.

    ## What it checks
    An https page sends `Strict-Transport-Security` with `max-age` of at least six
    months (15552000 s, as the Observatory's code counts it; one year is the usual
    choice), on a valid certificate (browsers ignore HSTS received over an invalid
    one). A non-numeric `max-age` is invalid, as the Observatory's published table
    has it.

    ## Why it matters
    Without HSTS the first request of a visit can go over plain http, where an
    attacker on the network can strip TLS. SSL Labs caps the TLS grade below A+
    without it.

    ## How to fix
    Send the header from the app or the TLS-terminating proxy.

    ```ts hono
    app.use('*', secureHeaders({ strictTransportSecurity: 'max-age=31536000; includeSubDomains' }))
    ```
    ```yaml traefik
    labels:
      - traefik.http.middlewares.hsts.headers.stsSeconds=31536000
      - traefik.http.middlewares.hsts.headers.stsIncludeSubdomains=true
    ```
    """
    http_of(target)
    if not served_over_https(target):
        raise NotApplicable("page not served over https; see REDIRECT-HTTP-NOT-HTTPS")
    test = _grade(target).test("strict-transport-security")
    assert test is not None
    policy = target_hsts(target)
    if test.result == "hsts-invalid-cert" and policy.valid and (policy.max_age or 0) >= SIX_MONTHS:
        yield Finding(message=f"HSTS is sent on {target.url} but not credited: {test.note}", location=here(target),
                      key="strict-transport-security", evidence=policy.raw[:200])
    elif test.result == "hsts-not-implemented":
        yield Finding(message=f"no Strict-Transport-Security header on {target.url}", location=here(target),
                      key="strict-transport-security")
    elif test.result == "hsts-header-invalid":
        yield Finding(message=f"Strict-Transport-Security header cannot be recognized on {target.url}: "
                              f"{policy.error}", location=here(target), key="strict-transport-security",
                      evidence=policy.raw[:200])
    elif test.result == "hsts-implemented-max-age-less-than-six-months":
        yield Finding(message=f"HSTS max-age {policy.max_age} s is under six months (15552000 s) on {target.url}",
                      location=here(target), key="strict-transport-security", evidence=policy.raw[:200])


@check(id="HDR-X-CONTENT-TYPE-OPTIONS", group="Security headers missing", group_rank=5, severity=Severity.LOW, effort_hours=0.25,
       passed="X-Content-Type-Options set to nosniff", **_SEC)  # type: ignore[arg-type]
def xcto(target: LiveTarget) -> Iterator[Finding]:
    """X-Content-Type-Options: nosniff missing.

    ## What it checks
    The page sends `X-Content-Type-Options: nosniff`.

    ## Why it matters
    Without it, browsers may sniff an uploaded text file as script or HTML and run it.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ xContentTypeOptions: 'nosniff' }))
    ```
    ```ts express
    app.use(helmet.noSniff())
    ```
    """
    value = http_of(target).page.header("x-content-type-options")
    if value is None or value.strip().lower() != "nosniff":
        yield Finding(message=f"X-Content-Type-Options is not 'nosniff' on {target.url}", location=here(target),
                      key="x-content-type-options", evidence=(value or "")[:100])


@check(id="HDR-X-FRAME-OPTIONS", group="Security headers missing", group_rank=4, severity=Severity.MEDIUM, effort_hours=0.25,
       passed="Framing restricted (X-Frame-Options or frame-ancestors)", **_SEC)  # type: ignore[arg-type]
def xfo(target: LiveTarget) -> Iterator[Finding]:
    """Framing not restricted (X-Frame-Options or CSP frame-ancestors).

    ## What it checks
    The page sends CSP `frame-ancestors` or `X-Frame-Options: DENY`/`SAMEORIGIN`.

    ## Why it matters
    A page that any site can frame is open to clickjacking: a hostile page overlays
    it and tricks users into clicking its buttons.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ xFrameOptions: 'DENY' }))
    ```
    ```nginx
    add_header Content-Security-Policy "frame-ancestors 'none'" always;
    ```
    """
    test = _grade(target).test("x-frame-options")
    assert test is not None
    if test.modifier < 0:
        yield Finding(message=_message(test, target.url), location=here(target), key="x-frame-options")


_PRIVATE = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


@check(id="HDR-REFERRER-POLICY", group="Security headers missing", group_rank=6, severity=Severity.LOW, effort_hours=0.25,
       passed="Referrer-Policy keeps full URLs from third parties", **_SEC)  # type: ignore[arg-type]
def referrer(target: LiveTarget) -> Iterator[Finding]:
    """Referrer-Policy missing or leaky.

    ## What it checks
    The page sends `Referrer-Policy` with `strict-origin-when-cross-origin`,
    `strict-origin`, `same-origin` or `no-referrer`.

    ## Why it matters
    Full URLs (with ids and tokens in paths or query strings) otherwise leak to every
    third party the page links to or loads from.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ referrerPolicy: 'strict-origin-when-cross-origin' }))
    ```
    ```ts express
    app.use(helmet.referrerPolicy({ policy: 'strict-origin-when-cross-origin' }))
    ```
    """
    http = http_of(target)
    value = referrer_policy_value(http.page, http.meta_http_equiv)  # a <meta name=referrer> counts too
    if effective_referrer_policy(value) not in _PRIVATE:
        yield Finding(message=f"Referrer-Policy {'missing' if value is None else repr(value)} on {target.url}",
                      location=here(target), key="referrer-policy")


@check(id="HDR-PERMISSIONS-POLICY", group="Security headers missing", group_rank=7, severity=Severity.LOW, effort_hours=0.5,
       passed="Permissions-Policy header set", **_SEC)  # type: ignore[arg-type]
def permissions(target: LiveTarget) -> Iterator[Finding]:
    """Permissions-Policy missing.

    ## What it checks
    The page sends a `Permissions-Policy` header.

    ## Why it matters
    It switches off powerful browser features (camera, microphone, geolocation)
    the site does not use, so injected or embedded code cannot use them either.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ permissionsPolicy: { camera: [], geolocation: [], microphone: ['self'] } }))
    ```
    ```nginx
    add_header Permissions-Policy "camera=(), geolocation=(), microphone=(self)" always;
    ```
    """
    if http_of(target).page.header("permissions-policy") is None:
        yield Finding(message=f"no Permissions-Policy header on {target.url}", location=here(target),
                      key="permissions-policy")


@check(id="HDR-CORP", group="Security headers missing", group_rank=9, severity=Severity.LOW, effort_hours=0.25,
       passed="Cross-Origin-Resource-Policy header set", **_SEC)  # type: ignore[arg-type]
def corp(target: LiveTarget) -> Iterator[Finding]:
    """Cross-Origin-Resource-Policy missing.

    ## What it checks
    The page sends `Cross-Origin-Resource-Policy` (`same-origin` or `same-site`;
    `cross-origin` is accepted for resources meant to be embedded, such as a widget).

    ## Why it matters
    CORP stops other sites from loading your responses into their pages, which
    limits Spectre-style side-channel leaks. The Observatory awards 10 bonus points.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }))
    ```
    ```ts express
    app.use(helmet.crossOriginResourcePolicy({ policy: 'same-origin' }))
    ```
    """
    value = http_of(target).page.header("cross-origin-resource-policy")
    if value is None or value.strip().lower() not in ("same-origin", "same-site", "cross-origin"):
        yield Finding(message=f"Cross-Origin-Resource-Policy missing or invalid on {target.url}",
                      location=here(target), key="cross-origin-resource-policy")


@check(id="HDR-COOP", group="Security headers missing", group_rank=8, severity=Severity.LOW, effort_hours=0.25,
       passed="Cross-Origin-Opener-Policy header set", **_SEC)  # type: ignore[arg-type]
def coop(target: LiveTarget) -> Iterator[Finding]:
    """Cross-Origin-Opener-Policy missing.

    ## What it checks
    An HTML page sends `Cross-Origin-Opener-Policy` (`same-origin`, or
    `same-origin-allow-popups` for OAuth-style popups).

    ## Why it matters
    COOP puts the page in its own browsing context group, so windows it opens or that
    open it cannot script it or probe it through cross-window side channels.

    ## How to fix
    ```ts hono
    app.use('*', secureHeaders({ crossOriginOpenerPolicy: 'same-origin' }))
    ```
    ```nginx
    add_header Cross-Origin-Opener-Policy "same-origin" always;
    ```
    """
    http = http_of(target)
    if not http.is_html:
        raise NotApplicable("COOP matters for HTML documents; the page is not HTML")
    value = http.page.header("cross-origin-opener-policy")
    if value is None or value.strip().lower() not in ("same-origin", "same-origin-allow-popups", "unsafe-none",
                                                      "noopener-allow-popups"):
        yield Finding(message=f"Cross-Origin-Opener-Policy missing or invalid on {target.url}",
                      location=here(target), key="cross-origin-opener-policy")


_SESSIONISH = re.compile(r"sess|login|auth|token|sid|jwt|remember", re.IGNORECASE)


@check(id="HDR-COOKIES", severity=Severity.MEDIUM, effort_hours=1,
       passed="Cookies carry the expected Secure, HttpOnly and SameSite flags", **_SEC)  # type: ignore[arg-type]
def cookies(target: LiveTarget) -> Iterator[Finding]:
    """Cookies without Secure, HttpOnly or SameSite.

    ## What it checks
    Every cookie the page sets (across its redirect chain) has `Secure` (on https),
    a valid `SameSite`, and session-like cookies (names with sess, login, auth,
    token, sid, jwt) are `HttpOnly`. `__Host-`/`__Secure-` prefixed cookies must
    meet their prefix rules (Secure; `__Host-` also `Path=/` and no `Domain`).
    Skipped when the page sets no cookie (log in first, or scan a page that sets
    the session, to judge them). Cookies a browser would reject (a `Domain` that
    does not cover the host, a broken `__Host-`/`__Secure-` prefix) are not
    graded, as the Observatory's cookie jar drops them too.

    ## Why it matters
    A session cookie without Secure leaks over http, without HttpOnly it can be read
    by injected script, and without SameSite it rides along on cross-site requests
    (CSRF). The Observatory takes up to 40 points off.

    ## How to fix
    ```ts hono
    setCookie(c, '__Host-session', id, { secure: true, httpOnly: true, sameSite: 'Lax', path: '/' })
    ```
    ```python fastapi
    response.set_cookie("__Host-session", sid, secure=True, httponly=True, samesite="lax", path="/")
    ```
    """
    http = http_of(target)
    if not http.page.cookies:
        raise NotApplicable("the page set no cookies")
    kept, rejected = graded_cookies(http.page)
    if not kept:
        # A cookie the browser drops never reaches a user: nothing to protect, nothing to grade.
        raise NotApplicable("browsers reject every cookie the page sets: " + "; ".join(
            f"{name!r}: {why}" for name, why in rejected))
    https = served_over_https(target)
    for cookie in kept:
        problems = []
        if https and not cookie.secure:
            problems.append("no Secure")
        if _SESSIONISH.search(cookie.name) and not cookie.httponly:
            problems.append("no HttpOnly")
        if cookie.raw_samesite_invalid:
            problems.append("invalid SameSite")
        elif not cookie.samesite:
            problems.append("no SameSite")
        elif cookie.samesite.lower() == "none" and not cookie.secure:
            problems.append("SameSite=None without Secure")
        if cookie.prefix and not cookie.secure:
            problems.append(f"{cookie.prefix} prefix without Secure")
        if cookie.prefix == "__Host-" and (cookie.domain or (cookie.path or "/") != "/"):
            problems.append("__Host- prefix with Domain or a Path other than /")
        if problems:
            yield Finding(message=f"cookie {cookie.name!r}: {', '.join(dict.fromkeys(problems))}",
                          location=here(target), key=f"cookie:{cookie.name}")


@check(id="HDR-SRI", severity=Severity.MEDIUM, effort_hours=1,
       passed="External scripts loaded over https with integrity hashes", **_SEC)  # type: ignore[arg-type]
def sri(target: LiveTarget) -> Iterator[Finding]:
    """External scripts without Subresource Integrity.

    ## What it checks
    Every `<script src>` loaded from another site carries an `integrity` attribute
    and is loaded over https. "Another site" is the Observatory's: a full URL on
    another registrable domain, or a protocol-relative `//host/...` URL; a script
    from the page's own host over http is not external (it is mixed content, a
    matter for CSP). Skipped when the page loads no external script.

    ## Why it matters
    A compromised CDN or third-party host can otherwise change the script and run
    code in your users' sessions (the polyfill.io incident). Script over http can be
    replaced by anyone on the network.

    ## How to fix
    Pin third-party scripts with their hash (or self-host them).

    ```html
    <script src="https://cdn.example.com/lib@1.2.3/lib.min.js"
            integrity="sha384-..." crossorigin="anonymous"></script>
    ```
    """
    http = http_of(target)
    if not http.is_html:
        raise NotApplicable("the page is not HTML")
    page_url = http.page.final_url or http.page.url
    # The Observatory's "external": another site, or protocol-relative. http from the own host is not
    # external (HDR-CSP / mixed content judge the scheme).
    external = [script for script in http.scripts if script_is_external(script.src, page_url)]
    if not external:
        raise NotApplicable("the page loads no script from another origin")
    for script in external:
        if not script.secure:
            yield Finding(message=f"external script {script.src} loaded over http or protocol-relative",
                          location=here(target), key=f"script:{script.src}")
        elif not script.integrity:
            yield Finding(message=f"external script {script.src} has no integrity attribute",
                          location=here(target), key=f"script:{script.src}")


_GRADE_ORDER = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")


@check(id="HEADER-GRADE", group="Security headers missing", group_rank=1, severity=Severity.INFO, effort_hours=0,
       passed="Security header grade B or better (MDN Observatory scoring)", **_SEC)  # type: ignore[arg-type]
def header_grade(target: LiveTarget) -> Iterator[Finding]:
    """Security header grade below B (MDN HTTP Observatory scoring).

    ## What it checks
    The header grade computed with the MDN HTTP Observatory's modifier table
    (baseline 100; CSP, cookies, CORS, redirection, Referrer-Policy, HSTS, SRI,
    X-Content-Type-Options, X-Frame-Options, CORP; bonuses only count from 90) is
    B or better. `<meta>` CSP and referrer policies count, as in the Observatory.
    Deliberate differences, named in the finding: prodcheck does not read the HSTS
    preload list; an echoed Origin with credentials costs -50 and a non-numeric HSTS
    max-age is invalid (the published table; the Observatory's code scores both
    differently); `frame-ancestors` in a `<meta>` CSP is not credited (browsers
    ignore it).

    ## Why it matters
    The grade summarises how much of the browser's built-in protection the site
    switches on; below B, several basic protections are missing at once. It is an
    `info` summary: each missing header is its own HDR-*, CORS-* or REDIRECT-* item
    with its own severity and effort, and the grade itself is shown with the live
    targets, so this check adds nothing to the score or the action plan.

    ## How to fix
    Fix the individual HDR-*, CORS-* and REDIRECT-* items; most stacks set all the
    headers in one middleware.

    ```ts hono
    import { secureHeaders } from 'hono/secure-headers'
    app.use('*', secureHeaders())
    ```
    ```ts express
    import helmet from 'helmet'
    app.use(helmet())
    ```
    """
    result = _grade(target)
    if _GRADE_ORDER.index(result.grade) > _GRADE_ORDER.index("B"):
        penalties = ", ".join(f"{t.name} {t.modifier}" + (f" ({t.note})" if t.note else "")
                              for t in result.tests if t.modifier < 0)
        # Where prodcheck scores by the published table and the Observatory's code would not, say so.
        deviations = [t.note for t in result.tests if t.note in (CORS_CREDENTIALS_NOTE, NON_NUMERIC_NOTE)]
        yield Finding(message=f"header grade {result.grade} (score {result.score}/100) on {target.url}"
                              + "".join(f"; {note}" for note in deviations),
                      location=here(target), key="header-grade", evidence=penalties[:300])
