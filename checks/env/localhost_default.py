"""URL default points at localhost.

## What it checks
Variables that route production traffic (names containing `URL`, `URI`,
`ORIGIN`, `HOST`, `DOMAIN`, `CORS`, `CALLBACK`, `REDIRECT`, `PUBLIC`,
`DASHBOARD`, `BASE`, `ENDPOINT`) do not default to `localhost`,
`127.0.0.1`, `0.0.0.0` or `::1`, in two places:

- `${VAR:-default}` defaults in compose files, for every such name,
  including `DATABASE_URL` / `REDIS_URL`: inside a container `localhost` is
  the container itself, so a data-store URL on localhost is broken there too;
- values in env templates (`.env.example` ...), except data-store connection
  URLs (`DATABASE_URL`, `REDIS_URL`, `*_DSN`, `MONGO*` ...), which templates
  legitimately point at a local database for development.

URLs and comma-separated lists of URLs are judged; a bare host name is
judged only for `DOMAIN` / `ORIGIN` / `CORS` names (so a bind address such as
`HOST=0.0.0.0` passes). Names containing `LOCAL`, `DEV` or `TEST` are meant
for development and pass, and so do test and development templates
(`.env.test.example`). A compose default is not judged when a compose file
in the same folder (a deploy overlay) requires the variable with
`${VAR:?message}`: production then cannot fall back. When no template entry or compose default names
such a variable, the check is skipped.

## Why it matters
A localhost default never fails loudly: the service starts, then CORS
rejects the real dashboard origin, OAuth callbacks and e-mail links point at
`http://localhost:3000`, and the health of the deploy looks fine until a
user tries it.

## How to fix
Leave the value empty in the template and require it at startup (or with
compose's `:?`), so a missing production value stops the deploy.

```yaml compose
services:
  api:
    environment:
      CORS_ORIGIN: ${CORS_ORIGIN:?set CORS_ORIGIN to the public front-end origin}
```
```shell
# .env.example: no localhost value, so a missing production value is noticed
CORS_ORIGIN=
```
```ts hono
const origin = process.env.CORS_ORIGIN
if (!origin) throw new Error('CORS_ORIGIN is required')
app.use('*', cors({ origin }))
```
```ts express
const origin = process.env.CORS_ORIGIN
if (!origin) throw new Error('CORS_ORIGIN is required')
app.use(cors({ origin: origin.split(','), credentials: true }))
```
```ts nestjs
const origins = config.getOrThrow<string>('CORS_ORIGIN').split(',')
app.enableCors({ origin: origins, credentials: true })
```
```python fastapi
cors_origin = os.environ["CORS_ORIGIN"]  # KeyError at startup when unset
app.add_middleware(CORSMiddleware, allow_origins=cors_origin.split(","))
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

ROUTING_NAME = re.compile(r"URL|URI|ORIGIN|HOST|DOMAIN|CORS|CALLBACK|REDIRECT|PUBLIC|DASHBOARD|BASE|ENDPOINT",
                          re.IGNORECASE)
_DEV_NAME = re.compile(r"LOCAL|(^|_)DEV(_|$)|DEVELOPMENT|(^|_)TEST", re.IGNORECASE)
_BARE_NAME = re.compile(r"DOMAIN|ORIGIN|CORS", re.IGNORECASE)
DATA_STORE_NAME = re.compile(
    r"DATABASE|(^|_)DB(_|$)|REDIS|MONGO|POSTGRES|(^|_)PG|MYSQL|MARIADB|AMQP|RABBIT|BROKER|CACHE|ELASTIC|KAFKA"
    r"|NATS|MEMCACHE|CLICKHOUSE|INFLUX|NEO4J|ETCD|SQL|DSN",
    re.IGNORECASE,
)
_LOCAL_HOSTS = {"localhost", "0.0.0.0", "::1", "::", "host.docker.internal"}


def _is_local_host(host: str) -> bool:
    host = host.strip("[]").lower()
    return host in _LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


def local_target(name: str, value: str) -> str | None:
    """The localhost URL or host a routing variable's value points at, else None."""
    for item in re.split(r"[,\s]+", value.strip()):
        if not item:
            continue
        if "://" in item:
            try:
                host = urlsplit(item).hostname or ""
            except ValueError:
                continue
            if _is_local_host(host):
                return item
        elif _BARE_NAME.search(name) and _is_local_host(item.split(":", 1)[0] if item.count(":") <= 1 else item):
            return item
    return None


def _routing(name: str) -> bool:
    return bool(ROUTING_NAME.search(name)) and not _DEV_NAME.search(name)


_DEV_TEMPLATE = re.compile(r"\.(test|testing|ci|dev|development|local|e2e)(\.|$)", re.IGNORECASE)


def _required_elsewhere(project: Project) -> set[tuple[str, str]]:
    """(folder, variable) pairs some compose file requires with ``${VAR:?message}``."""
    out: set[tuple[str, str]] = set()
    for compose in project.compose_files:
        for match in re.finditer(r"\$\{(\w+):?\?", compose.text):
            out.add((posixpath.dirname(compose.path), match.group(1)))
    return out


@check(id="ENV-LOCALHOST-DEFAULT", severity=Severity.MEDIUM, section=Section.CONFIGURATION,
       needs=(), effort_hours=0.5, passed="No public URL or origin setting defaults to localhost")
def localhost_default(project: Project) -> Iterator[Finding]:
    """Flag production-routing variables whose template value or compose default is localhost."""
    if not project.env_templates and not project.compose_files:
        raise NotApplicable("no env templates or compose files found")
    judged = False
    for template in project.env_templates:
        if _DEV_TEMPLATE.search(template.path.rsplit("/", 1)[-1]):
            continue  # `.env.test.example` configures tests: localhost is right there
        for entry in template.entries:
            if entry.commented_out or not _routing(entry.key) or DATA_STORE_NAME.search(entry.key):
                continue
            judged = True
            target = local_target(entry.key, entry.value)
            if target:
                yield Finding(
                    message=f"{entry.key} in {template.path} points at {target}; production needs the real address",
                    location=Location(path=template.path, line=entry.line),
                    key=entry.key,
                )
    required = _required_elsewhere(project)
    for compose in project.compose_files:
        for ref in compose.var_refs():
            if ref.default is None or not _routing(ref.name):
                continue
            if (posixpath.dirname(compose.path), ref.name) in required:
                continue  # a deploy overlay beside it requires ${VAR:?}: production cannot fall back
            judged = True
            target = local_target(ref.name, ref.default)
            if target:
                yield Finding(
                    message=f"${{{ref.name}}} defaults to {target} in {compose.path}; a missing value silently routes to localhost",
                    location=Location(path=compose.path, line=ref.line),
                    key=ref.name,
                )
    if not judged:
        raise NotApplicable("no URL, origin or host setting in env templates or compose defaults")
