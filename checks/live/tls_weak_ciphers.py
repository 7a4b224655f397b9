"""Weak TLS cipher suites or key exchange accepted.

## What it checks
Every cipher suite the server accepts (sslyze tests each one), one finding
per weakness:

* **null-export-anon** (critical): NULL encryption, EXPORT-grade or anonymous
  (unauthenticated) suites;
* **rc4** and **3des** (high): RC4 (RFC 7465) and 3DES (SWEET32);
* **no-forward-secrecy** (high): no ECDHE/DHE suite on the best protocol
  version, or the server's preference order gives a modern client a suite
  without one, so recorded traffic can be decrypted once the key leaks;
* **no-aead** (medium): only CBC suites on TLS 1.2 (no GCM or ChaCha20-Poly1305);
* **weak-dh** (high; critical under 1024 bits) and **weak-rsa-key** (high):
  DH parameters or an RSA certificate key below 2048 bits.

SSL Labs judges forward secrecy and AEAD from the suites its reference
browsers negotiate; prodcheck approximates with "none accepted on the best
protocol version" (browsers prefer ECDHE + AEAD whenever the server offers them).

## Why it matters
These suites are the practical attacks on TLS: decrypting traffic (RC4 biases,
SWEET32, Logjam on small DH groups, FREAK on EXPORT), CBC padding oracles
(Lucky13), and retroactive decryption of every recorded session without
forward secrecy.

## How to fix
Offer only ECDHE key exchange with AEAD suites, and use a 2048-bit (or larger)
RSA or a P-256 ECDSA certificate.

```nginx
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
```

```ts express
https.createServer({ key, cert, minVersion: "TLSv1.2",
  ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305" }, app);
```

```python fastapi
# uvicorn app:app --ssl-keyfile key.pem --ssl-certfile cert.pem --ssl-ciphers "ECDHE+AESGCM:ECDHE+CHACHA20"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.tls import CipherObservation, TlsObservation
from auditor.live.views import here, pretty_protocol, short_list, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import check


def _upper(suite: CipherObservation) -> str:
    return suite.name.upper()


def _null_export_anon(suite: CipherObservation) -> bool:
    name = _upper(suite)
    return "_NULL" in name or "EXPORT" in name or suite.kx == "anon" or suite.key_size == 0


def _rc4(suite: CipherObservation) -> bool:
    return "RC4" in _upper(suite)


def _3des(suite: CipherObservation) -> bool:
    name = _upper(suite)
    return "3DES" in name or "DES_EDE" in name or "DES-CBC3" in name


def _weaknesses(obs: TlsObservation) -> Iterator[tuple[str, Severity, str, list[str]]]:
    """(key, severity, message, offending suites) for each weakness found."""
    suites = list(obs.ciphers)
    bad = [s.name for s in suites if _null_export_anon(s)]
    if bad:
        yield "null-export-anon", Severity.CRITICAL, "NULL, EXPORT or anonymous cipher suites accepted", bad
    bad = [s.name for s in suites if _rc4(s)]
    if bad:
        yield "rc4", Severity.HIGH, "RC4 cipher suites accepted (RFC 7465 forbids them)", bad
    bad = [s.name for s in suites if _3des(s)]
    if bad:
        yield "3des", Severity.HIGH, "3DES cipher suites accepted (SWEET32)", bad
    accepted = obs.accepted_protocols
    best = accepted[-1] if accepted else None
    best_suites = [s for s in suites if s.protocol == best]
    chosen = next((s for s in best_suites if best and s.name == obs.negotiated.get(best)), None)
    if best and best_suites and not any(s.forward_secrecy for s in best_suites):
        yield (
            "no-forward-secrecy",
            Severity.HIGH,
            f"no forward secrecy: no ECDHE/DHE suite accepted on {pretty_protocol(best)}",
            [s.name for s in best_suites],
        )
    elif best and chosen is not None and not chosen.forward_secrecy:
        # ECDHE is accepted, but the server's own preference hands a modern client RSA key transport.
        yield (
            "no-forward-secrecy",
            Severity.HIGH,
            f"no forward secrecy for a modern client: the server prefers {chosen.name} on {pretty_protocol(best)}",
            [chosen.name],
        )
    tls12 = [s for s in suites if s.protocol == "TLSv1.2"]
    if tls12 and "TLSv1.3" not in accepted and not any(s.aead for s in tls12):
        yield "no-aead", Severity.MEDIUM, "only CBC cipher suites on TLS 1.2 (no AEAD: GCM or ChaCha20-Poly1305)", [
            s.name for s in tls12
        ]
    dh = [s for s in suites if s.kx == "DHE" and s.kx_bits]
    if dh:
        smallest = min(s.kx_bits or 0 for s in dh)
        if smallest < 2048:
            severity = Severity.CRITICAL if smallest < 1024 else Severity.HIGH
            names = [s.name for s in dh if (s.kx_bits or 0) < 2048]
            yield "weak-dh", severity, f"DH parameters of {smallest} bits (2048 or more expected)", names
    cert = obs.certificate
    if cert and cert.key_type == "RSA" and 0 < cert.key_size < 2048:
        yield "weak-rsa-key", Severity.HIGH, f"RSA certificate key of {cert.key_size} bits (2048 or more expected)", []


@check(
    id="TLS-WEAK-CIPHERS",
    severity=Severity.HIGH,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=1.0,
    passed="No weak cipher suites, key exchange or keys",
)
def weak_ciphers(target: Any) -> Iterator[Finding]:
    """Report weak cipher suites, missing forward secrecy or AEAD, and small keys."""
    obs = tls_of(target)
    for key, severity, message, names in _weaknesses(obs):
        yield Finding(
            message=message,
            location=here(target),
            key=key,
            evidence=short_list(names) if names else "",
            severity=severity,
        )
