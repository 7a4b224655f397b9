"""Test certificates made with ``cryptography`` the way a public CA would make them.

sslyze 6 validates chains with cryptography's strict (RFC 5280 / CA-B Forum)
verifier, which rejects ``trustme`` leaves, so the CA and leaves here carry the
extensions a real CA sets: CA with critical basicConstraints(ca=True) and
critical keyUsage(keyCertSign, cRLSign); leaf with a NON-critical SAN, serverAuth
EKU, AKI/SKI, a random positive serial, critical basicConstraints(ca=False) and
keyUsage digitalSignature (+ keyEncipherment for RSA).

Typical use::

    ca = make_ca(tmp_path)
    leaf = make_leaf(ca, tmp_path)              # valid for localhost / 127.0.0.1
    with tls_server(leaf.cert_path, leaf.key_path) as (host, port): ...
    probe_tls(host, port, ca_bundle=str(ca.cert_path))
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

DEFAULT_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class CertificateAuthority:
    """A test CA: its certificate, key and the PEM file to use as a CA bundle."""

    cert: x509.Certificate
    key: PrivateKey
    cert_path: Path  # PEM: use as ``ca_bundle`` / ``SSL_CERT_FILE``


@dataclass(frozen=True)
class Leaf:
    """A server certificate and key written to PEM files."""

    cert: x509.Certificate
    key: PrivateKey
    cert_path: Path  # leaf (+ issuing CA is NOT appended; roots are never sent)
    key_path: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _serial() -> int:
    # Random, positive, at most 159 bits (RFC 5280 caps serials at 20 octets).
    return secrets.randbits(159) | 1


def _new_key(key_type: str, key_size: int) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def _write_key(key: PrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _write_cert(cert: x509.Certificate, path: Path) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def make_ca(directory: Path, *, name: str = "prodcheck test CA", key_type: str = "ec") -> CertificateAuthority:
    """Create a root CA (valid from two years ago to ten years ahead) and write it to ``directory/<slug>-ca.pem``."""
    key = _new_key(key_type, 2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "prodcheck tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(_serial())
        # Valid from well before any leaf (expired leaves included), as a real root is.
        .not_valid_before(now - dt.timedelta(days=730))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path = directory / f"{name.replace(' ', '-').lower()}-ca.pem"
    _write_cert(cert, cert_path)
    return CertificateAuthority(cert=cert, key=key, cert_path=cert_path)


def make_leaf(
    ca: CertificateAuthority | None,
    directory: Path,
    *,
    names: tuple[str, ...] = DEFAULT_NAMES,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    days: int = 90,
    key_type: str = "rsa",
    key_size: int = 2048,
    stem: str = "leaf",
) -> Leaf:
    """Issue a server certificate for ``names`` signed by ``ca`` (self-signed when ``ca`` is None).

    Validity defaults to [now - 1 day, now + ``days``]; pass ``not_before`` /
    ``not_after`` for expired or not-yet-valid certificates.
    """
    key = _new_key(key_type, key_size)
    now = _now()
    start = not_before or now - dt.timedelta(days=1)
    end = not_after or now + dt.timedelta(days=days)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    issuer_name = ca.cert.subject if ca else subject
    signing_key: PrivateKey = ca.key if ca else key
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(_san(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=is_rsa,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    cert = builder.sign(signing_key, hashes.SHA256())
    directory.mkdir(parents=True, exist_ok=True)
    cert_path = directory / f"{stem}.pem"
    key_path = directory / f"{stem}-key.pem"
    _write_cert(cert, cert_path)
    _write_key(key, key_path)
    return Leaf(cert=cert, key=key, cert_path=cert_path, key_path=key_path)


def make_valid_leaf(ca: CertificateAuthority, directory: Path, **kwargs: object) -> Leaf:
    """A leaf valid for ``localhost`` and ``127.0.0.1`` for 90 days."""
    return make_leaf(ca, directory, stem="valid", **kwargs)  # type: ignore[arg-type]


def make_expired_leaf(ca: CertificateAuthority, directory: Path) -> Leaf:
    """A leaf for localhost/127.0.0.1 that expired ten days ago (valid for 90 days before that)."""
    now = _now()
    return make_leaf(
        ca,
        directory,
        not_before=now - dt.timedelta(days=100),
        not_after=now - dt.timedelta(days=10),
        stem="expired",
    )


def make_expiring_leaf(ca: CertificateAuthority, directory: Path, days_left: int) -> Leaf:
    """A leaf for localhost/127.0.0.1 expiring ``days_left`` days (plus one hour) from now."""
    now = _now()
    return make_leaf(
        ca,
        directory,
        not_after=now + dt.timedelta(days=days_left, hours=1),
        stem=f"expiring-{days_left}d",
    )


def make_wrong_host_leaf(ca: CertificateAuthority, directory: Path, names: tuple[str, ...] = ("wrong.example",)) -> Leaf:
    """A CA-signed leaf that does not cover localhost or 127.0.0.1."""
    return make_leaf(ca, directory, names=names, stem="wrong-host")


def make_self_signed_leaf(directory: Path, names: tuple[str, ...] = DEFAULT_NAMES) -> Leaf:
    """A self-signed leaf for localhost/127.0.0.1 (no CA; never trusted)."""
    return make_leaf(None, directory, names=names, stem="self-signed")
