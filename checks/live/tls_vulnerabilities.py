"""Known TLS implementation vulnerabilities.

## What it checks
sslyze's active tests against the server's TLS stack, one finding each:

* **heartbleed** (critical): CVE-2014-0160, memory disclosure;
* **robot** (critical): Bleichenbacher oracle on RSA key exchange;
* **ccs-injection** (critical): OpenSSL CCS injection, CVE-2014-0224;
* **compression** (high): TLS-level compression (CRIME);
* **insecure-renegotiation** (high): no secure renegotiation (RFC 5746);
* **client-renegotiation** (medium): client-initiated renegotiation allowed (DoS);
* **fallback-scsv** (low): no TLS_FALLBACK_SCSV although several protocol
  versions are accepted (downgrade protection).

A test that could not run is not reported as vulnerable.

## Why it matters
Each of these lets a network attacker read memory or traffic, decrypt
sessions, or exhaust the server's CPU; they are fixed by patching the TLS
library or turning one option off.

## How to fix
Update OpenSSL (or the TLS library of the proxy) and the server, disable
TLS compression and client-initiated renegotiation, and prefer ECDHE suites
(removing `TLS_RSA_*` suites also removes the ROBOT oracle).

```nginx
# nginx with a current OpenSSL: compression and client renegotiation are off by default
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;   # no TLS_RSA_* suites: no ROBOT oracle
```

```dockerfile
# rebuild on a patched base image so the proxy links a current OpenSSL
FROM nginx:1.27-alpine
RUN apk upgrade --no-cache openssl
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.views import here, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import check


@check(
    id="TLS-VULNERABILITIES",
    severity=Severity.CRITICAL,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=2.0,
    passed="No known TLS vulnerabilities found by active tests",
)
def tls_vulnerabilities(target: Any) -> Iterator[Finding]:
    """Report each TLS vulnerability sslyze confirmed."""
    obs = tls_of(target)
    vulns = obs.vulnerabilities
    where = here(target)
    found: list[tuple[str, Severity, str]] = []
    if vulns.get("heartbleed"):
        found.append(("heartbleed", Severity.CRITICAL, "vulnerable to Heartbleed (CVE-2014-0160)"))
    if vulns.get("robot"):
        found.append(("robot", Severity.CRITICAL, "vulnerable to ROBOT (Bleichenbacher oracle on RSA key exchange)"))
    if vulns.get("ccs_injection"):
        found.append(("ccs-injection", Severity.CRITICAL, "vulnerable to OpenSSL CCS injection (CVE-2014-0224)"))
    if vulns.get("compression"):
        found.append(("compression", Severity.HIGH, "TLS compression is enabled (CRIME)"))
    if vulns.get("secure_renegotiation") is False:
        found.append(("insecure-renegotiation", Severity.HIGH, "secure renegotiation (RFC 5746) is not supported"))
    if vulns.get("client_renegotiation_dos"):
        found.append(("client-renegotiation", Severity.MEDIUM, "client-initiated renegotiation is allowed (DoS)"))
    if vulns.get("fallback_scsv_supported") is False and len(obs.accepted_protocols) > 1:
        found.append(("fallback-scsv", Severity.LOW, "TLS_FALLBACK_SCSV is not supported (downgrade protection)"))
    for key, severity, message in found:
        yield Finding(message=message, location=where, key=key, severity=severity)
