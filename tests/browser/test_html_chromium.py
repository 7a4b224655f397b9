"""The HTML report in a real headless Chromium (Debian's ``chromium``).

Renders reports from the fixtures, loads them from file:// and checks: no
console errors or exceptions (a CSP violation would be one), no network
request besides the document itself, a screenshot artefact, working filters,
and that hostile payloads in scanned files and live findings stay text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.engine import scan
from auditor.model import Report
from auditor.options import ScanOptions
from reports import html
from tests.browser.cdp import CHROMIUM, Page, chromium_page
from tests.harness import FIXTURES, ROOT
from tests.reports_web.helpers import XSS_IMG, XSS_SCRIPT, hostile_observations, sample_report

ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it"),
]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as p:
        yield p


def _open(page: Page, report: Report, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(html.render(report), encoding="utf-8")
    page.events.clear()
    page.navigate(path.as_uri())
    assert page.wait_for("document.documentElement.getAttribute('data-filters') === 'ready'"), \
        f"the filter script did not run: {page.problems()}"
    return path


def _assert_clean(page: Page, path: Path) -> None:
    assert page.problems() == []
    requests = [u for u in page.requests() if u != path.as_uri()]
    assert requests == [], f"the report made requests: {requests}"


def test_fixture_report_renders_with_screenshot_and_working_filters(page: Page, tmp_path: Path) -> None:
    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, today="2026-01-26"))
    merged = sample_report()
    # Real scan findings plus the sample's live target and every severity, so each filter has work.
    report = type(report)(**{**report.__dict__, "results": report.results + merged.results,
                             "targets": report.targets + merged.targets[1:]})
    path = _open(page, report, tmp_path, "heydev")
    _assert_clean(page, path)
    shot = page.screenshot(ARTIFACTS / "html-report-heydev.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

    count = "document.querySelectorAll('.item[data-severity=low]').length"
    visible_low = "[...document.querySelectorAll('.item[data-severity=low]')].filter(e => !e.hidden).length"
    shown = "[...document.querySelectorAll('.item')].filter(e => e.offsetParent !== null).length"
    assert page.evaluate(count) > 0
    assert page.evaluate(visible_low) == page.evaluate(count)
    before = page.evaluate(shown)
    page.evaluate("document.querySelector('input[name=severity][value=low]').click()")
    assert page.evaluate(visible_low) == 0
    assert page.evaluate("[...document.querySelectorAll('.item[data-severity=low]')]"
                         ".every(e => e.offsetParent === null)")
    assert 0 < page.evaluate(shown) < before
    assert page.evaluate("document.getElementById('filter-count').textContent").endswith("open items shown")
    page.evaluate("document.querySelector('input[name=severity][value=low]').click()")
    assert page.evaluate(visible_low) == page.evaluate(count)

    # The area filter shows one area only.
    page.evaluate("const s = document.getElementById('filter-section'); s.value = 'security';"
                  "s.dispatchEvent(new Event('change'))")
    areas = page.evaluate("[...document.querySelectorAll('section.area')].filter(e => !e.hidden)"
                          ".map(e => e.dataset.section)")
    assert areas == ["security"]
    assert page.evaluate("[...document.querySelectorAll('.item')].filter(e => !e.hidden)"
                         ".every(e => e.dataset.section === 'security')")

    # Fix snippets are collapsible and the expand button opens them.
    assert page.evaluate("document.querySelectorAll('details.fix').length") > 0
    assert page.evaluate("[...document.querySelectorAll('details.fix')].every(d => !d.open)")
    page.evaluate("document.getElementById('expand-all').click()")
    assert page.evaluate("[...document.querySelectorAll('details.fix')].every(d => d.open)")

    # Print media hides the filters and shows filtered-out items again.
    page.call("Emulation.setEmulatedMedia", media="print")
    try:
        assert page.evaluate("getComputedStyle(document.getElementById('filters')).display") == "none"
        assert page.evaluate("[...document.querySelectorAll('section.area')]"
                             ".every(e => getComputedStyle(e).display !== 'none')")
        page.screenshot(ARTIFACTS / "html-report-heydev-print.png")
    finally:
        page.call("Emulation.setEmulatedMedia", media="")
    _assert_clean(page, path)


def _assert_not_pwned(page: Page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], [onclick]').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    body = page.evaluate("document.body.innerText")
    assert XSS_SCRIPT in body or "<script>window.__pwned=1</script>" in body


def test_xss_fixture_scan_shows_payloads_as_text(page: Page, tmp_path: Path) -> None:
    report = scan(ScanOptions(path=FIXTURES / "repos" / "xss", offline=True, today="2026-01-26"))
    path = _open(page, report, tmp_path, "xss-scan")
    _assert_clean(page, path)
    _assert_not_pwned(page)
    page.screenshot(ARTIFACTS / "html-report-xss.png")


def test_hostile_live_findings_show_as_text(page: Page, tmp_path: Path) -> None:
    # Live header values, URLs, evidence, keys, reasons and target names all carry payloads.
    report = sample_report(payload=XSS_SCRIPT + XSS_IMG)
    path = _open(page, report, tmp_path, "xss-live")
    _assert_clean(page, path)
    _assert_not_pwned(page)
    body = page.evaluate("document.body.innerText")
    assert XSS_IMG in body
    assert page.evaluate("document.querySelector('table.targets').innerText").count("window.__pwned") >= 1


def test_hostile_recorded_headers_show_as_text(page: Page, tmp_path: Path) -> None:
    observations = hostile_observations(tmp_path / "observations.json")
    report = scan(ScanOptions(from_observations=observations, today="2026-01-26"))
    text = html.render(report)
    assert "window.__pwned" in text, "payloads in live observations should reach findings"
    path = _open(page, report, tmp_path, "xss-observations")
    _assert_clean(page, path)
    _assert_not_pwned(page)


_OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')].filter(e => {
    if (e.closest('.hl pre')) return false;  // code scrolls inside its own box
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (r.right > width + 1 || r.left < -1);
  }).map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''));
  return {scrollWidth: document.documentElement.scrollWidth, width, overflowing: out.slice(0, 8)};
})()"""


