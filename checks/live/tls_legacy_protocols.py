"""Legacy SSL/TLS protocol versions accepted.

## What it checks
Which protocol versions the server accepts, as tested by sslyze one version
at a time: SSL 2.0 and SSL 3.0 (critical), TLS 1.0 and TLS 1.1 (high), one
finding per version. A server without TLS 1.3 is not a finding here; the
TLS-GRADE check lists it as a warning (it blocks A+ but SSL Labs does not cap
for it).

## Why it matters
SSL 2.0/3.0 are broken (DROWN, POODLE). TLS 1.0/1.1 were deprecated by
RFC 8996 in 2021, are removed from every current browser, fail PCI DSS, and
cap the SSL Labs grade at B; keeping them only serves clients that cannot be
kept safe anyway and leaves downgrade room for attackers.

## How to fix
Accept TLS 1.2 and TLS 1.3 only.

```nginx
ssl_protocols TLSv1.2 TLSv1.3;
```

```ts express
https.createServer({ key, cert, minVersion: "TLSv1.2" }, app).listen(443);
```

```python fastapi
import ssl
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2   # pass ssl_* options to uvicorn / hypercorn
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.views import here, pretty_protocol, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import check

_LEGACY = {
    "SSLv2": (Severity.CRITICAL, "broken (DROWN)"),
    "SSLv3": (Severity.CRITICAL, "broken (POODLE)"),
    "TLSv1.0": (Severity.HIGH, "deprecated by RFC 8996 (BEAST, no AEAD)"),
    "TLSv1.1": (Severity.HIGH, "deprecated by RFC 8996 (no AEAD)"),
}


@check(
    id="TLS-LEGACY-PROTOCOLS",
    severity=Severity.HIGH,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=0.5,
    passed="Only TLS 1.2 and newer accepted",
)
def legacy_protocols(target: Any) -> Iterator[Finding]:
    """Report every accepted protocol older than TLS 1.2."""
    obs = tls_of(target)
    for protocol, (severity, why) in _LEGACY.items():
        if not obs.protocols.get(protocol):
            continue
        suites = [c.name for c in obs.ciphers if c.protocol == protocol]
        yield Finding(
            message=f"{pretty_protocol(protocol)} is accepted: {why}",
            location=here(target),
            key=protocol,
            evidence=f"{len(suites)} cipher suites accepted on {pretty_protocol(protocol)}",
            severity=severity,
        )
