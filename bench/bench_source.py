"""Benchmark source analysis: ``prodcheck scan`` on a generated 2,000-file TypeScript monorepo.

The tree has 20 services (Hono, Express and NestJS in turn), each with a
``package.json`` and 100 TypeScript files of routes, services and helpers, so
every ``APP-*`` check has real work to do. Prints the wall time of the scan
and, for comparison in the same run, the time to build the source index
in-process (parse + extraction only). Target (issue 4): scan under 5 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0
SERVICES = 20
FILES_PER_SERVICE = 100
FRAMEWORKS = ("hono", "express", "@nestjs/core")

ROUTE_FILE = """import {{ Hono }} from 'hono';
import {{ db }} from '../db';

export const routes{n} = new Hono();

routes{n}.get('/items{n}', async (c) => {{
  const rows = await db.query('select * from items where group_id = $1', [{n}]);
  console.log('listed items', rows.length);
  return c.json(rows);
}});

routes{n}.post('/items{n}', async (c) => {{
  const body = await c.req.json();
  try {{
    const saved = await db.query('insert into items (name) values ($1)', [body.name]);
    return c.json(saved, 201);
  }} catch (err) {{
    console.error('insert failed', err);
    return c.json({{ error: 'failed' }}, 500);
  }}
}});
"""

SERVICE_FILE = """export interface Item{n} {{ id: number; name: string; tags: string[] }}

export class ItemService{n} {{
  private readonly cache = new Map<number, Item{n}>();

  constructor(private readonly prefix: string = process.env.PREFIX_{n} ?? 'x') {{}}

  find(id: number): Item{n} | undefined {{
    return this.cache.get(id);
  }}

  save(item: Item{n}): void {{
    this.cache.set(item.id, {{ ...item, name: `${{this.prefix}}-${{item.name}}` }});
  }}

  list(filter: (item: Item{n}) => boolean = () => true): Item{n}[] {{
    return [...this.cache.values()].filter(filter).sort((a, b) => a.id - b.id);
  }}
}}
"""

ENTRY = """import {{ serve }} from '@hono/node-server';
import {{ Hono }} from 'hono';
import {{ cors }} from 'hono/cors';
{imports}

const app = new Hono();
app.use('*', cors({{ origin: (origin) => origin, credentials: true }}));
app.get('/health', (c) => c.json({{ status: 'ok' }}));
{mounts}
serve({{ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }});
"""


def generate(root: Path) -> int:
    """Write the monorepo; return the number of source files."""
    count = 0
    (root / "package.json").write_text(json.dumps({"name": "bench-monorepo", "private": True,
                                                   "workspaces": ["services/*"]}))
    for s in range(SERVICES):
        service = root / "services" / f"svc{s:02d}"
        src = service / "src"
        (src / "routes").mkdir(parents=True)
        (src / "lib").mkdir()
        framework = FRAMEWORKS[s % len(FRAMEWORKS)]
        deps = {framework: "^1.0.0", "hono": "^4.5.0", "pg": "^8.12.0"}
        (service / "package.json").write_text(json.dumps({"name": f"svc{s:02d}", "dependencies": deps}))
        (src / "db.ts").write_text("import pg from 'pg';\nexport const db = new pg.Pool({ max: 5 });\n")
        routes = (FILES_PER_SERVICE - 2) // 2
        imports, mounts = [], []
        for n in range(routes):
            (src / "routes" / f"items{n}.ts").write_text(ROUTE_FILE.format(n=n))
            (src / "lib" / f"service{n}.ts").write_text(SERVICE_FILE.format(n=n))
            imports.append(f"import {{ routes{n} }} from './routes/items{n}';")
            mounts.append(f"app.route('/api/g{n}', routes{n});")
        (src / "index.ts").write_text(ENTRY.format(imports="\n".join(imports), mounts="\n".join(mounts)))
        count += 2 + 2 * routes
    return count


def main() -> int:
    """Generate, scan, print timings; exit 1 when over target."""
    with tempfile.TemporaryDirectory(prefix="prodcheck-bench-src-") as tmp:
        root = Path(tmp)
        files = generate(root)

        from auditor.project import Project
        from auditor.source.index import source_index

        start = time.perf_counter()
        index = source_index(Project(root))
        index_seconds = time.perf_counter() - start

        cmd = [sys.executable, "-m", "auditor", "scan", str(root), "--offline", "-f", "json", "-o", str(root / "r.json")]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        scan_seconds = time.perf_counter() - start

    print(f"generated {files} TypeScript files in {SERVICES} services")
    print(f"source index (in-process): {index_seconds:.2f} s, {len(index.files)} files parsed, "
          f"{len(index.skipped)} skipped, {len(index.services)} services")
    print(f"prodcheck scan: {scan_seconds:.2f} s (exit {proc.returncode}); target < {TARGET_SECONDS:.0f} s")
    print(f"index share of the scan: {index_seconds / scan_seconds:.0%}")
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:], file=sys.stderr)
    return 0 if scan_seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
