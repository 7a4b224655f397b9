"""Unit tests of the HTTP half: observation JSON, header grade, cookie parsing, --resolve, SSL_CERT_FILE."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from auditor.live.headers_grade import grade_for, grade_headers
from auditor.live.http_fetch import parse_resolve
from auditor.live.http_probe import parse_cookie
from auditor.live.observations import load_observations, save_observations
from auditor.live.session import observe_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "fixtures" / "apps"))

import _dualserver  # noqa: E402
import heydev_hardened  # noqa: E402

EMULATION = ROOT / "fixtures" / "live" / "HDR-CSP" / "heydev" / "observations.json"
HARDENED = ROOT / "fixtures" / "live" / "HDR-CSP" / "hardened" / "observations.json"


def test_observations_round_trip(tmp_path: Path) -> None:
    targets = load_observations(EMULATION)
    out = tmp_path / "o.json"
    save_observations(targets, out)
    assert load_observations(out) == targets
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([t.to_dict() for t in targets]))
    assert load_observations(bare) == targets


def test_header_grade_matches_observatory_arithmetic() -> None:
    (emulation,) = load_observations(EMULATION)
    (hardened,) = load_observations(HARDENED)
    assert emulation.http is not None and hardened.http is not None
    bad = grade_headers(emulation.http, https=True)
    # CSP -25, redirection -20, HSTS -20, XCTO -5, XFO -20 = 10. CORS costs nothing: the
    # Observatory's foreign origin gets '*' (public access), not a reflection.
    assert (bad.score, bad.grade) == (10, "F")
    cors = next(t for t in bad.tests if t.name == "cross-origin-resource-sharing")
    assert cors.modifier == 0
    good = grade_headers(hardened.http, https=True)
    # Bonuses count because nothing was deducted: CSP +10, Referrer +5, XFO via CSP +5, CORP +10.
    assert (good.score, good.grade) == (130, "A+")


@pytest.mark.parametrize(("score", "grade"), [(100, "A+"), (94, "A"), (85, "A-"), (84, "B+"), (70, "B"),
                                              (65, "B-"), (60, "C+"), (50, "C"), (45, "C-"), (40, "D+"),
                                              (30, "D"), (25, "D-"), (24, "F"), (-10, "F")])
def test_grade_bands(score: int, grade: str) -> None:
    assert grade_for(score) == grade


def test_cookie_parsing_drops_values() -> None:
    cookie = parse_cookie("__Host-sid=s3cr3tvalue; Path=/; Secure; HttpOnly; SameSite=Lax")
    assert (cookie.name, cookie.secure, cookie.httponly, cookie.samesite, cookie.prefix) == (
        "__Host-sid", True, True, "Lax", "__Host-")
    assert "s3cr3t" not in repr(cookie)
    assert parse_cookie("a=b; SameSite=Bogus").raw_samesite_invalid


def test_parse_resolve() -> None:
    assert parse_resolve(["example.test:443:127.0.0.1"]) == {("example.test", 443): "127.0.0.1"}
    with pytest.raises(ValueError):
        parse_resolve(["nonsense"])


@pytest.mark.network_local
def test_resolve_and_ssl_cert_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.live.certs import make_ca, make_leaf

    ca = make_ca(tmp_path)
    leaf = make_leaf(ca, tmp_path, names=("heydev.test", "localhost", "127.0.0.1"))
    server = _dualserver.DualServer(0, heydev_hardened.app, _dualserver.server_context(leaf.cert_path, leaf.key_path))
    server.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_path))
    try:
        url = f"https://heydev.test:{server.port}"
        target = observe_url(url, {"resolve": [f"heydev.test:{server.port}:127.0.0.1"], "timeout": 5,
                                   "no_burst": True})
    finally:
        server.stop()
    assert target.error is None, target.error
    assert target.http is not None and target.http.verify_error is None  # trusted via SSL_CERT_FILE, name kept
    assert target.http.page.status == 200
    assert target.http.http is not None and target.http.http.hops[-1].url.startswith("https://heydev.test:")
