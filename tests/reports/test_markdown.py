"""The Markdown report reads like a readiness checklist and the --summary form stays small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.model import CheckResult, Section, Severity, SkipKind, SkippedFile, Status, TargetInfo
from reports.common import lower_first
from reports.markdown import render, render_summary_markdown
from reports.plan import build_plan, issues, item_hours
from tests.reports.helpers import (
    FIXTURES,
    big_report,
    finding,
    fixture_dirs,
    heydev_repo_and_live_report,
    make_report,
    meta,
    scan_dir,
)

ITEM = re.compile(r"^ *- \[ \] .*`[^`]+:\d+`", re.MULTILINE)


def _headings(text: str, level: int = 2) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", text, re.MULTILINE)


@pytest.mark.parametrize("case", fixture_dirs(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_fixture_renders_the_checklist_shape(case: Path) -> None:
    report = scan_dir(case)
    text = render(report)
    heads = _headings(text)
    assert heads[0] == "Executive Summary"
    assert heads[-3:] == [h for h in heads[-3:] if h.endswith("Priority Action Plan")] + ["Summary", "Appendix"]
    for s in report.sections:
        titled = any(h.endswith(f". {s.section.title}") for h in heads)
        assert titled == (s.status != "Not assessed"), s.section
    assert text.count("**Status**: ") == sum(1 for s in report.sections if s.status != "Not assessed")
    for result in report.failed:
        for f in result.findings:
            if f.location.anchor_only:
                assert "`repository`" in text
            elif f.location.path and f.location.line:
                assert f"`{f.location.path}:{f.location.line}`" in text
    assert "**Risk Level**: " + report.risk in text


def test_heydev_sample_reads_like_the_seed() -> None:
    repo = FIXTURES / "repos" / "heydev"
    if not repo.is_dir():
        pytest.skip("heydev sample not written yet")
    report = scan_dir(repo)
    text = render(report)
    assert text.startswith("# Production Readiness Report\n")
    for needle in ("**Assessment Date**:", "**Targets**: repository", "**Tool**: prodcheck",
                   "**Score**:", "**Grade**:", "**Risk Level**:", "**Priority Actions**:",
                   "### Immediate (this week)", "### Short-term (this month)",
                   "### Medium-term (this quarter)", "**Total estimate**:", "**Critical Priorities**:",
                   "**Risk Assessment**:", "### Files scanned", "### Checks not run"):
        assert needle in text, needle
    # Lists with entries get a heading; empty ones are named in one closing line.
    suppressed = sum(len(r.suppressed) for r in report.results)
    assert ("### Suppressed findings" in text) == bool(suppressed)
    assert bool(suppressed) or "no findings suppressed" in text
    if report.failed:
        assert ITEM.search(text), "no '- [ ]' item with file:line"
        assert "**Recommendations**:" in text
        assert "```dockerfile" in text or "```yaml" in text


def _sample_report(extra: dict | None = None) -> tuple:  # type: ignore[type-arg]
    root = meta("T-ROOT", Severity.HIGH, Section.DEPLOYMENT, title="Container runs as root", effort_hours=2)
    logs = meta("T-LOGS", Severity.MEDIUM, Section.CONFIGURATION, title="Logs grow without bound")
    ver = meta("T-VER", Severity.LOW, Section.CONFIGURATION, title="Obsolete version key")
    info = meta("T-INFO", Severity.INFO, Section.CONFIGURATION, title="Just so you know")
    ok = meta("T-OK", Severity.HIGH, Section.DEPLOYMENT, title="No healthcheck")
    f_root = finding("T-ROOT", "final stage never sets USER", path="Dockerfile", line=21, key="final")
    f_logs = [finding("T-LOGS", f"service {n} logs forever", path="compose.yaml", line=i, key=n)
              for i, n in ((3, "api"), (9, "db"), (15, "redis"))]
    results = [
        CheckResult(root, Status.FAIL, (f_root,)),
        CheckResult(logs, Status.FAIL, tuple(f_logs),
                    suppressed=(finding("T-LOGS", "service worker logs forever", path="compose.yaml", line=30),)),
        CheckResult(ver, Status.FAIL, (finding("T-VER", "version: is obsolete", path="compose.yaml", line=1),)),
        CheckResult(info, Status.FAIL, (finding("T-INFO", "fyi", path="compose.yaml", line=2),)),
        CheckResult(ok, Status.PASS),
        CheckResult(meta("T-NA", Severity.LOW, Section.DATA), Status.SKIPPED, reason="no database found"),
        CheckResult(meta("T-OFF", Severity.HIGH, Section.DEPLOYMENT), Status.SKIPPED,
                    reason="dependency audit not run (--offline); not a pass", skip_kind=SkipKind.NOT_CHECKED),
        CheckResult(meta("T-ERR", Severity.LOW, Section.OPERATIONS), Status.ERROR, reason="KeyError: 'jobs'"),
    ]
    live = TargetInfo(kind="url", value="https://127.0.0.1:8443/", tls_grade="A+", header_grade="B",
                      header_score=70)
    down = TargetInfo(kind="url", value="https://127.0.0.1:9/", error="connection refused")
    report = make_report(results, targets=(TargetInfo(kind="repo", value="."), live, down),
                         skipped_files=(SkippedFile("blob.bin", "binary file"),), extra=extra)
    return report, f_root, f_logs


def test_sections_items_plan_and_appendix() -> None:
    report, _, f_logs = _sample_report()
    text = render(report)
    assert "## 1. Deployment" in text and "## 2. Configuration" in text
    assert not any(h.endswith("Data") for h in _headings(text)) and "## 3. Priority Action Plan" in text
    assert "**Status**: Critical gaps" in text
    # A pass that only means "no mistake found" is counted, not listed as a strength.
    assert "- 1 check passed" in text and "No issue: No healthcheck" not in text
    # Each item leads with its severity.
    assert "- [ ] **high** final stage never sets USER — `Dockerfile:21` `T-ROOT`" in text
    # Several findings of one check: one parent item, one sub-item per place.
    assert "- [ ] **medium** **Logs grow without bound**: 3 findings `T-LOGS`" in text
    assert "  - [ ] **medium** service db logs forever — `compose.yaml:9`" in text
    # Recommendations carry the snippet for the detected stack (dockerfile here), fenced.
    assert "```dockerfile\nUSER app\n```" in text
    plan = text.split("Priority Action Plan", 1)[1].split("## Summary", 1)[0]
    immediate, short, medium = (plan.split("### ")[i] for i in (1, 2, 3))
    # One line per area: the area, its effort, what to fix there (titles mid-sentence).
    assert "- **Deployment** (~2 h): container runs as root" in immediate
    assert "logs grow without bound (3 findings" in short
    assert "obsolete version key" in medium
    assert "Just so you know" not in plan  # info is not an action
    assert "**Total estimate**: ~" in plan
    appendix = text.split("## Appendix", 1)[1]
    # What could not be checked is named; what had nothing to judge is only counted.
    assert "### Checks not run (1)\n- `T-OFF`: dependency audit not run (--offline); not a pass" in appendix
    assert "T-NA" not in appendix and "1 check had nothing to judge" in appendix
    # An area holding an unexamined check says so; one whose skips had nothing to judge does not.
    deployment = text.split("## 1. Deployment", 1)[1].split("\n## ", 1)[0]
    configuration = text.split("## 2. Configuration", 1)[1].split("\n## ", 1)[0]
    assert "; 1 check not run, see the appendix)" in deployment and "not run" not in configuration
    assert "`T-ERR` (Problem T-ERR): KeyError: 'jobs'" in appendix
    assert "`blob.bin`: binary file" in appendix
    assert "service worker logs forever — `compose.yaml:30`" in appendix
    # Live targets: grades per target and the unreachable one.
    assert "| `https://127.0.0.1:8443/` | A+ | B (70/100) |" in text
    assert "not scanned: connection refused" in text
    assert f_logs[0].message in text


def test_baseline_marks_existing_and_lists_resolved() -> None:
    _probe, f_root, _ = _sample_report()
    extra = {"baseline": {"existing": [f_root.fingerprint],
                          "resolved": [{"check_id": "T-GONE", "path": "old/Dockerfile", "message": "was bad"}]}}
    report, _, _ = _sample_report(extra)
    text = render(report)
    assert "- [ ] **high** final stage never sets USER — `Dockerfile:21` (existing) `T-ROOT`" in text
    assert "service api logs forever — `compose.yaml:3`\n" in text  # new: unmarked
    assert "### Baseline" in text and "1 resolved" in text
    assert "`T-GONE`: was bad — `old/Dockerfile`" in text
    summary = render_summary_markdown(report)
    assert "**Baseline**: 5 new, 1 existing, 1 resolved" in summary


def test_incomplete_grade_is_spelled_out() -> None:
    results = [CheckResult(meta("T-ERR"), Status.ERROR, reason="boom"),
               CheckResult(meta("T-OK", Severity.LOW), Status.PASS)]
    text = render(make_report(results))
    assert re.search(r"\*\*Grade\*\*: Incomplete \(\d+% of check weight ran\)", text)
    assert "Readiness could not be judged: only " in text and "ready for production" not in text


def test_summary_is_short_for_500_findings() -> None:
    report = big_report(500)
    assert len(report.findings) == 500
    summary = render_summary_markdown(report)
    assert len(summary.encode("utf-8")) < 60_000
    assert "## Executive Summary" in summary and "**Priority Actions**:" in summary
    assert "| Area | Status |" in summary and "### Findings by severity" in summary
    assert summary.count("\n1. ") == 1 and "\n5. " in summary and "\n6. " not in summary
    assert "- [ ]" not in summary  # no per-finding items in the summary
    full = render(report)
    # One item per finding; info findings are observations, one line per issue listing its places.
    info = report.counts_by_severity()[Severity.INFO]
    assert full.count("- [ ]") >= 500 - info


def test_clean_report_says_so() -> None:
    text = render(make_report([CheckResult(meta("T-OK"), Status.PASS)]))
    assert "**Priority Actions**: none" in text
    assert "**Total estimate**: nothing to do" in text


def _fences_by_section(text: str) -> dict[str, list[tuple[str, str]]]:
    """Fenced code blocks per ``## `` section of a Markdown report."""
    out: dict[str, list[tuple[str, str]]] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = block.split("\n", 1)[0]
        out[title] = re.findall(r"^(`{3,})[^\n]*\n(.*?)\n\1$", block, re.MULTILINE | re.DOTALL)
    return out


