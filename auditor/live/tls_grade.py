"""TLS grade following the SSL Labs SSL Server Rating Guide (2009q and its 2018/2020 updates).

Numeric score = 0.3 protocol + 0.3 key exchange + 0.4 cipher strength, using
the guide's tables; a zero in any category makes the score zero. The letter
comes from the score (A >= 80, B >= 65, C >= 50, D >= 35, E >= 20, else F),
then caps apply (the lowest wins):

* F: SSLv2; Heartbleed; ROBOT; OpenSSL CCS injection; insecure (pre-RFC 5746)
  client-initiated renegotiation; EXPORT or anonymous suites; DH < 1024 bits;
  RSA certificate key < 1024 bits.
* C: no TLS 1.2; SSLv3 (POODLE); RC4 or 3DES accepted on TLS 1.1 or newer;
  TLS compression (CRIME).
* B: TLS 1.0 or 1.1 accepted (2020); no forward secrecy (2018); no AEAD suite
  (2018); RC4 at all; DH parameters < 2048 bits.
* A-: no TLS_FALLBACK_SCSV while several protocol versions are accepted;
  no secure renegotiation (RFC 5746). Missing TLS 1.3 does NOT cap: SSL Labs
  never made it a requirement; prodcheck lists it as a warning (no A+).
* A+: an A with HSTS ``max-age`` >= 15552000 (180 days) and no warnings.
* T: certificate not trusted, expired or self-signed (the would-be letter is
  kept in :attr:`TlsGrade.ignoring_trust`); M: certificate name mismatch.

Caps SSL Labs decides with browser handshake simulation (forward secrecy,
AEAD, RC4/3DES "negotiated with reference browsers") are approximated from the
accepted suites of the best protocol: prodcheck caps when *no* suite with the
property is accepted there, because every current browser prefers ECDHE and
AEAD suites when the server offers them. A server that offers them but forces
an older suite through server preference would be graded higher here than by
SSL Labs.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.live.tls import PROTOCOLS, CipherObservation, TlsObservation

HSTS_A_PLUS_SECONDS = 15552000  # 180 days

# Protocol support (guide table 2).
_PROTOCOL_SCORE = {"SSLv2": 0, "SSLv3": 80, "TLSv1.0": 90, "TLSv1.1": 95, "TLSv1.2": 100, "TLSv1.3": 100}
_ORDER = ("F", "E", "D", "C", "B", "A-", "A", "A+")


@dataclass(frozen=True)
class TlsGrade:
    """An SSL Labs style grade with its parts and the reason for every cap.

    ``grade`` is empty when the scan failed (nothing to grade).
    ``ignoring_trust`` is the letter the server would get with a trusted,
    matching certificate (equal to ``grade`` unless it is T or M).
    """

    grade: str
    score: int
    protocol_score: int
    kx_score: int
    cipher_score: int
    caps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    ignoring_trust: str = ""


def letter_for_score(score: float) -> str:
    """Guide table 1: numeric score to letter."""
    for floor, letter in ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (20, "E")):
        if score >= floor:
            return letter
    return "F"


def _kx_strength_table(bits: int) -> int:
    """Guide table 3: key exchange strength (RSA-equivalent bits) to score."""
    if bits <= 0:
        return 0
    if bits < 512:
        return 20
    if bits < 1024:
        return 40
    if bits < 2048:
        return 80
    if bits < 4096:
        return 90
    return 100


def _ec_to_rsa_bits(bits: int) -> int:
    """RSA-equivalent strength of an elliptic-curve key (NIST SP 800-57 pairs)."""
    if bits >= 512:
        return 15360
    if bits >= 384:
        return 7680
    if bits >= 250:  # P-256, X25519 (253)
        return 3072
    if bits >= 224:
        return 2048
    if bits >= 160:
        return 1024
    return 512


def _cipher_strength(bits: int) -> int:
    """Guide table 4: symmetric key size to score."""
    if bits <= 0:
        return 0
    if bits < 128:
        return 20
    if bits < 256:
        return 80
    return 100


def _suite_kx_bits(suite: CipherObservation, obs: TlsObservation) -> int:
    if suite.kx == "anon":
        return 0
    if "EXPORT" in suite.name.upper():
        return 511  # exportable key exchange: limited to 512 bits (scores 40)
    if suite.kx in ("ECDHE", "ECDH"):
        return _ec_to_rsa_bits(suite.kx_bits or 0) if suite.kx_bits else 3072
    if suite.kx_bits:
        return suite.kx_bits
    cert = obs.certificate
    return cert.key_size if cert and cert.key_type in ("RSA", "DSA") else 2048


def _certificate_bits(obs: TlsObservation) -> int | None:
    cert = obs.certificate
    if cert is None or not cert.key_size:
        return None
    if cert.key_type in ("EC", "Ed25519", "Ed448"):
        return _ec_to_rsa_bits(cert.key_size)
    return cert.key_size


def _is_rc4(suite: CipherObservation) -> bool:
    return "RC4" in suite.name.upper()


def _is_3des(suite: CipherObservation) -> bool:
    upper = suite.name.upper()
    return "3DES" in upper or "DES_EDE" in upper or "DES-CBC3" in upper


def _cap(current: str, limit: str) -> str:
    return limit if _ORDER.index(limit) < _ORDER.index(current) else current


def tls_grade(obs: TlsObservation, hsts_max_age: int | None = None) -> TlsGrade:
    """Grade one TLS observation; ``hsts_max_age`` (from the HTTP probe) overrides the one sslyze saw."""
    accepted = obs.accepted_protocols
    if obs.error or not accepted:
        reason = obs.error or "no protocol accepted"
        return TlsGrade(grade="", score=0, protocol_score=0, kx_score=0, cipher_score=0, caps=(f"not graded: {reason}",))

    protocol_scores = [_PROTOCOL_SCORE[p] for p in accepted]
    protocol_score = (max(protocol_scores) + min(protocol_scores)) // 2

    kx_bits = [_suite_kx_bits(s, obs) for s in obs.ciphers]
    cert_bits = _certificate_bits(obs)
    if cert_bits is not None:
        kx_bits.append(cert_bits)
    kx_score = _kx_strength_table(min(kx_bits)) if kx_bits else 0

    sizes = [s.key_size for s in obs.ciphers]
    cipher_score = (_cipher_strength(max(sizes)) + _cipher_strength(min(sizes))) // 2 if sizes else 0

    if 0 in (protocol_score, kx_score, cipher_score):
        score = 0  # the guide: a zero in any category pushes the overall score to zero
    else:
        score = round(0.3 * protocol_score + 0.3 * kx_score + 0.4 * cipher_score)

    grade = letter_for_score(score)
    caps: list[str] = []
    warnings: list[str] = []

    def cap(limit: str, reason: str) -> None:
        nonlocal grade
        caps.append(f"{limit}: {reason}")
        grade = _cap(grade, limit)

    vulns = obs.vulnerabilities
    best = accepted[-1]
    best_suites = [s for s in obs.ciphers if s.protocol == best]
    modern = [s for s in obs.ciphers if s.protocol in ("TLSv1.1", "TLSv1.2", "TLSv1.3")]
    dh_bits = [s.kx_bits for s in obs.ciphers if s.kx == "DHE" and s.kx_bits]

    # F caps
    if "SSLv2" in accepted:
        cap("F", "SSLv2 accepted")
    if vulns.get("heartbleed"):
        cap("F", "vulnerable to Heartbleed")
    if vulns.get("robot"):
        cap("F", "vulnerable to ROBOT")
    if vulns.get("ccs_injection"):
        cap("F", "vulnerable to OpenSSL CCS injection")
    if vulns.get("secure_renegotiation") is False and vulns.get("client_renegotiation_dos"):
        cap("F", "insecure client-initiated renegotiation")
    if any("EXPORT" in s.name.upper() for s in obs.ciphers):
        cap("F", "EXPORT cipher suites accepted")
    if any(s.kx == "anon" for s in obs.ciphers):
        cap("F", "anonymous (unauthenticated) cipher suites accepted")
    if dh_bits and min(dh_bits) < 1024:
        cap("F", f"DH parameters of {min(dh_bits)} bits (Logjam)")
    if obs.certificate and obs.certificate.key_type == "RSA" and 0 < obs.certificate.key_size < 1024:
        cap("F", f"RSA certificate key of {obs.certificate.key_size} bits")
    # C caps
    if "TLSv1.2" not in accepted and "TLSv1.3" not in accepted:
        cap("C", "TLS 1.2 not supported")
    if "SSLv3" in accepted:
        cap("C", "SSLv3 accepted (POODLE)")
    if any(_is_rc4(s) for s in modern):
        cap("C", "RC4 accepted on TLS 1.1 or newer")
    if any(_is_3des(s) for s in modern):
        cap("C", "3DES accepted on TLS 1.1 or newer")
    if vulns.get("compression"):
        cap("C", "TLS compression enabled (CRIME)")
    # B caps
    legacy = [p for p in ("TLSv1.0", "TLSv1.1") if p in accepted]
    if legacy:
        cap("B", f"{' and '.join(p.replace('TLSv', 'TLS ') for p in legacy)} accepted")
    if best_suites and not any(s.forward_secrecy for s in best_suites):
        cap("B", f"no forward secrecy on {best.replace('TLSv', 'TLS ')}")
    if best_suites and not any(s.aead for s in best_suites):
        cap("B", f"no AEAD cipher suite on {best.replace('TLSv', 'TLS ')}")
    if any(_is_rc4(s) for s in obs.ciphers) and not any(_is_rc4(s) for s in modern):
        cap("B", "RC4 accepted")
    if dh_bits and 1024 <= min(dh_bits) < 2048:
        cap("B", f"DH parameters of {min(dh_bits)} bits (< 2048)")
    # A- caps
    if len(accepted) > 1 and vulns.get("fallback_scsv_supported") is False:
        cap("A-", "TLS_FALLBACK_SCSV not supported (downgrade protection)")
    if vulns.get("secure_renegotiation") is False and not vulns.get("client_renegotiation_dos"):
        cap("A-", "secure renegotiation (RFC 5746) not supported")

    # Warnings: no cap, but they block A+.
    if "TLSv1.3" not in accepted:
        warnings.append("TLS 1.3 not supported")
    if vulns.get("client_renegotiation_dos") and vulns.get("secure_renegotiation") is not False:
        warnings.append("client-initiated renegotiation allowed (DoS)")

    hsts = hsts_max_age if hsts_max_age is not None else obs.hsts_max_age
    if grade == "A" and not caps and not warnings:
        if hsts is not None and hsts >= HSTS_A_PLUS_SECONDS:
            grade = "A+"
        else:
            warnings.append(f"HSTS max-age below {HSTS_A_PLUS_SECONDS} s (180 days): no A+")

    ignoring_trust = grade
    cert = obs.certificate
    if cert is None:
        caps.append("T: no certificate received")
        grade = "T"
    else:
        trust_problems = []
        if not cert.trusted:
            trust_problems.append(f"certificate not trusted ({cert.trust_store})")
        if cert.self_signed:
            trust_problems.append("self-signed certificate")
        if cert.days_left < 0:
            trust_problems.append(f"certificate expired {-cert.days_left} days ago")
        if cert.signature_hash in ("sha1", "md5"):
            trust_problems.append(f"certificate signed with {cert.signature_hash.upper()}")
        if trust_problems:
            caps.extend(f"T: {p} (otherwise {ignoring_trust})" for p in trust_problems)
            grade = "T"
        elif not cert.hostname_matches:
            caps.append(f"M: certificate does not match {obs.server_name} (otherwise {ignoring_trust})")
            grade = "M"

    return TlsGrade(
        grade=grade,
        score=score,
        protocol_score=protocol_score,
        kx_score=kx_score,
        cipher_score=cipher_score,
        caps=tuple(caps),
        warnings=tuple(warnings),
        ignoring_trust=ignoring_trust,
    )


def grade_rank(grade: str) -> int:
    """Order grades for comparison: A+ highest; T/M/empty rank below F."""
    return _ORDER.index(grade) if grade in _ORDER else -1


__all__ = ["HSTS_A_PLUS_SECONDS", "PROTOCOLS", "TlsGrade", "grade_rank", "letter_for_score", "tls_grade"]
