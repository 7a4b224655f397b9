"""In-memory state lost on restart.

## What it checks
Module-level collections that hold per-client or per-session state in the process: SSE or
WebSocket client sets (`const clients = new Set()`), session, connection, subscriber and
cache maps, and `express-session` without a `store`. Python module-level dicts/sets with the
same kind of names are flagged too. Only collections that start empty count (a populated
literal such as a Joi schema or a URL pattern list is configuration), and registries of live
connections (sockets, transports, SSE writers) pass when the service fans events out through
pub/sub (Redis, NATS, Kafka, a broadcast adapter). This is a scaling note, not a defect.

## Why it matters
State kept in one process disappears on every deploy or crash, and a second replica cannot see
it: events broadcast on one instance never reach clients connected to another, sessions log
out at random behind a load balancer.

## How to fix
Keep shared state in Redis (or the database) and fan out events through it.

```ts hono
import { Redis } from 'ioredis';
const pub = new Redis(process.env.REDIS_URL!); const sub = new Redis(process.env.REDIS_URL!);
await sub.subscribe('events');
sub.on('message', (_channel, data) => { for (const client of localClients) void client.send(data); });
export const broadcast = (event: object) => pub.publish('events', JSON.stringify(event));
```

```ts express
app.use(session({ store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }));
```

```ts nestjs
// use @nestjs/microservices with a Redis transport, or socket.io's Redis adapter for gateways
```

```ts fastify
await app.register(fastifySession, { store: new RedisStore({ client: redis }), secret: process.env.SESSION_SECRET! });
```

```python fastapi
# broadcast through Redis pub/sub (e.g. the `broadcaster` package) instead of a module-level set
broadcast = Broadcast(settings.redis_url)
```

```python django
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
```

```python flask
app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(REDIS_URL))
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import check
from auditor.source import rules

_STATEFUL_NAME = re.compile(r"client|session|connection|subscriber|socket|listener|stream|sse|channel|room|"
                            r"presence|online|user", re.IGNORECASE)
# State starts empty and fills per client; a populated literal is configuration (a Joi schema, a URL list).
_EMPTY = re.compile(r"^(new\s+(Weak)?(Set|Map)\b(<.*>)?\(\s*\)|\[\s*\]|\{\s*\}|set\(\s*\)|dict\(\s*\)|list\(\s*\)|"
                    r"(collections\.)?defaultdict\(.*\))(\s+as\s+.*)?$", re.DOTALL)
_LIVE_CONNECTIONS = re.compile(r"socket|transport|connection|response|stream|writer|controller|=>", re.IGNORECASE)
_PUBSUB = ("redis", "ioredis", "@socket.io/redis-adapter", "@socket.io/redis-streams-adapter", "nats", "kafkajs",
           "@google-cloud/pubsub", "amqplib", "broadcaster", "channels_redis")
_PUBLISH = re.compile(r"\.publish$|Broadcast|PubSub", re.IGNORECASE)
_COLLECTIONS = frozenset({"Set", "Map", "array", "object", "dict", "set", "list", "defaultdict"})


@check(id="APP-IN-MEMORY-STATE", severity=Severity.LOW, section=Section.HARDENING, effort_hours=3.0,
       passed="No per-client state kept in process memory")
def in_memory_state(project: Project) -> Iterator[Finding]:
    """Flag per-client state kept in process memory."""
    index, services = rules.index_or_skip(project)
    for service in services:
        # Live connections must live in their process; with a pub/sub fan-out they are not lost state.
        fans_out = rules.imports_any(index, service, _PUBSUB) or rules.has_call(index, service, _PUBLISH)
        for sf in index.files_of(service):
            for assignment in sf.assignments:
                if assignment.kind in _COLLECTIONS and _STATEFUL_NAME.search(assignment.name) \
                        and not assignment.name.isupper() and _EMPTY.match(assignment.value.strip()) \
                        and not (fans_out and _LIVE_CONNECTIONS.search(f"{assignment.name} {assignment.value}")):
                    yield Finding(
                        message=f"{assignment.name} keeps per-client state in process memory: lost on restart and "
                        "not shared between replicas",
                        location=Location(path=sf.path, line=assignment.line),
                        key=f"{service.name}:{assignment.name}",
                    )
            for call in sf.calls:
                if call.name == "session" and call.props and call.prop("store") is None and any(
                        i.module == "express-session" for i in sf.imports):
                    yield Finding(
                        message="express-session uses its default MemoryStore",
                        location=Location(path=sf.path, line=call.line),
                        key=f"{service.name}:express-session",
                    )
