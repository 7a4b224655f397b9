"""One-pass scrubbing of known secret values from finding text.

:func:`auditor.redact.scrub` tests every secret against every message (``len(secrets)``
substring searches per message, ``replace`` per hit). Here the secrets are compiled once
per scan into one regular expression shaped as a trie of the values (shared prefixes
factored out, so the engine rejects a position after a character or two), and each
message is scanned once for all of them. At every position the longest known secret
wins, so the result is the same as ``scrub`` whenever no secret contains another, and
deterministic (not dependent on set iteration order) when one does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from auditor.redact import mask, scrub

Scrub = Callable[[str], str]

_END = ""  # trie key marking "a secret ends here" (no secret character is the empty string)


def _identity(text: str) -> str:
    return text


def trie_pattern(values: Iterable[str]) -> str:
    """A regex source matching any of ``values``, longest first at each position."""
    trie: dict[str, dict] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _emit(trie)


def _emit(node: dict[str, dict]) -> str:
    # A run of single-child nodes is a plain literal: walk it in a loop, so a long value
    # (a PEM key) costs no recursion; recursion happens only where values branch.
    chain: list[str] = []
    while len(node) == 1 and _END not in node:
        [(char, node)] = node.items()
        chain.append(re.escape(char))
    ends_here = _END in node
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return "".join(chain)
    body = branches[0] if len(branches) == 1 and not ends_here else "(?:" + "|".join(branches) + ")"
    # Greedy "?": the longer secret is tried before the one ending here.
    return "".join(chain) + (body + "?" if ends_here else body)


@lru_cache(maxsize=8)
def scrubber(secrets: frozenset[str]) -> Scrub:
    """A function masking every value of ``secrets`` in a text (compiled once per secret set)."""
    values = sorted(value for value in secrets if value)
    if not values:
        return _identity
    shortest = min(len(value) for value in values)
    if len(values) == 1:
        # One value: a plain substring search beats any regex.
        only, masked = values[0], mask(values[0])

        def one(text: str) -> str:
            return text.replace(only, masked) if only in text else text

        return one
    try:
        pattern = re.compile(trie_pattern(values))
    except (RecursionError, re.error, OverflowError):
        # A pathological value set (thousands of nested branch points): the plain loop still works.
        return lambda text: scrub(text, secrets)
    masks = {value: mask(value) for value in values}

    def replace(match: re.Match[str]) -> str:
        return masks[match.group()]

    def many(text: str) -> str:
        if len(text) < shortest:
            return text
        return pattern.sub(replace, text)

    return many
