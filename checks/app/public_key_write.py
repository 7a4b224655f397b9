"""Public API keys that authorise writes, with no per-key limit.

## What it checks
A route that writes data (inserts, creates, saves, uploads) for any caller presenting an API key
in a request header, where the repository's own browser code sends that header with a value every
visitor can read: a key taken from the embedding page (`<script data-key=...>`,
`document.currentScript`) or compiled into the bundle (`import.meta.env.VITE_*`,
`NEXT_PUBLIC_*`). Such a key identifies a project; it does not authenticate anyone. The check
passes when a limiter in the service is keyed on the API key (a `keyGenerator` or `key_func` that
reads it) or the handler itself calls a limiter.

## Why it matters
Anyone who opens a page embedding the widget or the bundle has the key, so the endpoint is a
public write endpoint. A script that copies the key can fill the project's database, inbox or
storage, and a limiter keyed on the client address alone does not bound it: the writes come from
many addresses against one key. A per-key quota bounds the damage to one project and shows who is
being abused.

## How to fix
Limit writes per key, and treat the key as publishable: scope it to the one write it allows and
check `Origin` against the key's registered domains.

```ts hono
// per API key, beside the per-address limit
api.use('/feedback', rateLimiter({ windowMs: 3_600_000, limit: 1000, keyGenerator: (c) => c.req.header('x-api-key') ?? '' }));
```
```ts express
import rateLimit from 'express-rate-limit';
app.use('/api/feedback', rateLimit({ windowMs: 60 * 60 * 1000, limit: 1000, keyGenerator: (req) => req.get('x-api-key') ?? req.ip }));
```
```python fastapi
limiter = Limiter(key_func=lambda request: request.headers.get("x-api-key", get_remote_address(request)))

@app.post("/api/feedback")
@limiter.limit("1000/hour")
async def feedback(request: Request): ...
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.client import KEY_HEADER, PublicKeySend, public_key_sends

# A call that stores something: a query builder's insert, an ORM create/save/update, a file write.
_WRITE = re.compile(r"\.(?:insert\w*|create|createMany|save|update\w*|upsert|bulk_?create|get_or_create|"
                    r"add(?=$)|put(?:Object)?)$|^(?:writeFile\w*|fs\.writeFile\w*)$")
# Receivers whose create/add/put/update are not storage (`Object.create`, `clients.add` on a Set).
_NOT_STORAGE = re.compile(r"^(?:Object|document|crypto|Date|Math|JSON|Array|Promise|Buffer|URL|React|z|zod|"
                          r"hash|hmac|\w*[Hh]ash|clients|set|map|seen|headers|params|searchParams|formData|"
                          r"url|form|cache)\b")
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "ANY"})
# A limiter's key option: what it counts requests by.
_KEY_OPTIONS = ("keyGenerator", "key_func", "keyFunc", "getKey", "key")
_KEYED_ON_KEY = re.compile(r"api[-_]?key|apikey|x-[\w-]*key|token", re.IGNORECASE)


@check(id="APP-PUBLIC-KEY-WRITE", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=1.0, confidence=Confidence.MEDIUM,
       passed="Writes authenticated by a public key are limited per key (or there are none)")
def public_key_write(project: Project) -> Iterator[Finding]:
    """Flag write routes whose only credential is a key the browser code ships, with no per-key limit."""
    index, services = rules.index_or_skip(project)
    candidates: list[tuple[rules.Service, str, rules.Route, str, str, str, rules.Body]] = []
    for service in services:
        for sf, route, full, body in rules.routes(index, service):
            if route.method not in _WRITE_METHODS or body is None:
                continue
            header = next((s.lower() for s in body.strings if KEY_HEADER.match(s)), None)
            write = next((c for c in body.calls if _is_write(c)), None)
            if header and write:
                candidates.append((service, sf.path, route, full, header, write, body))
    if not candidates:
        raise NotApplicable("no write route is authenticated by an API key header")
    sends = {s.header: s for s in public_key_sends(project, {c[4] for c in candidates}, index.files)}
    judged = False
    for service, path, route, full, header, write, body in candidates:
        send = sends.get(header)
        if send is None:
            continue
        judged = True
        limit = _limit_kind(index, service, body)
        if limit == "per-key":
            continue
        yield _finding(service, path, route, full, header, write, send, limit)
    if not judged:
        raise NotApplicable("no browser code in the repository sends the API keys these write routes check")


def _is_write(callee: str) -> bool:
    """A call that stores data, judged on its last two segments (``db.insert(x).values`` -> ``db.insert``)."""
    head = callee.split("(", 1)[0]
    return bool(_WRITE.search(head)) and not _NOT_STORAGE.match(head)


def _limit_kind(index: rules.SourceIndex, service: rules.Service, body: rules.Body) -> str:
    """``per-key`` when a limiter counts by the API key (or the handler calls one), ``address`` when
    the service limits only by client, ``""`` when nothing limits it."""
    if any(rules.OWN_LIMITER.search(c) for c in body.calls):
        return "per-key"
    any_limiter = rules.imports_any(index, service, rules.LIMITERS)
    for _sf, call in index.calls(service):
        if not rules.OWN_LIMITER.search(call.callee):
            continue
        any_limiter = True
        for option in _KEY_OPTIONS:
            prop = call.prop(option)
            if prop is not None and _KEYED_ON_KEY.search(prop.value):
                return "per-key"
    return "address" if any_limiter else ""


def _finding(service: rules.Service, path: str, route: rules.Route, full: str, header: str, write: str,
             send: PublicKeySend, limit: str) -> Finding:
    """One finding per route, anchored at its registration, with the browser send as related location."""
    limited = ("the service's limiter counts by client address, not by key"
               if limit == "address" else "nothing limits writes")
    return Finding(
        message=f"{route.method} {full} stores data ({write.split('(', 1)[0]}) for anyone sending an {header} "
                f"header, and the browser code {send.source}, so every visitor of the page holds the key; {limited}",
        location=Location(path, route.line),
        key=f"{service.name}:{route.method} {full}",
        severity=Severity.MEDIUM if not limit else Severity.LOW,
        related=(Location(send.path, send.line),),
    )
