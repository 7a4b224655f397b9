r"""Uploads without size or type limits.

## What it checks
Routes that accept files (a path naming upload, multipart parsing with `c.req.parseBody()` /
`formData()`, multer, NestJS `FileInterceptor`, FastAPI `UploadFile`, Flask `request.files`)
and whether a size limit (Hono `bodyLimit`, multer `limits`, `ParseFilePipe` with
`MaxFileSizeValidator`, a check of `file.size`) and a type limit (multer `fileFilter`,
`FileTypeValidator`, a check of `file.type`/`mimetype`/`content_type`) apply.

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
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.source import rules
from auditor.source.facts import Body, Route

_MULTIPART_CALL = re.compile(r"(parseBody|formData|\.file|\.files|saveRequestFiles)$")
_SIZE_MEMBERS = frozenset({"size", "byteLength", "length", "fileSize", "maxSize"})
_TYPE_MEMBERS = frozenset({"type", "mimetype", "content_type", "mime", "mimeType"})


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
        multer_limits = any(c.name == "multer" and c.prop("limits") for c in calls)
        multer_filter = any(c.name == "multer" and c.prop("fileFilter") for c in calls)
        for sf, route, full, body in rules.routes(index, service):
            if body is None or not _is_upload(route, full, body):
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


def _is_upload(route: Route, full: str, body: Body) -> bool:
    if route.method not in {"POST", "PUT", "PATCH", "ANY"}:
        return False
    if any(_MULTIPART_CALL.search(c) for c in body.calls) or "files" in body.members:
        return True
    if any("UploadFile" in t for t in body.param_types) or "UploadedFile" in body.param_decorators:
        return True
    if any("FileInterceptor" in m or "upload." in m for m in route.middlewares):
        return True
    return "upload" in full.lower()


def _checks_size(route: Route, body: Body) -> bool:
    if any("bodyLimit" in m or "MaxFileSizeValidator" in m or "limits" in m for m in route.middlewares):
        return True
    return bool(_SIZE_MEMBERS & body.members) and any(n in body.members for n in ("size", "fileSize", "byteLength"))
