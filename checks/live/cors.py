"""CORS checks: credentialed access from origins the service should not trust."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.live.observations import CorsObservation, CorsProbe, Headers, LiveTarget, header_value
from auditor.live.views import ProbeFailed, here, http_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotChecked, check

# Why each reflected origin is dangerous, and how bad: any site can send the first two
# (a sandboxed iframe has the opaque origin "null"); a localhost origin takes code
# running on the visitor's machine (a dev server, a local app, a malicious package).
_REFLECTED = {
    "foreign": (Severity.CRITICAL, "any website", "cors-reflect-credentials"),
    "null": (Severity.CRITICAL, "any website through a sandboxed iframe", "cors-reflect-credentials:null"),
    "localhost": (Severity.HIGH, "any local server or app on the visitor's machine",
                  "cors-reflect-credentials:localhost"),
}


def _kind(origin: str) -> str:
    if origin == "null":
        return "null"
    if origin.startswith(("http://localhost", "https://localhost", "http://127.", "https://127.")):
        return "localhost"
    return "foreign"


def _grants(headers: Headers) -> tuple[str, bool]:
    """(Access-Control-Allow-Origin, credentials allowed) of one response."""
    acao = (header_value(headers, "access-control-allow-origin") or "").strip()
    acac = (header_value(headers, "access-control-allow-credentials") or "").strip().lower()
    return acao, acac == "true"


def _responses(probe: CorsProbe) -> list[tuple[str, Headers]]:
    return [("preflight", probe.preflight_headers), ("simple request", probe.simple_headers)]


def _cors(target: LiveTarget) -> CorsObservation:
    cors = http_of(target).cors
    if cors is None:
        raise NotChecked("no CORS probe recorded")
    failed = [p for p in cors.probes() if p.error]
    if failed:
        # A preflight or simple request that got no response leaves the verdict unknown.
        raise ProbeFailed(f"{len(failed)} of {len(cors.probes())} CORS probes failed "
                          f"(origin {failed[0].origin}): {failed[0].error}")
    return cors


@check(id="CORS-ECHO-ANY-ORIGIN-CREDENTIALS", group="Permissive CORS policy", group_rank=1, severity=Severity.CRITICAL, section=Section.SECURITY,
       target=Target.LIVE, security=True, effort_hours=2,
       passed="CORS reflects no untrusted origin (foreign, null or localhost) with credentials")
def echo_any_origin(target: LiveTarget) -> Iterator[Finding]:
    """CORS reflects an untrusted Origin with credentials.

    ## What it checks
    prodcheck sends a preflight and a simple GET with each of three origins: a
    foreign one (`https://prodcheck-probe.invalid`), `http://localhost:1` and
    `null`. The check fails when a response echoes the origin in
    `Access-Control-Allow-Origin` together with
    `Access-Control-Allow-Credentials: true`. A foreign or `null` origin reflected
    is critical (any website can send them; `null` comes from a sandboxed iframe);
    an arbitrary `http://localhost:<port>` reflected is high (any local dev server
    or app on the visitor's machine can then read their data).

    ## Why it matters
    Any website a logged-in user visits can then call your API with the user's
    cookies and read the answers: account data, API keys, everything the session can
    see. The Observatory takes 50 points off for the foreign origin. Callbacks such
    as `origin.startsWith('http://localhost:')` meant for development stay live in
    production. A public widget does not need credentials: keep credentialed CORS
    for the dashboard origin only.

    ## How to fix
    Allow credentials only for an explicit list of origins (read from the
    environment, with no localhost in production); serve public endpoints with `*`
    and no credentials.

    ```ts hono
    const allowed = new Set((process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean))
    app.use('/api/dashboard/*', cors({ origin: (o) => (allowed.has(o) ? o : null), credentials: true }))
    app.use('/api/widget/*', cors({ origin: '*', credentials: false }))
    ```
    ```ts express
    app.use('/api', cors({ origin: ['https://dashboard.example.com'], credentials: true }))
    ```
    ```ts nestjs
    app.enableCors({ origin: ['https://dashboard.example.com'], credentials: true })
    ```
    ```python fastapi
    app.add_middleware(CORSMiddleware, allow_origins=["https://dashboard.example.com"], allow_credentials=True)
    ```
    """
    cors = _cors(target)
    for probe in cors.probes():
        for kind, headers in _responses(probe):
            acao, credentials = _grants(headers)
            if acao == probe.origin and credentials:
                severity, who, key = _REFLECTED[_kind(probe.origin)]
                yield Finding(message=f"{target.url} reflects Origin {probe.origin} with credentials allowed "
                                      f"({kind}): {who} can make credentialed calls and read the answers",
                              location=here(target), key=key, severity=severity,
                              evidence=f"Origin: {probe.origin} -> Access-Control-Allow-Origin: {acao}; "
                                       "Access-Control-Allow-Credentials: true")
                break


@check(id="CORS-WILDCARD-CREDENTIALS", group="Permissive CORS policy", group_rank=2, severity=Severity.MEDIUM, section=Section.SECURITY,
       target=Target.LIVE, security=True, effort_hours=1,
       passed="No CORS wildcard origin combined with credentials")
def wildcard_credentials(target: LiveTarget) -> Iterator[Finding]:
    """CORS wildcard combined with credentials.

    ## What it checks
    A response to any of the CORS probe origins (foreign, `http://localhost:1`,
    `null`) sends `Access-Control-Allow-Origin: *` together with
    `Access-Control-Allow-Credentials: true`. The finding names the origins that
    got this answer.

    ## Why it matters
    Browsers refuse this combination, so the credentialed call itself fails. But it
    shows the intent to share credentialed responses with every site, and such
    policies usually reflect some origins instead (a dashboard, subdomains,
    `localhost`), and those reflections are exploitable. It shows the CORS policy
    was not designed per route.

    ## How to fix
    Decide per route: public data with `*` and no credentials, or a fixed list of
    origins with credentials.

    ```ts hono
    app.use('/public/*', cors({ origin: '*' }))
    app.use('/api/*', cors({ origin: ['https://dashboard.example.com'], credentials: true }))
    ```
    ```ts express
    app.use('/public', cors({ origin: '*', credentials: false }))
    app.use('/api', cors({ origin: ['https://dashboard.example.com'], credentials: true }))
    ```
    ```python fastapi
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
    ```
    """
    cors = _cors(target)
    origins: list[str] = []
    kinds: set[str] = set()
    for probe in cors.probes():
        for kind, headers in _responses(probe):
            acao, credentials = _grants(headers)
            if acao == "*" and credentials:
                if probe.origin not in origins:
                    origins.append(probe.origin)
                kinds.add(kind)
    if origins:
        where = " and ".join(k for k in ("preflight", "simple request") if k in kinds)
        yield Finding(message=f"{target.url} sends Access-Control-Allow-Origin: * with credentials to Origin "
                              f"{', '.join(origins)} ({where}); browsers refuse the credentialed call, but the "
                              "policy means to share credentials with every site",
                      location=here(target), key="cors-wildcard-credentials",
                      evidence="Access-Control-Allow-Origin: *; Access-Control-Allow-Credentials: true")
