"""Redaction of secret-looking values in what a live server sent, applied at the probe.

A response can carry secrets: a token in a ``Server`` or CSP header, a session id
in a cookie, credentials in a health or error body, a signed URL to a script.
Observations are saved (``--save-observations``), committed as fixtures and
rendered into every report format, so the probe redacts before anything is
stored. Rules (each masks the value, keeping at most a short non-secret prefix
such as ``ghp_`` or ``'nonce-`` so checks and readers still see what it was):

* known credential shapes: AWS, Stripe, GitHub, Slack, Google, SendGrid, GitLab,
  OpenAI/Anthropic-style keys, JWTs, PEM private keys;
* credentials inside URLs (``scheme://user:password@host``);
* ``name=value`` / ``"name": "value"`` pairs whose name looks secret
  (:func:`auditor.secrets.looks_secret_key`);
* long random-looking tokens (20+ characters with letters and digits and high
  Shannon entropy, :func:`auditor.redact.entropy`);
* values of ``Set-Cookie`` and of Authorization-like headers, whole.

In URLs, path segments are kept unless they are long random tokens, so the
content hash in ``app.3f9a1c2b.js`` (which the caching check reads) survives.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from auditor.redact import entropy
from auditor.secrets import looks_secret_key

MASK = "********"
MIN_TOKEN = 20
MIN_ENTROPY = 3.5

_KNOWN = re.compile(
    r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)"
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"
    r"|\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"
    r"|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{22,}"
    r"|\bxox[baprs]-[A-Za-z0-9-]{10,}"
    r"|\bAIza[0-9A-Za-z_-]{30,}"
    r"|\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"
    r"|\bglpat-[A-Za-z0-9_-]{20,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
)
# scheme://user:password@  (the password part, up to the @).
_URL_CREDS = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s/:@'\"<>]*:)(?P<secret>[^\s@/'\"<>]+)(?=@)",
                        re.IGNORECASE)
# "name": "value" (JSON) and name=value / name: value (query strings, labels, text).
_PAIR = re.compile(
    r"(?P<head>(?P<q>[\"']?)(?P<name>[A-Za-z_][A-Za-z0-9_.-]{1,60})(?P=q)\s*(?:=|:)\s*(?P<vq>[\"']?))"
    r"(?P<value>[^\s\"'&;,<>}{\]\[]{4,})"
)
_TOKEN = re.compile(r"[A-Za-z0-9+/=_~-]{" + str(MIN_TOKEN) + ",}")
_PREFIX = re.compile(r"^(?:[A-Za-z]{2,6}_(?:live_|test_)?|[a-z]{3,6}\d{0,3}-)")
_COOKIE_HEADERS = frozenset({"set-cookie", "set-cookie2", "cookie"})
_SECRET_HEADER = re.compile(r"authori[sz]ation|api[-_]?key|token|secret|password|session|credential|"
                            r"x-amz-security|signature", re.IGNORECASE)
_NOT_SECRET_NAMES = frozenset({"max-age", "maxage", "max_age", "path", "domain", "samesite", "expires", "status",
                               "type", "charset", "version", "report-uri", "report-to"})


def _masked(token: str) -> str:
    """The token with at most its kind prefix (``ghp_``, ``sk_live_``, ``nonce-``) left."""
    prefix = _PREFIX.match(token)
    # At most 7 characters survive, so no 8-character piece of a secret can.
    keep = prefix.group(0) if prefix and len(prefix.group(0)) < min(8, len(token) - 8) else ""
    return keep + MASK


def random_token(token: str) -> bool:
    """A long value that looks generated: letters and digits, 20+ characters, high entropy."""
    if len(token) < MIN_TOKEN or MASK in token:
        return False
    if not (re.search(r"[0-9]", token) and re.search(r"[A-Za-z]", token)):
        return False
    return entropy(token) >= MIN_ENTROPY


def _known(text: str) -> str:
    return _KNOWN.sub(lambda m: _masked(m.group(0)) if not m.group(0).startswith("-----") else
                      "-----BEGIN PRIVATE KEY-----" + MASK, text)


def _pairs(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group("name")
        if name.lower() in _NOT_SECRET_NAMES or not looks_secret_key(name.replace("-", "_").replace(".", "_")):
            return match.group(0)
        return match.group("head") + MASK

    return _PAIR.sub(repl, text)


def _tokens(text: str) -> str:
    return _TOKEN.sub(lambda m: _masked(m.group(0)) if random_token(m.group(0)) else m.group(0), text)


def redact_text(text: str) -> str:
    """Mask every secret-looking value in free text (bodies, header values, messages)."""
    if not text:
        return text
    text = _known(text)
    text = _URL_CREDS.sub(lambda m: m.group("head") + MASK, text)
    text = _pairs(text)
    return _tokens(text)


def redact_url(url: str) -> str:
    """A URL with credentials, secret query values and token-like path segments masked."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{redact_text(user)}:{MASK}@{hostport}" if ":" in userinfo else f"{MASK}@{hostport}"
    segments = []
    for segment in parts.path.split("/"):
        stem = segment.rsplit(".", 1)[0] if "." in segment else segment
        segments.append(MASK if random_token(stem) and len(stem) >= 32 else _known(segment))
    query = "&".join(_query_pair(p) for p in parts.query.split("&")) if parts.query else ""
    fragment = redact_text(parts.fragment) if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, "/".join(segments), query, fragment))