def _all_reports() -> list[tuple[str, str]]:
    reports = [(str(p.relative_to(FIXTURES)), render(scan_dir(p))) for p in fixture_dirs()]
    reports.append(("heydev repo + live", render(heydev_repo_and_live_report())))
    return reports


def test_no_snippet_twice_in_a_section_and_no_html_entities_for_area_names() -> None:
    for name, text in _all_reports():
        for section, fences in _fences_by_section(text).items():
            codes = [code for _, code in fences]
            assert len(codes) == len(set(codes)), f"{name}: a snippet repeats in '{section}'"
        assert "&amp;" not in text, name
        assert "Compliance & docs" in text or "Compliance" not in text, name


def test_identical_snippets_are_shown_once_and_referred_to() -> None:
    # The helper's checks all share one documentation, so their chosen snippets are identical.
    results = [
        CheckResult(meta("T-A", Severity.HIGH, title="First problem"), Status.FAIL, (finding("T-A", "a"),)),
        CheckResult(meta("T-B", Severity.MEDIUM, title="Second problem"), Status.FAIL, (finding("T-B", "b"),)),
    ]
    text = render(make_report(results))
    assert text.count("```dockerfile\nUSER app\n```") == 1
    assert "(same snippet as **First problem** above)" in text


def test_repo_and_live_items_are_grouped_once_with_confirmed_live() -> None:
    report = heydev_repo_and_live_report()
    text = render(report)
    items = [i for i in issues(report) if i.confirmed_live]
    titles = {i.title for i in items}
    assert {"Security headers missing", "Permissive CORS policy", "No rate limiting",
            "Health endpoint missing or shallow", "Source maps shipped to production"} <= titles
    for item in items:
        head = f"- [ ] **{item.severity.label}** **{item.title}**: "
        assert text.count(head) == 1, item.title
        block = text.split(head, 1)[1].split("\n- ", 1)[0]
        # Repository evidence first, then what the live scan confirmed.
        first_repo = block.index(f"`{item.repo_results[0].meta.id}`")
        first_live = block.index("confirmed live: ")
        assert first_repo < first_live, item.title
        for result in item.results:
            assert f"`{result.meta.id}`" in block
        # One plan entry per group.
        plan = text.split("Priority Action Plan", 1)[1].split("## Summary", 1)[0]
        assert plan.count(lower_first(item.title)) == 1, item.title
    # Neither the live header checks nor the live rate-limit probe get an item or a fix of their own.
    assert not re.search(r"^- \[ \] \*\*\w+\*\* Content-Security-Policy header not implemented", text, re.M)
    assert len(re.findall(r"- \[ \] \*\*\w+\*\* confirmed live: ", text)) >= 10
    security = text.split("## 6. Security", 1)[1].split("\n## ", 1)[0]
    assert security.count("secureHeaders()") == 1
    # A member shown in another area leaves a pointer where it belongs.
    assert "shown with **Source maps shipped to production** under 1. Deployment" in text


