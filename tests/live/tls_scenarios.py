"""Named TLS server scenarios on 127.0.0.1, shared by the integration tests and the fixture recorder.

Each scenario is a context manager taking a temporary directory and yielding
a :class:`Scenario`: where the server listens and how to probe it. Re-record
the TLS live fixtures with ``python -m tests.live.tls_scenarios`` (it probes
every scenario, prints the probe time per host and rewrites
``fixtures/live/TLS-*/<case>/``).
"""

from __future__ import annotations

import contextlib
import json
import ssl
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.live.certs import (
    make_ca,
    make_expired_leaf,
    make_expiring_leaf,
    make_self_signed_leaf,
    make_valid_leaf,
    make_wrong_host_leaf,
)
from tests.live.tls_server import static_handler, tls_server

HSTS_ONE_YEAR = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)


@dataclass(frozen=True)
class Scenario:
    """A running server and the probe arguments that go with it."""

    host: str
    port: int
    server_name: str = "localhost"
    ca_bundle: str | None = None


ScenarioFactory = Callable[[Path], contextlib.AbstractContextManager[Scenario]]


@contextlib.contextmanager
def valid(tmp: Path) -> Iterator[Scenario]:
    """Trusted (test CA bundle), TLS 1.2 + 1.3, HSTS one year: A+."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path, handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


@contextlib.contextmanager
def valid_no_hsts(tmp: Path) -> Iterator[Scenario]:
    """Trusted, TLS 1.2 + 1.3, no HSTS: A."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


@contextlib.contextmanager
def expired(tmp: Path) -> Iterator[Scenario]:
    """Expired ten days ago, otherwise fine: T (A+ otherwise)."""
    ca = make_ca(tmp)
    leaf = make_expired_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path, handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


def _expiring(days: int) -> ScenarioFactory:
    @contextlib.contextmanager
    def scenario(tmp: Path) -> Iterator[Scenario]:
        ca = make_ca(tmp)
        leaf = make_expiring_leaf(ca, tmp, days)
        with tls_server(leaf.cert_path, leaf.key_path, handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
            yield Scenario(host, port, ca_bundle=str(ca.cert_path))

    scenario.__doc__ = f"Trusted certificate expiring in {days} days."
    return scenario


@contextlib.contextmanager
def untrusted(tmp: Path) -> Iterator[Scenario]:
    """Signed by the test CA but probed without the CA bundle: T."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path, handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
        yield Scenario(host, port, ca_bundle=None)


@contextlib.contextmanager
def self_signed(tmp: Path) -> Iterator[Scenario]:
    """Self-signed leaf: T."""
    leaf = make_self_signed_leaf(tmp)
    with tls_server(leaf.cert_path, leaf.key_path) as (host, port):
        yield Scenario(host, port, ca_bundle=None)


@contextlib.contextmanager
def wrong_host(tmp: Path) -> Iterator[Scenario]:
    """Trusted leaf for wrong.example probed as localhost: M."""
    ca = make_ca(tmp)
    leaf = make_wrong_host_leaf(ca, tmp)
    with tls_server(leaf.cert_path, leaf.key_path, handler=static_handler(HSTS_ONE_YEAR)) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


@contextlib.contextmanager
def legacy(tmp: Path) -> Iterator[Scenario]:
    """TLS 1.0 to 1.3 accepted (SECLEVEL=0): B."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(
        leaf.cert_path, leaf.key_path, min_version=ssl.TLSVersion.TLSv1, ciphers="DEFAULT:@SECLEVEL=0"
    ) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


@contextlib.contextmanager
def weak_ciphers(tmp: Path) -> Iterator[Scenario]:
    """TLS 1.2 only, RSA key exchange and CBC suites (no forward secrecy, no AEAD): B."""
    ca = make_ca(tmp)
    leaf = make_valid_leaf(ca, tmp)
    with tls_server(
        leaf.cert_path,
        leaf.key_path,
        min_version=ssl.TLSVersion.TLSv1_2,
        max_version=ssl.TLSVersion.TLSv1_2,
        ciphers="AES128-SHA:AES256-SHA:@SECLEVEL=0",
    ) as (host, port):
        yield Scenario(host, port, ca_bundle=str(ca.cert_path))


SCENARIOS: dict[str, ScenarioFactory] = {
    "valid": valid,
    "valid-no-hsts": valid_no_hsts,
    "expired": expired,
    "expiring-10d": _expiring(10),
    "expiring-20d": _expiring(20),
    "untrusted": untrusted,
    "self-signed": self_signed,
    "wrong-host": wrong_host,
    "legacy": legacy,
    "weak-ciphers": weak_ciphers,
}


