"""TLS grade following the SSL Labs SSL Server Rating Guide (2009q) and its later revisions up to 2009r.

Numeric score = 0.3 protocol + 0.3 key exchange + 0.4 cipher strength (guide
tables 2-4); a zero in any category makes the score zero. The letter comes
from the score (A >= 80, B >= 65, C >= 50, D >= 35, E >= 20, else F), then
the caps in :data:`CAP_RULES` apply, the lowest wins. Each row names where it
comes from. Then trust (:func:`_trust`): T for a certificate clients reject
(untrusted, self-signed, expired, not yet valid, SHA-1/MD5), with the letter
the server would otherwise get; M for a name mismatch.

2009r changes applied (Qualys, "Key Changes in SSL Labs Grading", 2025):
TLS_FALLBACK_SCSV no longer affects the grade (the old A- cap for it is gone),
and a server without TLS 1.3 is capped at A- ("This server does not support
TLS 1.3").

Caps SSL Labs decides from what its reference browsers *negotiate* (forward
secrecy, AEAD, RC4/3DES with modern protocols) use
:attr:`TlsObservation.negotiated`: the suite the server picked when offered a
browser's order (best first, 3DES last). A server that merely keeps 3DES at
the end of its list for old clients is not capped ("Sites that continue to
support 3DES and keep it at the end of their ordered list of suites will not be
affected", SSL Labs 2017 grading changes). Without that record (older
observations) a modern client is assumed to get the best accepted suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from auditor.live.hsts import A_PLUS_MAX_AGE, target_hsts
from auditor.live.tls import PROTOCOLS, CipherObservation, TlsObservation, modern_rank

HSTS_A_PLUS_SECONDS = A_PLUS_MAX_AGE  # 180 days

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


def _protocol_label(name: str) -> str:
    return name.replace("TLSv", "TLS ")


@dataclass(frozen=True)
class _Facts:
    """What the cap rules look at, computed once from the observation."""

    obs: TlsObservation
    accepted: tuple[str, ...]
    vulns: dict[str, bool | None]
    dh_bits: tuple[int, ...]
    chosen: dict[str, CipherObservation]  # protocol -> suite a modern client negotiates

    @property
    def best(self) -> str:
        """Newest accepted protocol."""
        return self.accepted[-1]


def _modern_choice(obs: TlsObservation, protocol: str) -> CipherObservation | None:
    """The suite a modern client ends up with on ``protocol``: recorded, else the best accepted one."""
    suites = [s for s in obs.ciphers if s.protocol == protocol]
    if not suites:
        return None
    recorded = obs.negotiated.get(protocol)
    match = next((s for s in suites if s.name == recorded), None) if recorded else None
    if match is not None:
        return match
    return min(suites, key=modern_rank)


def _negotiated_weak(facts: _Facts, test: Callable[[CipherObservation], bool]) -> list[str]:
    """Modern protocols (TLS 1.1+) on which a modern client negotiates a suite that passes ``test``."""
    return [p for p in ("TLSv1.1", "TLSv1.2") if p in facts.chosen and test(facts.chosen[p])]


def _rsa_key(obs: TlsObservation) -> int:
    cert = obs.certificate
    return cert.key_size if cert and cert.key_type == "RSA" else 0


CapRule = tuple[str, str, Callable[[_Facts], str | None]]

# (limit, source, rule): the rule returns the reason when the cap applies.
CAP_RULES: tuple[CapRule, ...] = (
    # ---- F
    ("F", "guide 2009: SSL 2 is insecure (DROWN)",
     lambda f: "SSLv2 accepted" if "SSLv2" in f.accepted else None),
    ("F", "2014 changes: Heartbleed", lambda f: "vulnerable to Heartbleed" if f.vulns.get("heartbleed") else None),
    ("F", "2018 changes: ROBOT", lambda f: "vulnerable to ROBOT" if f.vulns.get("robot") else None),
    ("F", "2014 changes: OpenSSL CCS injection (CVE-2014-0224)",
     lambda f: "vulnerable to OpenSSL CCS injection" if f.vulns.get("ccs_injection") else None),
    ("F", "guide 2009: insecure renegotiation",
     lambda f: "insecure client-initiated renegotiation"
     if f.vulns.get("secure_renegotiation") is False and f.vulns.get("client_renegotiation_dos") else None),
    ("F", "2015 changes: EXPORT suites (FREAK, Logjam)",
     lambda f: "EXPORT cipher suites accepted" if any("EXPORT" in s.name.upper() for s in f.obs.ciphers) else None),
    ("F", "guide 2009: anonymous suites (no authentication)",
     lambda f: "anonymous (unauthenticated) cipher suites accepted"
     if any(s.kx == "anon" for s in f.obs.ciphers) else None),
    ("F", "2015 changes: DH parameters under 1024 bits (Logjam)",
     lambda f: f"DH parameters of {min(f.dh_bits)} bits" if f.dh_bits and min(f.dh_bits) < 1024 else None),
    ("F", "2014 changes: keys below 1024 bits are insecure",
     lambda f: f"RSA certificate key of {_rsa_key(f.obs)} bits" if 0 < _rsa_key(f.obs) < 1024 else None),
    # ---- C
    ("C", "2015 changes: no TLS 1.2 caps at C",
     lambda f: "TLS 1.2 not supported" if "TLSv1.2" not in f.accepted and "TLSv1.3" not in f.accepted else None),
    ("C", "2014 changes: SSL 3 (POODLE)", lambda f: "SSLv3 accepted (POODLE)" if "SSLv3" in f.accepted else None),
    ("C", "2015 changes: RC4 negotiated with TLS 1.1+",
     lambda f: "RC4 negotiated by a modern client on " + ", ".join(map(_protocol_label, w))
     if (w := _negotiated_weak(f, _is_rc4)) else None),
    ("C", "2017 changes: 3DES (64-bit block) negotiated with TLS 1.1+",
     lambda f: "3DES negotiated by a modern client on " + ", ".join(map(_protocol_label, w))
     if (w := _negotiated_weak(f, _is_3des)) else None),
    ("C", "guide 2009: TLS compression (CRIME)",
     lambda f: "TLS compression enabled (CRIME)" if f.vulns.get("compression") else None),
    # ---- B
    ("B", "2020 changes: TLS 1.0 and 1.1 cap at B",
     lambda f: " and ".join(_protocol_label(p) for p in ("TLSv1.0", "TLSv1.1") if p in f.accepted) + " accepted"
     if any(p in f.accepted for p in ("TLSv1.0", "TLSv1.1")) else None),
    ("B", "2018 changes: no forward secrecy with reference browsers",
     lambda f: f"no forward secrecy for a modern client on {_protocol_label(f.best)}"
     if (c := f.chosen.get(f.best)) is not None and not c.forward_secrecy else None),
    ("B", "2018 changes: no AEAD suite",
     lambda f: f"no AEAD cipher suite on {_protocol_label(f.best)}"
     if any(s.protocol == f.best for s in f.obs.ciphers)
     and not any(s.aead for s in f.obs.ciphers if s.protocol == f.best) else None),
    ("B", "2015 changes: RC4 accepted with older protocols",
     lambda f: "RC4 accepted" if any(_is_rc4(s) for s in f.obs.ciphers) else None),
    ("B", "2015 changes: DH parameters under 2048 bits",
     lambda f: f"DH parameters of {min(f.dh_bits)} bits (< 2048)"
     if f.dh_bits and 1024 <= min(f.dh_bits) < 2048 else None),
    ("B", "2014 changes: keys below 2048 bits are weak",
     lambda f: f"RSA certificate key of {_rsa_key(f.obs)} bits (< 2048)" if 1024 <= _rsa_key(f.obs) < 2048 else None),
    ("B", "SSL Labs: incomplete chain, completed by AIA fetching",
     lambda f: _incomplete_chain(f.obs)),
    # ---- A-
    ("A-", "2009r changes: TLS 1.3 not supported caps at A-",
     lambda f: "TLS 1.3 not supported" if "TLSv1.3" not in f.accepted else None),
    ("A-", "2014 changes: no secure renegotiation",
     lambda f: "secure renegotiation (RFC 5746) not supported"
     if f.vulns.get("secure_renegotiation") is False and not f.vulns.get("client_renegotiation_dos") else None),
)


def _incomplete_chain(obs: TlsObservation) -> str | None:
    """B instead of T: untrusted only because intermediates are missing that AIA fetching would add."""
    cert = obs.certificate
    if cert is None or cert.trusted or cert.self_signed or not cert.issuer_aia:
        return None
    return ("certificate chain incomplete: the server does not send its intermediate certificate; browsers "
            f"fetch it from {cert.issuer_aia[0]} (AIA), API clients fail")


def _trust_problems(obs: TlsObservation) -> list[str]:
    """Why clients reject the certificate (T), after the chain rule took the AIA-completable case."""
    cert = obs.certificate
    assert cert is not None
    problems = []
    if not cert.trusted and _incomplete_chain(obs) is None:
        problems.append(f"certificate not trusted ({cert.trust_store})")
    if cert.self_signed:
        problems.append("self-signed certificate")
    if cert.days_left < 0:
        problems.append(f"certificate expired {-cert.days_left} days ago")
    if cert.not_yet_valid:
        problems.append(f"certificate not valid yet (valid from {cert.not_before})")
    if cert.signature_hash in ("sha1", "md5"):
        problems.append(f"certificate signed with {cert.signature_hash.upper()}")
    return problems


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

    chosen = {p: c for p in accepted if (c := _modern_choice(obs, p)) is not None}
    facts = _Facts(obs=obs, accepted=accepted, vulns=obs.vulnerabilities,
                   dh_bits=tuple(s.kx_bits for s in obs.ciphers if s.kx == "DHE" and s.kx_bits),
                   chosen=chosen)
    grade = letter_for_score(score)
    caps: list[str] = []
    for limit, _source, rule in CAP_RULES:
        why = rule(facts)
        if why:
            caps.append(f"{limit}: {why}")
            grade = _cap(grade, limit)

    warnings: list[str] = []
    if obs.vulnerabilities.get("client_renegotiation_dos") and obs.vulnerabilities.get("secure_renegotiation") \
            is not False:
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
        problems = _trust_problems(obs)
        if problems:
            caps.extend(f"T: {p} (otherwise {ignoring_trust})" for p in problems)
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


def grade_target_tls(target: Any) -> TlsGrade | None:
    """The TLS grade of a live target, HSTS read through the one parser (None without a TLS observation).

    The report (``auditor.live.grades``) and the TLS-GRADE check both call this.
    """
    tls = getattr(target, "tls", None)
    if tls is None:
        return None
    # The parsed policy decides, even when it says "absent" or "invalid": sslyze's own reading of the
    # same header must not slip back in (target_hsts already falls back to it when HTTP was not seen).
    return tls_grade(replace(tls, hsts_max_age=target_hsts(target).max_age))


def grade_rank(grade: str) -> int:
    """Order grades for comparison: A+ highest; T/M/empty rank below F."""
    return _ORDER.index(grade) if grade in _ORDER else -1


__all__ = ["CAP_RULES", "HSTS_A_PLUS_SECONDS", "PROTOCOLS", "TlsGrade", "grade_rank", "grade_target_tls",
           "letter_for_score", "tls_grade"]
