"""The JSON Schema of observations.json: current, and true of every file prodcheck writes or ships."""

from __future__ import annotations

import copy
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from auditor.engine import scan
from auditor.live import observations_schema
from auditor.live.observations import LiveTarget, load_observations
from auditor.options import ScanOptions

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "fixtures" / "apps"
RECORDED = sorted((ROOT / "fixtures" / "live").rglob("observations.json"))


def _committed() -> dict[str, Any]:
    # Read as installed package data, the way a user of the wheel would find it.
    text = resources.files("auditor.live").joinpath("observations.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator() -> Any:
    schema = _committed()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(document: Any) -> list[str]:
    """Every violation with its path, the ones under the top-level oneOf included."""
    found: list[str] = []
    pending = list(_validator().iter_errors(document))
    while pending:
        error = pending.pop()
        found.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message}")
        pending.extend(error.context or ())
    return found


def test_committed_schema_is_current() -> None:
    assert observations_schema.SCHEMA_PATH.read_text(encoding="utf-8") == observations_schema.render_schema(), \
        "observations.schema.json is stale: run python -m auditor.live.observations_schema"
    assert observations_schema.main(["--check"]) == 0


def test_schema_lists_every_field_of_the_model() -> None:
    defs = _committed()["$defs"]
    assert set(defs["LiveTarget"]["properties"]) == set(LiveTarget.__dataclass_fields__)
    assert defs["LiveTarget"]["required"] == ["url"]
    assert {"HttpObservation", "PageObservation", "Hop", "CookieObservation", "CorsObservation", "CorsProbe",
            "EndpointObservation", "AssetObservation", "BurstObservation", "ScriptRef", "TlsObservation",
            "CipherObservation", "CertificateObservation"} <= set(defs)
    assert all(d["additionalProperties"] is False for d in defs.values())
    # A header is exactly [name, value].
    header = defs["PageObservation"]["properties"]["headers"]["items"]
    assert header["prefixItems"] == [{"type": "string"}, {"type": "string"}] and header["items"] is False
    assert defs["TlsObservation"]["properties"]["vulnerabilities"]["additionalProperties"] == \
        {"type": ["boolean", "null"]}


@pytest.mark.parametrize("path", RECORDED, ids=[str(p.relative_to(ROOT / "fixtures" / "live")) for p in RECORDED])
def test_recorded_fixture_validates(path: Path) -> None:
    assert _errors(json.loads(path.read_text(encoding="utf-8"))) == []


def test_fixtures_were_found() -> None:
    assert len(RECORDED) > 50


@pytest.mark.network_local
def test_observations_saved_from_a_real_scan_validate(tmp_path: Path) -> None:
    sys.path.insert(0, str(APPS))
    import _dualserver
    import heydev_emulation

    bundle, cert, key = _dualserver.test_pki(tmp_path / "pki")
    server = _dualserver.DualServer(0, heydev_emulation.app, _dualserver.server_context(cert, key)).start()
    try:
        saved = tmp_path / "obs.json"
        scan(ScanOptions(urls=(f"https://localhost:{server.port}",),
                         live={"ca_bundle": str(bundle), "timeout": 5}, save_observations=saved))
    finally:
        server.stop()
    document = json.loads(saved.read_text(encoding="utf-8"))
    (target,) = document["targets"]
    # The scan reached both halves, so the document exercises the TLS and the HTTP definitions.
    assert target["tls"]["certificate"] is not None and target["tls"]["ciphers"]
    assert target["http"]["page"]["headers"] and target["http"]["assets"] and target["http"]["cors"]
    assert _errors(document) == []
    assert load_observations(saved)[0].url == target["url"]


def _sample() -> dict[str, Any]:
    path = next(p for p in RECORDED if "HDR-CSP/heydev" in p.as_posix())
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert _errors(document) == []
    return document


def test_a_wrong_type_fails() -> None:
    document = _sample()
    wrong = copy.deepcopy(document)
    wrong["targets"][0]["http"]["page"]["status"] = "200"
    assert any("page/status" in e for e in _errors(wrong))
    pair = copy.deepcopy(document)
    pair["targets"][0]["http"]["page"]["headers"].append(["x-only-a-name"])
    assert any("page/headers/" in e and "too short" in e for e in _errors(pair))
    boolean = copy.deepcopy(document)
    boolean["targets"][0]["http"]["is_html"] = 1
    assert any(e.startswith("targets/0/http/is_html:") for e in _errors(boolean))


def test_an_unknown_key_fails() -> None:
    document = _sample()
    nested = copy.deepcopy(document)
    nested["targets"][0]["http"]["page"]["statsu"] = 200
    assert any("statsu" in e for e in _errors(nested))
    top = copy.deepcopy(document)
    top["comment"] = "hand-edited"
    assert any("'comment' was unexpected" in e for e in _errors(top))


def test_a_missing_required_key_or_a_newer_version_fails() -> None:
    document = _sample()
    no_url = copy.deepcopy(document)
    del no_url["targets"][0]["url"]
    assert any("'url' is a required property" in e for e in _errors(no_url))
    newer = copy.deepcopy(document)
    newer["schema_version"] = 99
    assert any(e.startswith("schema_version:") for e in _errors(newer))
    # A bare list of targets is a document too, as the loader accepts it.
    assert _errors(document["targets"]) == []
