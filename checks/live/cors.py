"""CORS checks: credentialed access from foreign origins."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.live.observations import CorsObservation, LiveTarget, header_value
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotApplicable, check
from checks.live._common import here, http_of


def _responses(cors: CorsObservation) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [("preflight", cors.preflight_headers), ("simple request", cors.simple_headers)]


def _cors(target: LiveTarget) -> CorsObservation:
    cors = http_of(target).cors
    if cors is None:
        raise NotApplicable("no CORS probe recorded")
    return cors


@check(id="CORS-ECHO-ANY-ORIGIN-CREDENTIALS", severity=Severity.CRITICAL, section=Section.SECURITY,
       target=Target.LIVE, security=True, effort_hours=2,
       passed="CORS does not reflect foreign origins with credentials")
def echo_any_origin(target: LiveTarget) -> Iterator[Finding]:
    """CORS reflects any Origin with credentials.

    ## What it checks
    prodcheck sends a preflight and a simple GET with `Origin:
    https://prodcheck-probe.invalid`. The check fails when a response echoes that
    origin in `Access-Control-Allow-Origin` together with
    `Access-Control-Allow-Credentials: true`.

    ## Why it matters
    Any website a logged-in user visits can then call your API with the user's
    cookies and read the answers: account data, API keys, everything the session can
    see. The Observatory takes 50 points off. A public widget does not need
    credentials: keep credentialed CORS for the dashboard origin only.

    ## How to fix
    Allow credentials only for an explicit list of origins; serve public endpoints
    with `*` and no credentials.

    ```ts hono
    const allowed = new Set([process.env.DASHBOARD_URL])
    app.use('/api/dashboard/*', cors({ origin: (o) => (allowed.has(o) ? o : null), credentials: true }))
    app.use('/api/widget/*', cors({ origin: '*', credentials: false }))
    ```
    ```ts express
    app.use('/api', cors({ origin: ['https://dashboard.example.com'], credentials: true }))
    ```
    ```python fastapi
    app.add_middleware(CORSMiddleware, allow_origins=["https://dashboard.example.com"], allow_credentials=True)
    ```
    """
    cors = _cors(target)
    for kind, headers in _responses(cors):
        acao = (header_value(headers, "access-control-allow-origin") or "").strip()
        acac = (header_value(headers, "access-control-allow-credentials") or "").strip().lower()
        if acao == cors.origin and acac == "true":
            yield Finding(message=f"{target.url} reflects the foreign Origin {cors.origin} with credentials "
                                  f"allowed ({kind})", location=here(target), key="cors-reflect-credentials",
                          evidence=f"Access-Control-Allow-Origin: {acao}; Access-Control-Allow-Credentials: true")
            return


@check(id="CORS-WILDCARD-CREDENTIALS", severity=Severity.MEDIUM, section=Section.SECURITY,
       target=Target.LIVE, security=True, effort_hours=1,
       passed="No CORS wildcard origin combined with credentials")
def wildcard_credentials(target: LiveTarget) -> Iterator[Finding]:
    """CORS wildcard combined with credentials.

    ## What it checks
    A response to the foreign-Origin probe sends `Access-Control-Allow-Origin: *`
    together with `Access-Control-Allow-Credentials: true`.

    ## Why it matters
    Browsers refuse this combination, so credentialed calls break; the usual "fix"
    is to start reflecting the Origin, which opens the API to every site. It shows
    the CORS policy was not designed.

    ## How to fix
    Decide per route: public data with `*` and no credentials, or a fixed list of
    origins with credentials.

    ```ts hono
    app.use('/public/*', cors({ origin: '*' }))
    app.use('/api/*', cors({ origin: ['https://dashboard.example.com'], credentials: true }))
    ```
    ```ts express
    app.use('/public', cors({ origin: '*', credentials: false }))
    ```
    """
    cors = _cors(target)
    for kind, headers in _responses(cors):
        acao = (header_value(headers, "access-control-allow-origin") or "").strip()
        acac = (header_value(headers, "access-control-allow-credentials") or "").strip().lower()
        if acao == "*" and acac == "true":
            yield Finding(message=f"{target.url} sends Access-Control-Allow-Origin: * with credentials ({kind})",
                          location=here(target), key="cors-wildcard-credentials")
            return
