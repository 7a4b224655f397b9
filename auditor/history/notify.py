"""Webhook alerts: a message when something regressed (or a digest with ``--notify-always``).

Three payload kinds: ``json`` (prodcheck's own shape, for any receiver), ``slack`` (incoming
webhook: ``text`` plus Block Kit blocks) and ``teams`` (an Adaptive Card in a ``message``
attachment, which Teams workflows and connectors accept). The kind comes from an explicit
``slack+https://...`` / ``teams+https://...`` / ``json+https://...`` prefix (or ``kind:`` in the
config), else from the URL's host. Delivery has a timeout and bounded retries with exponential
backoff; it never raises, so a dead receiver cannot lose the report or the history entry.
Webhook URLs are secrets: only :func:`~auditor.history.masking.mask_webhook` forms are printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from auditor.history.masking import mask_webhook, scrub
from auditor.history.regressions import Regression, SinceLast
from auditor.model import Severity

KINDS = ("json", "slack", "teams")
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_TEAMS_HOSTS = (".webhook.office.com", ".logic.azure.com", "outlook.office.com", ".powerplatform.com")


@dataclass(frozen=True)
class Webhook:
    """One receiver: its (secret) URL and payload kind."""

    url: str
    kind: str

    @property
    def display(self) -> str:
        """The URL as it may be printed."""
        return mask_webhook(self.url)


def parse_webhook(spec: str | Mapping[str, Any]) -> Webhook:
    """``URL``, ``KIND+URL`` or ``{url, kind}``; raise ValueError (without echoing the URL) when bad."""
    if isinstance(spec, Mapping):
        url, kind = str(spec.get("url") or ""), spec.get("kind")
        unknown = set(map(str, spec)) - {"url", "kind"}
        if unknown:
            raise ValueError(f"unknown notify key(s) {', '.join(sorted(unknown))} (known: kind, url)")
    else:
        url, kind = str(spec), None
        prefix, sep, rest = url.partition("+")
        if sep and prefix.lower() in KINDS and "://" in rest:
            url, kind = rest, prefix.lower()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"notify URL must be http(s) with a host (got {mask_webhook(url)})")
    if kind is None:
        kind = kind_for_host(parts.hostname)
    if str(kind).lower() not in KINDS:
        raise ValueError(f"unknown notify kind {kind!r} (choose from {', '.join(KINDS)})")
    return Webhook(url=url, kind=str(kind).lower())


def kind_for_host(host: str) -> str:
    """Slack for hooks.slack.com, Teams for Microsoft's webhook hosts, else generic JSON."""
    host = host.lower()
    if host == "hooks.slack.com" or host.endswith(".slack.com"):
        return "slack"
    if any(host.endswith(suffix) or host == suffix.lstrip(".") for suffix in _TEAMS_HOSTS):
        return "teams"
    return "json"


@dataclass(frozen=True)
class Alert:
    """What one message says: the run, its targets, and what regressed."""

    run_id: int | None
    stamped_at: str | None
    tool_version: str
    score: float | None
    grade: str
    targets: tuple[str, ...]
    regressions: tuple[Regression, ...]
    digest: bool = False

    @property
    def title(self) -> str:
        """One line: how many regressions, worst severity."""
        if not self.regressions:
            return f"prodcheck digest: no regressions on {len(self.targets)} target(s), grade {self.grade}"
        worst = max(r.severity for r in self.regressions).label
        return (f"prodcheck: {len(self.regressions)} regression(s) since the last scan "
                f"(worst: {worst}), grade {self.grade}")


def should_notify(since: SinceLast | None, always: bool) -> bool:
    """Post when something at low severity or above regressed (info: a routine renewal), or always."""
    if always:
        return True
    return since is not None and bool(since.at_least(Severity.LOW))


def build_alert(since: SinceLast | None, *, run_id: int | None, stamped_at: str | None, tool_version: str,
                score: float | None, grade: str, targets: Sequence[str], digest: bool) -> Alert:
    """Assemble the alert of one run."""
    regressions = tuple(since.regressions) if since is not None else ()
    return Alert(run_id, stamped_at, tool_version, score, grade, tuple(targets), regressions, digest)


def payload(alert: Alert, kind: str) -> dict[str, Any]:
    """The JSON body for one receiver kind."""
    lines = [f"[{r.severity.label}] {r.target}: {r.message}" for r in alert.regressions]
    if kind == "slack":
        blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}}]
        if lines:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(
                f"• {_slack_escape(line)}" for line in lines[:40])[:2900]}})
        return {"text": alert.title, "blocks": blocks}
    if kind == "teams":
        body: list[dict[str, Any]] = [{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": True,
                                       "text": alert.title}]
        body += [{"type": "TextBlock", "wrap": True, "text": line} for line in lines[:40]]
        card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
                "version": "1.4", "body": body}
        return {"type": "message", "text": alert.title,
                "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}
    return {
        "event": "prodcheck.digest" if alert.digest and not alert.regressions else "prodcheck.regression",
        "title": alert.title, "run_id": alert.run_id, "stamped_at": alert.stamped_at,
        "tool_version": alert.tool_version, "score": alert.score, "grade": alert.grade,
        "targets": list(alert.targets), "regressions": [r.to_dict() for r in alert.regressions],
    }


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters (scanned text must not become links or mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Delivery:
    """How one post went (``display`` is masked)."""

    display: str
    ok: bool
    attempts: int
    status: int | None = None
    error: str | None = None


def deliver(hook: Webhook, body: Mapping[str, Any], *, timeout: float = 10.0, attempts: int = 3,
            backoff_s: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST ``body``; retry transport errors and 408/425/429/5xx with backoff (1 s, 2 s ...). Never raises."""
    import httpx

    last_status: int | None = None
    last_error: str | None = None
    headers = {"User-Agent": "prodcheck-notify", "Content-Type": "application/json"}
    for attempt in range(1, max(1, attempts) + 1):
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                response = client.post(hook.url, json=dict(body), headers=headers)
            last_status, last_error = response.status_code, None
            if 200 <= response.status_code < 300:
                return Delivery(hook.display, True, attempt, response.status_code)
            last_error = f"HTTP {response.status_code}"
            if response.status_code not in RETRY_STATUSES:
                break
        except httpx.HTTPError as exc:
            last_error = scrub(f"{type(exc).__name__}: {exc}", [hook.url])
        if attempt < attempts:
            sleep(backoff_s * 2 ** (attempt - 1))
    return Delivery(hook.display, False, attempt, last_status, last_error)


def notify_all(hooks: Sequence[Webhook], alert: Alert, **kwargs: Any) -> list[Delivery]:
    """Deliver ``alert`` to every hook in its kind; one Delivery per hook."""
    return [deliver(hook, payload(alert, hook.kind), **kwargs) for hook in hooks]
