"""TLS certificate expired or expiring soon.

## What it checks
The days left on the served leaf certificate, as recorded when the target was
probed (checks never read the clock): expired or 14 days left or fewer is
critical, 30 days or fewer is high.

## Why it matters
An expired certificate takes the whole site down for every client at once,
and renewal failures (a broken ACME hook, a rate limit, a DNS change) are
usually noticed only when browsers start refusing to connect. Thirty days
leaves time to fix the renewal; fourteen days means it already failed once
(ACME clients renew at 30 days left).

## How to fix
Automate renewal and alert on it: renew at 30 days left, reload the server
after renewal, and monitor expiry (a scheduled `prodcheck scan --url`).

```shell
certbot renew --deploy-hook "systemctl reload nginx"
```

```yaml compose
services:
  proxy:
    image: caddy:2          # automatic ACME issuance and renewal
    ports: ["80:80", "443:443"]
    volumes: ["caddy_data:/data"]
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.views import here, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotApplicable, check

CRITICAL_DAYS = 14
HIGH_DAYS = 30


@check(
    id="TLS-CERT-EXPIRY",
    severity=Severity.HIGH,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=1.0,
    passed="TLS certificate valid for more than 30 days",
)
def cert_expiry(target: Any) -> Iterator[Finding]:
    """Report an expired certificate or one with 30 days left or fewer."""
    cert = tls_of(target).certificate
    if cert is None:
        raise NotApplicable("the server sent no certificate")
    days = cert.days_left
    evidence = f"not after {cert.not_after}; subject {cert.subject_cn or '-'}"
    if days < 0:
        yield Finding(
            message=f"TLS certificate expired {-days} days ago ({cert.not_after})",
            location=here(target),
            key="certificate",
            evidence=evidence,
            severity=Severity.CRITICAL,
        )
    elif days <= CRITICAL_DAYS:
        yield Finding(
            message=f"TLS certificate expires in {days} days ({cert.not_after}): renewal is failing",
            location=here(target),
            key="certificate",
            evidence=evidence,
            severity=Severity.CRITICAL,
        )
    elif days <= HIGH_DAYS:
        yield Finding(
            message=f"TLS certificate expires in {days} days ({cert.not_after})",
            location=here(target),
            key="certificate",
            evidence=evidence,
            severity=Severity.HIGH,
        )
