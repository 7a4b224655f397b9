"""Content-Security-Policy parsing and the page's ``<meta>`` policies, as the MDN HTTP Observatory reads them.

Rules (mdn/mdn-http-observatory ``src/analyzer/cspParser.js`` and
``src/retriever/utils.js``), written anew here:

* Several policies (repeated headers, comma-joined values, ``<meta http-equiv>``
  tags) are split on ``,`` (CSP3 2.2: commas separate policies).
* A policy shorter than the shortest useful directive (``img-src`` minus one
  character) cannot be parsed: the whole CSP is invalid.
* A directive repeated inside one policy makes the CSP invalid, except
  ``report-uri`` and ``report-to`` (kept once, flagged as a duplicate warning).
* Directive names and sources are lower-cased; a ``*-src`` directive without
  sources means ``'none'``.
* Across policies a source counts only when every policy that sets the
  directive allows it (browsers enforce each policy), with path-prefix
  matching; prodcheck computes that intersection directly instead of porting
  the Observatory's sort-and-mark loop.
* ``<meta>`` policies may not carry ``frame-ancestors``, ``report-uri`` or
  ``sandbox`` (HTML standard); those are dropped from meta policies.
* ``<meta name="referrer" content=...>`` is read as a ``Referrer-Policy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_SHORTEST_POLICY = len("img-src") - 1
_ALLOWED_DUPLICATES = frozenset({"report-uri", "report-to"})
_META_DISALLOWED = frozenset({"frame-ancestors", "report-uri", "sandbox"})

Policy = dict[str, tuple[str, ...]]


class CspInvalid(ValueError):
    """The policy cannot be parsed (too short, or a directive repeated)."""


@dataclass(frozen=True)
class ParsedCsp:
    """The effective policy (directive -> sources) and what was seen while parsing it."""

    directives: Policy = field(default_factory=dict)
    duplicate_warnings: tuple[str, ...] = ()

    def get(self, name: str) -> tuple[str, ...] | None:
        """Sources of a directive, or None when no policy sets it."""
        return self.directives.get(name)


def split_policies(values: list[str] | tuple[str, ...]) -> list[str]:
    """Every policy in a list of header (or meta) values."""
    return [p.strip() for value in values for p in value.split(",")]


def _parse_one(policy: str) -> tuple[Policy, set[str]]:
    cleaned = policy.replace("\r", "").replace("\n", "").strip()
    if len(cleaned) < _SHORTEST_POLICY:
        raise CspInvalid(f"policy {cleaned!r} is too short to mean anything")
    directives: Policy = {}
    warnings: set[str] = set()
    for part in cleaned.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if name in directives:
            if name in _ALLOWED_DUPLICATES:
                warnings.add(name)
                continue
            raise CspInvalid(f"directive {name} appears twice in one policy")
        sources = tuple(t.lower() for t in tokens[1:])
        if not sources and name.endswith("-src"):
            sources = ("'none'",)
        directives[name] = sources
    return directives, warnings


def _allows(source: str, other: tuple[str, ...]) -> bool:
    """``other`` allows ``source`` too: the same source, or a path prefix of it ending in ``/``."""
    return any(source == o or (o.endswith("/") and source.startswith(o)) for o in other)


def parse_policies(policies: list[str]) -> ParsedCsp:
    """Combine policies into the effective one; raises :class:`CspInvalid`."""
    if not policies:
        return ParsedCsp()
    combined: Policy = {}
    warnings: set[str] = set()
    for policy in policies:
        directives, seen = _parse_one(policy)
        warnings |= seen
        for name, sources in directives.items():
            if name not in combined:
                combined[name] = sources
            else:
                kept = tuple(s for s in combined[name] if _allows(s, sources))
                kept += tuple(s for s in sources if s not in kept and _allows(s, combined[name]))
                combined[name] = kept or ("'none'",)
    return ParsedCsp(directives=combined, duplicate_warnings=tuple(sorted(warnings)))


def parse_meta_policies(policies: list[str]) -> ParsedCsp:
    """Like :func:`parse_policies`, minus the directives a ``<meta>`` policy may not set."""
    parsed = parse_policies(policies)
    kept = {k: v for k, v in parsed.directives.items() if k not in _META_DISALLOWED}
    return ParsedCsp(directives=kept, duplicate_warnings=parsed.duplicate_warnings)


def strip_meta_only(policy: str) -> str:
    """A ``<meta>`` policy without the directives only a header may set."""
    kept = [part for part in policy.split(";")
            if part.split() and part.split()[0].lower() not in _META_DISALLOWED]
    return ";".join(kept).strip()


class _MetaTags(HTMLParser):
    """Collects ``<meta http-equiv="content-security-policy">`` and ``<meta name="referrer">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the policies a meta tag sets."""
        if tag != "meta":
            return
        values = {k.lower(): v for k, v in attrs}
        content = values.get("content")
        if content is None:
            return
        equiv = (values.get("http-equiv") or "").strip().lower()
        if equiv == "content-security-policy":
            self.found.append(("content-security-policy", content))
        elif not equiv and (values.get("name") or "").strip().lower() == "referrer":
            self.found.append(("referrer-policy", content))


def http_equiv_headers(html: bytes | str, limit: int = 512 * 1024) -> tuple[tuple[str, str], ...]:
    """The CSP and referrer policies a page sets in ``<meta>`` tags, as ``(header, value)`` pairs.

    Pure and bounded: reads at most ``limit`` characters; broken markup yields what was
    parsed before the break, never an exception.
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    parser = _MetaTags()
    try:
        parser.feed(text[:limit])
        parser.close()
    except Exception:  # noqa: BLE001 - hostile markup must not stop the scan
        pass
    return tuple(parser.found)


__all__ = ["CspInvalid", "ParsedCsp", "http_equiv_headers", "parse_meta_policies", "parse_policies",
           "split_policies", "strip_meta_only"]