def test_group_effort_counts_once() -> None:
    report = heydev_repo_and_live_report()
    built = build_plan(report)
    headers = next(i for i in built.items if i.title == "Security headers missing")
    assert headers.grouped and headers.hours == max(
        item_hours(r.meta.effort_hours, max(len(r.findings), 1)) for r in headers.results)
    assert built.hours == sum(i.hours for i in built.items)
    # Every actionable failing check is planned exactly once (an info member may ride along with its group).
    planned = [id(r) for i in built.items for r in i.results]
    assert len(planned) == len(set(planned))
    assert {id(r) for r in report.failed if r.worst_severity > Severity.INFO} <= set(planned)


def test_title_block_prints_the_date_only() -> None:
    text = render(make_report([CheckResult(meta("T-OK"), Status.PASS)]))
    assert "**Assessment Date**: 2026-01-26  \n" in text
    assert "2026-01-26T00:00:00Z" not in text.split("## Executive Summary", 1)[0]


def test_appendix_groups_files_by_folder_and_low_items_get_no_snippet() -> None:
    from auditor.engine import scan
    from auditor.options import ScanOptions
    from tests.harness import FIXTURES

    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, today="2026-01-26"))
    text = render(report)
    appendix = text.split("## Appendix", 1)[1]
    server_files = sum(1 for p in report.scanned_files if p.startswith("server/"))
    assert f"`server/` ({server_files} files)" in appendix
    assert "`Dockerfile`, " in appendix and "`server/src/index.ts`" not in appendix
    # Plain words keep their underscores; intraword underscores never read as emphasis.
    assert "SESSION_SECRET" in text and "SESSION\\_SECRET" not in text
    delivery = text.split("## 4. Delivery", 1)[1].split("\n## ", 1)[0]
    assert "**low**" in delivery and "```" not in delivery, "low items get the one-line fix, not a snippet"
    # A low item whose fix is written only as a snippet keeps it: its head alone would tell nothing.
    observability = text.split("## 7. Observability", 1)[1].split("\n## ", 1)[0]
    assert "**No request or correlation id**\n\n```ts\nimport { requestId } from 'hono/request-id';" in observability
    assert not re.search(r"^\*\*[^*\n]+\*\*\n\n(?!```)", text, re.MULTILINE), "a recommendation head with no fix"


