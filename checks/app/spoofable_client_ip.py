"""Client address taken from a header any client can set, for an access decision.

## What it checks
A function of the service works out the client's address from request headers
(`X-Forwarded-For`, `X-Real-IP`, `CF-Connecting-IP`, `True-Client-IP` ..., or WSGI's
`HTTP_X_FORWARDED_FOR` in Django's `request.META`) in a way a
client controls: it takes the first entry of `X-Forwarded-For` (the entry the client
wrote; proxies append theirs after it), or it takes whichever of several such headers is
present (a client sends the first one in the list itself). The finding is raised where that
address decides something: an IP allow or deny list (`ip-range-check`, CIDR matching, an
"allowed IP" test), at high severity, or a rate limit, at medium. A helper used only for
logging or analytics is not reported, and neither is a first header that a proxy
configuration in the repository overwrites (`proxy_set_header <the header> $remote_addr`)
or that the platform the repository deploys to sets at its edge (Vercel's
`x-forwarded-for` / `x-real-ip` with a `vercel.json`, Cloudflare's `CF-Connecting-IP` with a
`wrangler.toml`, `Fly-Client-IP` with a `fly.toml`, Netlify's header with a `netlify.toml`).

## Why it matters
Headers are input. A client that sends `X-Forwarded-For: 10.0.0.1` (or `CF-Connecting-IP`
to an origin that is not only reachable through Cloudflare) passes an IP restriction meant
for that address, and one that changes the header on every request never reaches its
rate limit.

## How to fix
Take the address from the connection, and let the framework read forwarded headers only
from the proxies you run (a number of hops or their addresses), so the value is the one
your own proxy saw.

```ts express
app.set('trust proxy', 1)          // one proxy in front: req.ip is the address it saw
const ip = req.ip
```
```ts fastify
const app = Fastify({ trustProxy: '10.0.0.0/8' })   // request.ip honours only your proxies
```
```python fastapi
# uvicorn --forwarded-allow-ips 10.0.0.0/8: request.client.host is then the address the proxy saw
ip = request.client.host
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.deploy.proxies import proxy_configs
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call, Service, SourceFile
from auditor.source.imports import js_module_file
from auditor.source.index import SourceIndex

# Request headers that carry a client address set by a proxy or CDN (and by any client that sends them).
FORWARDED_HEADERS = ("x-forwarded-for", "x-real-ip", "cf-connecting-ip", "true-client-ip", "do-connecting-ip",
                     "fastly-client-ip", "x-client-ip", "x-cluster-client-ip", "fly-client-ip",
                     "x-appengine-user-ip", "x-nf-client-connection-ip", "forwarded", "x-forwarded")
# A list-valued header read from the right (the entry the nearest proxy wrote) is the safe way round.
_RIGHTMOST = re.compile(r"\.(pop|at|slice)$|\[-1\]")
# Decisions by address: allow/deny lists and CIDR matching.
_ACCESS_CALL = re.compile(r"ip.?range|range.?check|cidr|subnet|allowed.?ip|ip.?allow|whitelist|allowlist|"
                          r"blocklist|blacklist|denylist|^(?:ipaddress\.)?ip_(?:address|network)$", re.IGNORECASE)
_VALIDATORS = frozenset({"isIP", "isIPRange", "isIPv4", "isIPv6", "is_ip", "validate_ip"})
# How many lines below the address is read a test of it still counts as deciding on it.
_NEAR = 8


@dataclass(frozen=True)
class _Helper:
    """A function that reads the client address from headers a client can set."""

    path: str
    name: str
    line: int
    first: str  # the first header it reads
    how: str  # why the client controls it


@check(id="APP-SPOOFABLE-CLIENT-IP", severity=Severity.HIGH, section=Section.SECURITY, security=True,
       effort_hours=1.0, confidence=Confidence.MEDIUM,
       passed="Access decisions use an address the client cannot set")
def spoofable_client_ip(project: Project) -> Iterator[Finding]:
    """Report IP allow lists and rate limits fed by a client-controlled forwarded header."""
    index, services = rules.index_or_skip(project)
    overwritten = _overwritten_headers(project)
    judged = False
    for service in services:
        helpers = {(h.path, h.name): h for h in _helpers(index, service) if h.first not in overwritten}
        if not helpers:
            continue
        judged = True
        for sf in index.files_of(service):
            yield from _uses(project, sf, helpers, service)
            yield from _self_deciding(sf, helpers, service)
    if not judged:
        raise NotApplicable("no function reads the client address from forwarded headers")


def _helpers(index: SourceIndex, service: Service) -> Iterator[_Helper]:
    """Functions that read the client address from forwarded headers in a way the client controls."""
    for sf in index.files_of(service):
        for func in sf.functions:
            headers = list(dict.fromkeys(h for h in map(_header_name, func.body.strings) if h in FORWARDED_HEADERS))
            if not headers:
                continue
            splits = any(c.rsplit(".", 1)[-1] == "split" for c in func.body.calls)
            if any(_RIGHTMOST.search(c) for c in func.body.calls):
                continue  # read from the right: the entry the nearest proxy wrote
            if len(headers) >= 2:
                how = f"takes the first of {', '.join(headers)} that the request carries"
            elif headers[0] == "x-forwarded-for" and splits:
                how = "takes the first entry of x-forwarded-for, the one the client wrote"
            else:
                continue
            yield _Helper(sf.path, func.name, func.line, headers[0], how)


def _header_name(text: str) -> str:
    """A header name as HTTP spells it: WSGI's ``HTTP_X_FORWARDED_FOR`` is ``x-forwarded-for``."""
    lower = text.strip().lower()
    if lower.startswith("http_"):
        lower = lower[5:].replace("_", "-")
    return lower


