"""Request bodies read without validation.

## What it checks
Routes whose handlers read a request body (`c.req.json()`, `req.body`, NestJS `@Body()`,
`await request.json()`, Flask `request.get_json()`, Django `request.POST`/`request.body`) without a
validation library on the way: zod or valibot (`zValidator`, `schema.parse`), class-validator
DTOs with a global `ValidationPipe`, Joi/celebrate, pydantic models (typed FastAPI parameters or
`model_validate`), marshmallow `load`, Django forms/serializers `is_valid()`. Multipart uploads
are judged by APP-UPLOAD-LIMITS instead, and signed webhooks (the handler verifies a signature
or HMAC over the raw body) are validated by that signature. One finding per router file lists
its routes (the others as related locations); Django and Flask views, which often check their few
fields by hand, are reported with low confidence. A Django/Flask form view that compares,
whitelists, caps, converts or validates every field it reads (or only tests a submit button,
forwards an opaque token, or stores a raw body it never parses) counts as checked by hand.

## Why it matters
Unvalidated bodies let callers store arbitrary shapes and sizes, crash handlers with unexpected
types and reach code paths (mass assignment, prototype pollution) the author never meant to
expose.

## How to fix
```ts hono
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
const Feedback = z.object({ message: z.string().min(1).max(5000), pageUrl: z.string().url().optional() });
app.post('/api/feedback', zValidator('json', Feedback), async (c) => { const body = c.req.valid('json'); ... });
```

```ts express
const body = Feedback.parse(req.body); // zod; or celebrate/Joi middleware
```

```ts nestjs
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
// and class-validator decorators on every DTO used with @Body()
```

```ts fastify
app.post('/feedback', { schema: { body: FeedbackSchema } }, handler);
```

```python fastapi
class Feedback(BaseModel):
    message: constr(min_length=1, max_length=5000)

@app.post("/feedback")
async def feedback(body: Feedback): ...
```

```python django
form = FeedbackForm(request.POST)
if not form.is_valid():
    return JsonResponse(form.errors, status=400)
```

```python flask
data = FeedbackSchema().load(request.get_json())  # marshmallow
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Confidence, Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Body, Route, Service
from auditor.source.index import SourceIndex

_BODY_CALL = re.compile(r"(^|\.)(req|request|ctx\.request)\.(json|text|arrayBuffer|get_json|body)$")
_VALIDATE_CALL = re.compile(r"(^|\.)(parse|safeParse|parseAsync|safeParseAsync|validate|validateSync|validateOrReject|"
                            r"model_validate|model_validate_json|parse_obj|parse_raw|load|is_valid|assert|check)$")
_VALIDATED_READ = re.compile(r"(^|\.)req\.valid$")
_VALIDATOR_MIDDLEWARE = re.compile(r"Validator\(|validator\(|celebrate\(|checkSchema\(|validate\(|schema", re.IGNORECASE)


@check(id="APP-INPUT-VALIDATION", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=2.0,
       passed="Request bodies validated before use")
def input_validation(project: Project) -> Iterator[Finding]:
    """Flag routes that read a body without a validation step."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        global_pipe = any(
            (c.name == "useGlobalPipes" and any("ValidationPipe" in a for a in c.args))
            or any(p.key == "provide" and p.value == "APP_PIPE" for p in c.props)
            for _, c in index.calls(service)
        )
        by_file: dict[str, list[tuple[int, str]]] = {}
        for sf, route, full, body in rules.routes(index, service):
            if body is None or not _reads_body(service.framework, body, route):
                continue
            judged = True
            if _validated(route, body, global_pipe) or _verified_webhook(body):
                continue
            if service.framework in {"django", "flask"} and _hand_checked(_view_source(project, index, service, body)):
                continue
            if service.language != "python" and _js_hand_checked(_handler_text(project, sf.path, body.line)):
                continue
            by_file.setdefault(sf.path, []).append((route.line, f"{route.method} {full}"))
        for path, items in by_file.items():
            # One finding per router file: the first route leads, the others are related locations.
            line, rest = items[0][0], items[1:]
            names = ", ".join(n for _, n in items[:6]) + (f" (+{len(items) - 6} more)" if len(items) > 6 else "")
            yield Finding(
                message=f"{len(items)} route(s) read the request body without schema validation: {names}",
                location=Location(path=path, line=line),
                key=f"{service.name}:unvalidated-body",
                related=tuple(Location(path, n) for n, _ in rest),
                # Django and Flask views often check their few fields by hand, which the scan cannot see.
                confidence=Confidence.LOW if service.framework in {"django", "flask"} else Confidence.HIGH,
            )
    if not judged:
        raise NotApplicable("no route reads a request body")


