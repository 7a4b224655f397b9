"""Make scanned text safe to print: no control characters, no bidi overrides, no undecodable bytes.

A file name or value from a scanned repository can hold an ESC sequence that
repaints a terminal, a BEL, a C1 control that some terminals obey, a
right-to-left override (U+202E) that makes ``exe.txt`` read ``txt.exe``, or
bytes that are not UTF-8 at all (Python keeps them as lone surrogates, which
crash any UTF-8 writer). Every such character becomes a visible escape:
``\\x1b``, ``\\u202e``, and an undecodable byte ``\\xff``.

:func:`safe_report` applies this, plus the credential filter of
:mod:`auditor.redact`, to every string of a :class:`~auditor.model.Report`;
each renderer calls it first, so no format can forget.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any, TypeVar

from auditor.lazyre import lazy
from auditor.redact import mask_patterns

T = TypeVar("T")

# Bidirectional formatting characters (Trojan Source, CVE-2021-42574) and invisible marks.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = lazy(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\u2028\u2029]")
_UNSAFE_WITH_LINES = lazy(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff\u2028\u2029]")
# Fields that name a file or place: newlines there are escaped too (a path is one line).
_ONE_LINE_FIELDS = frozenset({"path", "url", "value", "key", "check_id", "fingerprint", "location", "source",
                              "scanned_files"})
# Fields holding prodcheck's own text (check documentation), not scanned content: left as written.
_TRUSTED_FIELDS = frozenset({"meta"})


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # a byte Python could not decode (surrogateescape)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def escape_controls(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control, bidi and undecodable character shown as an escape.

    Newlines and tabs are kept when ``keep_newlines`` (messages may span
    lines; renderers that need one line collapse them).
    """
    pattern = _UNSAFE if keep_newlines else _UNSAFE_WITH_LINES
    if not pattern.search(text):
        return text
    return pattern.sub(_escape, text)


def safe_text(text: str, *, keep_newlines: bool = True) -> str:
    """Escape controls and mask credentials and token-shaped secrets: the filter for anything shown."""
    return mask_patterns(escape_controls(text, keep_newlines=keep_newlines))


def safe_path(path: str) -> str:
    """A path for display: one line, escaped, never a crash when re-encoded as UTF-8."""
    return escape_controls(path, keep_newlines=False)


def safe_report(report: T) -> T:
    """A copy of ``report`` (any frozen dataclass tree) with every string made safe.

    Idempotent: the escapes and masks it writes are themselves safe text.
    """
    return _walk(report, "")  # type: ignore[no-any-return]


def _walk(value: Any, name: str) -> Any:
    if isinstance(value, enum.Enum):
        return value  # StrEnum members are str too, and must stay members
    if isinstance(value, str):
        return safe_text(value, keep_newlines=name not in _ONE_LINE_FIELDS)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in dataclasses.fields(value):
            if not item.init or item.name in _TRUSTED_FIELDS:
                continue
            old = getattr(value, item.name)
            new = _walk(old, item.name)
            if new is not old:
                changes[item.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        return {_walk(k, "key"): _walk(v, str(k) if isinstance(k, str) else name) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, name) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_walk(v, name) for v in value)
    return value
