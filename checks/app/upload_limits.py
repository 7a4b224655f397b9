r"""Uploads without size or type limits.

## What it checks
Routes that accept files (a path naming upload, multipart parsing with `c.req.parseBody()` /
`formData()`, multer, NestJS `FileInterceptor`, FastAPI `UploadFile`, Flask `request.files`)
and whether a size limit (Hono `bodyLimit`, multer `limits`, `ParseFilePipe` with
`MaxFileSizeValidator`, a check of `file.size`) and a type limit (multer `fileFilter`,
`FileTypeValidator`, a check of `file.type`/`mimetype`/`content_type`) apply. Limits set once
for a module or app (NestJS `MulterModule.register[Async]`, fastify multipart registration)
apply to all its upload routes.

## Why it matters
An unbounded upload fills the disk or memory of the instance with one request; an unchecked
type lets callers store HTML or scripts that are later served from your origin.

## How to fix
```ts hono
import { bodyLimit } from 'hono/body-limit';
app.post('/api/upload', bodyLimit({ maxSize: 10 * 1024 * 1024 }), async (c) => {
  const { file } = await c.req.parseBody();
  if (!(file instanceof File) || !['image/png', 'image/jpeg'].includes(file.type)) return c.json({ error: 'Unsupported file' }, 415);
});
```

```ts express
const upload = multer({ limits: { fileSize: 10 * 1024 * 1024 }, fileFilter: (req, file, cb) => cb(null, file.mimetype.startsWith('image/')) });
```

```ts nestjs
@UploadedFile(new ParseFilePipe({ validators: [new MaxFileSizeValidator({ maxSize: 10_000_000 }), new FileTypeValidator({ fileType: /image\/(png|jpeg)/ })] }))
```

```ts fastify
await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
```

```python fastapi
if file.size > 10 * 1024 * 1024 or file.content_type not in {"image/png", "image/jpeg"}:
    raise HTTPException(status_code=413, detail="File too large or unsupported")
```

```python django
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
```

```python flask
app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Body, Call, Route, SourceFile

_MULTIPART_CALL = re.compile(r"(parseBody|formData|\.file|\.files|saveRequestFiles)$")
_SIZE_MEMBERS = frozenset({"size", "byteLength", "length", "fileSize", "maxSize"})
_TYPE_MEMBERS = frozenset({"type", "mimetype", "content_type", "mime", "mimeType"})
_LIMITS_KEY = re.compile(r"\blimits\s*:")
_FILTER_KEY = re.compile(r"\bfileFilter\s*:")
_MULTIPART_MIDDLEWARE = re.compile(r"\.(single|array|fields|any)\(|multer|multipart|upload", re.IGNORECASE)


@check(id="APP-UPLOAD-LIMITS", severity=Severity.MEDIUM, section=Section.HARDENING, security=True,
       effort_hours=1.0,
       passed="File uploads limited by size and type")
def upload_limits(project: Project) -> Iterator[Finding]:
    """Flag upload routes without size or type limits."""
    index, services = rules.index_or_skip(project)
    judged = False
    for service in services:
        calls = [c for _, c in index.calls(service)]
        global_size = any(c.name in {"bodyLimit", "json"} and c.prop("maxSize") for c in calls) or any(
            c.callee == "app.config.update" for c in calls)
        flask_limit = rules.setting(index, service, "MAX_CONTENT_LENGTH") is not None
        django_limit = rules.setting(index, service, "DATA_UPLOAD_MAX_MEMORY_SIZE") is not None
        registered = _registered_options(project, index.calls(service))
        multer_limits = any(c.name == "multer" and c.prop("limits") for c in calls) or bool(
            _LIMITS_KEY.search(registered))
        multer_filter = any(c.name == "multer" and c.prop("fileFilter") for c in calls) or bool(
            _FILTER_KEY.search(registered))
        for sf, route, full, body in rules.routes(index, service):
            if body is None or not _is_upload(sf.path, route, full, body):
                continue
            judged = True
            size = global_size or flask_limit or django_limit or multer_limits or _checks_size(route, body)
            kind = multer_filter or bool(_TYPE_MEMBERS & body.members) or any("FileTypeValidator" in m for m in route.middlewares)
            missing = [name for name, ok in (("size", size), ("type", kind)) if not ok]
            if missing:
                yield Finding(
                    message=f"{route.method} {full} accepts files without a {' or '.join(missing)} limit",
                    location=Location(path=sf.path, line=route.line),
                    key=f"{service.name}:{route.method} {full}",
                )
    if not judged:
        raise NotApplicable("no route accepts file uploads")


def _registered_options(project: Project, calls: Iterable[tuple[SourceFile, Call]]) -> str:
    """The option text of upload plugins registered once for the whole module or app.

    NestJS ``MulterModule.register[Async]({...})`` and fastify ``register(multipart, {...})`` set
    ``limits``/``fileFilter`` for every route they serve; the options often sit inside a
    ``useFactory`` that returns them, so the call's (shortened) argument text is not enough and
    the balanced argument list is read from the file.
    """
    out = []
    for sf, c in calls:
        multer_module = c.callee.endswith("MulterModule.register") or c.callee.endswith("MulterModule.registerAsync")
        fastify_plugin = c.name == "register" and bool(c.args) and "multipart" in c.args[0].lower()
        if multer_module or fastify_plugin:
            out.append(_call_text(project, sf.path, c.line, c.callee) or " ".join(c.args))
    return "\n".join(out)


def _call_text(project: Project, path: str, line: int, callee: str) -> str:
    """The balanced ``(...)`` argument text of the call to ``callee`` starting on ``line``, else ''."""
    text = project.read_text(path)
    if not text:
        return ""
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:max(line - 1, 0)])
    at = text.find(callee.rsplit(".", 1)[-1] + "(", start)
    if at < 0:
        return ""
    at = text.index("(", at)
    depth = 0
    for i in range(at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[at:i + 1]
    return text[at:]


def _is_upload(path: str, route: Route, full: str, body: Body) -> bool:
    if route.method not in {"POST", "PUT", "PATCH", "ANY"}:
        return False
    if any(_MULTIPART_CALL.search(c) for c in body.calls) or _reads_request_files(path, route, body):
        return True
    if any("UploadFile" in t for t in body.param_types) or "UploadedFile" in body.param_decorators:
        return True
    if any("FileInterceptor" in m or "upload." in m for m in route.middlewares):
        return True
    return "upload" in full.lower()


def _reads_request_files(path: str, route: Route, body: Body) -> bool:
    """A ``files`` member: Flask's ``request.files``; in JS only with a multer-style middleware.

    A JS handler touching ``files`` is as often a database relation (``include: { files: true }``,
    ``secret.files``) as parsed uploads, which JS frameworks only hold after a multipart middleware.
    """
    if "files" not in body.members:
        return False
    if path.endswith(".py"):
        return True
    return any(_MULTIPART_MIDDLEWARE.search(m) for m in route.middlewares)


def _checks_size(route: Route, body: Body) -> bool:
    if any("bodyLimit" in m or "MaxFileSizeValidator" in m or "limits" in m for m in route.middlewares):
        return True
    return bool(_SIZE_MEMBERS & body.members) and any(n in body.members for n in ("size", "fileSize", "byteLength"))