def test_compose_fix_snippets_use_the_repository_service_name() -> None:
    """A snippet's example service ('api') becomes the service the findings name, in md and html."""
    from auditor.engine import scan
    from auditor.options import ScanOptions
    from reports import html
    from tests.harness import FIXTURES

    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, today="2026-01-26"))
    text = render(report)
    # The area's compose fixes for that service are one block, as in the seed.
    block = text.split("services:\n  server:\n", 1)[1].split("```", 1)[0]
    assert "    logging: *default-logging" in block and "    deploy:" in block and "SESSION_SECRET" in block
    assert "services:\n  api:\n    logging" not in text
    page = html.render(report)
    assert '<span class="nt">server</span>' in page and '<span class="nt">api</span>' not in page


def test_heydev_report_is_shorter_and_reads_like_the_seed() -> None:
    """Measured with `prodcheck scan fixtures/repos/heydev --format md`: 27,408 bytes before one view.

    25.6 KB after it; 26.7 KB once APP-PUBLIC-KEY-WRITE added a true finding with its fix (empty
    appendix lists now take one line); 26.99 KB once two new checks (APP-START-FAILURE-SWALLOWED,
    COMPOSE-ADMIN-UI-EXPOSED) each added a one-line "skipped" entry to the appendix, 27.06 KB once
    DOCKER-EOL-IMAGE's pass added a strength, 27.17 KB once DOCKER-SIGTERM-NOT-FORWARDED added its
    one-line "skipped" entry; 25.2 KB once the appendix listed only checks that could not look (not
    the ones with nothing to judge), strengths were capped at five and suppressed findings grouped by
    reason. The bound is a regression guard, not the issue's target.
    """
    from auditor.engine import scan
    from auditor.options import ScanOptions

    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, today="2026-01-26"))
    text = render(report)
    # The bound must not depend on where the checkout lives: the target's absolute path is in the
    # report, so it is measured as if the repository sat at a fixed, short path.
    measured = text.replace(str((FIXTURES / "repos" / "heydev").resolve()), "/repo/heydev")
    assert len(measured.encode("utf-8")) < 25_400
    # Each item leads with its severity, sub-items too.
    items = [line for line in text.splitlines() if line.lstrip().startswith("- [ ]")]
    assert items and all(re.match(r"^ *- \[ \] \*\*(critical|high|medium|low|info)\*\* ", line) for line in items)
    # No escaped underscores in plain words, no "no X found" strengths listed one by one.
    assert not re.search(r"[A-Za-z0-9]\\_[A-Za-z0-9]", text)
    strengths = [line for block in text.split("**Strengths**:")[1:] for line in block.split("\n\n", 1)[0].splitlines()]
    assert not any(line.startswith("- No ") for line in strengths)
    # The summary counts the blockers and gives the timeline; it does not list the plan's titles again.
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    plan = build_plan(report)
    assert sum(lower_first(item.title) in summary for item in plan.items) <= 1
    assert "**Timeline**: this week: 6 items" in summary
    # The plan is one line per area per horizon; ids are in the sections, not repeated there.
    section = text.split("Priority Action Plan", 1)[1].split("## Summary", 1)[0]
    assert "`OPS-NO-BACKUP`" not in section and "- **Data** (~" in section


