"""Masking of secret values so none ever reaches an output.

Two filters, both applied before anything is shown:

* :func:`scrub` masks the secret values prodcheck collected from the scanned
  files (values of secret-named variables). A strong value (long, mixed
  characters) is masked wherever it appears; a weak one (a plain word such as
  the product's name used as a password) only where it stands as a value
  (after ``=``, ``:`` or a quote, in a URL's password), so paths and prose
  that happen to contain the same word stay readable.
* :func:`mask_patterns` masks what is a secret by its shape wherever it
  appears: passwords inside URLs (``postgres://user:pass@host``), cloud and
  SaaS token formats (AWS, Stripe, GitHub, Slack, Google), JWTs and PEM
  private keys.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from auditor.lazyre import lazy

HINT_CHARS = 4
URL_PASSWORD_MASK = "********"

# scheme://user:password@host  (the password may itself hold '@': the last one ends it)
# ('#' and '?' belong in URLs percent-encoded, but people write them in passwords unencoded: mask them too.)
_URL_CREDENTIALS = lazy(r"(?i)\b([a-z][a-z0-9+.\-]{0,30}://)([^\s/?#@:'\"<>`]{0,256}):([^\s/'\"<>`]{1,512})@")
_TOKENS = lazy(
    r"\b(?:"
    r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"  # AWS access key ids
    r"|[sr]k_(?:live|test)_[0-9A-Za-z]{10,256}"  # Stripe secret / restricted keys
    r"|whsec_[0-9A-Za-z]{16,256}"  # Stripe webhook signing secrets
    r"|gh[pousr]_[A-Za-z0-9]{30,255}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{30,255}"
    r"|glpat-[A-Za-z0-9_\-]{20,64}"  # GitLab
    r"|xox[abposr]-[A-Za-z0-9\-]{10,255}"  # Slack
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API keys
    r"|eyJ[A-Za-z0-9_\-]{8,4096}\.[A-Za-z0-9_\-]{8,4096}\.[A-Za-z0-9_\-]{8,4096}"  # JWT
    r")"
)
_PEM_BEGIN = lazy(r"-----BEGIN ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY-----")
_PEM_END = "-----END "
# Characters that end a value when a weak secret is matched in value position.
_VALUE_END = r"(?=$|[\s'\"`,;&@)\]}>])"
_VALUE_START = r"(?:^|(?<=[=:'\"`])|(?<=[=:] ))"


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


def is_strong(value: str) -> bool:
    """A value that cannot be an ordinary word: long enough and mixing kinds of characters."""
    if len(value) < 8:
        return False
    kinds = sum((any(c.isalpha() for c in value), any(c.isdigit() for c in value),
                 any(not c.isalnum() for c in value)))
    return kinds >= 2 or (len(value) >= 16 and entropy(value) >= 3.0)


def scrub(text: str, secrets: frozenset[str]) -> str:
    """Mask every known secret value in ``text`` (as a value only, for weak ones), then secret shapes."""
    for secret in sorted(secrets, key=len, reverse=True):
        if not secret or secret not in text:
            continue
        if is_strong(secret):
            text = text.replace(secret, mask(secret))
        else:
            text = re.sub(_VALUE_START + re.escape(secret) + _VALUE_END, mask(secret), text)
    return mask_patterns(text)


def mask_patterns(text: str) -> str:
    """Mask URL passwords, token-shaped values and PEM private keys wherever they appear."""
    if "://" in text and "@" in text:
        text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{m.group(2)}:{URL_PASSWORD_MASK}@", text)
    text = _TOKENS.sub(lambda m: mask(m.group()), text)
    if "PRIVATE KEY-----" in text:
        text = _mask_pem(text)
    return text


def _mask_pem(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _PEM_BEGIN.finditer(text):
        if match.start() < pos:
            continue
        out.append(text[pos : match.end()])
        end = text.find(_PEM_END, match.end())
        out.append("[private key redacted]")
        pos = len(text) if end == -1 else end
    out.append(text[pos:])
    return "".join(out)
