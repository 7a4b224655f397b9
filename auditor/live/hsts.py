"""The one HSTS parser: every grade and check reads ``Strict-Transport-Security`` through here.

Before this module the report's TLS grade parsed ``max-age`` with one function
and the TLS-GRADE check with a regex, so a header such as ``max-age=abc`` or
two joined headers could give the report an A+ and the check an A. Both now
call :func:`target_hsts`.

Parsing follows RFC 6797 section 6.1 as the MDN HTTP Observatory applies it
(``src/analyzer/tests/strict-transport-security.js``): directives split on
``;``, names case-insensitive, a header set twice (joined with ``,``) is
invalid, and a missing ``max-age`` is invalid. One deliberate difference: the
Observatory reads ``max-age`` with JavaScript's ``parseInt``, which turns
``max-age=abc`` into NaN and then credits it as "at least six months", and
``max-age=123abc`` into 123. The published table calls such a header
"cannot be recognized" (hsts-header-invalid, -20) and RFC 6797 requires
``delta-seconds`` digits, so prodcheck treats a non-numeric ``max-age`` as
invalid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The Observatory's code uses 15552000 (180 days): "15768000 is six months, but a lot of
# sites use 15552000, so a white lie is in order" (strict-transport-security.js, SIX_MONTHS).
SIX_MONTHS = 15_552_000
# SSL Labs awards A+ for HSTS with a "long max-age": 180 days, the same number.
A_PLUS_MAX_AGE = 15_552_000

_DIGITS = re.compile(r'^"?(\d+)"?$')
# Non-numeric max-age: the finding says where prodcheck follows the table, not the code.
NON_NUMERIC_NOTE = (
    "max-age is not a number of seconds; prodcheck follows the Observatory's published table "
    "(header cannot be recognized, -20) where its code would credit the header"
)


@dataclass(frozen=True)
class HstsPolicy:
    """A parsed ``Strict-Transport-Security`` header.

    ``max_age`` is None when the header is absent or invalid; ``error`` then says why
    (None with ``present`` False means "no header").
    """

    present: bool
    max_age: int | None = None
    include_subdomains: bool = False
    preload: bool = False
    error: str | None = None
    raw: str = ""

    @property
    def valid(self) -> bool:
        """Present and parsed to a max-age."""
        return self.present and self.error is None and self.max_age is not None


ABSENT = HstsPolicy(present=False)


def parse_hsts(value: str | None) -> HstsPolicy:
    """Parse one header value (repeated headers arrive joined with ``, `` and are invalid)."""
    if value is None:
        return ABSENT
    raw = value[:1024]  # as the Observatory: code against malicious headers
    if "," in raw:
        return HstsPolicy(present=True, error="the header is set more than once", raw=raw)
    max_age: int | None = None
    include_subdomains = preload = False
    for part in raw.split(";"):
        name, sep, val = part.strip().partition("=")
        name = name.strip().lower()
        if name == "max-age":  # a repeated max-age: the last one counts, as in the Observatory
            match = _DIGITS.match(val.strip()) if sep else None
            if match is None:
                return HstsPolicy(present=True, error=NON_NUMERIC_NOTE, raw=raw)
            max_age = int(match.group(1))
        elif name == "includesubdomains":
            include_subdomains = True
        elif name == "preload":
            preload = True
    if max_age is None:
        return HstsPolicy(present=True, error="max-age is missing", raw=raw)
    return HstsPolicy(present=True, max_age=max_age, include_subdomains=include_subdomains, preload=preload,
                      raw=raw)


def target_hsts(target: Any) -> HstsPolicy:
    """The HSTS policy of a live target, for every grade and check.

    The HTTP probe's final https response wins (it is the page users get); when
    the HTTP side was not observed, sslyze's HTTP_HEADERS result (a max-age only)
    stands in.
    """
    http = getattr(target, "http", None)
    page = getattr(http, "page", None)
    if page is not None:
        final = (page.final_url or page.url or "").lower()
        if final.startswith("https://"):
            return parse_hsts(page.header("strict-transport-security"))
    tls = getattr(target, "tls", None)
    age = getattr(tls, "hsts_max_age", None)
    if age is not None:
        return HstsPolicy(present=True, max_age=int(age))
    return ABSENT


__all__ = ["ABSENT", "A_PLUS_MAX_AGE", "NON_NUMERIC_NOTE", "SIX_MONTHS", "HstsPolicy", "parse_hsts", "target_hsts"]
