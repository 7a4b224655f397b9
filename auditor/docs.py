"""Parse a check's docstring into its user documentation.

Format (Markdown)::

    Title line.

    ## What it checks
    ...
    ## Why it matters
    ...
    ## How to fix
    Prose, then one fenced snippet per stack. The info string is
    ``LANGUAGE [STACK]``; without STACK the language names the stack.

        ```dockerfile
        USER app
        ```
        ```ts hono
        app.use(secureHeaders())
        ```
"""

from __future__ import annotations

import re
import textwrap

from auditor.model import CheckDoc, FixSnippet

_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)

# Language aliases so ``yaml`` snippets read as the compose stack, etc.
_LANGUAGE_STACK = {"yaml": "compose", "yml": "compose", "sh": "shell", "bash": "shell"}


def parse_doc(docstring: str | None, fallback_title: str) -> CheckDoc:
    """Split a docstring into title, what, why, fix prose and per-stack snippets."""
    text = textwrap.dedent(docstring or "").strip()
    if not text:
        return CheckDoc(title=fallback_title, what="", why="", fix="", snippets=(), raw="")
    first, _, rest = text.partition("\n")
    # The first docstring line may be indented differently from the rest.
    rest = textwrap.dedent(rest)
    title = first.strip().rstrip(".") or fallback_title
    parts: dict[str, str] = {}
    matches = _headings_outside_fences(rest)
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        parts[match.group(1).strip().lower()] = rest[match.end() : end].strip()
    fix = parts.get("how to fix", "")
    snippets = tuple(_snippets(fix))
    return CheckDoc(
        title=title,
        what=parts.get("what it checks", ""),
        why=parts.get("why it matters", ""),
        fix=fix,
        snippets=snippets,
        raw=f"{first}\n{rest}".strip(),
    )


def _headings_outside_fences(text: str) -> list[re.Match[str]]:
    """``## Section`` headings, ignoring lines inside fenced code (snippets may contain Markdown)."""
    fences = [(m.start(), m.end()) for m in _FENCE.finditer(text)]
    return [m for m in _HEADING.finditer(text) if not any(a <= m.start() < b for a, b in fences)]


def _snippets(fix: str) -> list[FixSnippet]:
    found = []
    for match in _FENCE.finditer(fix):
        words = match.group(1).split()
        language = words[0].lower() if words else "text"
        stack = words[1].lower() if len(words) > 1 else _LANGUAGE_STACK.get(language, language)
        found.append(FixSnippet(stack=stack, language=language, code=match.group(2).rstrip("\n")))
    return found


def fix_prose(doc: CheckDoc) -> str:
    """The 'How to fix' text without its code fences."""
    return _FENCE.sub("", doc.fix).strip()
