"""Permissive CORS with credentials.

## What it checks
CORS policies that allow any origin together with credentials, or that reflect the caller's
`Origin` back: Hono/Express `cors({ origin })` where the origin is `'*'`, `true` or a function
that falls back to `'*'` or to the request origin; NestJS `enableCors`; Fastify `@fastify/cors`;
FastAPI/Starlette `CORSMiddleware(allow_origins=["*"], allow_credentials=True)`; Flask-CORS
`supports_credentials=True` with any origin; django-cors-headers `CORS_ALLOW_ALL_ORIGINS` with
`CORS_ALLOW_CREDENTIALS`. A second finding names dashboard or admin routes covered by the same
permissive policy.

## Why it matters
A reflected or wildcard origin with credentials lets any website make authenticated requests
with the user's cookies and read the answers. A public widget API may need a permissive policy;
the dashboard behind a session cookie must not share it.

## How to fix
```ts hono
// public widget API: any origin, no credentials
app.use('/api/feedback/*', cors({ origin: '*' }));
// dashboard API: an explicit allow-list with credentials
app.use('/api/dashboard/*', cors({ origin: [process.env.APP_ORIGIN!], credentials: true }));
```

```ts express
app.use('/api/dashboard', cors({ origin: ['https://app.example.com'], credentials: true }));
```

```ts nestjs
app.enableCors({ origin: process.env.ALLOWED_ORIGINS!.split(','), credentials: true });
```

```ts fastify
await app.register(cors, { origin: ['https://app.example.com'], credentials: true });
```

```python fastapi
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
```

```python django
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
```

```python flask
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call, Prop

_PRIVATE = re.compile(r"dashboard|admin|internal|account|settings", re.IGNORECASE)
_WILDCARD = {"'*'", '"*"', "`*`"}


@check(id="APP-CORS", group="Permissive CORS policy", group_rank=0, severity=Severity.HIGH, section=Section.SECURITY, security=True, effort_hours=1.0,
       passed="No CORS policy reflects any origin or pairs '*' with credentials")
def cors(project: Project) -> Iterator[Finding]:
    """Flag wildcard or reflected origins allowed with credentials."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        private = [full for _, _, full, _ in rules.routes(index, service) if _PRIVATE.search(full)]
        for sf, call in index.calls(service):
            judged = judged or _configures_cors(call)
            problem, scope = _judge(call, service.framework)
            if not problem:
                continue
            yield Finding(
                message=f"{service.name}: CORS {problem}",
                location=Location(path=sf.path, line=call.line),
                key=f"{service.name}:cors",
            )
            covered = [p for p in private if _covers(scope, p)]
            if covered:
                yield Finding(
                    message=f"{service.name}: dashboard/admin routes share the permissive CORS policy "
                    f"({', '.join(sorted(set(covered))[:3])})",
                    location=Location(path=sf.path, line=call.line),
                    key=f"{service.name}:cors-private-routes",
                )
        if service.framework == "django":
            judged = judged or any(rules.setting(index, service, name) is not None for name in _DJANGO_SETTINGS)
            yield from _django(index, service)
    if not judged:
        # Without any CORS policy browsers apply the same-origin policy: nothing permissive to judge.
        raise NotApplicable("no CORS policy configured in the application code")


_DJANGO_SETTINGS = ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", "CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST",
                    "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ALLOW_CREDENTIALS")


def _configures_cors(call: Call) -> bool:
    name = call.name
    if name in {"cors", "CORS", "enableCors"}:
        return True
    if name == "register" and call.args and "cors" in call.args[0].lower():
        return True
    return name == "add_middleware" and bool(call.args) and call.args[0].endswith("CORSMiddleware")


def _judge(call: Call, framework: str) -> tuple[str, str]:
    """(problem, path scope) for a CORS-configuring call; problem is '' when the call is fine."""
    name = call.name
    if name in {"cors", "CORS", "enableCors"} or (name == "register" and call.args and "cors" in call.args[0].lower()):
        origin = call.prop("origin") or call.prop("origins")
        credentials = call.prop("credentials") or call.prop("supports_credentials")
        with_creds = credentials is not None and credentials.kind == "true"
        if name == "CORS" and origin is None:
            wildcard, reflect = True, False  # Flask-CORS allows every origin by default
        else:
            wildcard, reflect = _origin(origin)
        return _problem(wildcard, reflect, with_creds), "*"
    if name == "add_middleware" and call.args and call.args[0].endswith("CORSMiddleware"):
        origins = call.prop("allow_origins")
        regex = call.prop("allow_origin_regex")
        credentials = call.prop("allow_credentials")
        wildcard = bool(origins and "'*'" in origins.value) or bool(regex and regex.value.strip("'\"") in {".*", ".+", "^.*$"})
        return _problem(wildcard, False, bool(credentials and credentials.kind == "true")), "*"
    return "", ""


def _origin(origin: Prop | None) -> tuple[bool, bool]:
    """(allows any origin, reflects the request origin)."""
    if origin is None:
        return True, False  # the cors packages default to '*'
    if origin.kind == "true":
        return False, True  # `origin: true` echoes the request's Origin
    if origin.kind == "string":
        return origin.value in _WILDCARD, False
    if origin.kind == "array":
        return any(w in origin.value for w in _WILDCARD), False
    if origin.kind == "function":
        param = origin.params[0] if origin.params else ""
        unconditional = [text for text, conditional in origin.returns if not conditional]
        wildcard = any(text in _WILDCARD for text in unconditional)
        reflect = bool(param) and any(text == param for text in unconditional)
        return wildcard, reflect
    return False, False


def _problem(wildcard: bool, reflect: bool, credentials: bool) -> str:
    if reflect:
        return "reflects any request Origin" + (" with credentials allowed" if credentials else "")
    if wildcard and credentials:
        return "allows any origin ('*') with credentials enabled"
    return ""


def _covers(scope: str, path: str) -> bool:
    return scope in {"*", "/*", ""} or path.startswith(scope.rstrip("*"))


def _django(index: rules.SourceIndex, service: rules.Service) -> Iterator[Finding]:
    allow_all = rules.setting(index, service, "CORS_ALLOW_ALL_ORIGINS") or rules.setting(
        index, service, "CORS_ORIGIN_ALLOW_ALL")
    credentials = rules.setting(index, service, "CORS_ALLOW_CREDENTIALS")
    if allow_all and allow_all[1] is True and credentials and credentials[1] is True:
        yield Finding(
            message=f"{service.name}: CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS lets any site send credentialed requests",
            location=Location(path=allow_all[0].path, line=allow_all[2]),
            key=f"{service.name}:cors",
        )
