"""Integration tests: probe_tls against real TLS servers on 127.0.0.1 (never anything else)."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import pytest

from auditor.live.tls import TlsObservation, probe_tls
from auditor.live.tls_grade import tls_grade
from tests.live.certs import make_ca, make_leaf
from tests.live.tls_scenarios import SCENARIOS, Scenario
from tests.live.tls_server import free_port, legacy_tls_available, plain_http_server, silent_server, tls_server

# The whole TLS probe of one loopback host must stay well under this (the 5 s budget).
BUDGET_S = 5.0


@pytest.fixture(autouse=True)
def _no_ambient_trust_store(monkeypatch: pytest.MonkeyPatch) -> None:
    # SSL_CERT_FILE is honoured by the probe; tests opt in explicitly.
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


def _probe(scenario: Scenario, **kwargs: object) -> tuple[TlsObservation, float]:
    started = time.monotonic()
    obs = probe_tls(
        scenario.server_name,
        scenario.port,
        ip=scenario.host,
        ca_bundle=scenario.ca_bundle,
        timeout=5,
        **kwargs,  # type: ignore[arg-type]
    )
    return obs, time.monotonic() - started


def _run(name: str, tmp_path: Path) -> tuple[TlsObservation, float]:
    with SCENARIOS[name](tmp_path) as scenario:
        return _probe(scenario)


def test_valid_certificate_grades_a_plus(tmp_path: Path) -> None:
    obs, elapsed = _run("valid", tmp_path)
    assert obs.error is None
    assert elapsed < BUDGET_S
    assert obs.accepted_protocols == ("TLSv1.2", "TLSv1.3")
    cert = obs.certificate
    assert cert is not None
    assert (cert.trusted, cert.self_signed, cert.hostname_matches) == (True, False, True)
    assert cert.trust_store == "Supplied CA file"
    assert 88 <= cert.days_left <= 90
    assert obs.hsts_max_age == 31536000
    assert obs.vulnerabilities["heartbleed"] is False
    assert all(c.forward_secrecy for c in obs.ciphers)
    grade = tls_grade(obs)
    assert (grade.grade, grade.score, grade.caps) == ("A+", 93, ())


def test_valid_without_hsts_grades_a(tmp_path: Path) -> None:
    obs, _ = _run("valid-no-hsts", tmp_path)
    assert tls_grade(obs).grade == "A"
    assert tls_grade(obs, hsts_max_age=15552000).grade == "A+"


def test_expired_certificate(tmp_path: Path) -> None:
    obs, _ = _run("expired", tmp_path)
    assert obs.certificate is not None
    assert obs.certificate.days_left in (-11, -10)
    assert obs.certificate.trusted  # chain is fine; expiry is its own fact
    assert "not valid at validation time" in (obs.certificate.validation_error or "")
    grade = tls_grade(obs)
    assert (grade.grade, grade.ignoring_trust) == ("T", "A+")


def test_untrusted_without_ca_bundle(tmp_path: Path) -> None:
    obs, _ = _run("untrusted", tmp_path)
    assert obs.certificate is not None
    assert obs.certificate.trusted is False
    assert "Mozilla" in obs.certificate.trust_store
    assert tls_grade(obs).grade == "T"


def test_ssl_cert_file_is_the_trust_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca = make_ca(tmp_path)
    leaf = make_leaf(ca, tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_path))
    with tls_server(leaf.cert_path, leaf.key_path) as (host, port):
        obs = probe_tls("localhost", port, ip=host, timeout=5)
    assert obs.certificate is not None
    assert (obs.certificate.trusted, obs.certificate.trust_store) == (True, "Supplied CA file")


def test_self_signed(tmp_path: Path) -> None:
    obs, _ = _run("self-signed", tmp_path)
    assert obs.certificate is not None
    assert (obs.certificate.self_signed, obs.certificate.trusted) == (True, False)
    assert tls_grade(obs).grade == "T"


def test_wrong_host_grades_m(tmp_path: Path) -> None:
    obs, _ = _run("wrong-host", tmp_path)
    assert obs.certificate is not None
    assert obs.certificate.trusted is True
    assert obs.certificate.hostname_matches is False
    assert obs.certificate.sans == ("wrong.example",)
    grade = tls_grade(obs)
    assert (grade.grade, grade.ignoring_trust) == ("M", "A+")


def test_resolve_pins_the_address_and_keeps_the_name(tmp_path: Path) -> None:
    """--resolve app.example.test:PORT:127.0.0.1: no DNS, SNI and name check use the given name."""
    ca = make_ca(tmp_path)
    leaf = make_leaf(ca, tmp_path, names=("app.example.test",))
    with tls_server(leaf.cert_path, leaf.key_path) as (host, port):
        obs = probe_tls("app.example.test", port, ip=host, ca_bundle=str(ca.cert_path), timeout=5)
    assert obs.error is None
    assert (obs.ip, obs.server_name) == ("127.0.0.1", "app.example.test")
    assert obs.certificate is not None
    assert obs.certificate.hostname_matches and obs.certificate.trusted


def test_legacy_protocols(tmp_path: Path) -> None:
    reason = legacy_tls_available(ssl.TLSVersion.TLSv1) or legacy_tls_available(ssl.TLSVersion.TLSv1_1)
    if reason:
        pytest.skip(reason)
    obs, elapsed = _run("legacy", tmp_path)
    if not obs.protocols.get("TLSv1.0"):
        pytest.skip("local OpenSSL refused to serve TLS 1.0 even at SECLEVEL=0")
    assert elapsed < BUDGET_S
    assert obs.accepted_protocols == ("TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
    grade = tls_grade(obs)
    assert grade.grade == "B"
    assert grade.caps == ("B: TLS 1.0 and TLS 1.1 accepted",)


def test_rsa_key_exchange_and_cbc_only(tmp_path: Path) -> None:
    obs, _ = _run("weak-ciphers", tmp_path)
    assert obs.accepted_protocols == ("TLSv1.2",)
    assert {c.kx for c in obs.ciphers} == {"RSA"}
    assert not any(c.aead or c.forward_secrecy for c in obs.ciphers)
    assert all(c.kx_bits == 2048 for c in obs.ciphers)  # RSA key transport: the certificate key
    grade = tls_grade(obs)
    assert grade.grade == "B"
    assert set(grade.caps) == {"B: no forward secrecy for a modern client on TLS 1.2",
                               "B: no AEAD cipher suite on TLS 1.2", "A-: TLS 1.3 not supported"}


def test_refused_port_is_an_error() -> None:
    port = free_port()
    started = time.monotonic()
    obs = probe_tls("127.0.0.1", port, timeout=5)
    assert time.monotonic() - started < 2
    assert obs.error == f"connection refused by 127.0.0.1:{port}"
    assert obs.protocols == {} and obs.certificate is None


def test_plain_http_on_the_tls_port_is_a_clear_error() -> None:
    with plain_http_server() as (host, port):
        obs = probe_tls("localhost", port, ip=host, timeout=5)
    assert obs.error is not None
    assert "does not speak TLS" in obs.error and "plain HTTP" in obs.error
    assert "HTTP/1.1 400" in obs.error


def test_silent_server_times_out_within_bounds() -> None:
    with silent_server() as (host, port):
        started = time.monotonic()
        obs = probe_tls("localhost", port, ip=host, timeout=1.5)
        elapsed = time.monotonic() - started
    assert obs.error is not None and "timed out after 1.5s" in obs.error
    assert elapsed < 3


def test_missing_ca_bundle_is_an_error() -> None:
    obs = probe_tls("localhost", 443, ip="127.0.0.1", ca_bundle="/nonexistent/ca.pem")
    assert obs.error == "CA bundle not found: /nonexistent/ca.pem"


def test_observation_round_trips_through_json(tmp_path: Path) -> None:
    obs, _ = _run("valid", tmp_path)
    assert TlsObservation.from_dict(obs.to_dict()) == obs
