"""Redirect checks: http upgraded to https, and sane redirect chains."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from auditor.live.observations import LiveTarget, PageObservation
from auditor.live.views import here, http_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotApplicable, check

MAX_HOPS = 3


def chain(leg: PageObservation) -> list[tuple[str, str, str]]:
    """(url, scheme, host) of every hop, plus a redirect that was recorded but not followed (off-origin)."""
    from urllib.parse import urlsplit

    hops = [(h.url, h.scheme, h.host) for h in leg.hops]
    if leg.not_followed:
        parts = urlsplit(leg.not_followed)
        hops.append((leg.not_followed, parts.scheme.lower(), (parts.hostname or "").lower()))
    return hops


def _http_leg(target: LiveTarget) -> PageObservation:
    http = http_of(target)
    leg = http.http if http.http is not None else http.page
    if not leg.hops or leg.hops[0].scheme != "http":
        raise NotApplicable("no plain-http request was observed")
    return leg


@check(id="REDIRECT-HTTP-NOT-HTTPS", severity=Severity.HIGH, section=Section.SECURITY, target=Target.LIVE,
       security=True, effort_hours=0.5,
       passed="HTTP requests redirected to HTTPS (or not served)")
def http_not_https(target: LiveTarget) -> Iterator[Finding]:
    """HTTP not redirected to HTTPS.

    ## What it checks
    A plain-http GET of the site (port 80 for the default https port, else the same
    port) answers with a redirect whose chain ends on https. An http endpoint that
    cannot be reached at all passes: there is nothing to redirect.

    ## Why it matters
    Pages served over http can be read and changed by anyone on the network, and
    HSTS is only learnt over https. The Observatory takes 20 points off.

    ## How to fix
    Redirect at the proxy, with a permanent redirect to the same host on https.

    ```yaml traefik
    labels:
      - traefik.http.routers.web.entrypoints=web
      - traefik.http.routers.web.middlewares=to-https
      - traefik.http.middlewares.to-https.redirectscheme.scheme=https
      - traefik.http.middlewares.to-https.redirectscheme.permanent=true
    ```
    ```nginx
    server { listen 80; server_name example.com; return 301 https://$host$request_uri; }
    ```
    """
    leg = _http_leg(target)
    if leg.error and len(leg.hops) <= 1:
        return  # unreachable over http (or broken there): no redirect needed
    hops = chain(leg)
    final_url, final_scheme, _ = hops[-1]
    if len(hops) == 1:
        yield Finding(message=f"{leg.url} is served over plain http (status {leg.hops[-1].status}) without a "
                              "redirect to https", location=here(target), key="http-no-redirect")
    elif final_scheme != "https":
        yield Finding(message=f"{leg.url} redirects but ends on http ({final_url})", location=here(target),
                      key="http-no-redirect")


@check(id="REDIRECT-CHAIN", severity=Severity.MEDIUM, section=Section.SECURITY, target=Target.LIVE,
       security=True, effort_hours=0.5,
       passed="Redirect chains short and never downgrade to http")
def redirect_chain(target: LiveTarget) -> Iterator[Finding]:
    """Redirect chain leaves the host, downgrades to http, or is too long.

    ## What it checks
    Every redirect chain prodcheck followed (the URL itself and its http twin):
    the first redirect from http goes to https on the same host (so HSTS can be
    set), no hop goes from https back to http, and there are at most three hops.

    ## Why it matters
    An https-to-http hop exposes the request; an off-host first hop means the
    browser never sees your HSTS header; long chains cost a round trip each.

    ## How to fix
    Redirect http to https on the same host first, then to the canonical host, in
    one hop each.

    ```nginx
    server { listen 80; server_name example.com www.example.com; return 301 https://$host$request_uri; }
    server { listen 443 ssl; server_name www.example.com; return 301 https://example.com$request_uri; }
    ```
    """
    http = http_of(target)
    legs = [leg for leg in (http.page, http.http) if leg is not None and len(chain(leg)) > 1]
    if not legs:
        raise NotApplicable("no redirects observed")
    for leg in legs:
        hops = chain(leg)
        for (before, b_scheme, _), (after, a_scheme, _) in itertools.pairwise(hops):
            if b_scheme == "https" and a_scheme == "http":
                yield Finding(message=f"redirect downgrades from {before} to {after}", location=here(target),
                              key=f"downgrade:{leg.url}")
                break
        if hops[0][1] == "http" and hops[1][1] == "https" and hops[1][2] != hops[0][2]:
            yield Finding(message=f"first redirect from {hops[0][0]} leaves the host for {hops[1][0]}",
                          location=here(target), key=f"off-host:{leg.url}")
        if len(hops) - 1 > MAX_HOPS:
            yield Finding(message=f"{leg.url} takes {len(hops) - 1} redirects (more than {MAX_HOPS})",
                          location=here(target), key=f"long:{leg.url}")