_SIGNATURE = re.compile(r"verify|constructEvent|construct_event|signature|hmac|compare_digest", re.IGNORECASE)


def _verified_webhook(body: Body) -> bool:
    """A signed webhook reads the raw body to verify its signature: the signature is the validation."""
    return any(_SIGNATURE.search(c) for c in body.calls) or any(_SIGNATURE.search(s) for s in body.strings)


def _reads_body(framework: str, body: Body, route: Route) -> bool:
    if "Body" in body.param_decorators:
        return True
    if any(_VALIDATED_READ.search(c) for c in body.calls) or any(_VALIDATOR_MIDDLEWARE.search(m) for m in route.middlewares):
        return True  # a validated read (Hono `c.req.valid('json')`, a validator middleware) still reads the body
    if any(_BODY_CALL.search(c) for c in body.calls):
        return True
    if framework in {"express", "fastify"} and "body" in body.members:
        return True
    if framework == "flask" and ({"json", "form"} & body.members):
        return True
    return framework == "django" and bool({"POST", "body"} & body.members)


def _validated(route: Route, body: Body, global_pipe: bool) -> bool:
    if "Body" in body.param_decorators:
        return global_pipe
    if any(_VALIDATOR_MIDDLEWARE.search(m) for m in route.middlewares):
        return True
    return any(_VALIDATE_CALL.search(c) for c in body.calls)


# Python form views (Django ``request.POST``, Flask ``request.form``): the fields a view reads by name.
_FORM = r"request\.(?:POST|form|values)"
_FIELD_READ = re.compile(_FORM + r"""(?:\.get\(\s*|\[\s*)["']([\w-]+)["']""")
# A structured body: parsed JSON (or a DRF ``request.data``) wants a schema; a form field or a raw payload does not.
_STRUCTURED = re.compile(r"\.get_json\(|request\.json\b|request\.data\b|\bloads?\(\s*request\b|model_validate|parse_raw")
_RAW_BODY_VAR = re.compile(r"(\w+)\s*=\s*request\.body\b")
# Opaque credentials (tokens, captchas): the party that issued them is the one that can check them.
_OPAQUE = re.compile(r"token|captcha|challenge|nonce|signature|otp", re.IGNORECASE)
# Calls that check or convert a value: conversions, validators, parsers, typed-value constructors.
_CHECKING_CALL = r"(?:int|float|bool|len|Decimal|UUID|\w*valid\w*|\w*parse\w*|\w*clean\w*|\w*check\w*|[A-Z]\w*)"
_COMPARED = r"\s*(?:==|!=|<=?|>=?|\bin\b|\bnot\s+in\b|\[\s*:)"


def _view_source(project: Project, index: SourceIndex, service: Service, body: Body) -> str:
    """The text of the Python view function whose facts are ``body`` (its indented block), else ''."""
    for sf in index.files_of(service):
        if not sf.path.endswith(".py") or not any(f.body is body for f in sf.functions):
            continue
        lines = (project.read_text(sf.path) or "").splitlines()
        start = next((i for i in range(min(body.line, len(lines)) - 1, -1, -1)
                      if lines[i].lstrip().startswith(("def ", "async def "))), None)
        if start is None:
            return ""
        indent = len(lines[start]) - len(lines[start].lstrip())
        # A signature over several lines ends with the line that ends with ':'.
        end = next((i for i in range(start, len(lines)) if lines[i].split("#", 1)[0].rstrip().endswith(":")),
                   start) + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        return "\n".join(lines[start:end])
    return ""


