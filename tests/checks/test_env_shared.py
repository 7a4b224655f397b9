"""Unit tests for the env checks' judgments: secret names, weak values, key formats, localhost targets."""

from __future__ import annotations

import pytest

from auditor.env_values import known_key_kind, secret_name, url_password, weak_reason
from checks.env.localhost_default import local_target


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("JWT_SECRET", True), ("POSTGRES_PASSWORD", True), ("OPENAI_API_KEY", True), ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True), ("SENTRY_DSN", True),
        ("AUTH_URL", False), ("JWT_SECRET_FILE", False), ("TOKEN_TTL", False), ("NEXT_PUBLIC_API_KEY", False),
        ("STRIPE_PUBLISHABLE_KEY", False), ("PASSWORD_MIN_LENGTH", False), ("LOG_LEVEL", False),
        ("OAUTH_CLIENT_ID", False),
    ],
)
def test_secret_name(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


@pytest.mark.parametrize(
    ("value", "weak"),
    [
        ("change-me", True), ("CHANGEME", True), ("secret", True), ("password", True), ("admin", True),
        ("123456", True), ("your-secret-here", True), ("xxx", True), ("<your-jwt-secret>", True),
        ("abc123", True), ("aaaaaaaaaaaaaaaa", True), ("change-me-to-a-long-random-string", True),
        ("", False), ("${JWT_SECRET}", False), ("4pX9vK2mQ7wL0sN8bT5yR3cF6hJ1dG", False),
    ],
)
def test_weak_reason(value: str, weak: bool) -> None:
    assert (weak_reason(value) is not None) is weak


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("sk-proj-" + "Zx81Kq0Lm3Vb7Nc2Wd5Ye9Rf4Tg6Uh", "OpenAI-style API key"),
        ("sk_live_" + "51HqLk2eZvKYlo2C8xRt9Wm", "Stripe live secret key"),
        ("re_" + "Hq7Ld2Mx_9KfPz3RwTb8Vn4Cs1Ya6Ge", "Resend API key"),
        ("AKIA" + "Q7ZK3M9TX2LPV4RB", "AWS access key id"),
        ("ghp_" + "1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX", "GitHub token"),
        ("xoxb-" + "2401-98213-Zq8LmWn3", "Slack token"),
        ("glpat-" + "Xk29Lp0QmZ83nVb7Tr4W", "GitLab token"),
        ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ("sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", None),
        ("sk_test_your_key_here_please", None),
        ("AKIAIOSFODNN7EXAMPLE", None),
        ("sk-", None),
        ("https://api.acme.io", None),
    ],
)
def test_known_key_kind(value: str, kind: str | None) -> None:
    assert known_key_kind(value) == kind


def test_url_password() -> None:
    assert url_password("postgres://app:hunter2@db:5432/app") == "hunter2"
    assert url_password("postgres://app:${DB_PASSWORD}@db/app") is None
    assert url_password("postgres://app@db/app") is None
    assert url_password("https://example.org/a:b@c") is None


@pytest.mark.parametrize(
    ("name", "value", "hit"),
    [
        ("DASHBOARD_URL", "http://localhost:3000", "http://localhost:3000"),
        ("PUBLIC_URL", "http://127.0.0.1:8080/app", "http://127.0.0.1:8080/app"),
        ("CORS_ORIGINS", "https://app.acme.io, http://0.0.0.0:5173", "http://0.0.0.0:5173"),
        ("APP_DOMAIN", "localhost", "localhost"),
        ("API_BASE", "http://[::1]:3000", "http://[::1]:3000"),
        ("COOKIE_DOMAIN", "app.localhost", "app.localhost"),
        ("HOST", "0.0.0.0", None),
        ("API_HOST", "localhost", None),
        ("PUBLIC_URL", "https://app.acme.io", None),
        ("PUBLIC_URL", "", None),
    ],
)
def test_local_target(name: str, value: str, hit: str | None) -> None:
    assert local_target(name, value) == hit
