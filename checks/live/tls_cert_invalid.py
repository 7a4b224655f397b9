"""TLS certificate not valid for this site.

## What it checks
The served certificate chain, as validated by sslyze with cryptography's
strict verifier against the public trust stores (Mozilla, Apple, Android,
Java, Windows) plus the CA bundle given with `--ca-bundle` / `SSL_CERT_FILE`
("Supplied CA file"):

* **untrusted**: the chain does not lead to a trusted root (missing
  intermediate, private CA, invalid extensions);
* **self-signed**: the leaf signed itself;
* **hostname**: no subjectAltName matches the scanned name (the common name
  is ignored, as browsers do);
* **sha1**: the leaf or an intermediate is signed with SHA-1 (or MD5);
* **not-yet-valid**: the certificate's validity starts in the future.

An untrusted chain that only lacks an intermediate the leaf's AIA URL points
to is named as incomplete: browsers complete it, API clients do not.

Expiry is judged separately by TLS-CERT-EXPIRY: trust here ignores dates.

## Why it matters
Browsers and API clients refuse such certificates, or users learn to click
through warnings, which is exactly what an attacker intercepting traffic needs.

## How to fix
Serve a certificate from a public CA that covers every served host name,
with the full chain (leaf + intermediates) in the server configuration.

```nginx
ssl_certificate     /etc/letsencrypt/live/example.com/fullchain.pem;  # leaf + intermediates
ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;
```

```shell
certbot certonly --webroot -w /var/www -d example.com -d www.example.com
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.live.views import here, tls_of
from auditor.model import Finding, Section, Severity, Target
from auditor.registry import NotApplicable, check


@check(
    id="TLS-CERT-INVALID",
    severity=Severity.CRITICAL,
    section=Section.SECURITY,
    needs=(),
    target=Target.LIVE,
    security=True,
    effort_hours=1.0,
    passed="TLS certificate trusted and valid for the host name",
)
def cert_invalid(target: Any) -> Iterator[Finding]:
    """Report an untrusted, self-signed, mismatched or SHA-1 signed certificate."""
    obs = tls_of(target)
    cert = obs.certificate
    if cert is None:
        raise NotApplicable("the server sent no certificate")
    where = here(target)
    issuer = f"issuer {cert.issuer}"
    if cert.self_signed:
        yield Finding(
            message=f"TLS certificate for {cert.subject_cn or obs.server_name} is self-signed",
            location=where,
            key="self-signed",
            evidence=issuer,
        )
    elif not cert.trusted and cert.issuer_aia:
        # Browsers fetch the missing intermediate from the AIA URL (SSL Labs grades this B, not T);
        # API clients, mobile apps and curl do not, and fail.
        yield Finding(
            message=f"TLS certificate chain is incomplete: the intermediate is not sent (browsers fetch it "
                    f"from {cert.issuer_aia[0]}; API clients fail)",
            location=where,
            key="untrusted",
            evidence=f"{issuer}; chain length {cert.chain_length}",
        )
    elif not cert.trusted:
        reason = f": {cert.validation_error}" if cert.validation_error else ""
        yield Finding(
            message=f"TLS certificate chain is not trusted by {cert.trust_store}{reason}",
            location=where,
            key="untrusted",
            evidence=f"{issuer}; chain length {cert.chain_length}",
        )
    if cert.not_yet_valid:
        yield Finding(
            message=f"TLS certificate is not valid yet (valid from {cert.not_before}); clients reject it",
            location=where,
            key="not-yet-valid",
            evidence=issuer,
        )
    if not cert.hostname_matches:
        names = ", ".join(cert.sans) or f"no subjectAltName (CN {cert.subject_cn or '-'})"
        yield Finding(
            message=f"TLS certificate does not cover {obs.server_name} (it names {names})",
            location=where,
            key="hostname",
            evidence=issuer,
        )
    if cert.signature_hash in ("sha1", "md5"):
        yield Finding(
            message=f"TLS certificate chain is signed with {cert.signature_hash.upper()}",
            location=where,
            key="sha1",
            evidence=issuer,
        )
