r"""TLS configuration grade below A- (SSL Labs method).

## What it checks
Grades the HTTPS endpoint the way the SSL Labs SSL Server Rating Guide does:
a numeric score of 0.3 × protocol support + 0.3 × key exchange + 0.4 ×
cipher strength (the guide's tables), a letter from the score (A ≥ 80,
B ≥ 65, C ≥ 50, D ≥ 35, E ≥ 20, F), then the guide's caps:

* **F**: SSLv2, Heartbleed, ROBOT, OpenSSL CCS injection, insecure
  renegotiation, EXPORT or anonymous suites, DH < 1024 bits.
* **F**: also an RSA certificate key under 1024 bits.
* **C**: no TLS 1.2, SSLv3, RC4 or 3DES *negotiated by a modern client* on
  TLS 1.1+, TLS compression.
* **B**: TLS 1.0/1.1 accepted, no forward secrecy for a modern client, no
  AEAD suite, RC4 accepted, DH < 2048, RSA key under 2048 bits, an incomplete
  chain that AIA fetching completes (browsers work, API clients fail).
* **A-**: TLS 1.3 not supported (SSL Labs 2009r), no secure renegotiation.
  TLS_FALLBACK_SCSV no longer counts (2009r).
* **A+**: an A with HSTS `max-age` ≥ 15552000 (180 days) and no warnings.
* **T**: certificate untrusted (and not completable through AIA), expired,
  not yet valid, self-signed or SHA-1 signed; **M**: certificate name
  mismatch. The message names the letter the server would otherwise get.

The check fails when the grade is below A- and reports every cap.

**Caps that need browser handshake simulation.** SSL Labs decides "no
forward secrecy" and "RC4/3DES with modern protocols" from the suites
*negotiated with its reference browsers*. prodcheck offers the accepted
suites once more in a current browser's order (best first, 3DES last) and
caps by what the server picks, so 3DES kept at the end of the list for old
clients costs nothing while 3DES the server prefers caps at C.
Client-specific caps (for example Windows XP or Java 6 handshakes) and
certificate revocation are not evaluated.

## Why it matters
The grade is what customers, auditors and security questionnaires ask for,
and each cap is a concrete weakness an attacker on the network path can use:
downgrade to broken protocols, decryption of recorded traffic without forward
secrecy, or impersonation with a certificate clients should not trust.

## How to fix
Serve TLS 1.2 and 1.3 only, ECDHE key exchange with AEAD suites, a trusted
certificate for the exact host name, and HSTS for at least 180 days.

```nginx
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
ssl_prefer_server_ciphers off;
add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
```

```ts express
import https from "node:https";
https.createServer({ key, cert, minVersion: "TLSv1.2",
  ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305" }, app).listen(443);
```

```python fastapi
# uvicorn terminates TLS with Python's ssl module: TLS 1.2+ and AEAD suites only
# uvicorn app:app --ssl-keyfile key.pem --ssl-certfile cert.pem \
#   --ssl-ciphers "ECDHE+AESGCM:ECDHE+CHACHA20"
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.tls_grade import grade_rank, grade_target_tls
from auditor.live.views import here, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import check

_THRESHOLD = grade_rank("A-")


@check(
    id="TLS-GRADE",
    severity=Severity.HIGH,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=2.0,
    passed="TLS grade A- or better (SSL Labs method)",
)
def tls_grade_check(target: Any) -> Iterator[Finding]:
    """Fail when the SSL Labs style TLS grade is below A-."""
    tls_of(target)  # NotApplicable / TlsScanFailed first
    grade = grade_target_tls(target)  # the same function the report's TLS grade uses
    assert grade is not None
    if grade_rank(grade.grade) >= _THRESHOLD:
        return
    caps = "; ".join(grade.caps) or "score below 80"
    yield Finding(
        message=f"TLS grade {grade.grade} (score {grade.score}/100): {caps}",
        location=here(target),
        key="grade",
        evidence=(
            f"protocol {grade.protocol_score}, key exchange {grade.kx_score}, cipher {grade.cipher_score}"
            + (f"; warnings: {'; '.join(grade.warnings)}" if grade.warnings else "")
        ),
    )
