"""Profile: who operates what the repository ships decides whether operator concerns are findings."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.docs import parse_doc
from auditor.engine import scan
from auditor.model import CheckMeta, CheckResult, Finding, Section, Severity, Status, Target
from auditor.options import ScanOptions
from auditor.profile import (
    DISTRIBUTION,
    SERVICE,
    TEMPLATE,
    Profile,
    ProfileFacts,
    apply_profile,
    decide_profile,
    guess_profile,
)
from auditor.project import Project
from auditor.settings import SettingsError, resolve_settings
from reports.json_report import render as render_json
from tests.harness import write_tree


def test_template_readme_makes_a_template(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"README.md": "# Full Stack Starter Template\n\nCopy it and build your app.\n"})
    profile = guess_profile(Project(root))
    assert profile.name == TEMPLATE and "starter" in profile.reason


def test_published_image_with_install_docs_makes_a_distribution(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "README.md": "# Vault\n\n## Self-hosting\n\n    docker run -p 3000:3000 acme/vault\n",
        ".github/workflows/release.yml": "jobs:\n  a:\n    steps:\n      - uses: docker/build-push-action@v6\n",
    })
    profile = guess_profile(Project(root))
    assert profile.name == DISTRIBUTION and "release.yml" in profile.reason and "README.md" in profile.reason
    assert guess_profile(Project(root), "service") == Profile(SERVICE, "set by the configuration (profile:)")


def test_install_docs_may_live_in_a_docs_folder(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "README.md": "# Checks\n\nCron monitoring.\n",
        "docker/README.md": "# Running with Docker\n\n    docker compose up -d\n",
        ".github/workflows/publish.yml": "steps:\n  - run: docker push acme/checks:1.0\n",
    })
    assert guess_profile(Project(root)).name == DISTRIBUTION


def test_the_decision_is_a_pure_function_of_the_facts() -> None:
    assert decide_profile(ProfileFacts(publishes_images="cd.yml")).name == SERVICE  # images alone: no install docs
    both = ProfileFacts(publishes_images="cd.yml", install_docs="README.md")
    assert decide_profile(both).name == DISTRIBUTION
    hosted = ProfileFacts(publishes_images="cd.yml", install_docs="README.md", deploys_service="deploy.yml")
    assert decide_profile(hosted).name == SERVICE and "deploy.yml" in decide_profile(hosted).reason
    # A template's own demo deployment does not make its adopters' copies hosted.
    assert decide_profile(ProfileFacts(template_words="boilerplate", deploys_service="deploy.yml")).name == TEMPLATE
    assert decide_profile(ProfileFacts(template_words="template"), "service").name == SERVICE


def test_plain_service(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"README.md": "# Orders API\n\nRuns our checkout.\n"})
    assert guess_profile(Project(root)).name == SERVICE


def _result(cid: str, **meta: bool) -> CheckResult:
    doc = parse_doc("t", "t")
    check = CheckMeta(cid, "t", Severity.MEDIUM, Section.OPERATIONS, Target.REPO, doc, **meta)
    return CheckResult(check, Status.FAIL, (Finding("no runbook", key="k", check_id=cid),))


def test_organisational_concerns_become_advice_not_findings() -> None:
    results = [_result("DOCS-RUNBOOK", organisational=True), _result("APP-METRICS", operator_side=True),
               _result("DOCS-SECURITY-POLICY", adopter_side=True), _result("CI-NO-TEST-STEP")]
    out, records = apply_profile(results, Profile(DISTRIBUTION, "it publishes images"))
    runbook, metrics, policy, tests = out
    assert runbook.status is Status.SKIPPED and not runbook.findings and len(runbook.suppressed) == 1
    assert "advice for the operators" in runbook.reason and "it publishes images" in runbook.reason
    assert [r.check_id for r in records] == ["DOCS-RUNBOOK"] and records[0].source == "profile: distribution"
    # A capability in the code stays a finding, at info, as advice.
    assert metrics.status is Status.FAIL and metrics.findings[0].severity is Severity.INFO
    assert "advice for the operators" in metrics.findings[0].message
    # Governance stays a finding for a distribution: its maintainers receive the reports.
    assert policy.status is Status.FAIL and policy.findings[0].severity is None
    assert tests == results[3]


def test_a_template_also_hands_its_governance_to_adopters() -> None:
    results = [_result("DOCS-SECURITY-POLICY", adopter_side=True), _result("CI-NO-TEST-STEP")]
    out, records = apply_profile(results, Profile(TEMPLATE, "the README says boilerplate"))
    assert out[0].status is Status.SKIPPED and "teams adopting this template" in records[0].reason
    assert out[1] == results[1]


def test_a_service_is_judged_in_full() -> None:
    results = [_result("DOCS-RUNBOOK", organisational=True), _result("APP-METRICS", operator_side=True)]
    assert apply_profile(results, Profile(SERVICE, "why")) == (results, [])


def test_advice_is_listed_in_the_report_with_its_reason(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        "README.md": "# Acme API boilerplate\n\nStart your service from here.\n",
        "Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "app"]\n',
    })
    report = scan(ScanOptions(path=root, only_checks=frozenset({"DOCS-INCIDENT-RESPONSE"})))
    result = next(r for r in report.results if r.meta.id == "DOCS-INCIDENT-RESPONSE")
    assert result.status is Status.SKIPPED and not result.findings
    data = json.loads(render_json(report))
    assert not data["findings"]
    advice = [f for f in data["suppressed"] if f["check_id"] == "DOCS-INCIDENT-RESPONSE"]
    assert advice and "teams adopting this template" in json.dumps(data)
    assert any(n.startswith("profile: template") for n in report.notes)


def test_report_names_the_profile_and_config_validates_it(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"README.md": "# Boilerplate for APIs\n", ".prodcheck.yaml": "profile: service\n"})
    settings = resolve_settings(root=root, config_path=None, cli={}, environ={})
    report = scan(settings.scan_options(path=root, urls=()))
    assert "profile: service (set by the configuration (profile:))" in report.notes
    write_tree(tmp_path, {".prodcheck.yaml": "profile: template\n"})
    assert resolve_settings(root=root, config_path=None, cli={}, environ={}).profile == "template"
    write_tree(tmp_path, {".prodcheck.yaml": "profile: hosted\n"})
    try:
        resolve_settings(root=root, config_path=None, cli={}, environ={})
    except SettingsError as exc:
        assert "choose from service, distribution, template" in str(exc)
    else:
        raise AssertionError("an unknown profile must be a configuration error")


def test_scan_options_default_profile_is_guessed(tmp_path: Path) -> None:
    assert ScanOptions(path=tmp_path).profile is None
