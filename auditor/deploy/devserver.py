"""Development servers by their start commands (``--reload``, ``nodemon``, ``npm run dev`` ...)."""

from __future__ import annotations

import re

_DEV_SERVERS = (
    ("--reload", re.compile(r"(?<![\w-])--reload\b")),
    ("flask run", re.compile(r"\bflask\s+(?:--\S+\s+)*run\b")),
    ("manage.py runserver", re.compile(r"\brunserver\b")),
    ("npm run dev", re.compile(r"\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?(?:dev|develop|serve|start:dev|watch)\b")),
    ("nodemon", re.compile(r"\bnodemon\b")),
    ("ts-node-dev", re.compile(r"\b(?:ts-node-dev|tsnd)\b")),
    ("tsx watch", re.compile(r"\btsx\s+watch\b")),
    ("node --watch", re.compile(r"\b(?:node|bun|deno)\b[^\n;&|]*\s--watch(?![\w-])")),
    ("next dev", re.compile(r"\bnext\s+dev\b")),
    ("nuxt dev", re.compile(r"\bnuxi?\s+dev\b")),
    ("vite", re.compile(r"\bvite(?:\s+(?:dev|serve|preview))?(?=\s*$|\s+--|\s*[;&|\"'])", re.MULTILINE)),
    ("nest start --watch", re.compile(r"\bnest\s+start\b[^\n;&|]*--(?:watch|debug)\b")),
    ("ng serve", re.compile(r"\bng\s+serve\b")),
    ("react-scripts start", re.compile(r"\breact-scripts\s+start\b")),
    ("webpack serve", re.compile(r"\bwebpack(?:-dev-server|\s+serve)\b")),
    ("artisan serve", re.compile(r"\bartisan\s+serve\b")),
)


def dev_servers(text: str) -> list[str]:
    """Names of the dev servers a command text starts."""
    return [name for name, pattern in _DEV_SERVERS if pattern.search(text)]
