"""Profile: a distribution's operator-side concerns are advice at info; the config overrides the guess."""

from __future__ import annotations

from pathlib import Path

from auditor.docs import parse_doc
from auditor.engine import scan
from auditor.model import CheckMeta, CheckResult, Finding, Section, Severity, Status, Target
from auditor.options import ScanOptions
from auditor.profile import DISTRIBUTION, SERVICE, Profile, apply_profile, guess_profile
from auditor.project import Project
from auditor.settings import SettingsError, resolve_settings


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_template_readme_makes_a_distribution(tmp_path: Path) -> None:
    root = _write(tmp_path, {"README.md": "# Full Stack Starter Template\n\nCopy it and build your app.\n"})
    profile = guess_profile(Project(root))
    assert profile.name == DISTRIBUTION and "template" in profile.reason


def test_published_image_with_install_docs_makes_a_distribution(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        "README.md": "# Vault\n\nSelf-host it:\n\n    docker run -p 3000:3000 acme/vault\n",
        ".github/workflows/release.yml": "jobs:\n  a:\n    steps:\n      - uses: docker/build-push-action@v6\n",
    })
    assert guess_profile(Project(root)).name == DISTRIBUTION
    assert guess_profile(Project(root), "service") == Profile(SERVICE, "set by the configuration (profile:)")


def test_plain_service(tmp_path: Path) -> None:
    root = _write(tmp_path, {"README.md": "# Orders API\n\nRuns our checkout.\n"})
    assert guess_profile(Project(root)).name == SERVICE


def test_apply_profile_demotes_operator_side_checks_only() -> None:
    def result(cid: str) -> CheckResult:
        meta = CheckMeta(cid, "t", Severity.MEDIUM, Section.OPERATIONS, Target.REPO, parse_doc("t", "t"),
                         operator_side=cid == "DOCS-RUNBOOK")
        return CheckResult(meta, Status.FAIL, (Finding("no runbook", key="k"),))

    out = apply_profile([result("DOCS-RUNBOOK"), result("CI-NO-TEST-STEP")], Profile(DISTRIBUTION, "why"))
    assert out[0].meta.severity is Severity.INFO and out[0].findings[0].severity is Severity.INFO
    assert "operators" in out[0].findings[0].message
    assert out[1].meta.severity is Severity.MEDIUM
    assert apply_profile(out, Profile(SERVICE, "why")) == out


def test_report_names_the_profile_and_config_validates_it(tmp_path: Path) -> None:
    root = _write(tmp_path, {"README.md": "# Boilerplate for APIs\n", ".prodcheck.yaml": "profile: service\n"})
    settings = resolve_settings(root=root, config_path=None, cli={}, environ={})
    report = scan(settings.scan_options(path=root, urls=()))
    assert "profile: service (set by the configuration (profile:))" in report.notes
    _write(tmp_path, {".prodcheck.yaml": "profile: hosted\n"})
    try:
        resolve_settings(root=root, config_path=None, cli={}, environ={})
    except SettingsError as exc:
        assert "choose from service, distribution" in str(exc)
    else:
        raise AssertionError("an unknown profile must be a configuration error")


def test_scan_options_default_profile_is_guessed(tmp_path: Path) -> None:
    assert ScanOptions(path=tmp_path).profile is None
