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

from auditor.redact import _VALUE_END, _VALUE_START, is_strong, mask, mask_patterns, scrub

Scrub = Callable[[str], str]

_END = ""  # trie key marking "a secret ends here" (no secret character is the empty string)


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
    """A function masking every value of ``secrets`` in a text (compiled once per secret set).

    The same rules as :func:`auditor.redact.scrub`: a strong value (one that cannot be an
    ordinary word) is masked wherever it appears; a weak one (a short or one-kind password
    such as the product's name) only where it stands as a value (after ``=``, ``:`` or a quote),
    so ordinary words and paths keep their text; then URL credentials, token shapes and PEM
    keys are masked wherever they appear.
    """
    strong = sorted(value for value in secrets if value and is_strong(value))
    weak = sorted(value for value in secrets if value and not is_strong(value))
    if not strong and not weak:
        return mask_patterns
    parts = []
    if strong:
        parts.append(trie_pattern(strong))
    if weak:
        parts.append(_VALUE_START + "(?:" + trie_pattern(weak) + ")" + _VALUE_END)
    try:
        pattern = re.compile("|".join(parts))
    except (RecursionError, re.error, OverflowError):
        # A pathological value set (thousands of nested branch points): the plain loop still works.
        return lambda text: scrub(text, secrets)
    masks = {value: mask(value) for value in (*strong, *weak)}
    shortest = min(len(value) for value in masks)

    def replace(match: re.Match[str]) -> str:
        return masks[match.group()]

    def run(text: str) -> str:
        if len(text) >= shortest:
            text = pattern.sub(replace, text)
        return mask_patterns(text)

    return run
