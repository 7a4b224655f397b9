"""OSV client for Node packages: one batch query, then the details of each vulnerability.

Uses httpx (imported lazily). The base URL is configurable so tests can point
it at a local OSV-compatible server; nothing here retries or waits long.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor import __version__
from auditor.deps.cvss import base_score, severity_from_label, severity_of
from auditor.deps.model import Advisory, Package

DEFAULT_OSV_URL = "https://api.osv.dev"
BATCH_SIZE = 1000
MAX_DETAILS = 500


class ServiceUnavailable(Exception):
    """The vulnerability service could not be used; the message is the one-line reason."""


def query_osv(packages: Sequence[Package], *, base_url: str = DEFAULT_OSV_URL,
              timeout: float = 15.0) -> list[Advisory]:
    """Advisories affecting ``packages``, with aliases, fixed versions and CVSS-derived severity."""
    import httpx

    base = base_url.rstrip("/")
    headers = {"User-Agent": f"prodcheck/{__version__}"}
    ids_per_package: list[tuple[Package, list[str]]] = []
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            for start in range(0, len(packages), BATCH_SIZE):
                chunk = packages[start : start + BATCH_SIZE]
                body = {"queries": [{"package": {"name": p.name, "ecosystem": p.ecosystem}, "version": p.version}
                                    for p in chunk]}
                response = client.post(f"{base}/v1/querybatch", json=body)
                response.raise_for_status()
                results = response.json().get("results") or []
                for package, result in zip(chunk, results, strict=False):
                    ids = [str(v["id"]) for v in (result or {}).get("vulns") or [] if v.get("id")]
                    if ids:
                        ids_per_package.append((package, ids))
            details: dict[str, dict[str, Any]] = {}
            for _package, ids in ids_per_package:
                for vuln_id in ids:
                    if vuln_id in details or len(details) >= MAX_DETAILS:
                        continue
                    response = client.get(f"{base}/v1/vulns/{vuln_id}")
                    response.raise_for_status()
                    details[vuln_id] = response.json()
    except httpx.HTTPStatusError as exc:
        raise ServiceUnavailable(f"OSV answered HTTP {exc.response.status_code} for {exc.request.url.path}") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceUnavailable(f"OSV unreachable at {base}: {type(exc).__name__}: {exc}".rstrip(": ")) from None
    advisories: list[Advisory] = []
    for package, ids in ids_per_package:
        for vuln_id in ids:
            record = details.get(vuln_id, {"id": vuln_id})
            advisories.append(_advisory(package, record))
    return advisories


def _advisory(package: Package, record: dict[str, Any]) -> Advisory:
    score = None
    for item in record.get("severity") or []:
        if str(item.get("type", "")).startswith("CVSS_V3"):
            score = base_score(str(item.get("score", "")))
            if score is not None:
                break
    severity = severity_of(score) if score is not None else severity_from_label(
        (record.get("database_specific") or {}).get("severity"))
    fixed: list[str] = []
    for affected in record.get("affected") or []:
        if (affected.get("package") or {}).get("name") not in (None, package.name):
            continue
        for rng in affected.get("ranges") or []:
            for event in rng.get("events") or []:
                if event.get("fixed"):
                    fixed.append(str(event["fixed"]))
    summary = str(record.get("summary") or record.get("details") or "").strip().splitlines()
    return Advisory(
        package=package,
        id=str(record.get("id")),
        aliases=tuple(str(a) for a in record.get("aliases") or []),
        summary=summary[0][:200] if summary else "",
        fixed_versions=tuple(dict.fromkeys(fixed)),
        severity=severity,
        cvss_score=score,
    )
