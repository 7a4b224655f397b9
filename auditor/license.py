"""Which open-source licence, if any, the repository is published under (from its root licence file)."""

from __future__ import annotations

import re

#: Root files that hold the repository's licence text.
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING", "COPYING.md",
                 "license", "license.md")

# The opening words of the common OSI licences (their title lines), not any mention of a licence name.
_LICENSES = (
    ("MIT", re.compile(r"\bMIT License\b|Permission is hereby granted, free of charge", re.IGNORECASE)),
    ("Apache-2.0", re.compile(r"\bApache License\b[\s,]*Version 2\.0", re.IGNORECASE)),
    ("AGPL-3.0", re.compile(r"\bGNU AFFERO GENERAL PUBLIC LICENSE\b", re.IGNORECASE)),
    ("LGPL", re.compile(r"\bGNU LESSER GENERAL PUBLIC LICENSE\b", re.IGNORECASE)),
    ("GPL", re.compile(r"\bGNU GENERAL PUBLIC LICENSE\b", re.IGNORECASE)),
    ("BSD", re.compile(r"Redistribution and use in source and binary forms", re.IGNORECASE)),
    ("MPL-2.0", re.compile(r"\bMozilla Public License\b", re.IGNORECASE)),
    ("ISC", re.compile(r"\bISC License\b|Permission to use, copy, modify, and(/or)? distribute", re.IGNORECASE)),
    ("Unlicense", re.compile(r"This is free and unencumbered software released into the public domain",
                             re.IGNORECASE)),
)


def open_source_license(text: str) -> str | None:
    """The SPDX-like name of the open-source licence ``text`` is, or None (proprietary, unknown)."""
    head = text[:4000]
    return next((name for name, pattern in _LICENSES if pattern.search(head)), None)
