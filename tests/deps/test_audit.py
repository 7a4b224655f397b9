"""Dependency audits end to end against local OSV and PyPI-JSON servers (never the internet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.deps.model import observations_from_dict, observations_to_dict
from auditor.deps.osv import query_osv
from auditor.deps.pip_audit_adapter import audit_python
from auditor.deps.probe import observe_dependencies
from auditor.model import Severity
from auditor.project import Project
from tests.deps.servers import osv_server, pypi_server
from tests.reports.helpers import validate_json_report


def repo(tmp_path: Path) -> Path:
    (tmp_path / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": {
        "": {"name": "app"}, "node_modules/lodash": {"version": "4.17.20"},
        "node_modules/minimist": {"version": "1.2.5"}, "node_modules/hono": {"version": "4.6.12"}}}))
    (tmp_path / "requirements.txt").write_text("jinja2==2.11.2\nflask==3.0.0\nnot-on-pypi==1.0\nrequests>=2\n")
    return tmp_path


def test_osv_batch_details_aliases_and_cvss() -> None:
    from auditor.deps.model import Package as Pkg

    with osv_server() as url:
        advisories = query_osv([Pkg("lodash", "4.17.20", "npm", "package-lock.json"),
                                Pkg("hono", "4.6.12", "npm", "package-lock.json")], base_url=url)
    [adv] = advisories
    assert (adv.id, adv.aliases, adv.fixed_versions) == ("GHSA-35jh-r3h4-6jhm", ("CVE-2021-23337",), ("4.17.21",))
    assert adv.cvss_score == 7.2 and adv.severity is Severity.HIGH


def test_pip_audit_adapter_against_local_pypi() -> None:
    from auditor.deps.model import Package as Pkg

    with pypi_server() as url:
        advisories, skipped = audit_python([Pkg("jinja2", "2.11.2", "PyPI", "requirements.txt"),
                                            Pkg("flask", "3.0.0", "PyPI", "requirements.txt"),
                                            Pkg("not-on-pypi", "1.0", "PyPI", "requirements.txt")], base_url=url)
    [adv] = advisories
    assert adv.id == "PYSEC-2021-66" and set(adv.aliases) == {"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"}
    assert adv.fixed_versions == ("2.11.3",)
    assert len(skipped) == 1 and skipped[0].startswith("not-on-pypi: Dependency not found on PyPI")


def test_probe_records_errors_for_unreachable_services(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    observations = observe_dependencies(Project(repo(tmp_path)), osv_url=dead, pypi_url=dead + "/pypi", timeout=2)
    assert observations["npm"].error and "OSV unreachable" in observations["npm"].error
    assert observations["PyPI"].error and "unreachable" in observations["PyPI"].error
    assert observations_from_dict(json.loads(json.dumps(observations_to_dict(observations)))) == observations


def _scan(path: Path, *extra: str, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    out = path.parent / f"report-{len(extra)}-{len(env)}.json"
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("PRODCHECK_")}, **env}
    proc = subprocess.run([sys.executable, "-m", "auditor", "scan", str(path), "--format", "json", "--output",
                           str(out), "-q", *extra], capture_output=True, text=True, env=full_env, timeout=120,
                          check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return validate_json_report(out.read_text())


def _result(report: dict, check_id: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in report["results"] if r["check_id"] == check_id)


def test_cli_reports_vulnerabilities_with_ids_and_fixes(tmp_path: Path) -> None:
    path = repo(_mk(tmp_path / "r"))
    with osv_server() as osv, pypi_server() as pypi:
        report = _scan(path, env={"PRODCHECK_OSV_URL": osv, "PRODCHECK_PYPI_URL": pypi})
    node = [f for f in report["findings"] if f["check_id"] == "DEPS-NODE-VULNS"]
    assert {f["message"] for f in node} == {
        "lodash 4.17.20: Command Injection in lodash (CVSS 7.2); fixed in 4.17.21",
        "minimist 1.2.5: Prototype Pollution in minimist (CVSS 9.8); fixed in 0.2.4, 1.2.6",
    }
    assert {f["severity"] for f in node} == {"high", "critical"}
    py = [f for f in report["findings"] if f["check_id"] == "DEPS-PYTHON-VULNS"]
    assert [(f["location"]["path"], f["location"]["line"]) for f in py] == [("requirements.txt", 1)]
    assert "fixed in 2.11.3" in py[0]["message"]


def test_offline_skips_and_unreachable_errors_never_pass(tmp_path: Path) -> None:
    path = repo(_mk(tmp_path / "r"))
    offline = _scan(path, "--offline", env={})
    assert _result(offline, "DEPS-NODE-VULNS")["status"] == "skipped"
    assert "--offline" in _result(offline, "DEPS-NODE-VULNS")["reason"]
    dead = {"PRODCHECK_OSV_URL": "http://127.0.0.1:9", "PRODCHECK_PYPI_URL": "http://127.0.0.1:9/pypi"}
    broken = _scan(path, "--timeout", "2", env=dead)
    for check_id in ("DEPS-NODE-VULNS", "DEPS-PYTHON-VULNS"):
        result = _result(broken, check_id)
        assert result["status"] == "error", result
        assert "unreachable" in result["reason"]


def _mk(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


@pytest.mark.parametrize("check_id", ["DEPS-NODE-VULNS", "DEPS-PYTHON-VULNS"])
def test_checks_are_security_checks(check_id: str) -> None:
    from tests.harness import registry

    spec = registry().resolve(check_id)
    assert spec is not None and spec.meta.security and spec.meta.severity is Severity.HIGH
