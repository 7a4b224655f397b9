"""The one place prodcheck touches sslyze's private names (sslyze 6.x).

sslyze's public API has no "is this protocol refused outright?" call, but its
connectivity test has one (``_detect_support_for_tls_1_2_or_below``). Keeping
that import here means an sslyze upgrade that moves it breaks this module
only, and :func:`protocol_refused_checker` returns None so the probe falls back
to the full per-suite scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PROTOCOL_VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2")


def protocol_refused_checker(location: Any, config: Any) -> Callable[[str], bool] | None:
    """A function ``protocol -> refused?`` for one server, or None when sslyze's internals moved.

    The function returns True only when a whole-list ClientHello for that
    protocol was refused; any other outcome (accepted, an odd error) is False so
    that the full scan decides.
    """
    try:
        from sslyze.server_connectivity import (
            TlsVersionEnum,
            _detect_support_for_tls_1_2_or_below,
            _TlsVersionNotSupported,
        )
    except ImportError:
        return None
    versions = {
        "SSLv2": TlsVersionEnum.SSL_2_0,
        "SSLv3": TlsVersionEnum.SSL_3_0,
        "TLSv1.0": TlsVersionEnum.TLS_1_0,
        "TLSv1.1": TlsVersionEnum.TLS_1_1,
        "TLSv1.2": TlsVersionEnum.TLS_1_2,
    }

    def refused(protocol: str) -> bool:
        try:
            _detect_support_for_tls_1_2_or_below(location, config, versions[protocol])
        except _TlsVersionNotSupported:
            return True
        except Exception:  # noqa: BLE001 - unclear: let the full scan decide
            return False
        return False

    return refused
