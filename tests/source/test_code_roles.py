"""Code that runs in the browser is not judged as server code: React 'use client' components."""

from __future__ import annotations

from pathlib import Path

from auditor.project import Project
from auditor.source.index import source_index
from tests.harness import write_tree

_PACKAGE = ('{"name": "web", "scripts": {"start": "next start"}, '
            '"dependencies": {"next": "15.0.0", "react": "19.0.0", "react-dom": "19.0.0"}}')


def test_use_client_components_are_browser_code(tmp_path: Path) -> None:
    project = Project(write_tree(tmp_path, {
        "package.json": _PACKAGE,
        "app/api/hello/route.ts": "export async function GET() { return Response.json({ ok: process.env.GREETING }) }\n",
        "app/page.tsx": "import { Widget } from '../components/Widget'\nexport default function Page() { return <Widget /> }\n",
        # The directive may follow comments and a licence header; double or single quotes.
        "components/Widget.tsx": ("// Copyright Example\n/* a widget */\n'use client';\nimport { useState } from 'react'\n"
                                  "export function Widget() { const [n] = useState(0); return <b>{n}</b> }\n"),
        "components/Chart.tsx": '"use client"\nexport const Chart = () => <svg />\n',
        # Named in a string or after code, it is not the directive: the file stays server code.
        "lib/notes.ts": "export const note = 'use client'\n",
    }))
    index = source_index(project)
    (service,) = index.services
    assert sorted(sf.path for sf in index.files_of(service)) == ["app/api/hello/route.ts", "app/page.tsx", "lib/notes.ts"]
    skipped = {s.path: s.reason for s in index.skipped}
    assert skipped["components/Widget.tsx"] == "browser code ('use client' component) is not judged as server code"
    assert "components/Chart.tsx" in skipped and "lib/notes.ts" not in skipped
