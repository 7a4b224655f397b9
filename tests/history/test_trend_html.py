"""The trend page: autoescaped, self-contained, and laid out in headless Chromium at two widths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.history.regressions import Regression
from auditor.history.store import TrendRow
from auditor.model import Severity
from reports.history_trend import render_html, render_json, render_text
from tests.browser.cdp import CHROMIUM, Page, chromium_page

HOSTILE = "https://evil.test/<script>alert(1)</script>"


def _rows() -> list[TrendRow]:
    rows = []
    for target in ("https://site.test", HOSTILE):
        for i in range(40):
            regs = (Regression("cert-expiry", Severity.CRITICAL, target, "expires <img src=x onerror=alert(2)>"),) \
                if i == 30 else ()
            rows.append(TrendRow(
                run_id=i + 1, stamped_at=f"2026-01-{1 + i % 28:02d}T03:17:00.000000Z", target=target,
                reachable=i != 20, score=90.0 - i % 7, grade="AB"[i % 2], tls_grade="A", header_grade="B",
                days_left=60 - i, counts={"critical": 0, "high": i % 3, "medium": 2, "low": 1, "info": 0},
                regressions=regs, error="refused" if i == 20 else None))
    return rows


def test_stored_text_is_escaped_and_nothing_is_loaded() -> None:
    page = render_html(_rows())
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<svg") == 6 and page.count("<polyline") == 4 and "<rect" in page
    assert "default-src &#39;none&#39;" in page and "src=\"http" not in page and "href=" not in page


def test_text_and_json_views() -> None:
    text = render_text(_rows())
    assert "unreachable: refused" in text and "1 (cert-expiry)" in text and "60d" in text
    assert "\x1b" not in text
    assert render_text([]).startswith("no runs recorded")
    assert '"days_to_expiry": 60' in render_json(_rows())


browser = pytest.mark.skipif(not CHROMIUM.exists(),
                             reason=f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it")


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with chromium_page() as p:
        yield p


@browser
@pytest.mark.browser
@pytest.mark.parametrize(("width", "mobile"), [(1280, False), (390, True)])
def test_trend_page_in_chromium(page: Page, tmp_path: Path, width: int, mobile: bool) -> None:
    path = tmp_path / "trend.html"
    path.write_text(render_html(_rows()), encoding="utf-8")
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=mobile)
    page.events.clear()
    page.navigate(path.as_uri())
    assert page.wait_for("document.readyState === 'complete'")
    assert page.problems() == []  # no console error, no CSP violation
    assert [u for u in page.requests() if u != path.as_uri()] == []
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.evaluate("document.querySelectorAll('svg').length") == 6
    # Every chart is drawn at a real size and fits the viewport; the page never scrolls sideways.
    widths = page.evaluate("Array.from(document.querySelectorAll('svg')).map(s => s.getBoundingClientRect().width)")
    assert all(0 < w <= width for w in widths)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")  # the CSS applied
    heading = page.evaluate("document.querySelectorAll('h2')[1].textContent")
    assert heading == HOSTILE
