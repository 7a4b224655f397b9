"""Error responses return raw exception text.

## What it checks
Responses built inside `catch` blocks, `except` clauses and global error handlers that include
the raw error: `err.message`, `err.stack`, `String(err)`, `str(exc)`, `repr(exc)`,
`traceback.format_exc()`.

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

from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules


@check(id="APP-ERROR-LEAK", group="Error details leak to clients", group_rank=0, severity=Severity.MEDIUM, section=Section.HARDENING, security=True, effort_hours=0.5,
       passed="No error response returns raw exception text")
def error_leak(project: Project) -> Iterator[Finding]:
    """Flag responses that include raw exception text."""
    index, services = rules.index_or_skip(project)
    for service in services:
        for sf in index.files_of(service):
            for leak in sf.leaks:
                yield Finding(
                    message=f"error response includes raw exception text ({leak.expression})",
                    location=Location(path=sf.path, line=leak.line),
                    key=f"{service.name}:{leak.expression}",
                )