def _hand_checked(src: str) -> bool:
    """True when a Python form view checks every field it reads by hand, or reads a free-form payload.

    Form values are always strings, so a view that compares, whitelists, caps, converts or
    validates each field it reads (``theme in ("", "dark")``, ``confirmation == user.email``,
    ``is_valid_uuid_string(code)``, ``ZoneInfo(tz)``, ``error[:200]``), or only tests which submit
    button was pressed (``"disable" in request.POST``), has done what a schema would. A raw
    ``request.body`` that is never parsed is an opaque payload (stored, forwarded), not a document
    with fields to validate. A structured (JSON) body still needs a schema.
    """
    if not src or _STRUCTURED.search(src):
        return False
    if any(re.search(rf"\bloads?\(\s*{re.escape(v)}\b", src) for v in _RAW_BODY_VAR.findall(src)):
        return False
    return all(_field_checked(src, name) for name in set(_FIELD_READ.findall(src)))


def _field_checked(src: str, name: str) -> bool:
    """True when the form field ``name`` is compared, capped, converted or validated, or is an opaque credential."""
    if _OPAQUE.search(name):
        return True
    field = re.escape(name)
    read = _FORM + rf"""(?:\.get\(\s*["']{field}["'][^)\n]*\)|\[\s*["']{field}["']\s*\])"""
    if re.search(read + _COMPARED, src) or re.search(rf"{_CHECKING_CALL}\(\s*{read}", src):
        return True
    for var in re.findall(rf"(\w+)\s*=\s*{read}", src):
        value = rf"\b{re.escape(var)}\b"
        if re.search(value + _COMPARED, src) or re.search(rf"(?<![\w.]){_CHECKING_CALL}\(\s*{value}", src):
            return True
    return False


# JavaScript/TypeScript handlers that check their fields by hand: the body's fields destructured from
# the parsed body, each tested in an `if` that answers 4xx. Read from the handler's text: its start
# line to the next top-level statement (routes are registered at the top level of a router file).
_JS_BODY_READ = r"(?:await\s+)?(?:c\.req\.(?:json|parseBody)\(\)|req\.body|request\.body|ctx\.request\.body)"
_JS_BODY_VAR = re.compile(rf"(\w+)\s*(?::[^=;\n]+)?=\s*{_JS_BODY_READ}")
_JS_REJECT = r"(?:\b40[0-9]\b|\b422\b|BadRequest|HTTPException|UnprocessableEntity)"


def _handler_text(project: Project, path: str, line: int, limit: int = 150) -> str:
    """The handler's source from ``line`` to the next top-level statement (at most ``limit`` lines)."""
    lines = (project.read_text(path) or "").splitlines()
    start = max(line - 1, 0)
    end = next((i for i in range(start + 1, min(len(lines), start + limit))
                if lines[i][:1].strip() and not lines[i].lstrip().startswith(("}", ")", "]"))), min(len(lines), start + limit))
    return "\n".join(lines[start:end])


def _js_hand_checked(text: str) -> bool:
    """True when every field the handler destructures from its parsed body is tested and rejected with a 4xx."""
    sources = {re.escape(v) for v in _JS_BODY_VAR.findall(text)} | {_JS_BODY_READ}
    fields: set[str] = set()
    for source in sources:
        for group in re.findall(rf"\{{([^{{}}]*)\}}\s*(?::[^=;\n]+)?=\s*{source}\b", text):
            fields |= {part.split(":")[0].split("=")[0].strip() for part in group.split(",")} - {""}
    if not fields or any(not re.fullmatch(r"\w+", f) for f in fields):
        return False
    def tested(field: str) -> bool:
        name = re.escape(field)
        condition = rf"if\s*\([^)]*(?:!\s*{name}\b|\b{name}\s*[!=]==?|typeof\s+{name}\b|\b{name}\.length\b)[^)]*\)"
        # The rejection follows the condition closely (its block or a one-line return), braces allowed.
        return bool(re.search(rf"{condition}\s*\{{?[^;]{{0,160}}?{_JS_REJECT}", text))
    return all(tested(f) for f in fields)