@pytest.mark.parametrize(("width", "mobile"), [(1400, False), (400, True)])
def test_layout_fits_desktop_and_mobile_with_screenshots(page: Page, tmp_path: Path, width: int,
                                                         mobile: bool) -> None:
    """Score, grade and risk come first; nothing overflows the window at 1400 or 400 px (fixes expanded)."""
    report = scan(ScanOptions(path=FIXTURES / "repos" / "heydev", offline=True, today="2026-01-26"))
    merged = sample_report()
    report = type(report)(**{**report.__dict__, "results": report.results + merged.results,
                             "targets": report.targets + merged.targets[1:]})
    page.set_viewport(width, 900, mobile=mobile)
    try:
        path = _open(page, report, tmp_path, f"layout-{width}")
        _assert_clean(page, path)
        page.evaluate("document.getElementById('expand-all').click()")
        first = page.evaluate("(() => { const r = document.getElementById('grade').getBoundingClientRect();"
                              " return r.top + window.scrollY; })()")
        assert first < 300, "the grade is among the first things seen"
        assert page.evaluate("document.querySelectorAll('svg.sevchart rect.sevbar').length") > 0
        assert page.evaluate("document.querySelector('ol.actions .loc') !== null"), "priority actions carry file:line"
        layout = page.evaluate(_OVERFLOW)
        assert layout["scrollWidth"] <= layout["width"], layout
        assert layout["overflowing"] == [], layout
        shot = page.screenshot(ARTIFACTS / f"html-report-{width}px.png")
        assert shot.stat().st_size > 10_000
    finally:
        page.set_viewport(1280, 900)
