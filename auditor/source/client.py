"""Browser code that sends an API key it took from the page: evidence that the key is public.

A key compiled into a bundle (``import.meta.env.VITE_KEY``, ``NEXT_PUBLIC_*``) or read from the
embedding page (``<script data-key=...>``, ``document.currentScript``) is visible to every visitor
of the page; whatever it authorises, anyone can do. This module finds such sends in the
repository's browser code: JavaScript/TypeScript files outside every server service (the source
index holds those), outside tests and build output. It reads text only and judges nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from auditor.project import Project

JS_SUFFIXES = (".ts", ".tsx", ".mts", ".js", ".mjs", ".jsx", ".vue", ".svelte")
_SKIP_PARTS = frozenset({"node_modules", "dist", "build", ".next", "out", "coverage", "test", "tests", "__tests__",
                         "e2e", "fixtures", "scripts"})
_MAX_BYTES = 512 * 1024

# A request header that carries a key or token identifying a customer, project or site.
KEY_HEADER = re.compile(r"^(?:x-)?(?:[a-z0-9]+-)*(?:api|public|project|site|widget|client|publishable|ingest|"
                        r"write|app)-?(?:key|token)$", re.IGNORECASE)
# The header set in a request: an object key (`'x-api-key': v`) or a setter call.
_HEADER_SENT = re.compile(r"""(?:['"]([A-Za-z0-9-]+)['"]\s*:|(?:setRequestHeader|headers\.(?:set|append))\(\s*"""
                          r"""['"]([A-Za-z0-9-]+)['"])""")
# Where a browser gets a value every visitor can read.
_PUBLIC_SOURCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bdataset\b|getAttribute\(\s*['\"]data-|document\.currentScript"),
     "reads it from the embedding page's script tag"),
    (re.compile(r"import\.meta\.env\.(VITE_\w*(?:KEY|TOKEN)\w*)"), "compiles it into the bundle from {0}"),
    (re.compile(r"process\.env\.((?:NEXT_PUBLIC|REACT_APP|EXPO_PUBLIC|PUBLIC)_\w*(?:KEY|TOKEN)\w*)"),
     "compiles it into the bundle from {0}"),
)


@dataclass(frozen=True)
class PublicKeySend:
    """A browser request that sends ``header`` with a value every visitor of the page can read."""

    header: str  # lower-cased
    path: str
    line: int
    source: str  # how the page gets the value, as a report says it


def public_key_sends(project: Project, headers: Collection[str], server_files: Collection[str]) -> tuple[PublicKeySend, ...]:
    """Where browser code sends one of ``headers`` (lower-cased) with a key taken from the page.

    ``server_files`` are the files the source index judged as server code; they are never browser
    code. Only files that name one of the headers are read past a substring test, so the cost is one
    read per candidate file.
    """
    wanted = {h.lower() for h in headers}
    if not wanted:
        return ()
    found: list[PublicKeySend] = []
    for rel in project.files:
        if not rel.endswith(JS_SUFFIXES) or rel in server_files or _SKIP_PARTS.intersection(PurePosixPath(rel).parts[:-1]):
            continue
        text = project.read_text(rel)
        if text is None or len(text) > _MAX_BYTES or not any(h in text.lower() for h in wanted):
            continue
        source = _public_source(text)
        if source is None:
            continue
        for match in _HEADER_SENT.finditer(text):
            header = (match.group(1) or match.group(2) or "").lower()
            if header in wanted:
                found.append(PublicKeySend(header, rel, text.count("\n", 0, match.start()) + 1, source))
                break
    return tuple(found)


def _public_source(text: str) -> str | None:
    """How the file gets a value every visitor can read, or None when it gets none that way."""
    for pattern, template in _PUBLIC_SOURCES:
        match = pattern.search(text)
        if match:
            return template.format(*match.groups())
    return None
