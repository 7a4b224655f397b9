"""Secrets in locations: webhook URLs and database credentials are never printed as given."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*)(?::[^@/\s]*)?@", re.IGNORECASE)


def mask_credentials(text: str) -> str:
    """``postgresql://user:secret@host/db`` -> ``postgresql://user:***@host/db`` (also inside messages)."""
    return _CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:***@", text)


def mask_webhook(url: str) -> str:
    """Keep only scheme and host: the path and query of a webhook URL are its secret."""
    try:
        parts = urlsplit(url.split("+", 1)[1] if re.match(r"^(slack|teams|json)\+", url) else url)
        host = parts.hostname or "?"
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "***"
    return urlunsplit((parts.scheme, host, "/***" if parts.path not in ("", "/") or parts.query else "", "", ""))


def scrub(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Replace every given secret (webhook URLs, passwords) in ``text`` with its mask."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, mask_webhook(secret) if "://" in secret else "***")
    return mask_credentials(text)