def _uses(project: Project, sf: SourceFile, helpers: dict[tuple[str, str], _Helper],
          service: Service) -> Iterator[Finding]:
    """Findings for the helper calls in ``sf`` whose file makes an access or rate-limit decision."""
    local = {name: helper for (path, name), helper in helpers.items() if path == sf.path}
    # Helpers imported by relative JS/TS imports (Python helpers are judged where they are defined).
    for imp in sf.imports if not sf.path.endswith(".py") else ():
        target = js_module_file(project, sf.path, imp.module)
        for name in imp.names:
            if target is not None and (target, name) in helpers:
                local[name] = helpers[(target, name)]
    calls = [call for call in sf.calls if call.name in local]
    if not calls:
        return
    decision = next(filter(None, (_decision(sf, call) for call in calls)), None)
    if decision is None:
        return  # logging, analytics, geolocation: a spoofed address misleads nobody's security
    call, access = decision
    helper = local[call.name]
    what = "decides IP access with" if access else "keys its rate limit on"
    yield Finding(
        message=(f"{sf.path} {what} {helper.name}() ({helper.path}:{helper.line}), which {helper.how}: "
                 f"{_consequence(access)}"),
        location=Location(sf.path, call.line), key=f"{service.name}:{sf.path}:{helper.name}",
        severity=None if access else Severity.MEDIUM,
        related=(Location(helper.path, helper.line),),
    )


def _self_deciding(sf: SourceFile, helpers: dict[tuple[str, str], _Helper], service: Service) -> Iterator[Finding]:
    """A function that reads the header and decides on it itself (an IP allow-list middleware)."""
    for func in sf.functions:
        helper = helpers.get((sf.path, func.name))
        if helper is None:
            continue
        names = [rules.names_only(c) for c in func.body.calls]
        access = _ACCESS_CALL.search(func.name) or any(
            _ACCESS_CALL.search(n) and n.rsplit(".", 1)[-1] not in _VALIDATORS for n in names)
        limit = rules.OWN_LIMITER.search(func.name) or any(rules.OWN_LIMITER.search(n) for n in names)
        if not (access or limit):
            continue
        what = "decides IP access on" if access else "keys its rate limit on"
        yield Finding(
            message=f"{func.name}() in {sf.path} {what} the client address, and it {helper.how}: "
                    f"{_consequence(bool(access))}",
            location=Location(sf.path, func.line), key=f"{service.name}:{sf.path}:{func.name}",
            severity=None if access else Severity.MEDIUM,
        )


def _consequence(access: bool) -> str:
    """What a client gains by choosing the header: past an allow list, or out of a rate limit."""
    return ("any client passes the restriction by sending the header" if access
            else "a client escapes the limit by sending a new value with every request")


def _decision(sf: SourceFile, call: Call) -> tuple[Call, bool] | None:
    """(the helper call, True for an access test / False for a rate limit) when the address decides one.

    Inside a named function, its own calls say what it does with the address. Calls in an anonymous
    callback (a hook, a decorator) have no function of their own: a test of the address a few lines
    below stands in for "the same function", and a file that is a limiter (named so, or importing a
    limiter library) keys its limit on it.
    """
    enclosing = max((f for f in sf.functions if f.line <= call.line and call.callee in f.body.calls),
                    key=lambda f: f.line, default=None)
    if enclosing is not None:
        names = [rules.names_only(c) for c in enclosing.body.calls]
        if any(_ACCESS_CALL.search(n) and n.rsplit(".", 1)[-1] not in _VALIDATORS for n in names):
            return call, True
        if rules.OWN_LIMITER.search(enclosing.name) or any(rules.OWN_LIMITER.search(n) for n in names):
            return call, False
        return None
    deciding = [c for c in sf.calls if _ACCESS_CALL.search(rules.names_only(c.callee)) and c.name not in _VALIDATORS]
    if any(0 <= c.line - call.line <= _NEAR for c in deciding):
        return call, True
    limiter_file = any(rules.OWN_LIMITER.search(rules.names_only(c.callee))
                       or any(rules.OWN_LIMITER.search(s) for s in c.strings) for c in sf.calls) or any(
        imp.module.startswith(rules.LIMITERS) for imp in sf.imports)
    return (call, False) if limiter_file else None


_OVERWRITE = re.compile(r"proxy_set_header\s+([\w-]+)\s+\$remote_addr\s*;", re.IGNORECASE)


# Platforms whose edge sets these headers itself, whatever the client sent (their own documentation:
# Vercel's x-forwarded-for and x-real-ip, Cloudflare's CF-Connecting-IP, Fly's Fly-Client-IP, Netlify's
# x-nf-client-connection-ip), found by the platform's manifest in the repository.
_PLATFORM_HEADERS = {
    "vercel.json": ("x-forwarded-for", "x-real-ip", "x-vercel-forwarded-for"),
    "wrangler.toml": ("cf-connecting-ip",), "wrangler.json": ("cf-connecting-ip",),
    "wrangler.jsonc": ("cf-connecting-ip",),
    "fly.toml": ("fly-client-ip",),
    "netlify.toml": ("x-nf-client-connection-ip",),
}


def _overwritten_headers(project: Project) -> frozenset[str]:
    """Headers a client cannot choose: ones a proxy in the repository sets to the connection's address,
    and ones the platform the repository deploys to sets at its edge."""
    found = {m.group(1).lower() for config in proxy_configs(project) if config.kind == "nginx"
             for m in _OVERWRITE.finditer(config.text)}
    for rel in project.files:
        found.update(_PLATFORM_HEADERS.get(posixpath.basename(rel), ()))
    return frozenset(found)