def record(names: list[str], out_dir: Path) -> None:
    """Probe each scenario and write its TlsObservation JSON; print the probe time."""
    import os

    from auditor.live.tls import probe_tls

    os.environ.pop("SSL_CERT_FILE", None)  # "untrusted" must mean: only the public stores
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        with tempfile.TemporaryDirectory() as tmp, SCENARIOS[name](Path(tmp)) as scenario:
            started = time.monotonic()
            obs = probe_tls(
                scenario.server_name, scenario.port, ip=scenario.host, ca_bundle=scenario.ca_bundle, timeout=5
            )
            elapsed = time.monotonic() - started
        (out_dir / f"{name}.json").write_text(json.dumps(obs.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"{name:15s} {elapsed:5.2f}s error={obs.error}", file=sys.stderr)




# ----------------------------------------------------------------------------- fixtures

FIXTURE_PORT = 8443

# check id -> case -> (recorded scenario, edits to the observation, expected finding keys).
# Edits are only for what a local Python ssl server cannot reproduce (a vulnerable TLS stack,
# a SHA-1 signature); every other fact is as recorded.
FIXTURE_CASES: dict[str, dict[str, tuple[str, dict[str, object], list[str]]]] = {
    "TLS-GRADE": {
        "pass-a-plus": ("valid", {}, []),
        "pass-a-without-hsts": ("valid-no-hsts", {}, []),
        "fail-legacy-b": ("legacy", {}, ["grade"]),
        "fail-weak-ciphers-b": ("weak-ciphers", {}, ["grade"]),
        "fail-expired-t": ("expired", {}, ["grade"]),
        "fail-wrong-host-m": ("wrong-host", {}, ["grade"]),
    },
    "TLS-CERT-EXPIRY": {
        "pass-valid": ("valid", {}, []),
        "fail-expired": ("expired", {}, ["certificate"]),
        "fail-expiring-10d": ("expiring-10d", {}, ["certificate"]),
        "fail-expiring-20d": ("expiring-20d", {}, ["certificate"]),
    },
    "TLS-CERT-INVALID": {
        "pass-valid": ("valid", {}, []),
        "pass-expired-but-trusted": ("expired", {}, []),
        "fail-untrusted": ("untrusted", {}, ["untrusted"]),
        "fail-self-signed": ("self-signed", {}, ["self-signed"]),
        "fail-wrong-host": ("wrong-host", {}, ["hostname"]),
        "fail-sha1": ("valid", {"certificate.signature_hash": "sha1"}, ["sha1"]),
    },
    "TLS-LEGACY-PROTOCOLS": {
        "pass-valid": ("valid", {}, []),
        "fail-legacy": ("legacy", {}, ["TLSv1.0", "TLSv1.1"]),
    },
    "TLS-WEAK-CIPHERS": {
        "pass-valid": ("valid", {}, []),
        "pass-legacy-has-aead-and-fs": ("legacy", {}, []),
        "fail-rsa-kx-cbc-only": ("weak-ciphers", {}, ["no-forward-secrecy", "no-aead"]),
    },
    "TLS-VULNERABILITIES": {
        "pass-valid": ("valid", {}, []),
        "fail-vulnerable-stack": (
            "legacy",
            {
                "vulnerabilities.heartbleed": True,
                "vulnerabilities.robot": True,
                "vulnerabilities.compression": True,
                "vulnerabilities.fallback_scsv_supported": False,
            },
            ["heartbleed", "robot", "compression", "fallback-scsv"],
        ),
    },
}


def write_fixtures(recorded: Path, fixtures: Path) -> None:
    """Turn recorded observations into ``fixtures/live/<ID>/<case>/`` (observations.json + expect.yaml)."""
    from auditor.live.observations import LiveTarget, save_observations
    from auditor.live.tls import TlsObservation

    for check_id, cases in FIXTURE_CASES.items():
        for case, (scenario, edits, keys) in cases.items():
            data = json.loads((recorded / f"{scenario}.json").read_text(encoding="utf-8"))
            data["port"] = FIXTURE_PORT  # ephemeral ports would churn the fixtures
            for dotted, value in edits.items():
                section, field_name = dotted.split(".")
                data[section][field_name] = value
            url = f"https://localhost:{FIXTURE_PORT}/"
            target = LiveTarget(url=url, tls=TlsObservation.from_dict(data))
            case_dir = fixtures / check_id / case
            case_dir.mkdir(parents=True, exist_ok=True)
            save_observations([target], case_dir / "observations.json")
            lines = [f"# recorded from the '{scenario}' scenario in tests/live/tls_scenarios.py"]
            if edits:
                lines.append(f"# edited (not reproducible on a local server): {', '.join(edits)}")
            if keys:
                lines.append("findings:")
                lines += [f"  - {{url: \"{url}\", key: \"{key}\"}}" for key in keys]
            else:
                lines.append("findings: []")
            (case_dir / "expect.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> None:
    """Record every scenario (or those named) into a temp dir, then rewrite the TLS fixtures."""
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as recorded:
        record(argv or list(SCENARIOS), Path(recorded))
        write_fixtures(Path(recorded), root / "fixtures" / "live")


if __name__ == "__main__":
    main(sys.argv[1:])