def _query_pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    if not sep:
        return redact_text(pair)
    if looks_secret_key(name.replace("-", "_")) or random_token(value) or _KNOWN.search(value):
        return f"{name}={MASK}" if value else pair
    return f"{name}={redact_text(value)}"


def redact_header(name: str, value: str) -> tuple[str, str]:
    """One response header with its value redacted (cookie values and Authorization-like headers whole)."""
    low = name.lower()
    if low in _COOKIE_HEADERS:
        return name, _cookie(value)
    if _SECRET_HEADER.search(low) and not low.startswith("access-control-"):
        return name, MASK if value else value
    if low in ("location", "content-location", "link", "sourcemap", "x-sourcemap", "refresh"):
        return name, _urls_in(value)
    return name, redact_text(value)


def _urls_in(value: str) -> str:
    """Redact each URL inside a header value (``Link: <url>; rel=...``)."""
    return re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"',;]+|(?<=[<\s=])/[^\s<>\"',;]*|^/[^\s<>\"',;]*",
                  lambda m: redact_url(m.group(0)), redact_text(value) if "://" not in value else value)


def _cookie(value: str) -> str:
    """``name=<redacted>; attrs``: cookie values are never kept."""
    cookie_name, _, rest = value.partition("=")
    attrs = rest.split(";", 1)[1] if ";" in rest else ""
    return f"{redact_text(cookie_name.strip())}=<redacted>" + (f";{redact_text(attrs)}" if attrs else "")


def redact_headers(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Every header of a response, redacted."""
    return tuple(redact_header(k, v) for k, v in headers)


_URL_FIELDS = frozenset({"url", "src", "final_url", "location", "map_url", "sourcemap_header", "sourcemap_comment"})
_HEADER_FIELDS = frozenset({"headers", "preflight_headers", "simple_headers", "cache_headers", "ratelimit_headers"})
# Fields that hold no response content (enums, prodcheck's own words); kept as they are.
_KEEP_FIELDS = frozenset({"scheme", "origin", "reason", "path", "content_encoding"})

T = TypeVar("T")


def redact_observation(value: T) -> T:
    """A copy of an observation dataclass tree with every string from the server redacted."""
    return _walk(value, None)  # type: ignore[no-any-return]


def _walk(value: Any, field_name: str | None) -> Any:
    if isinstance(value, str):
        if field_name in _KEEP_FIELDS:
            return value
        return redact_url(value) if field_name in _URL_FIELDS else redact_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _walk(getattr(value, f.name), f.name) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        if field_name in _HEADER_FIELDS:
            return tuple(redact_header(str(k), str(v)) for k, v in value)
        return tuple(_walk(v, field_name) for v in value)
    return value


class _RedactingFilter(logging.Filter):
    """Rewrites log records so library messages carry no secret from a response."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        record.msg = redact_text(message)
        record.args = ()
        return True


@contextlib.contextmanager
def redacted_stderr() -> Iterator[None]:
    """While probing, library warnings and log records reach stderr only redacted."""
    original = warnings.showwarning
    log_filter = _RedactingFilter()
    handlers = [h for h in (logging.lastResort, *logging.getLogger().handlers) if h is not None]

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = warnings.formatwarning(redact_text(str(message)), category, filename, lineno, "")
        stream = file if file is not None else sys.stderr
        with contextlib.suppress(OSError, ValueError):
            stream.write(redact_text(text))

    warnings.showwarning = show
    for handler in handlers:
        handler.addFilter(log_filter)
    try:
        yield
    finally:
        warnings.showwarning = original
        for handler in handlers:
            handler.removeFilter(log_filter)
