"""Masking of secret values so none ever reaches an output."""

from __future__ import annotations

import math
from collections import Counter

HINT_CHARS = 4


def mask(value: str) -> str:
    """Keep at most a 4-character hint of a secret: ``sk_l********``.

    Short values give no hint at all, since four characters of an eight
    character secret is half of it.
    """
    if len(value) < 12:
        return "*" * 8
    return value[:HINT_CHARS] + "*" * 8


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def scrub(text: str, secrets: frozenset[str]) -> str:
    """Replace every occurrence of a known secret value in ``text`` with its mask."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, mask(secret))
    return text
