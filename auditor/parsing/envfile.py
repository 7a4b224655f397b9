"""Env files (``.env``, ``.env.example`` ...) with line numbers.

Supports ``KEY=value``, ``export KEY=value``, single and double quotes,
inline comments after unquoted values, and full-line comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.parsing import ParseProblem

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class EnvEntry:
    """One ``KEY=value`` line. ``value`` is unquoted; never print it unredacted."""

    key: str
    value: str = field(repr=False)
    line: int
    quoted: bool = False
    commented_out: bool = False


@dataclass(frozen=True)
class EnvFile:
    """A parsed env file; ``template`` is True for ``.env.example`` and friends."""

    path: str
    template: bool
    entries: tuple[EnvEntry, ...]
    problems: tuple[ParseProblem, ...] = ()

    def keys(self) -> set[str]:
        """Declared keys (including commented-out examples like ``# KEY=``)."""
        return {e.key for e in self.entries}

    def get(self, key: str) -> EnvEntry | None:
        """The last active entry for a key."""
        found = [e for e in self.entries if e.key == key and not e.commented_out]
        return found[-1] if found else None


def parse_env(path: str, text: str, *, template: bool) -> EnvFile:
    """Parse env-file text; lines that are not assignments become problems."""
    entries: list[EnvEntry] = []
    problems: list[ParseProblem] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        commented = False
        if stripped.startswith("#"):
            # "# KEY=value" documents an optional key; keep it as declared.
            body = stripped.lstrip("#").strip()
            match = _LINE.match(body)
            if not match or " " in match.group(1):
                continue
            commented = True
        else:
            match = _LINE.match(raw)
            if not match:
                problems.append(ParseProblem(path, lineno, "line is not KEY=value"))
                continue
        key, rest = match.group(1), match.group(2)
        value, quoted = _unquote(rest)
        entries.append(EnvEntry(key, value, lineno, quoted, commented))
    return EnvFile(path, template, tuple(entries), tuple(problems))


def _unquote(rest: str) -> tuple[str, bool]:
    rest = rest.strip()
    if rest[:1] in {'"', "'"}:
        quote = rest[0]
        end = rest.find(quote, 1)
        if end != -1:
            return rest[1:end], True
        return rest[1:], True
    # Unquoted: an inline comment starts at " #".
    hash_at = rest.find(" #")
    if hash_at != -1:
        rest = rest[:hash_at]
    return rest.strip(), False
