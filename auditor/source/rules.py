"""Shared judgement helpers for the ``APP-*`` checks: library detection, costly routes, locations.

Everything here reads the :class:`~auditor.source.index.SourceIndex`; nothing
opens files. Library detection goes by what the code imports (a dependency
that is declared but never imported is not applied).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from auditor.model import Location
from auditor.project import Project
from auditor.registry import NotApplicable
from auditor.source.facts import Body, Route, Service, SignalHandler, SourceFile
from auditor.source.index import SourceIndex, source_index

# Calls a health/readiness handler may make without touching any dependency.
TRIVIAL_CALLS = frozenset({
    "json", "text", "send", "status", "toISOString", "now", "uptime", "stringify", "Date", "JSONResponse",
    "Response", "jsonify", "HttpResponse", "JsonResponse", "header", "set", "memoryUsage", "hrtime", "dict",
    "Body", "Param", "Query", "Res", "Req", "HttpCode", "time", "datetime.now", "datetime.utcnow", "isoformat",
    "getpid", "PlainTextResponse", "str", "int", "float",
})
ABUSABLE_PATH = re.compile(r"log-?in|sign-?in|sign-?up|register|auth|password|reset|magic|otp|verify|upload|"
                           r"transcri|invite|contact|email", re.IGNORECASE)
LOG_CALL_FIX = "a structured logger"
# Rate-limit libraries (imports) and the application's own limiter (names), shared by the APP checks.
LIMITERS = (
    "hono-rate-limiter", "@hono-rate-limiter", "express-rate-limit", "express-slow-down", "@nestjs/throttler",
    "@fastify/rate-limit", "fastify-rate-limit", "rate-limiter-flexible", "@upstash/ratelimit", "koa-ratelimit",
    "slowapi", "fastapi_limiter", "flask_limiter", "django_ratelimit", "ratelimit", "limits",
    # Frameworks whose auth flows are limited by default: django-allauth's ACCOUNT_RATE_LIMITS.
    "allauth",
)
# The application's own limiter: a function, class or middleware named for what it does.
OWN_LIMITER = re.compile(r"rate[-_]?limit|throttl|limiter|token[-_]?bucket|slow[-_]?down", re.IGNORECASE)
# Libraries that take over SIGTERM handling and drain the server (APP-GRACEFUL-SHUTDOWN and
# DOCKER-SIGTERM-NOT-FORWARDED both count them as the service's shutdown handler).
SHUTDOWN_HELPERS = ("http-terminator", "@godaddy/terminus", "close-with-grace", "lightship", "stoppable",
                    "fastify-graceful-shutdown", "@nestjs/terminus")


def shutdown_taken_over(index: SourceIndex, service: Service) -> bool:
    """Whether a library owns the service's SIGTERM: a shutdown helper, or NestJS ``enableShutdownHooks()``."""
    if service.framework == "nestjs" and any(c.name == "enableShutdownHooks" for _, c in index.calls(service)):
        return True
    return imports_any(index, service, SHUTDOWN_HELPERS)


def signal_handlers(index: SourceIndex, service: Service) -> list[tuple[SourceFile, SignalHandler]]:
    """The service's own ``SIGTERM`` / ``SIGINT`` handlers, with the file each is in."""
    return [(sf, h) for sf in index.files_of(service) for h in sf.signals if h.signal in {"SIGTERM", "SIGINT"}]



def index_or_skip(project: Project) -> tuple[SourceIndex, tuple[Service, ...]]:
    """The source index and its services; NotApplicable when the repository has no server code."""
    index = source_index(project)
    if not index.services:
        raise NotApplicable("no server application found (no package.json or Python project using a web framework)")
    return index, index.services


def service_files(index: SourceIndex, services: Iterable[Service],
                  language: str) -> Iterator[tuple[Service, SourceFile]]:
    """(service, file) for every parsed file of the services written in ``language`` ("node", "python")."""
    for service in services:
        if service.language == language:
            for sf in index.files_of(service):
                yield service, sf


def entry(service: Service) -> Location:
    """Where to anchor a finding about something absent: the service's entry point."""
    return Location(path=service.entry, line=service.entry_line)


def imports_any(index: SourceIndex, service: Service, modules: Iterable[str]) -> bool:
    """True when the service's code imports any of ``modules`` (or a submodule of one)."""
    prefixes = _import_prefixes(index.modules(service))
    return any(m in prefixes for m in modules)


