"""Error responses return raw exception text.

## What it checks
Responses built inside `catch` blocks, `except` clauses and global error handlers that include
the raw error: `err.message`, `err.stack`, `String(err)`, `str(exc)`, `repr(exc)`,
`traceback.format_exc()`. Deliberate client feedback is not reported: a message passed on only
inside `if (err instanceof SomeAppError)` (a non-built-in error class), or a 4xx answer to a
`try` block that only validates the input (`validate*`/`assert*` helpers, `new URL`).

## Why it matters
Exception text carries file paths, SQL, hostnames, library versions and sometimes secrets from
connection strings. It helps attackers map the system, and it is rarely useful to the caller.

## How to fix
Log the error with its stack on the server, return a generic message and a request id.

```ts hono
} catch (err) {
  logger.error({ err, requestId: c.get('requestId') }, 'request failed');
  return c.json({ error: 'Internal server error', requestId: c.get('requestId') }, 500);
}
```

```ts express
} catch (err) {
  req.log.error({ err }, 'request failed');
  res.status(500).json({ error: 'Internal server error' });
}
```

```ts nestjs
this.logger.error('request failed', err instanceof Error ? err.stack : String(err));
throw new InternalServerErrorException(); // a generic message, not err.message
```

```ts fastify
request.log.error({ err }, 'request failed');
reply.status(500).send({ error: 'Internal server error' });
```

```python fastapi
except Exception:
    logger.exception("request failed")
    raise HTTPException(status_code=500, detail="Internal server error")
```

```python django
except Exception:
    logger.exception("request failed")
    return JsonResponse({"error": "Internal server error"}, status=500)
```

```python flask
except Exception:
    app.logger.exception("request failed")
    return {"error": "Internal server error"}, 500
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules
from auditor.source.facts import ErrorLeak

_JS_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
# Built-in error classes: narrowing to one of these still lets any failure's text through.
_BUILTIN_ERRORS = frozenset({"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError",
                             "URIError", "AggregateError", "DOMException", "Object"})
# Calls whose thrown message is validation feedback written for the caller (``new URL`` throws
# "Invalid URL"; the application's own validate*/assert* helpers throw what they check).
_VALIDATION_CALL = re.compile(r"^(validate|assert|ensure|check)[A-Z_]|^(URL|URLSearchParams)$")
_KEYWORDS = frozenset({"if", "for", "while", "switch", "return", "typeof", "catch", "function", "await"})
_CALL_NAME = re.compile(r"([A-Za-z_$][\w$.]*)\s*\(")
_CLIENT_STATUS = re.compile(r"\b4\d\d\b")


@check(id="APP-ERROR-LEAK", group="Error details leak to clients", group_rank=0, severity=Severity.MEDIUM, section=Section.HARDENING, security=True, effort_hours=0.5,
       passed="No error response returns raw exception text")
def error_leak(project: Project) -> Iterator[Finding]:
    """Flag responses that include raw exception text."""
    index, services = rules.index_or_skip(project)
    for service in services:
        for sf in index.files_of(service):
            for leak in sf.leaks:
                if _deliberate(project, sf.path, leak):
                    continue
                yield Finding(
                    message=f"error response includes raw exception text ({leak.expression})",
                    location=Location(path=sf.path, line=leak.line),
                    key=f"{service.name}:{leak.expression}",
                )


def _deliberate(project: Project, path: str, leak: ErrorLeak) -> bool:
    """True when the leaked message is deliberate feedback for the client, not internal text.

    Two shapes (JS/TS catch blocks): the message is passed on only inside
    ``if (err instanceof SomeAppError)`` (an error class the application or a client library
    defines for answers meant to be shown), or the ``try`` block only runs validation
    (``validate*``/``assert*`` helpers, ``new URL``) and the response is a 4xx.
    """
    if not path.endswith(_JS_SUFFIXES):
        return False
    text = project.read_text(path)
    ident = re.match(r"(?:String\()?([A-Za-z_$][\w$]*)", leak.expression)
    if not text or not ident:
        return False
    err = re.escape(ident.group(1))
    at = _offset(text, leak.line)
    catch = None
    for m in re.finditer(rf"catch\s*\(\s*{err}\s*(?::[^)]*)?\)\s*\{{", text[:at]):
        catch = m
    if catch is None or _block_end(text, catch.end() - 1) < at:
        return False
    block = catch.end() - 1
    for m in re.finditer(rf"if\s*\(\s*{err}\s+instanceof\s+([A-Za-z_$][\w$.]*)\s*\)\s*\{{", text[block:at]):
        start = block + m.end() - 1
        if m.group(1).rsplit(".", 1)[-1] not in _BUILTIN_ERRORS and start < at <= _block_end(text, start):
            return True
    tried = _try_body(text, catch.start())
    if tried is None or not _CLIENT_STATUS.search(text[at:at + 200].split(";")[0]):
        return False
    names = [n.rsplit(".", 1)[-1] for n in _CALL_NAME.findall(tried)]
    names = [n for n in names if n not in _KEYWORDS]
    return bool(names) and all(_VALIDATION_CALL.search(n) for n in names)


def _offset(text: str, line: int) -> int:
    """The character offset where 1-based ``line`` starts."""
    pos = 0
    for _ in range(max(line - 1, 0)):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _block_end(text: str, open_at: int) -> int:
    """The offset of the ``}`` closing the ``{`` at ``open_at`` (braces counted, strings not parsed)."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _try_body(text: str, catch_at: int) -> str | None:
    """The body of the ``try { ... }`` directly before the ``catch`` at ``catch_at``, else None."""
    close = len(text[:catch_at].rstrip()) - 1
    if close < 0 or text[close] != "}":
        return None
    depth = 0
    for i in range(close, -1, -1):
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            depth -= 1
            if depth == 0:
                return text[i + 1:close] if text[:i].rstrip().endswith("try") else None
    return None
