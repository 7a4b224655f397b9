"""Validation of ``--url`` and ``--resolve`` values: a bad one is a usage error with a hint."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?"
                   r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?)*\.?$")


def _valid_host(host: str) -> bool:
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOST.match(host))


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be probed (with a 'did you mean' hint), or None when it is fine."""
    text = url.strip()
    if not text:
        return "--url is empty"
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        return f"--url {url!r} contains spaces or control characters"
    if "://" not in text:
        guess = f"https://{text.lstrip('/')}"
        return f"--url {url!r} has no scheme (did you mean {guess}?)"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"--url {url!r}: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        rest = text.split("://", 1)[1]
        return f"--url {url!r}: only http and https are probed (did you mean https://{rest}?)"
    host = parts.hostname or ""
    if not host or not _valid_host(host):
        return f"--url {url!r} has no valid host name (expected e.g. https://localhost:8443)"
    if port == 0:
        return f"--url {url!r}: port 0 is not a port"
    return None


def resolve_problem(entry: str) -> str | None:
    """Why a curl-style ``HOST:PORT:IP`` value is unusable (with a hint), or None when it is fine."""
    host, sep, rest = entry.partition(":")
    port_text, sep2, ip = rest.partition(":")
    example = "expected HOST:PORT:IP, e.g. localhost:8443:127.0.0.1"
    if not (sep and sep2 and host and ip):
        return f"--resolve {entry!r}: {example}"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return f"--resolve {entry!r}: port {port_text!r} is not a number from 1 to 65535 ({example})"
    if not _valid_host(host):
        return f"--resolve {entry!r}: {host!r} is not a host name ({example})"
    try:
        ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return f"--resolve {entry!r}: {ip!r} is not an IP address ({example})"
    return None
