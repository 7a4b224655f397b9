"""Which packages the source index parses: servers, not the SPA or library beside them, nor migrations."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.project import Project
from auditor.source.index import source_index


def _package(root: Path, name: str, deps: dict[str, str], files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps({"name": name, "dependencies": deps}))
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_spa_using_the_frameworks_typed_client_is_neither_a_service_nor_parsed(tmp_path: Path) -> None:
    _package(tmp_path / "apps" / "api", "api", {"hono": "^4"}, {
        "src/index.ts": "import { Hono } from 'hono'\nconst app = new Hono<{ Bindings: Env }>()\nexport default app\n",
    })
    _package(tmp_path / "apps" / "web", "web", {"hono": "^4", "react": "^19"}, {
        # A type-only import and a comment that names the framework: no app is created here.
        "src/api.ts": "import type { InferResponseType } from 'hono'\nimport { hc } from 'hono/client'\n"
                      "// the Hono client, typed by the API\nexport const client = hc('/api')\n",
    })
    index = source_index(Project(tmp_path))
    assert [s.root for s in index.services] == ["apps/api"]
    assert "apps/api/src/index.ts" in index.files
    assert not any(path.startswith("apps/web/") for path in index.files)


def test_an_app_created_under_another_name_still_serves(tmp_path: Path) -> None:
    _package(tmp_path, "svc", {"fastify": "^5"}, {
        "server.js": "import importFastify from 'fastify';\nconst app = importFastify({ logger: true });\n"
                     "app.listen({ port: 3000 });\n",
    })
    assert [s.name for s in source_index(Project(tmp_path)).services] == ["svc"]


def test_a_nextjs_static_export_is_not_parsed(tmp_path: Path) -> None:
    _package(tmp_path / "site", "site", {"next": "^15"}, {
        "next.config.mjs": "export default { output: 'export' }\n",
        "app/page.tsx": "export default function Page() { return <main>hi</main> }\n",
    })
    index = source_index(Project(tmp_path))
    assert index.services == () and index.files == {}


def test_migrations_are_not_server_code(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django==5.1\n")
    (tmp_path / "manage.py").write_text("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'app.settings')\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "settings.py").write_text("MIDDLEWARE = []\nINSTALLED_APPS = ['app']\n")
    (tmp_path / "app" / "migrations").mkdir()
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = []\n")
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "alembic" / "versions" / "a1_init.py").write_text("def upgrade():\n    pass\n")
    index = source_index(Project(tmp_path))
    assert "app/settings.py" in index.files
    assert "app/migrations/0001_initial.py" not in index.files and "alembic/versions/a1_init.py" not in index.files
