"""Webhook alerts against a local receiver: kinds, payloads, retries, masking, failure isolation."""

from __future__ import annotations

import pytest

from auditor.history.masking import mask_credentials, mask_webhook
from auditor.history.notify import Alert, deliver, parse_webhook, payload, should_notify
from auditor.history.regressions import Regression, SinceLast, TargetComparison
from auditor.model import Severity
from tests.history.webhook_server import webhook_server

pytestmark = pytest.mark.network_local

REG = Regression("cert-expiry", Severity.CRITICAL, "https://site.test", "certificate expires in 5 day(s) <b>")
ALERT = Alert(7, "2026-01-01T00:00:00.000000Z", "0.1.0", 80.0, "B", ("https://site.test",), (REG,))


def test_kind_by_host_or_explicit_prefix_and_bad_urls_are_masked() -> None:
    assert parse_webhook("https://hooks.slack.com/services/T/B/x").kind == "slack"
    assert parse_webhook("https://acme.webhook.office.com/webhookb2/x").kind == "teams"
    assert parse_webhook("https://example.test/hook").kind == "json"
    assert parse_webhook("teams+http://127.0.0.1:9/x").kind == "teams"
    assert parse_webhook({"url": "http://127.0.0.1:9/x", "kind": "slack"}).kind == "slack"
    with pytest.raises(ValueError) as info:
        parse_webhook("ftp://hooks.example/SECRETPATH")
    assert "SECRETPATH" not in str(info.value)


def test_masking() -> None:
    assert mask_webhook("https://hooks.slack.com/services/T/B/secret") == "https://hooks.slack.com/***"
    assert mask_credentials("postgresql://u:pw@db:5432/h") == "postgresql://u:***@db:5432/h"


def test_payload_shapes() -> None:
    slack = payload(ALERT, "slack")
    assert slack["text"].startswith("prodcheck: 1 regression(s)") and "&lt;b&gt;" in slack["blocks"][1]["text"]["text"]
    teams = payload(ALERT, "teams")
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and "5 day(s)" in card["content"]["body"][1]["text"]
    generic = payload(ALERT, "json")
    assert generic["event"] == "prodcheck.regression" and generic["regressions"][0]["kind"] == "cert-expiry"


def test_only_on_regressions_unless_always() -> None:
    info_only = SinceLast((TargetComparison("t", 1, "x", (Regression("cert-changed", Severity.INFO, "t", "m"),)),))
    assert not should_notify(SinceLast(), False) and not should_notify(info_only, False)
    assert should_notify(SinceLast((TargetComparison("t", 1, "x", (REG,)),)), False)
    assert should_notify(SinceLast(), True)


def test_retries_with_backoff_then_delivers() -> None:
    waits: list[float] = []
    with webhook_server(fail_first=2) as receiver:
        result = deliver(parse_webhook(f"slack+{receiver.url}"), payload(ALERT, "slack"), sleep=waits.append)
    assert result.ok and result.attempts == 3 and waits == [1.0, 2.0]
    assert len(receiver.bodies) == 1 and receiver.bodies[0]["text"].startswith("prodcheck:")
    assert "SECRET" not in result.display


def test_bounded_retries_and_no_retry_on_client_errors() -> None:
    with webhook_server(fail_first=99) as receiver:
        result = deliver(parse_webhook(receiver.url), payload(ALERT, "json"), attempts=3, sleep=lambda _: None)
    assert not result.ok and result.attempts == 3 and receiver.attempts == 3 and result.error == "HTTP 503"
    with webhook_server(fail_first=99, fail_status=404) as receiver:
        result = deliver(parse_webhook(receiver.url), payload(ALERT, "json"), sleep=lambda _: None)
    assert not result.ok and receiver.attempts == 1


def test_unreachable_receiver_never_raises_and_is_masked() -> None:
    from tests.live.tls_server import free_port

    hook = parse_webhook(f"http://127.0.0.1:{free_port()}/services/SECRET")
    result = deliver(hook, payload(ALERT, "json"), attempts=2, timeout=2, sleep=lambda _: None)
    assert not result.ok and result.attempts == 2 and "SECRET" not in (result.error or "") + result.display
