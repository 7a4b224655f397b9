"""Rate limiter counts the proxy's address, not the client's.

## What it checks
A Node service limits requests by client address with the library's default key
(`express-rate-limit`, `express-slow-down` or `@fastify/rate-limit` without a
`keyGenerator`, or NestJS `ThrottlerGuard`, which keys on `req.ip`), the repository shows that requests reach it
through a proxy or a platform router (an nginx `proxy_pass`, a Caddy `reverse_proxy`,
Traefik routers, a Procfile `web` process, fly.toml, render.yaml, railway, App Engine, a
Kubernetes `Ingress`), and the application never trusts it: Express's `trust proxy`
(`app.set('trust proxy', ...)` / `app.enable('trust proxy')`) or Fastify's `trustProxy`. Services whose limiter
options are not written at the call, and Nest applications on Fastify, are not judged.

## Why it matters
Without `trust proxy`, Express reports the proxy's address as `req.ip` for every
request. The limiter then puts all clients in one bucket: a handful of users (or one
script) exhausts the limit for everyone, and a brute-force attempt is indistinguishable
from normal traffic. express-rate-limit 7 logs `ERR_ERL_UNEXPECTED_X_FORWARDED_FOR` for
exactly this, once, and carries on.

## How to fix
Tell Express how many proxies stand in front of it (a number of hops, not `true`, which
lets any client choose its address with an `X-Forwarded-For` header).

```ts express
const app = express()
app.set('trust proxy', 1) // one proxy (the load balancer) in front of the app
app.use('/auth', rateLimit({ windowMs: 15 * 60_000, limit: 20 }))
```
```ts fastify
const app = Fastify({ trustProxy: 1 })
await app.register(rateLimit, { max: 100, timeWindow: '1 minute' })
```
```ts nestjs
const app = await NestFactory.create<NestExpressApplication>(AppModule)
app.set('trust proxy', 1)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.proxies import request_front
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Service, SourceFile
from auditor.source.index import SourceIndex

_IP_LIMITERS = ("express-rate-limit", "express-slow-down")


@check(id="APP-RATE-LIMIT-PROXY-IP", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=0.5, confidence=Confidence.MEDIUM,
       passed="Rate limits key on the client's address (trust proxy set behind a proxy)")
def rate_limit_proxy_ip(project: Project) -> Iterator[Finding]:
    """Report IP-keyed limiters behind a proxy in an app that never sets ``trust proxy``."""
    index, services = rules.index_or_skip(project)
    limited = [(service, where) for service in services
               if service.language != "python" and (where := _ip_keyed_limiter(index, service)) is not None]
    if not limited:
        raise NotApplicable("no service limits requests by the default client-address key")
    front = request_front(project)
    if front is None:
        raise NotApplicable("nothing in the repository shows a proxy or platform router in front of the app")
    for service, (sf, line, what) in limited:
        if _trusts_proxy(index, service):
            continue
        yield Finding(
            message=(f"{service.name}: {what} keys clients by req.ip, and requests arrive through "
                     f"{front.what} ({front.path}:{front.line}), but the app never sets 'trust proxy': every "
                     "client gets the proxy's address, so all of them share one limit"),
            location=Location(sf.path, line), key=f"{service.name}:trust-proxy",
            related=(Location(front.path, front.line),),
        )


def _ip_keyed_limiter(index: SourceIndex, service: Service) -> tuple[SourceFile, int, str] | None:
    """The first limiter of the service keyed by the default ``req.ip``, if there is one."""
    for sf in index.files_of(service):
        names = {name for imp in sf.imports if imp.module in _IP_LIMITERS for name in imp.names}
        if not names:
            continue
        for call in sf.calls:
            if call.name not in names and call.callee not in names:
                continue
            # Options written elsewhere (`rateLimit(options)`) may set a key: not judged.
            if not call.props or call.prop("keyGenerator") is not None:
                continue
            module = next(imp.module for imp in sf.imports if imp.module in _IP_LIMITERS and call.name in imp.names)
            return sf, call.line, module
    for sf in index.files_of(service):
        names = {name for imp in sf.imports if imp.module == "@fastify/rate-limit" for name in imp.names}
        for call in sf.calls if names else ():
            # `fastify.register(rateLimit, { max: 100 })`: the options are the call's object literal.
            if call.name == "register" and call.args and call.args[0].strip() in names:
                if call.props and call.prop("keyGenerator") is None:
                    return sf, call.line, "@fastify/rate-limit"
    if rules.imports_any(index, service, ("@nestjs/throttler",)):
        if any(call.name == "FastifyAdapter" for _sf, call in index.calls(service)):
            return None
        for sf in index.files_of(service):
            # A guard of the application's own that extends ThrottlerGuard may override getTracker.
            if any("ThrottlerGuard" in base for cls in sf.classes for base in cls.bases):
                return None
        for sf, call in index.calls(service):
            if any("ThrottlerGuard" in arg for arg in call.args):
                return sf, call.line, "ThrottlerGuard (@nestjs/throttler)"
    return None


def _trusts_proxy(index: SourceIndex, service: Service) -> bool:
    """``trust proxy`` is set (``app.set``/``app.enable``, Fastify's ``trustProxy``), or named in the code."""
    for _sf, call in index.calls(service):
        if call.name in {"set", "enable"} and any(s.startswith("trust proxy") for s in call.strings):
            return True
        if call.prop("trustProxy") is not None:
            return True
    # A setting passed through a constant or a helper: the string anywhere means the author handled it.
    return any("trust proxy" in literal for literal in rules.literals(index, service))