def test_first_sentence_and_info_observations() -> None:
    from reports.markdown import first_sentence

    assert first_sentence("Use a logger (e.g. pino). Then ship it.") == "Use a logger (e.g. pino)."
    assert first_sentence("One sentence only") == "One sentence only"
    report, _, _ = _sample_report()
    text = render(report)
    # An info issue is one line with its places: an observation, not an action.
    assert "- [ ] **info** fyi — `compose.yaml:2` `T-INFO`" in text


def test_skipped_files_sharing_a_reason_share_a_line() -> None:
    # A Next.js app's 81 client components are one line with a count; a lone skip keeps its own line.
    client = tuple(SkippedFile(f"src/app/c{i}.tsx", "browser code ('use client' component) is not judged as server code")
                   for i in range(5))
    report = make_report([], targets=(TargetInfo(kind="repo", value="."),),
                         skipped_files=(*client, SkippedFile("blob.bin", "binary file")))
    text = render(report)
    assert "### Files skipped (6)" in text
    assert ("- 5 files: browser code ('use client' component) is not judged as server code "
            "(`src/app/c0.tsx`, `src/app/c1.tsx`, `src/app/c2.tsx` and 2 more)") in text
    assert "- `blob.bin`: binary file" in text
    assert "c3.tsx" not in text
