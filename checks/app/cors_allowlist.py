"""Credentialed CORS allow-list that admits localhost, null or any user-added domain.

## What it checks
A CORS policy with credentials whose origin is decided at run time (an `origin` callback, or an
allow-list array) is judged by what it can admit:

- origins looked up at request time from the database or a store (`await`, `findMany`,
  `prisma.`, `db.`, `query(`, an `allowedDomains` list loaded per request): any user who can add
  a domain to their account can then make credentialed requests from it (**high**);
- the literal origin `null` (sandboxed iframes, `file://`, data URLs can send it) (**medium**);
- `localhost` / `127.0.0.1` origins outside a development-only branch: any local web page or
  dev server on the visitor's machine counts as trusted (**low**).

Policies that allow every origin or reflect it outright are APP-CORS; they are not repeated
here.

## Why it matters
With credentials allowed, the browser attaches the user's cookies and lets the admitted origin
read the answers. An allow-list that grows with user input, or admits `null` and localhost, is a
wildcard in disguise for whoever controls one of those origins.

## How to fix
Allow credentials only for your own, fixed front-end origins; serve embeddable widgets from a
separate, credential-free policy.

```ts hono
const appOrigins = new Set(process.env.APP_ORIGINS!.split(','));
app.use('/api/dashboard/*', cors({ origin: (o) => (appOrigins.has(o) ? o : null), credentials: true }));
app.use('/api/widget/*', cors({ origin: '*' })); // user-added domains: no credentials
```
```ts express
app.use(cors({ origin: [process.env.APP_ORIGIN!], credentials: true }));
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Call

_WILDCARD = {"'*'", '"*"', "`*`"}
_LOOKUP = re.compile(r"\bawait\b|findMany|findFirst|findUnique|\.find\(|prisma\.|\bdb\.|\.query\(|\.select\(|"
                     r"getAllowed\w*|allowed_?domains|fetchDomains|redis\.", re.IGNORECASE)
_NULL = re.compile(r"""["']null["']""")
_LOCAL = re.compile(r"localhost|127\.0\.0\.1")
_DEV_ONLY = re.compile(r"NODE_ENV\s*[!=]==?\s*['\"](development|production)['\"]|isDev\w*|\bdev(elopment)?Mode\b",
                       re.IGNORECASE)


@check(id="APP-CORS-ALLOWLIST", severity=Severity.HIGH, section=Section.SECURITY, security=True,
       effort_hours=1.0, confidence=Confidence.MEDIUM,
       passed="Credentialed CORS admits only fixed, own origins")
def cors_allowlist(project: Project) -> Iterator[Finding]:
    """Flag credentialed CORS allow-lists that admit runtime, null or localhost origins."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        for sf, call in index.calls(service):
            if not _is_cors(call):
                continue
            credentials = call.prop("credentials")
            if credentials is None or credentials.kind != "true":
                continue
            origin = call.prop("origin")
            if origin is None or origin.kind not in {"function", "array", "identifier"}:
                continue
            judged = True
            if origin.kind == "function" and _outright(origin.params[0] if origin.params else "", origin.returns):
                continue  # wildcard or reflection: APP-CORS reports it
            text = _call_text(project.read_text(sf.path) or "", call.line)
            problem = _admits(text if origin.kind != "array" else origin.value, origin.kind)
            if problem is None:
                continue
            what, severity = problem
            yield Finding(f"{service.name}: credentialed CORS {what}", Location(sf.path, call.line),
                          key=f"{service.name}:cors-allowlist", severity=severity)
    if not judged:
        raise NotApplicable("no credentialed CORS policy with a computed or listed origin")


def _is_cors(call: Call) -> bool:
    return call.name in {"cors", "enableCors"} or (call.name == "register" and bool(call.args)
                                                    and "cors" in call.args[0].lower())


def _outright(param: str, returns: tuple[tuple[str, bool], ...]) -> bool:
    unconditional = [text for text, conditional in returns if not conditional]
    return any(t in _WILDCARD or (param and t == param) for t in unconditional)


def _admits(text: str, kind: str) -> tuple[str, Severity] | None:
    """What the allow-list admits that it should not, with the severity; None when nothing."""
    if kind != "array" and _LOOKUP.search(text):
        return ("admits origins looked up at request time (user-added domains get the user's cookies)",
                Severity.HIGH)
    if _NULL.search(text):
        return "admits the 'null' origin, which sandboxed iframes and file:// pages send", Severity.MEDIUM
    if _LOCAL.search(text) and not _DEV_ONLY.search(text):
        return "admits localhost origins outside a development-only branch", Severity.LOW
    return None


def _call_text(text: str, line: int) -> str:
    """The source of the call starting on ``line``, up to its balanced closing parenthesis."""
    lines = text.splitlines()
    chunk = "\n".join(lines[line - 1:line + 60])
    depth = 0
    for i, ch in enumerate(chunk):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return chunk[: i + 1]
    return chunk