@lru_cache(maxsize=4096)
def _import_prefixes(modules: frozenset[str]) -> frozenset[str]:
    """Every module of ``modules`` and each of its parents (``a/b.c`` -> ``a/b.c``, ``a/b``, ``a``).

    ``m`` is imported, or a submodule of it (``m/...``, ``m....``), exactly when it is in this set:
    one set lookup per name asked about instead of a prefix test against every import.
    """
    out = set(modules)
    for module in modules:
        out.update(module[:i] for i, char in enumerate(module) if char in "/.")
    return frozenset(out)


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


# Costly or abusable third-party services a route can call, named as a report should name them.
# (label, modules whose import makes the call attributable, pattern on the call text)
COSTLY_SERVICES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("OpenAI Whisper", ("openai",), re.compile(r"audio\.(transcriptions|translations)|whisper", re.IGNORECASE)),
    ("OpenAI", ("openai",), re.compile(r"openai|completions|embeddings|responses\.create|images\.generate|"
                                       r"moderations", re.IGNORECASE)),
    ("Anthropic", ("@anthropic-ai/sdk", "anthropic"), re.compile(r"anthropic|messages\.(create|stream)", re.IGNORECASE)),
    ("Google Gemini", ("@google/generative-ai", "@google/genai", "google.generativeai", "google.genai"),
     re.compile(r"generateContent|generate_content", re.IGNORECASE)),
    ("Resend email", ("resend",), re.compile(r"resend|emails\.send", re.IGNORECASE)),
    ("SendGrid email", ("@sendgrid/mail", "sendgrid"), re.compile(r"sgMail|sendgrid|\.send$", re.IGNORECASE)),
    ("Postmark email", ("postmark",), re.compile(r"postmark|sendEmail", re.IGNORECASE)),
    ("Mailgun email", ("mailgun.js", "mailgun", "mailgun-js"), re.compile(r"mailgun|messages\.create", re.IGNORECASE)),
    ("AWS SES email", ("@aws-sdk/client-ses", "@aws-sdk/client-sesv2", "boto3"),
     re.compile(r"ses\.|SendEmail|send_email", re.IGNORECASE)),
    ("SMTP email (nodemailer)", ("nodemailer",), re.compile(r"sendMail", re.IGNORECASE)),
    ("SMTP email", ("smtplib", "aiosmtplib"), re.compile(r"send_message|sendmail", re.IGNORECASE)),
    ("Twilio SMS", ("twilio",), re.compile(r"twilio|messages\.create", re.IGNORECASE)),
    ("Stripe", ("stripe",), re.compile(r"stripe", re.IGNORECASE)),
    ("Replicate", ("replicate",), re.compile(r"replicate", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Cost:
    """Why a route is worth limiting: the costly services it reaches, or the abusable action it performs."""

    reason: str
    services: tuple[str, ...] = ()
    paid: bool = False
    guessed: bool = False  # judged by the URL alone: the handler could not be resolved


def _modules_match(modules: frozenset[str], wanted: tuple[str, ...]) -> bool:
    prefixes = _import_prefixes(modules)
    return any(w in prefixes for w in wanted)


def costly_service(call: str, modules: frozenset[str]) -> str:
    """The costly service a call text reaches in a file importing ``modules`` ('' when none).

    A call counts only when its file imports the service's SDK, so ``res.send`` is never SendGrid.
    A call that merely looks costly (``array.push``, a query builder's ``.limit``) is not one.
    """
    for label, pattern in _reachable_services(modules):
        if pattern.search(call):
            return label
    return ""


@lru_cache(maxsize=4096)
def _reachable_services(modules: frozenset[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The costly services whose SDK a file with these imports imports, in ``COSTLY_SERVICES`` order.

    Most files import none, so most calls cost no regex search at all; a file's ``modules`` is one
    frozenset (its hash is kept), so the cache is hit once per file, not rebuilt per call.
    """
    return tuple((label, pattern) for label, wanted, pattern in COSTLY_SERVICES if _modules_match(modules, wanted))


def callables_calling(index: SourceIndex, service: Service, pattern: re.Pattern[str], *,
                      forms_only: bool = False, exclude: frozenset[str] = frozenset()) -> frozenset[str]:
    """Names of the service's functions, and of its classes through their methods, that call ``pattern``.

    A handler that calls one of these goes through what ``pattern`` names one level down: a Django
    view constructing a form whose ``clean()`` calls the limiter, a controller calling a helper.
    ``forms_only`` keeps form classes alone (a base named ``...Form``: their ``clean()`` methods run
    on every ``is_valid()``); callees named in ``exclude`` do not count.
    """
    def calls_it(callee: str) -> bool:
        return callee not in exclude and pattern.search(names_only(callee)) is not None

    def build() -> frozenset[str]:
        found: set[str] = set()
        for sf in index.files_of(service):
            hits = [func for func in sf.functions if any(calls_it(c) for c in func.body.calls)]
            if not forms_only:
                found.update(func.name for func in hits)
            found.update(cls.name for cls in sf.classes
                         if (not forms_only or any(base.endswith("Form") for base in cls.bases))
                         and any(cls.line <= func.line <= cls.end_line for func in hits))
        return frozenset(found)

    key = f"rules.callables_calling:{pattern.pattern}:{forms_only}:{sorted(exclude)}"
    return index.derived(key, service, build)


def password_forms(index: SourceIndex, service: Service) -> frozenset[str]:
    """The service's form classes that check a password in their ``clean()`` (a custom login form).

    Only forms: a model or helper class with one credential method says nothing about the route
    that constructs it, while a form's ``clean()`` runs on the handler's ``is_valid()``.
    """
    return callables_calling(index, service, _CHECKS_PASSWORD, forms_only=True,
                             exclude=session_starts(index, service))


def names_only(callee: str) -> str:
    """A callee without its string arguments: `boolean("rate_limit")` names no limiter."""
    return re.sub(r"""(["'`]).*?\1""", "", callee)


def costly_functions(index: SourceIndex, service: Service) -> dict[str, tuple[str, ...]]:
    """The service's functions that call costly APIs, by name, with the services they reach."""
    found: dict[str, tuple[str, ...]] = {}
    for sf in index.files_of(service):
        for func in sf.functions:
            labels = [costly_service(c, sf.modules) for c in func.body.calls]
            named = tuple(dict.fromkeys(label for label in labels if label))
            if named:
                found[func.name] = tuple(dict.fromkeys((*found.get(func.name, ()), *named)))
    return found


# What a handler does that makes it worth limiting, judged from the calls it makes (not its URL).
# Bare `login` / `sign_in` only as the whole name or a method (`auth.login`): `_redirect_after_login` is not one.
# Django's AuthenticationForm checks the password in its clean().
_CHECKS_PASSWORD = re.compile(r"(?:^|[._])(authenticate\w*|check_password|verify_password|validate_?login|"
                              r"verify_totp|checkpw|compare_?password|AuthenticationForm)$|(?:^|\.)(login|sign_?in)$",
                              re.IGNORECASE)
_CREATES_ACCOUNT = re.compile(r"(?:^|[._])(create_?user|register\w*|sign_?up\w*|SignupForm|create_?account)$",
                              re.IGNORECASE)
_SENDS_MAIL = re.compile(r"(?:^|[._])(send_?\w*(e?mail|link|code)\w*|forgot_?password|\w*reset_?password_?email)$",
                         re.IGNORECASE)
_UPLOADS = re.compile(r"(?:^|[._])(upload\w*|FileInterceptor|FilesInterceptor|multer|save_?file|parse_?multipart|"
                      r"parseBody|formData|saveFile)$",
                      re.IGNORECASE)
# Functions that start a session for a user someone else already verified: `django.contrib.auth.login`
# (often imported as `auth_login`) checks no credential, `authenticate()` before it does.
_SESSION_STARTS = ("django.contrib.auth.login",)


def session_starts(index: SourceIndex, service: Service) -> frozenset[str]:
    """Local names the service's imports bind to a session-start function (``auth_login``).

    Taken across the service: a route is registered in ``urls.py``, its handler imports in ``views.py``.
    """
    return index.derived("rules.session_starts", service, lambda: frozenset(
        name for sf in index.files_of(service) for imp in sf.imports if imp.module in _SESSION_STARTS
        for name in imp.names))


# A valid session, a guard or a signed token must come first: nothing to guess, nothing anonymous to abuse.
_GUARDED = re.compile(r"CurrentUser|current_(active_)?(user|superuser)|RequestWithUser|AuthenticatedHttpRequest|"
                      r"login_required|AuthGuard\(\s*['\"](?!local)|@UseGuards\((?!.*local)|IsAuthenticated|"
                      r"require_(sudo|login|admin|superuser)|verify_\w*token|verifyToken|jwt\.verify|"
                      r"construct_?event|verify_?signature|verify_?webhook|compare_digest",
                      re.IGNORECASE)


# A path parameter holding a link's token or signature (`<str:token>`, `:token`, `{signed_payload}`): the
# route acts on an e-mailed link, and guessing a random or signed token is not a practical attack.
_LINK_TOKEN = re.compile(r"(?:<(?:\w+:)?|\{|:)(\w*token|signed_\w*|signature)\b", re.IGNORECASE)


def costly_reason(route: Route, full_path: str, costly: dict[str, tuple[str, ...]],
                  modules: frozenset[str] = frozenset(), body: Body | None = None,
                  registration: str = "", starts: frozenset[str] = frozenset(),
                  checkers: frozenset[str] = frozenset()) -> Cost | None:
    """Why a route is costly or abusable (None when it is neither), from what its handler does.

    ``modules`` are the imports of the route's file; ``body`` the resolved handler (named handlers);
    ``registration`` the source text that registers the route (decorators, ``dependencies=[...]``);
    ``starts`` the names bound to session starts (Django's ``login``), which check no password;
    ``checkers`` the service's form classes that check one (see :func:`password_forms`).
    A paid SDK resolved through imports is ``paid``; password checks, account creation, sending
    mail and uploads are abusable actions. A guarded route (a session, a guard, a signed token or a
    verified webhook signature first) is neither. Without a visible handler the URL alone decides,
    and ``guessed`` says so.
    """
    body = body or route.handler
    calls = body.calls if body else ()
    for call in calls:
        label = costly_service(call, modules)
        if label:
            return Cost(f"calls {label} ({call})", (label,), paid=True)
    for call in calls:
        labels = costly.get(call.rsplit(".", 1)[-1])
        if labels:
            return Cost(f"calls {' and '.join(labels)} through {call}", labels, paid=True)
    if route.method not in {"POST", "PUT", "PATCH", "ANY"}:
        return None
    if body is None:
        match = ABUSABLE_PATH.search(full_path)
        if match:
            return Cost(f"looks abusable by its path ({match.group(0)}); its handler was not found",
                        (match.group(0).lower(),), guessed=True)
        return None
    context = " ".join((*route.middlewares, *body.param_types, *body.param_decorators, *calls, registration))
    if _GUARDED.search(context) or _LINK_TOKEN.search(full_path):
        return None
    for pattern, what in ((_CHECKS_PASSWORD, "checks a password"), (_CREATES_ACCOUNT, "creates accounts"),
                          (_SENDS_MAIL, "sends email"), (_UPLOADS, "accepts uploads")):
        hit = next((c for c in calls if (pattern.search(c) and c not in starts)
                    or (pattern is _CHECKS_PASSWORD and c.rsplit(".", 1)[-1] in checkers)), None)
        if hit is not None:
            return Cost(f"{what} ({hit})", (what,))
    if any("UploadFile" in t or "File" == t for t in body.param_types):
        return Cost("accepts uploads", ("accepts uploads",))
    return None


def body_of(index: SourceIndex, service: Service, route: Route, near: str = "") -> Body | None:
    """The handler facts of a route, following a named handler (Django views, Express controllers).

    A name is looked up next to the file that registers the route first (``urls.py`` -> its
    ``views.py``), so ``status`` resolves to the view, not to an admin column of the same name.
    """
    if route.handler is not None:
        return route.handler
    if not route.handler_ref:
        return None
    name = route.handler_ref.rsplit(".", 1)[-1]
    folder = near.rsplit("/", 1)[0] if "/" in near else ""

    def rank(sf: SourceFile) -> tuple[int, int, str]:
        same_dir = sf.path.rsplit("/", 1)[0] == folder if "/" in sf.path else folder == ""
        stem = sf.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return (0 if same_dir else 1, 0 if stem in {"views", "controllers", "handlers", "routes"} else 1, sf.path)

    # The first definition in the best-ranked file that defines the name (rank ends with the path: a total order).
    defined = index.functions_named(service).get(name)
    if not defined:
        return None
    return min(defined, key=lambda item: rank(item[0]))[1].body


def routes(index: SourceIndex, service: Service) -> Iterator[tuple[SourceFile, Route, str, Body | None]]:
    """Every route of the service with its full path and resolved handler body (resolved once per service)."""
    def build() -> tuple[tuple[SourceFile, Route, str, Body | None], ...]:
        return tuple((sf, route, full, body_of(index, service, route, sf.path))
                     for sf, route, full in index.routes(service))

    yield from index.derived("rules.routes", service, build)
