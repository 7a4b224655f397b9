"""Unit tests for the SSL Labs style grade, on hand-built observations (each rule in isolation)."""

from __future__ import annotations

import dataclasses

from auditor.live.tls import CertificateObservation, CipherObservation, TlsObservation
from auditor.live.tls_grade import letter_for_score, tls_grade

CERT = CertificateObservation(
    subject_cn="example.test",
    sans=("example.test",),
    issuer="CN=Test CA",
    not_before="2026-01-01T00:00:00+00:00",
    not_after="2026-04-01T00:00:00+00:00",
    days_left=60,
    key_type="RSA",
    key_size=2048,
    signature_hash="sha256",
    self_signed=False,
    trusted=True,
    trust_store="Mozilla",
    hostname_matches=True,
    chain_length=2,
)
GOOD_VULNS: dict[str, bool | None] = {
    "heartbleed": False,
    "ccs_injection": False,
    "robot": False,
    "compression": False,
    "fallback_scsv_supported": True,
    "secure_renegotiation": True,
    "client_renegotiation_dos": False,
}


def suite(protocol: str, name: str, key_size: int = 128, kx: str = "ECDHE", kx_bits: int | None = 253,
          aead: bool = True) -> CipherObservation:
    return CipherObservation(protocol, name, key_size, kx, kx_bits, kx in ("ECDHE", "DHE"), aead)


MODERN = (
    suite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    suite("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 256),
    suite("TLSv1.3", "TLS_AES_128_GCM_SHA256"),
    suite("TLSv1.3", "TLS_AES_256_GCM_SHA384", 256),
)


def obs(**changes: object) -> TlsObservation:
    base = TlsObservation(
        host="example.test",
        port=443,
        server_name="example.test",
        ip=None,
        protocols={"SSLv2": False, "SSLv3": False, "TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True,
                   "TLSv1.3": True},
        ciphers=MODERN,
        certificate=CERT,
        vulnerabilities=dict(GOOD_VULNS),
        hsts_max_age=31536000,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def with_vuln(**flags: bool | None) -> TlsObservation:
    return obs(vulnerabilities={**GOOD_VULNS, **flags})


def test_letters() -> None:
    assert [letter_for_score(s) for s in (80, 79, 65, 50, 35, 20, 19)] == ["A", "B", "B", "C", "D", "E", "F"]


def test_modern_server_scores_93_and_gets_a_plus() -> None:
    grade = tls_grade(obs())
    assert (grade.protocol_score, grade.kx_score, grade.cipher_score, grade.score) == (100, 90, 90, 93)
    assert grade.grade == "A+"


def test_hsts_below_180_days_is_a() -> None:
    assert tls_grade(obs(hsts_max_age=86400)).grade == "A"
    assert tls_grade(obs(hsts_max_age=None), hsts_max_age=15552000).grade == "A+"


def test_no_tls13_caps_at_a_minus() -> None:
    # SSL Labs 2009r: "This server does not support TLS 1.3" now caps at A-.
    grade = tls_grade(obs(protocols={"TLSv1.2": True, "TLSv1.3": False}, ciphers=MODERN[:2]))
    assert grade.grade == "A-"
    assert grade.caps == ("A-: TLS 1.3 not supported",)


def test_f_caps() -> None:
    assert tls_grade(obs(protocols={"SSLv2": True, "TLSv1.2": True, "TLSv1.3": True})).grade == "F"
    assert tls_grade(with_vuln(heartbleed=True)).grade == "F"
    assert tls_grade(with_vuln(robot=True)).grade == "F"
    assert tls_grade(with_vuln(ccs_injection=True)).grade == "F"
    anon = (*MODERN, suite("TLSv1.2", "TLS_DH_anon_WITH_AES_128_CBC_SHA", kx="anon", kx_bits=2048, aead=False))
    grade = tls_grade(obs(ciphers=anon))
    assert (grade.grade, grade.kx_score, grade.score) == ("F", 0, 0)


def test_c_caps() -> None:
    old_only = obs(protocols={"TLSv1.0": True, "TLSv1.1": True},
                   ciphers=(suite("TLSv1.0", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", aead=False),))
    assert tls_grade(old_only).grade == "C"
    rc4 = (*MODERN, suite("TLSv1.2", "TLS_RSA_WITH_RC4_128_SHA", kx="RSA", kx_bits=2048, aead=False))
    assert tls_grade(obs(ciphers=rc4, negotiated={"TLSv1.2": "TLS_RSA_WITH_RC4_128_SHA"})).grade == "C"
    des = (*MODERN, suite("TLSv1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", 168, kx="RSA", kx_bits=2048, aead=False))
    assert tls_grade(obs(ciphers=des, negotiated={"TLSv1.2": "TLS_RSA_WITH_3DES_EDE_CBC_SHA"})).grade == "C"
    assert tls_grade(with_vuln(compression=True)).grade == "C"


def test_b_caps() -> None:
    dh = (*MODERN, suite("TLSv1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", kx="DHE", kx_bits=1024))
    grade = tls_grade(obs(ciphers=dh))
    assert grade.grade == "B" and grade.kx_score == 80
    cbc = tuple(suite("TLSv1.2", n, aead=False) for n in ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",))
    grade = tls_grade(obs(protocols={"TLSv1.2": True}, ciphers=cbc))
    assert grade.grade == "B" and "B: no AEAD cipher suite on TLS 1.2" in grade.caps


def test_a_minus_caps() -> None:
    # 2009r dropped TLS_FALLBACK_SCSV from grading.
    assert tls_grade(with_vuln(fallback_scsv_supported=False)).grade == "A+"
    assert tls_grade(with_vuln(secure_renegotiation=False)).grade == "A-"
    # one protocol version only: no downgrade possible, no SCSV cap
    single = obs(protocols={"TLSv1.3": True}, ciphers=MODERN[2:], vulnerabilities={**GOOD_VULNS,
                 "fallback_scsv_supported": False})
    assert tls_grade(single).grade == "A+"


def test_trust_caps_keep_the_would_be_grade() -> None:
    expired = tls_grade(obs(certificate=dataclasses.replace(CERT, days_left=-3)))
    assert (expired.grade, expired.ignoring_trust) == ("T", "A+")
    sha1 = tls_grade(obs(certificate=dataclasses.replace(CERT, signature_hash="sha1")))
    assert sha1.grade == "T"
    mismatch = tls_grade(obs(certificate=dataclasses.replace(CERT, hostname_matches=False)))
    assert (mismatch.grade, mismatch.ignoring_trust) == ("M", "A+")
    both = tls_grade(obs(certificate=dataclasses.replace(CERT, hostname_matches=False, trusted=False)))
    assert both.grade == "T"


def test_failed_scan_is_not_graded() -> None:
    grade = tls_grade(obs(error="connection refused by 127.0.0.1:443"))
    assert grade.grade == "" and grade.caps == ("not graded: connection refused by 127.0.0.1:443",)
