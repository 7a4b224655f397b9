"""Rate-limit checks, judged from the bounded burst the probe sent."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.live.observations import BurstObservation, LiveTarget
from auditor.live.views import ProbeFailed, http_of
from auditor.model import Finding, Location, Section, Severity, Target
from auditor.registry import NotApplicable, NotChecked, check


def _burst(target: LiveTarget) -> BurstObservation:
    burst = http_of(target).burst
    if burst is not None and burst.error and burst.limited_at is None:
        # Attempted (or due) and cut short: whether a limit exists is unknown.
        raise ProbeFailed(f"rate-limit burst failed after {len(burst.statuses)} answer(s): {burst.error}")
    if burst is None or not burst.ran:
        raise NotChecked(burst.reason if burst and burst.reason else "rate-limit burst not run")
    if not burst.statuses:
        raise NotChecked("rate-limit burst got no answers")
    return burst


@check(id="RATE-LIMIT-ABSENT", group="No rate limiting", group_rank=1, severity=Severity.MEDIUM, section=Section.SECURITY, target=Target.LIVE,
       security=True, effort_hours=3,
       passed="Rate limiting observed on the probed path")
def absent(target: LiveTarget) -> Iterator[Finding]:
    """No rate limiting on the probed path.

    ## What it checks
    prodcheck sends a short burst (default 20, at most 30 sequential GETs, stopping
    at the first 429) to the configured `burst_path`, else the first `/api/` path
    the page links to, else the page. It fails when no 429 came back and no
    `RateLimit`/`X-RateLimit-*`/`Retry-After` header was seen. Skipped with
    `--no-burst`; an error when the burst was cut short (a request failed, or the
    target's time limit was reached) before any 429. A limit set higher than the burst is not seen: configure
    `burst_path` to an endpoint with a low limit, or advertise the limit in headers.

    ## Why it matters
    Without limits, one client can spam forms, brute-force logins, exhaust storage
    or run up paid-API bills (transcription, email).

    ## How to fix
    ```ts hono
    import { rateLimiter } from 'hono-rate-limiter'
    app.use('/api/*', rateLimiter({ windowMs: 60_000, limit: 60, standardHeaders: 'draft-7',
      keyGenerator: (c) => c.req.header('x-forwarded-for') ?? 'unknown' }))
    ```
    ```ts express
    app.use('/api', rateLimit({ windowMs: 60_000, limit: 60, standardHeaders: 'draft-7' }))
    ```
    ```python fastapi
    limiter = Limiter(key_func=get_remote_address)  # slowapi
    @app.get("/api/items")
    @limiter.limit("60/minute")
    async def items(request: Request): ...
    ```
    """
    burst = _burst(target)
    if burst.limited_at is None and not burst.ratelimit_headers:
        yield Finding(message=f"{len(burst.statuses)} requests to {burst.url} in a row: no 429 and no rate-limit "
                              "headers", location=Location(url=burst.url or target.url), key="rate-limit")


@check(id="RATE-LIMIT-NO-RETRY-AFTER", severity=Severity.LOW, section=Section.SECURITY, target=Target.LIVE,
       security=True, effort_hours=0.5,
       passed="Rate-limited responses tell clients when to retry")
def no_retry_after(target: LiveTarget) -> Iterator[Finding]:
    """Rate-limited response without Retry-After.

    ## What it checks
    When the burst met a 429, the response carried `Retry-After` (or a `RateLimit`
    header with a reset).

    ## Why it matters
    Well-behaved clients and SDKs back off for the time the server names; without it
    they retry at once and keep hitting the limit.

    ## How to fix
    ```ts hono
    rateLimiter({ windowMs: 60_000, limit: 60, standardHeaders: 'draft-7' })  // sets RateLimit and Retry-After
    ```
    ```nginx
    limit_req_status 429;
    add_header Retry-After 60 always;
    ```
    """
    burst = _burst(target)
    if burst.limited_at is None:
        raise NotApplicable("no 429 seen in the burst")
    names = {k.lower() for k, _ in burst.ratelimit_headers}
    ratelimit_reset = any("reset" in v for k, v in burst.ratelimit_headers if k.lower() == "ratelimit")
    if not burst.retry_after and not ratelimit_reset and "ratelimit-reset" not in names:
        yield Finding(message=f"429 from {burst.url} without Retry-After", location=Location(url=burst.url or target.url),
                      key="retry-after")
