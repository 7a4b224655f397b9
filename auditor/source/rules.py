"""Shared judgement helpers for the ``APP-*`` checks: library detection, costly routes, locations.

Everything here reads the :class:`~auditor.source.index.SourceIndex`; nothing
opens files. Library detection goes by what the code imports (a dependency
that is declared but never imported is not applied).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.model import Location
from auditor.project import Project
from auditor.registry import NotApplicable
from auditor.source.facts import Body, Route, Service, SourceFile
from auditor.source.index import SourceIndex, source_index

# Calls a health/readiness handler may make without touching any dependency.
TRIVIAL_CALLS = frozenset({
    "json", "text", "send", "status", "toISOString", "now", "uptime", "stringify", "Date", "JSONResponse",
    "Response", "jsonify", "HttpResponse", "JsonResponse", "header", "set", "memoryUsage", "hrtime", "dict",
    "Body", "Param", "Query", "Res", "Req", "HttpCode", "time", "datetime.now", "datetime.utcnow", "isoformat",
    "getpid", "PlainTextResponse", "str", "int", "float",
})
PAID_API = re.compile(r"openai|anthropic|whisper|transcri|completions|resend|nodemailer|sendMail|sendgrid|sgMail|"
                      r"mailgun|postmark|ses\.|sendEmail|twilio|stripe", re.IGNORECASE)
ABUSABLE_PATH = re.compile(r"log-?in|sign-?in|sign-?up|register|auth|password|reset|magic|otp|verify|upload|"
                           r"transcri|invite|contact|email", re.IGNORECASE)
LOG_CALL_FIX = "a structured logger"


def index_or_skip(project: Project) -> tuple[SourceIndex, tuple[Service, ...]]:
    """The source index and its services; NotApplicable when the repository has no server code."""
    index = source_index(project)
    if not index.services:
        raise NotApplicable("no server application found (no package.json or Python project using a web framework)")
    return index, index.services


def entry(service: Service) -> Location:
    """Where to anchor a finding about something absent: the service's entry point."""
    return Location(path=service.entry, line=service.entry_line)


def imports_any(index: SourceIndex, service: Service, modules: Iterable[str]) -> bool:
    """True when the service's code imports any of ``modules`` (or a submodule of one)."""
    wanted = tuple(modules)
    for module in index.modules(service):
        if any(module == m or module.startswith(m + "/") or module.startswith(m + ".") for m in wanted):
            return True
    return False


def has_call(index: SourceIndex, service: Service, pattern: re.Pattern[str]) -> bool:
    """True when some call's callee text matches ``pattern``."""
    return any(pattern.search(call.callee) for _, call in index.calls(service))


def literals(index: SourceIndex, service: Service) -> frozenset[str]:
    """String literals of interest (header names, pragmas) used anywhere in the service."""
    out: set[str] = set()
    for sf in index.files_of(service):
        out.update(sf.literals)
    return frozenset(out)


def setting(index: SourceIndex, service: Service, name: str) -> tuple[SourceFile, object, int] | None:
    """A module-level Python setting (Django): its file, literal value and line; production modules first."""
    found = []
    for sf in index.files_of(service):
        for assignment in sf.assignments:
            if assignment.name == name:
                found.append((sf, assignment.literal, assignment.line))
    if not found:
        return None
    found.sort(key=lambda item: (is_dev_settings(item[0].path), item[0].path))
    return found[0]


def is_dev_settings(path: str) -> bool:
    """Settings modules meant for development or tests, not production."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return stem in {"dev", "development", "local", "test", "tests", "testing", "ci"} or stem.endswith(("_dev", "_local", "_test"))


def django_middleware(index: SourceIndex, service: Service) -> list[str]:
    """The Django ``MIDDLEWARE`` list (production settings first)."""
    found = setting(index, service, "MIDDLEWARE")
    if found is None or not isinstance(found[1], list | tuple):
        return []
    return [str(m) for m in found[1]]


def costly_functions(index: SourceIndex, service: Service) -> set[str]:
    """Names of the service's functions that call paid or abusable APIs (one level of indirection)."""
    names: set[str] = set()
    for sf in index.files_of(service):
        for func in sf.functions:
            if any(PAID_API.search(c) for c in func.body.calls):
                names.add(func.name)
    return names


def costly_reason(route: Route, full_path: str, costly: set[str]) -> str:
    """Why a route is costly or abusable ('' when it is not)."""
    body = route.handler
    calls = body.calls if body else ()
    paid = next((c for c in calls if PAID_API.search(c)), None)
    if paid:
        return f"calls a paid or email API ({paid})"
    helper = next((c for c in calls if c.rsplit(".", 1)[-1] in costly), None)
    if helper:
        return f"calls {helper}, which uses a paid or email API"
    match = ABUSABLE_PATH.search(full_path)
    if match and route.method in {"POST", "PUT", "PATCH", "ANY"}:
        return f"is an abusable endpoint ({match.group(0)})"
    return ""


def body_of(index: SourceIndex, service: Service, route: Route) -> Body | None:
    """The handler facts of a route, following a named handler (Django views, Express controllers)."""
    if route.handler is not None:
        return route.handler
    if not route.handler_ref:
        return None
    name = route.handler_ref.rsplit(".", 1)[-1]
    for sf in index.files_of(service):
        for func in sf.functions:
            if func.name == name:
                return func.body
    return None


def routes(index: SourceIndex, service: Service) -> Iterator[tuple[SourceFile, Route, str, Body | None]]:
    """Every route of the service with its full path and resolved handler body."""
    for sf, route, full in index.routes(service):
        yield sf, route, full, body_of(index, service, route)
