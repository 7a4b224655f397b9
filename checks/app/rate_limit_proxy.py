"""Rate limiter counts the proxy's address, not the client's.

## What it checks
A service limits requests by client address, the repository shows that requests reach it
through a proxy or a platform router (an nginx `proxy_pass`, a Caddy `reverse_proxy`,
Traefik routers, a Procfile `web` process, fly.toml, render.yaml, railway, App Engine, a
Kubernetes `Ingress`), and nothing tells the application to trust that proxy.

- Node: `express-rate-limit`, `express-slow-down` or `@fastify/rate-limit` without a
  `keyGenerator`, or NestJS `ThrottlerGuard`, all keyed on `req.ip`; trusted with Express's
  `app.set('trust proxy', ...)` / `app.enable('trust proxy')` or Fastify's `trustProxy`.
  Limiters whose options are not written at the call, and Nest on Fastify, are not judged.
- Python: slowapi or flask-limiter with `key_func=get_remote_address`, or the application's
  own limiter function reading `request.client.host` / `request.remote_addr`; trusted with
  uvicorn's or gunicorn's `--forwarded-allow-ips` (`FORWARDED_ALLOW_IPS`, a gunicorn config's
  `forwarded_allow_ips`), Daphne's `--proxy-headers`, or `ProxyHeadersMiddleware` / werkzeug
  `ProxyFix` in the code. uvicorn's own `--proxy-headers` is not enough: it still trusts only
  127.0.0.1 unless told otherwise. A
  proxy that reaches the app over loopback (`proxy_pass http://127.0.0.1:8000`) does not
  count here, because uvicorn and gunicorn trust loopback by default.

## Why it matters
Without `trust proxy`, Express reports the proxy's address as `req.ip` for every
request (and uvicorn, without `--forwarded-allow-ips`, reports it as `request.client.host`). The limiter then puts all clients in one bucket: a handful of users (or one
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
```dockerfile python
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--forwarded-allow-ips", "10.0.0.0/8"]
```
```ts nestjs
const app = await NestFactory.create<NestExpressApplication>(AppModule)
app.set('trust proxy', 1)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.deploy.proxies import forwarded_trust, project_mentions, request_front
from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Service, SourceFile
from auditor.source.index import SourceIndex

_IP_LIMITERS = ("express-rate-limit", "express-slow-down")


@check(id="APP-RATE-LIMIT-PROXY-IP", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=0.5, confidence=Confidence.MEDIUM,
       passed="Rate limits key on the client's address (the proxy is trusted)")
def rate_limit_proxy_ip(project: Project) -> Iterator[Finding]:
    """Report address-keyed limiters behind a proxy in an app (or server) that never trusts it."""
    index, services = rules.index_or_skip(project)
    limited = [(service, where) for service in services
               if (where := (_py_address_limiter(index, service) if service.language == "python"
                             else _ip_keyed_limiter(index, service))) is not None]
    if not limited:
        raise NotApplicable("no service limits requests by the client's address")
    judged = False
    for service, (sf, line, what) in limited:
        python = service.language == "python"
        # uvicorn and gunicorn trust a proxy on loopback by default; Express trusts none.
        front = request_front(project, remote_only=python)
        if front is None:
            continue
        judged = True
        if _py_trusts_proxy(project, index, service) if python else _trusts_proxy(project, index, services):
            continue
        if python:
            message = (f"{service.name}: {what} keys clients by request.client.host, and requests arrive through "
                       f"{front.what} ({front.path}:{front.line}), but the server is never told to trust it "
                       "(no --forwarded-allow-ips / FORWARDED_ALLOW_IPS, no ProxyHeadersMiddleware or ProxyFix): "
                       "every client gets the proxy's address, so all of them share one limit")
        else:
            message = (f"{service.name}: {what} keys clients by req.ip, and requests arrive through "
                       f"{front.what} ({front.path}:{front.line}), but the app never sets 'trust proxy': every "
                       "client gets the proxy's address, so all of them share one limit")
        yield Finding(message=message, location=Location(sf.path, line), key=f"{service.name}:trust-proxy",
                      related=(Location(front.path, front.line),))
    if not judged:
        raise NotApplicable("nothing in the repository shows a proxy or platform router in front of the app")


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


# Python limiters keyed on the peer address: slowapi's and flask-limiter's get_remote_address.
_PY_ADDRESS_KEY = frozenset({"slowapi.util", "flask_limiter.util"})
# Middleware that rewrites the peer address from forwarded headers (Starlette/uvicorn, werkzeug, hypercorn).
_PY_PROXY_FIX = ("ProxyHeadersMiddleware", "ProxyFix", "ProxyFixMiddleware")


def _py_address_limiter(index: SourceIndex, service: Service) -> tuple[SourceFile, int, str] | None:
    """A limiter keyed on the peer address: ``Limiter(key_func=get_remote_address)``, or the app's own
    limiter function that reads ``request.client.host`` (Starlette) or ``request.remote_addr`` (Flask)."""
    for sf in index.files_of(service):
        keyed = any(imp.module in _PY_ADDRESS_KEY and "get_remote_address" in imp.names for imp in sf.imports)
        for call in sf.calls if keyed else ():
            key = call.prop("key_func")
            if call.name == "Limiter" and ((key is not None and key.value == "get_remote_address")
                                           or call.args[:1] == ("get_remote_address",)):
                return sf, call.line, "Limiter(key_func=get_remote_address)"
        for func in sf.functions:
            members = func.body.members
            reads_peer = {"client", "host"} <= members or "remote_addr" in members
            limits = rules.OWN_LIMITER.search(func.name) or any(
                rules.OWN_LIMITER.search(rules.names_only(c)) for c in func.body.calls)
            if reads_peer and limits:
                return sf, func.line, f"{func.name}()"
    return None


def _py_trusts_proxy(project: Project, index: SourceIndex, service: Service) -> bool:
    """The server or the app rewrites the peer address from the proxy's forwarded headers."""
    if forwarded_trust(project) is not None:
        return True
    return any(name in call.callee or any(name in arg for arg in call.args)
               for _sf, call in index.calls(service) for name in _PY_PROXY_FIX)


def _trusts_proxy(project: Project, index: SourceIndex, services: tuple[Service, ...]) -> bool:
    """``trust proxy`` is set (``app.set``/``app.enable``, Fastify's ``trustProxy``), or named in the code.

    Any service counts: the app may be built by a shared package of the monorepo (a server factory
    in ``packages/server``) that is not the service's own code.
    """
    for service in services:
        for _sf, call in index.calls(service):
            if call.name in {"set", "enable"} and any(s.startswith("trust proxy") for s in call.strings):
                return True
            if call.prop("trustProxy") is not None:
                return True
    # Passed through a constant or a helper, or set by a shared package that is not parsed as a service:
    # the setting's name anywhere in the code means the author handled it.
    return project_mentions(project, ("trust proxy", "trustProxy"))

