"""TLS observation model and the sslyze probe that fills it.

The dataclasses here are plain facts (what the server accepted, what its
certificate says) and serialise to JSON so checks can judge a recorded scan
offline. :func:`probe_tls` is the only code in this module that touches the
network; it imports sslyze lazily so prodcheck's start-up stays fast.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROTOCOLS: tuple[str, ...] = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class CipherObservation:
    """One accepted cipher suite on one protocol version."""

    protocol: str
    name: str
    key_size: int
    kx: str  # "ECDHE", "DHE", "RSA", "PSK", "anon", "TLS13" ...
    kx_bits: int | None
    forward_secrecy: bool
    aead: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "protocol": self.protocol,
            "name": self.name,
            "key_size": self.key_size,
            "kx": self.kx,
            "kx_bits": self.kx_bits,
            "forward_secrecy": self.forward_secrecy,
            "aead": self.aead,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CipherObservation:
        """Inverse of :meth:`to_dict`."""
        kx_bits = data.get("kx_bits")
        return cls(
            protocol=str(data.get("protocol", "")),
            name=str(data.get("name", "")),
            key_size=int(data.get("key_size") or 0),
            kx=str(data.get("kx", "")),
            kx_bits=int(kx_bits) if kx_bits is not None else None,
            forward_secrecy=bool(data.get("forward_secrecy", False)),
            aead=bool(data.get("aead", False)),
        )


@dataclass(frozen=True)
class CertificateObservation:
    """The leaf certificate and how its chain validated."""

    subject_cn: str | None
    sans: tuple[str, ...]
    issuer: str
    not_before: str  # ISO 8601, UTC
    not_after: str  # ISO 8601, UTC
    days_left: int  # computed at probe time; checks never look at the clock
    key_type: str  # "RSA", "EC", "Ed25519", ...
    key_size: int
    signature_hash: str | None  # "sha256", "sha1", ...
    self_signed: bool
    trusted: bool
    trust_store: str
    hostname_matches: bool
    chain_length: int
    validation_error: str | None = None
    # The leaf's notBefore is still ahead at probe time (a trust failure, as an expired one).
    not_yet_valid: bool = False
    # caIssuers URLs of the highest certificate sent when that one is not self-issued: where a client
    # doing AIA fetching (browsers do, most API clients do not) would find the missing issuer.
    issuer_aia: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "subject_cn": self.subject_cn,
            "sans": list(self.sans),
            "issuer": self.issuer,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "days_left": self.days_left,
            "key_type": self.key_type,
            "key_size": self.key_size,
            "signature_hash": self.signature_hash,
            "self_signed": self.self_signed,
            "trusted": self.trusted,
            "trust_store": self.trust_store,
            "hostname_matches": self.hostname_matches,
            "chain_length": self.chain_length,
            "validation_error": self.validation_error,
            "not_yet_valid": self.not_yet_valid,
            "issuer_aia": list(self.issuer_aia),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CertificateObservation:
        """Inverse of :meth:`to_dict`."""
        return cls(
            subject_cn=data.get("subject_cn"),
            sans=tuple(str(s) for s in data.get("sans") or ()),
            issuer=str(data.get("issuer", "")),
            not_before=str(data.get("not_before", "")),
            not_after=str(data.get("not_after", "")),
            days_left=int(data.get("days_left") or 0),
            key_type=str(data.get("key_type", "")),
            key_size=int(data.get("key_size") or 0),
            signature_hash=data.get("signature_hash"),
            self_signed=bool(data.get("self_signed", False)),
            trusted=bool(data.get("trusted", False)),
            trust_store=str(data.get("trust_store", "")),
            hostname_matches=bool(data.get("hostname_matches", False)),
            chain_length=int(data.get("chain_length") or 0),
            validation_error=data.get("validation_error"),
            not_yet_valid=bool(data.get("not_yet_valid", False)),
            issuer_aia=tuple(str(u) for u in data.get("issuer_aia") or ()),
        )


@dataclass(frozen=True)
class TlsObservation:
    """Everything the TLS probe saw on one host:port."""

    host: str
    port: int
    server_name: str
    ip: str | None
    error: str | None = None
    protocols: dict[str, bool] = field(default_factory=dict)
    ciphers: tuple[CipherObservation, ...] = ()
    certificate: CertificateObservation | None = None
    vulnerabilities: dict[str, bool | None] = field(default_factory=dict)
    hsts_max_age: int | None = None
    # Protocol -> the suite the server chose for a modern client's offer (best suites first, 3DES
    # last). Recorded only for protocols where the choice matters (a weak suite is accepted).
    negotiated: dict[str, str] = field(default_factory=dict)
    # The server took one connection at a time, so it was scanned one connection at a time.
    serial: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the shape stored in observations.json)."""
        return {
            "host": self.host,
            "port": self.port,
            "server_name": self.server_name,
            "ip": self.ip,
            "error": self.error,
            "protocols": dict(self.protocols),
            "ciphers": [c.to_dict() for c in self.ciphers],
            "certificate": self.certificate.to_dict() if self.certificate else None,
            "vulnerabilities": dict(self.vulnerabilities),
            "hsts_max_age": self.hsts_max_age,
            "negotiated": dict(self.negotiated),
            "serial": self.serial,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TlsObservation:
        """Inverse of :meth:`to_dict`; tolerant of missing keys in hand-written fixtures."""
        cert = data.get("certificate")
        hsts = data.get("hsts_max_age")
        vulns_raw = data.get("vulnerabilities") or {}
        return cls(
            host=str(data.get("host", "")),
            port=int(data.get("port") or 443),
            server_name=str(data.get("server_name") or data.get("host", "")),
            ip=data.get("ip"),
            error=data.get("error"),
            protocols={str(k): bool(v) for k, v in (data.get("protocols") or {}).items()},
            ciphers=tuple(CipherObservation.from_dict(c) for c in data.get("ciphers") or ()),
            certificate=CertificateObservation.from_dict(cert) if isinstance(cert, dict) else None,
            vulnerabilities={str(k): (None if v is None else bool(v)) for k, v in vulns_raw.items()},
            hsts_max_age=int(hsts) if hsts is not None else None,
            negotiated={str(k): str(v) for k, v in (data.get("negotiated") or {}).items()},
            serial=bool(data.get("serial", False)),
        )

    @property
    def accepted_protocols(self) -> tuple[str, ...]:
        """Accepted protocol names, oldest first."""
        return tuple(p for p in PROTOCOLS if self.protocols.get(p))


# --------------------------------------------------------------------------- probe

# Connections sslyze may open at once to one server: fast on loopback, still polite remotely.
DEFAULT_CONCURRENCY = 10
# Servers one Scanner scans at once. Each brings DEFAULT_CONCURRENCY worker threads; past a few
# dozen threads the GIL, not the network, sets the pace, so more hosts queue behind these.
MAX_CONCURRENT_SERVERS = 10
# Targets whose checks finish within this window of each other share one Scanner.
BATCH_WINDOW_S = 0.25
# Extra connections opened at once to tell a one-connection-at-a-time server apart, and how long each
# may take to connect (a healthy loopback or LAN server connects in well under a millisecond).
PARALLEL_PROBES = 3
SERIAL_PROBE_S = 0.75

_PLAINTEXT_PREFIXES = (b"HTTP/", b"<", b"SSH-", b"220 ", b"+OK", b"* OK", b"RFB ")


@dataclass(frozen=True)
class TlsTarget:
    """One ``host:port`` for :func:`probe_tls_many`, with the same knobs as :func:`probe_tls`."""

    host: str
    port: int
    server_name: str | None = None
    ip: str | None = None
    ca_bundle: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class _Prepared:
    """A reachable target, ready to be queued into the Scanner."""

    base: TlsObservation
    address: str
    ca_file: Path | None
    timeout: float
    refused: frozenset[str]  # protocols one whole-list handshake already showed are refused
    serial: bool = False  # the server takes one connection at a time: scan it with one connection


def probe_tls(
    host: str,
    port: int,
    *,
    server_name: str | None = None,
    ip: str | None = None,
    ca_bundle: str | None = None,
    timeout: float = 10.0,
) -> TlsObservation:
    """Scan ``host:port`` with sslyze and return what it saw; never raises.

    ``server_name`` is the SNI / name the certificate must match (default
    ``host``); ``ip`` pins the address (curl's ``--resolve``); ``ca_bundle``
    (else ``$SSL_CERT_FILE``) is added as the trust store "Supplied CA file".
    Every failure (refused, timeout, not TLS, handshake failure, scanner
    bug) becomes ``error`` with a one-line reason.
    """
    return probe_tls_many([TlsTarget(host, port, server_name, ip, ca_bundle, timeout)])[0]


def probe_tls_many(
    targets: list[TlsTarget] | tuple[TlsTarget, ...],
    on_result: Callable[[int, TlsObservation], None] | None = None,
) -> list[TlsObservation]:
    """Scan several hosts in ONE sslyze ``Scanner``; one observation per target, in order; never raises.

    Each target is first checked on its own thread (address, CA bundle, a
    plain handshake, one handshake per legacy protocol); the targets ready
    together are then queued into one Scanner, which runs up to
    ``MAX_CONCURRENT_SERVERS`` server scans at once on one shared pool of
    worker threads. A target still being checked (a silent server waiting
    out its timeout) does not hold the others back: it joins a later
    Scanner, or ends as its own ``error``. ``on_result(index, observation)``
    is called as each target finishes, so callers need not wait for the
    slowest one.
    """
    if not targets:
        return []
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    done: dict[int, TlsObservation] = {}
    lock = threading.Lock()

    def finish(index: int, observation: TlsObservation) -> None:
        with lock:
            done[index] = observation
        if on_result is not None:
            try:
                on_result(index, observation)
            except Exception:  # noqa: BLE001 - a caller's callback must not break the scan
                pass

    scans: list[threading.Thread] = []
    with ThreadPoolExecutor(max_workers=min(16, len(targets)), thread_name_prefix="prodcheck-tls-prep") as pool:
        futures = {pool.submit(_prepare_guarded, target): i for i, target in enumerate(targets)}
        pending = set(futures)
        while pending:
            first, pending = wait(pending, return_when=FIRST_COMPLETED)
            # Hosts at about the same distance finish their checks together: scan them as one batch.
            more, pending = wait(pending, timeout=BATCH_WINDOW_S) if pending else (set(), set())
            ready: list[tuple[int, _Prepared]] = []
            for future in first | more:
                outcome = future.result()
                if isinstance(outcome, _Prepared):
                    ready.append((futures[future], outcome))
                else:
                    finish(futures[future], outcome)
            # sslyze's connection limit is per Scanner: one-at-a-time servers get a Scanner of their own.
            for group in ([r for r in ready if not r[1].serial], [r for r in ready if r[1].serial]):
                if group:
                    scan = threading.Thread(target=_run_sslyze, args=(group, finish), name="prodcheck-tls-batch",
                                            daemon=True)
                    scan.start()
                    scans.append(scan)
    for scan in scans:
        scan.join()  # _run_sslyze enforces its own deadline, then reports every target
    return [done[i] for i in range(len(targets))]


def _base(target: TlsTarget) -> TlsObservation:
    return TlsObservation(host=target.host, port=target.port, server_name=target.server_name or target.host,
                          ip=target.ip)


def _prepare_guarded(target: TlsTarget) -> _Prepared | TlsObservation:
    base = _base(target)
    try:
        return _prepare(target, base)
    except Exception as exc:  # noqa: BLE001 - the probe contract is "never raise"
        return _with_error(base, f"TLS probe failed: {type(exc).__name__}: {_one_line(str(exc))}")


def _with_error(base: TlsObservation, error: str) -> TlsObservation:
    return TlsObservation(host=base.host, port=base.port, server_name=base.server_name, ip=base.ip, error=error)


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _ca_file(ca_bundle: str | None) -> tuple[Path | None, str | None]:
    """The custom trust store to use, or an error when an explicit bundle is unusable."""
    if ca_bundle:
        path = Path(ca_bundle)
        if not path.is_file():
            return None, f"CA bundle not found: {ca_bundle}"
        return path, None
    env = os.environ.get("SSL_CERT_FILE")
    if env and Path(env).is_file():
        return Path(env), None
    return None, None


def _prepare(target: TlsTarget, base: TlsObservation) -> _Prepared | TlsObservation:
    ca_file, ca_error = _ca_file(target.ca_bundle)
    if ca_error:
        return _with_error(base, ca_error)
    try:
        address = base.ip or str(socket.getaddrinfo(base.host, base.port, type=socket.SOCK_STREAM)[0][4][0])
    except (socket.gaierror, UnicodeError) as exc:
        return _with_error(base, f"could not resolve {base.host}: {_one_line(str(exc))}")
    preflight_error = _preflight(address, base.port, base.server_name, target.timeout)
    if preflight_error:
        return _with_error(base, preflight_error)
    serial = _takes_one_connection_at_a_time(address, base.port, min(target.timeout, SERIAL_PROBE_S))
    refused = _refused_protocols(base, address, target.timeout, workers=1 if serial else None)
    return _Prepared(base=base, address=address, ca_file=ca_file, timeout=target.timeout, refused=refused,
                     serial=serial)


def _takes_one_connection_at_a_time(address: str, port: int, wait: float) -> bool:
    """True when the server leaves parallel connections unanswered while it holds one.

    Such servers (a single-threaded TLS terminator with a tiny accept backlog)
    drop the SYNs of sslyze's parallel connections; each dropped SYN costs a
    one-second retransmit or a timeout, which turned a 1.5 s scan into 8-12 s
    and lost accepted suites. Hold one connection open, then open
    ``PARALLEL_PROBES`` more at once: if any cannot connect within ``wait``,
    scan this server one connection at a time.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        held = socket.create_connection((address, port), timeout=wait)
    except OSError:
        return False  # the preflight connected a moment ago; do not guess from one odd failure

    def connects(_: int) -> bool:
        try:
            with socket.create_connection((address, port), timeout=wait):
                return True
        except OSError:
            return False

    with held, ThreadPoolExecutor(max_workers=PARALLEL_PROBES, thread_name_prefix="prodcheck-tls-par") as pool:
        time.sleep(0.05)  # let a serial server accept the held connection first
        results = list(pool.map(connects, range(PARALLEL_PROBES)))
    return not all(results)


def _network_config(base: TlsObservation, timeout: float) -> Any:
    from sslyze import ServerNetworkConfiguration

    return ServerNetworkConfiguration(
        tls_server_name_indication=base.server_name,
        network_timeout=max(1, math.ceil(timeout)),
        network_max_retries=1,
    )


def _refused_protocols(base: TlsObservation, address: str, timeout: float,
                       workers: int | None = None) -> frozenset[str]:
    """Legacy protocols the server refuses outright, found with one handshake each.

    sslyze tests every cipher suite of a protocol on its own connection: about
    120 connections per legacy protocol even when the server refuses that
    protocol entirely, which is most of a modern server's scan. Like
    testssl.sh, offer the whole list once first (sslyze's own connectivity
    test, which retries with a short list for F5 devices that drop long
    hellos) and skip the per-suite scan of a protocol only when that is
    refused. Any other outcome (accepted, an odd error) keeps the full scan.
    """
    from sslyze import ServerNetworkLocation

    from auditor.live.sslyze_private import PROTOCOL_VERSIONS, protocol_refused_checker

    location = ServerNetworkLocation(hostname=base.host, port=base.port, ip_address=address)
    refused = protocol_refused_checker(location, _network_config(base, timeout))
    if refused is None:  # sslyze internals moved: scan every protocol the slow way
        return frozenset()

    from concurrent.futures import ThreadPoolExecutor

    # One round trip for all protocols instead of five in a row: it matters on a real network.
    with ThreadPoolExecutor(max_workers=workers or len(PROTOCOL_VERSIONS),
                            thread_name_prefix="prodcheck-tls-proto") as pool:
        verdicts = dict(zip(PROTOCOL_VERSIONS, pool.map(refused, PROTOCOL_VERSIONS), strict=True))
    return frozenset(name for name, is_refused in verdicts.items() if is_refused)


def _looks_plaintext(chunk: bytes) -> bool:
    # A TLS record starts with a content type byte 0x14-0x18; text protocols start with ASCII.
    return chunk.startswith(_PLAINTEXT_PREFIXES) or (bool(chunk) and 0x20 <= chunk[0] < 0x7F)


def _preflight(address: str, port: int, sni: str, timeout: float) -> str | None:
    """One quick handshake with Python's ssl to turn refused / timeout / not-TLS into clear errors.

    A handshake *failure* is not an error here: the server may speak only
    protocols this OpenSSL cannot (SSLv3); sslyze's own OpenSSL decides.
    """
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except ConnectionRefusedError:
        return f"connection refused by {address}:{port}"
    except TimeoutError:
        return f"connection to {address}:{port} timed out after {timeout:g}s"
    except OSError as exc:
        return f"could not connect to {address}:{port}: {_one_line(exc.strerror or str(exc))}"
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    except (ssl.SSLError, ValueError):
        pass  # keep the defaults; this is only a reachability check
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    is_ip = _is_ip(sni)
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=None if is_ip else sni)
    first = True
    with sock:
        while True:
            try:
                tls.do_handshake()
                sock.sendall(outgoing.read())
                return None
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return None  # let sslyze try the protocols Python's OpenSSL lacks
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _handshake_timeout(address, port, timeout)
            try:
                sock.sendall(outgoing.read())
                sock.settimeout(remaining)
                chunk = sock.recv(16384)
            except TimeoutError:
                return _handshake_timeout(address, port, timeout)
            except OSError as exc:
                return f"connection to {address}:{port} failed during the TLS handshake: {_one_line(str(exc))}"
            if not chunk:
                return f"{address}:{port} closed the connection during the TLS handshake (not TLS, or TLS refused)"
            if first and _looks_plaintext(chunk):
                sample = chunk[:40].decode("ascii", "replace").splitlines()[0] if chunk[:40].strip() else ""
                return f"{address}:{port} does not speak TLS: it answered in plain text ({sample!r}); plain HTTP?"
            first = False
            incoming.write(chunk)


def _handshake_timeout(address: str, port: int, timeout: float) -> str:
    return f"TLS handshake with {address}:{port} timed out after {timeout:g}s (connected, but the server never answered)"


def _is_ip(name: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


PROTOCOL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("SSLv2", "ssl_2_0_cipher_suites"),
    ("SSLv3", "ssl_3_0_cipher_suites"),
    ("TLSv1.0", "tls_1_0_cipher_suites"),
    ("TLSv1.1", "tls_1_1_cipher_suites"),
    ("TLSv1.2", "tls_1_2_cipher_suites"),
    ("TLSv1.3", "tls_1_3_cipher_suites"),
)


def _run_sslyze(ready: list[tuple[int, _Prepared]], finish: Callable[[int, TlsObservation], None]) -> None:
    """Run one Scanner over ``ready`` on a worker thread, bounded by a deadline; ``finish`` every target.

    Results are reported as each server completes, so one stuck server costs
    only its own observation ("did not finish"), never the others'.
    """
    reported: set[int] = set()
    failure: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            for index, observation in _sslyze_scan(ready):
                with lock:
                    if index in reported:
                        continue  # already reported as "did not finish"
                    reported.add(index)
                finish(index, observation)
        except Exception as exc:  # noqa: BLE001 - reported per target below
            failure.append(exc)

    worker = threading.Thread(target=work, name="prodcheck-tls", daemon=True)
    worker.start()
    # sslyze bounds each connection by network_timeout; this bounds the whole scan. Servers past
    # MAX_CONCURRENT_SERVERS wait for a free slot, so the budget grows with the number of waves.
    waves = math.ceil(len(ready) / MAX_CONCURRENT_SERVERS)
    budget = max(30.0, max(p.timeout for _, p in ready) * 6) * waves
    worker.join(budget)
    with lock:
        missing = [(i, p) for i, p in ready if i not in reported]
        reported.update(i for i, _ in missing)  # a late result from the stuck worker is dropped
    for index, prepared in missing:
        if failure:
            exc = failure[0]
            reason = f"TLS scan failed: {type(exc).__name__}: {_one_line(str(exc))}"
        elif worker.is_alive():
            reason = f"TLS scan of {prepared.address}:{prepared.base.port} did not finish within {budget:g}s"
        else:
            reason = "TLS scan returned no result"
        finish(index, _with_error(prepared.base, reason))


def _sslyze_scan(ready: list[tuple[int, _Prepared]]) -> Any:
    """Yield ``(index, observation)`` as each server's scan completes."""
    import warnings

    # sslyze's bundled trust stores hold a root with a non-positive serial; cryptography warns on load.
    warnings.filterwarnings("ignore", message="Parsed a serial number which wasn't positive")
    from sslyze import (
        CertificateInfoExtraArgument,
        ScanCommand,
        ScanCommandsExtraArguments,
        Scanner,
        ServerNetworkLocation,
        ServerScanRequest,
    )

    always = {
        ScanCommand.CERTIFICATE_INFO,
        ScanCommand.HEARTBLEED,
        ScanCommand.ROBOT,
        ScanCommand.OPENSSL_CCS_INJECTION,
        ScanCommand.TLS_COMPRESSION,
        ScanCommand.TLS_FALLBACK_SCSV,
        ScanCommand.SESSION_RENEGOTIATION,
        ScanCommand.HTTP_HEADERS,
    }
    by_uuid: dict[Any, tuple[int, _Prepared]] = {}
    requests = []
    for index, prepared in ready:
        base = prepared.base
        protocols = {ScanCommand(value) for name, value in PROTOCOL_COMMANDS if name not in prepared.refused}
        ca_file = prepared.ca_file
        request = ServerScanRequest(
            server_location=ServerNetworkLocation(hostname=base.host, port=base.port, ip_address=prepared.address),
            network_configuration=_network_config(base, prepared.timeout),
            scan_commands=always | protocols,
            scan_commands_extra_arguments=ScanCommandsExtraArguments(
                certificate_info=CertificateInfoExtraArgument(custom_ca_file=ca_file) if ca_file else None
            ),
        )
        by_uuid[request.uuid] = (index, prepared)
        requests.append(request)
    serial = all(prepared.serial for _, prepared in ready)
    scanner = Scanner(per_server_concurrent_connections_limit=1 if serial else DEFAULT_CONCURRENCY,
                      concurrent_server_scans_limit=min(len(requests), MAX_CONCURRENT_SERVERS))
    scanner.queue_scans(requests)
    for result in scanner.get_results():
        index, prepared = by_uuid[result.uuid]
        try:
            observation = _observation(prepared, result)
        except Exception as exc:  # noqa: BLE001 - one odd result must not lose the others
            observation = _with_error(prepared.base, f"TLS scan failed: {type(exc).__name__}: {_one_line(str(exc))}")
        yield index, observation


def _observation(prepared: _Prepared, result: Any) -> TlsObservation:
    """Turn one sslyze server result into a :class:`TlsObservation`."""
    from sslyze import ScanCommandAttemptStatusEnum, ServerScanStatusEnum

    base = prepared.base
    if result.scan_status != ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        trace = result.connectivity_error_trace
        reason = _one_line("".join(trace.format_exception_only())) if trace else "unknown connectivity error"
        return _with_error(base, f"TLS scan could not connect: {reason}")
    scan = result.scan_result

    def completed(attempt: Any) -> Any:
        return attempt.result if attempt.status == ScanCommandAttemptStatusEnum.COMPLETED else None

    protocols: dict[str, bool] = {}
    raw_ciphers: list[tuple[str, Any]] = []
    for protocol, attribute in PROTOCOL_COMMANDS:
        if protocol in prepared.refused:
            protocols[protocol] = False  # the whole-list handshake was refused: no suite can pass
            continue
        suites = completed(getattr(scan, attribute))
        if suites is None:
            continue  # unknown: leave it out rather than claim "not accepted"
        protocols[protocol] = bool(suites.accepted_cipher_suites)
        raw_ciphers += [(protocol, accepted) for accepted in suites.accepted_cipher_suites]

    ca_file = prepared.ca_file
    certificate = _certificate(completed(scan.certificate_info), base.server_name, ca_file)
    ciphers = tuple(_cipher(protocol, accepted, certificate) for protocol, accepted in raw_ciphers)
    openssl_names = {(protocol, accepted.cipher_suite.name): accepted.cipher_suite.openssl_name
                     for protocol, accepted in raw_ciphers}
    negotiated = _modern_client_choices(prepared, ciphers, openssl_names)

    vulnerabilities: dict[str, bool | None] = {}
    heartbleed = completed(scan.heartbleed)
    vulnerabilities["heartbleed"] = heartbleed.is_vulnerable_to_heartbleed if heartbleed else None
    ccs = completed(scan.openssl_ccs_injection)
    vulnerabilities["ccs_injection"] = ccs.is_vulnerable_to_ccs_injection if ccs else None
    robot = completed(scan.robot)
    vulnerabilities["robot"] = _robot(robot.robot_result.value) if robot else None
    compression = completed(scan.tls_compression)
    vulnerabilities["compression"] = compression.supports_compression if compression else None
    fallback = completed(scan.tls_fallback_scsv)
    vulnerabilities["fallback_scsv_supported"] = fallback.supports_fallback_scsv if fallback else None
    reneg = completed(scan.session_renegotiation)
    vulnerabilities["secure_renegotiation"] = reneg.supports_secure_renegotiation if reneg else None
    vulnerabilities["client_renegotiation_dos"] = reneg.is_vulnerable_to_client_renegotiation_dos if reneg else None

    hsts_max_age: int | None = None
    headers = completed(scan.http_headers)
    if headers and headers.strict_transport_security_header:
        hsts_max_age = headers.strict_transport_security_header.max_age

    return TlsObservation(
        host=base.host,
        port=base.port,
        server_name=base.server_name,
        ip=base.ip,
        error=None if any(protocols.values()) else "no SSL/TLS protocol version was accepted",
        protocols=protocols,
        ciphers=ciphers,
        certificate=certificate,
        vulnerabilities=vulnerabilities,
        hsts_max_age=hsts_max_age,
        negotiated=negotiated,
        serial=prepared.serial,
    )


def is_weak_suite(suite: CipherObservation) -> bool:
    """3DES, RC4, no forward secrecy or no AEAD: a suite whose negotiation changes the grade."""
    upper = suite.name.upper()
    return ("3DES" in upper or "DES_EDE" in upper or "RC4" in upper or not suite.forward_secrecy
            or not suite.aead)


def modern_rank(suite: CipherObservation) -> tuple[int, int]:
    """How a current browser orders its offer: FS+AEAD, FS, AEAD, the rest, then 3DES, then RC4."""
    upper = suite.name.upper()
    if "RC4" in upper:
        return (5, 0)
    if "3DES" in upper or "DES_EDE" in upper:
        return (4, 0)
    return (0 if suite.forward_secrecy and suite.aead else 1 if suite.forward_secrecy else 2 if suite.aead else 3,
            -suite.key_size)


_SSL_VERSIONS = {"TLSv1.0": "TLSv1", "TLSv1.1": "TLSv1_1", "TLSv1.2": "TLSv1_2"}


def _modern_client_choices(prepared: _Prepared, ciphers: tuple[CipherObservation, ...],
                           openssl_names: dict[tuple[str, str], str]) -> dict[str, str]:
    """Per protocol with a weak suite among better ones: the suite the server picks for a modern offer.

    SSL Labs caps for 3DES/RC4 (and judges forward secrecy) by what its
    reference clients *negotiate*, so a server that keeps 3DES last for
    Windows XP is not penalised while one that prefers it is. sslyze 6 reports
    accepted suites only, so this offers the accepted suites once more in a
    browser's order (best first, 3DES and RC4 last) on one connection per
    protocol and records what the server chose. Suites this Python's OpenSSL
    cannot offer (RC4) are left out, as current browsers leave them out.
    """
    choices: dict[str, str] = {}
    for protocol, version_name in _SSL_VERSIONS.items():
        suites = [c for c in ciphers if c.protocol == protocol]
        if len(suites) < 2 or not any(is_weak_suite(c) for c in suites) or all(is_weak_suite(c) for c in suites):
            continue  # nothing to choose between: the grade follows from the accepted list alone
        ordered = sorted(suites, key=modern_rank)
        by_openssl = {openssl_names.get((protocol, c.name), ""): c.name for c in ordered}
        chosen = _handshake_choice(prepared, version_name, [n for n in by_openssl if n])
        if chosen in by_openssl:
            choices[protocol] = by_openssl[chosen]
    return choices


def _handshake_choice(prepared: _Prepared, version_name: str, offer: list[str]) -> str | None:
    """OpenSSL name of the suite the server picks from ``offer`` on ``version_name``; None on failure."""
    import warnings

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # legacy versions on purpose
            version = getattr(ssl.TLSVersion, version_name)
            ctx.minimum_version = version
            ctx.maximum_version = version
        ctx.set_ciphers(":".join(offer) + ":@SECLEVEL=0")
    except (ssl.SSLError, ValueError, AttributeError):
        return None  # this OpenSSL cannot offer any of them
    sni = prepared.base.server_name
    try:
        with socket.create_connection((prepared.address, prepared.base.port), timeout=prepared.timeout) as sock, \
                ctx.wrap_socket(sock, server_hostname=None if _is_ip(sni) else sni) as tls:
            chosen = tls.cipher()
    except (OSError, ssl.SSLError, ValueError):
        return None
    return chosen[0] if chosen else None


def _robot(value: str) -> bool | None:
    if value.startswith("VULNERABLE"):
        return True
    if value.startswith("NOT_VULNERABLE"):
        return False
    return None


def _kx_of(name: str) -> str:
    """Key exchange family from an IANA suite name (``TLS_ECDHE_RSA_WITH_...``)."""
    if name.startswith("TLS_") and "_WITH_" not in name:
        return "TLS13"  # TLS 1.3 suites carry no key exchange; it is always (EC)DHE
    head = name.split("_WITH_")[0].removeprefix("TLS_").removeprefix("SSL_").removeprefix("CK_")
    if "anon" in head:
        return "anon"
    for family in ("ECDHE", "DHE", "ECDH", "DH", "PSK", "SRP", "RSA"):
        if head.startswith(family):
            return family
    return "RSA"  # SSLv2 suites (SSL_CK_RC4_128_WITH_MD5 ...) use RSA key transport


def _cipher(protocol: str, accepted: Any, certificate: CertificateObservation | None) -> CipherObservation:
    suite = accepted.cipher_suite
    name: str = suite.name
    kx = _kx_of(name)
    key = accepted.ephemeral_key
    if kx == "TLS13":
        kx = "DHE" if key is not None and key.type_name == "DH" else "ECDHE"
    kx_bits: int | None = int(key.size) if key is not None else None
    if kx == "RSA" and certificate and certificate.key_type == "RSA":
        kx_bits = certificate.key_size  # RSA key transport: strength is the certificate key
    upper = name.upper()
    aead = protocol == "TLSv1.3" or any(m in upper for m in ("_GCM", "CHACHA20_POLY1305", "_CCM"))
    return CipherObservation(
        protocol=protocol,
        name=name,
        key_size=int(suite.key_size),
        kx=kx,
        kx_bits=kx_bits,
        forward_secrecy=kx in ("ECDHE", "DHE"),
        aead=aead,
    )


def _certificate(info: Any, server_name: str, ca_file: Path | None) -> CertificateObservation | None:
    """Summarise the SNI certificate deployment; trust is judged apart from hostname and dates."""
    if info is None or not info.certificate_deployments:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import NameOID

    deployment = info.certificate_deployments[0]
    chain: list[x509.Certificate] = list(deployment.received_certificate_chain)
    leaf = chain[0]
    cns = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    sans: list[str] = []
    try:
        san_ext = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = [str(v) for v in san_ext.get_values_for_type(x509.DNSName)]
        sans += [str(v) for v in san_ext.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    public_key = leaf.public_key()
    key_type, key_size = "unknown", 0
    if isinstance(public_key, rsa.RSAPublicKey):
        key_type, key_size = "RSA", public_key.key_size
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        key_type, key_size = "EC", public_key.curve.key_size
    elif isinstance(public_key, dsa.DSAPublicKey):
        key_type, key_size = "DSA", public_key.key_size
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        key_type, key_size = "Ed25519", 256
    elif isinstance(public_key, ed448.Ed448PublicKey):
        key_type, key_size = "Ed448", 456
    not_before = leaf.not_valid_before_utc
    not_after = leaf.not_valid_after_utc
    now = dt.datetime.now(dt.UTC)
    days_left = math.floor((not_after - now).total_seconds() / 86400)
    top = chain[-1]
    issuer_aia = () if top.issuer == top.subject else _ca_issuers(top)
    self_signed = leaf.issuer == leaf.subject and _signed_by(leaf, leaf)

    results = list(deployment.path_validation_results)
    ok = [r for r in results if r.was_validation_successful]
    validation_error: str | None = None
    if not ok:
        errors = [r.validation_error for r in results if r.validation_error]
        preferred = [r.validation_error for r in results if r.trust_store.name == "Supplied CA file"]
        raw_error = (preferred or errors or ["validation failed"])[0] or "validation failed"
        # cryptography appends "(encountered processing <Certificate(...)>)": noise in a report.
        validation_error = _one_line(raw_error.split(" (encountered processing")[0])
        # The full validation also fails on hostname or dates; re-check the chain alone so that
        # "untrusted" means "does not chain to the store", and expiry/hostname stay separate facts.
        ok = _trusted_ignoring_name_and_dates(results, chain, leaf, sans)
    names = [r.trust_store.name for r in ok]
    if ok:
        trust_store = "Supplied CA file" if "Supplied CA file" in names else names[0]
    else:
        trust_store = ", ".join(sorted({r.trust_store.name for r in results}))

    return CertificateObservation(
        subject_cn=str(cns[0].value) if cns else None,
        sans=tuple(sans),
        issuer=leaf.issuer.rfc4514_string(),
        not_before=not_before.isoformat(),
        not_after=not_after.isoformat(),
        days_left=days_left,
        key_type=key_type,
        key_size=key_size,
        signature_hash=_weakest_hash(chain),
        self_signed=self_signed,
        trusted=bool(ok),
        trust_store=trust_store,
        hostname_matches=hostname_matches(server_name, sans),
        chain_length=len(chain),
        validation_error=validation_error,
        not_yet_valid=not_before > now,
        issuer_aia=issuer_aia,
    )


def _ca_issuers(cert: Any) -> tuple[str, ...]:
    """The certificate's Authority Information Access caIssuers URLs (never fetched)."""
    from cryptography import x509
    from cryptography.x509.oid import AuthorityInformationAccessOID

    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return ()
    return tuple(str(d.access_location.value) for d in aia
                 if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
                 and isinstance(d.access_location, x509.UniformResourceIdentifier))


def _signed_by(cert: Any, issuer: Any) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # noqa: BLE001 - any failure means "not signed by"
        return False
    return True


def _weakest_hash(chain: list[Any]) -> str | None:
    """The leaf's signature hash, or ``sha1``/``md5`` when any non-root certificate sent uses one."""
    names: list[str] = []
    for cert in chain:
        if cert.issuer == cert.subject and cert is not chain[0]:
            continue  # a root's self-signature is not checked by clients
        try:
            algorithm = cert.signature_hash_algorithm
        except Exception:  # noqa: BLE001 - unsupported algorithm
            algorithm = None
        if algorithm is not None:
            names.append(algorithm.name)
    for weak in ("md5", "sha1"):
        if weak in names:
            return weak
    return names[0] if names else None


def _trusted_ignoring_name_and_dates(results: list[Any], chain: list[Any], leaf: Any, sans: list[str]) -> list[Any]:
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509 import DNSName, IPAddress

    if not sans:
        return []
    import ipaddress

    first = sans[0]
    subject: Any
    try:
        subject = IPAddress(ipaddress.ip_address(first))
    except ValueError:
        subject = DNSName(first.replace("*.", "wildcard.", 1))
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    # Any instant inside the leaf's validity where the whole chain was valid will do.
    moments = (end - dt.timedelta(minutes=1), start + (end - start) / 2, start + dt.timedelta(minutes=1))
    pems = [c.public_bytes(Encoding.PEM).decode("ascii") for c in chain]
    trusted = []
    for result in results:
        for moment in moments:
            try:
                again = result.trust_store.verify_certificate_chain(pems, subject, validation_time=moment)
            except Exception:  # noqa: BLE001 - a verifier crash means "not trusted"
                continue
            if again.was_validation_successful:
                trusted.append(again)
                break
    return trusted


def hostname_matches(server_name: str, sans: list[str] | tuple[str, ...]) -> bool:
    """RFC 6125 matching of ``server_name`` against SAN entries (left-most label wildcard only)."""
    name = server_name.lower().rstrip(".")
    if _is_ip(name):
        import ipaddress

        wanted = ipaddress.ip_address(name)
        for san in sans:
            try:
                if ipaddress.ip_address(san) == wanted:
                    return True
            except ValueError:
                continue
        return False
    for san in sans:
        pattern = san.lower().rstrip(".")
        if pattern == name:
            return True
        if pattern.startswith("*.") and "." in name:
            _, _, rest = name.partition(".")
            if rest == pattern[2:] and rest.count(".") >= 1:
                return True
    return False
