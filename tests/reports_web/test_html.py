"""The HTML report: self-contained, escaped, shaped like the Markdown report."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.engine import scan
from auditor.options import ScanOptions
from reports import html
from reports.plan import issues
from tests.harness import FIXTURES
from tests.reports.helpers import heydev_repo_and_live_report
from tests.reports_web.helpers import XSS_IMG, XSS_SCRIPT, sample_report

URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "xlink:href", "srcset",
             "background", "manifest", "ping", "cite", "longdesc"}


class _Collector(HTMLParser):
    """Every tag with its attributes, plus raw script/style text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.raw else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in].append(data)


def _parse(text: str) -> _Collector:
    parser = _Collector()
    parser.feed(text)
    return parser


def _scan_html(name: str) -> str:
    return html.render(scan(ScanOptions(path=FIXTURES / "repos" / name, offline=True, today="2026-01-26")))


def assert_self_contained(text: str) -> None:
    """No attribute loads anything but a fragment or a data: URI; CSS imports nothing."""
    doc = _parse(text)
    for tag, attrs in doc.tags:
        for name, value in attrs.items():
            if name in URL_ATTRS and value is not None:
                assert value.startswith(("#", "data:")), f"<{tag} {name}={value!r}> loads a resource"
            assert not name.startswith("on"), f"inline event handler <{tag} {name}>"
        if tag in ("link",):
            assert attrs.get("rel") == "icon" and attrs.get("href") == "data:,", attrs
        assert tag not in ("iframe", "object", "embed", "img", "base", "frame"), tag
    css = "".join(doc.raw["style"])
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?(?!data:)", css), "stylesheet loads a URL"
    assert "@font-face" not in css
    script = "".join(doc.raw["script"])
    for api in ("fetch(", "XMLHttpRequest", "WebSocket", "importScripts", "sendBeacon", "import("):
        assert api not in script


@pytest.mark.parametrize("name", ["heydev", "hardened", "xss"])
def test_fixture_reports_are_self_contained(name: str) -> None:
    text = _scan_html(name)
    assert text.startswith("<!DOCTYPE html>")
    assert_self_contained(text)


def test_sample_report_is_self_contained() -> None:
    assert_self_contained(html.render(sample_report()))


def test_csp_allows_exactly_the_inline_blocks() -> None:
    text = html.render(sample_report())
    doc = _parse(text)
    csp = next(a["content"] for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "unsafe" not in csp
    for kind, directive in (("style", "style-src"), ("script", "script-src")):
        blocks = doc.raw[kind]
        assert len(blocks) == 1
        digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    # Inline style attributes would be blocked by that policy, so there must be none.
    assert not [t for t, a in doc.tags if "style" in a]


def test_payloads_are_escaped_everywhere() -> None:
    text = html.render(sample_report(payload=XSS_SCRIPT + XSS_IMG))
    assert "window.__pwned" in text  # the payload is shown ...
    assert "<script>window" not in text.lower()  # ... but never as markup
    doc = _parse(text)
    assert [t for t, _ in doc.tags if t == "script"] == ["script"]
    assert not [t for t, _ in doc.tags if t == "img"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text


def test_xss_fixture_scan_is_escaped() -> None:
    text = _scan_html("xss")
    assert "window.__pwned" in text, "the fixture's payloads should reach the report"
    assert "<script>window" not in text.lower()
    assert not [t for t, _ in _parse(text).tags if t == "img"]


def test_report_shape() -> None:
    report = sample_report()
    text = html.render(report)
    doc = _parse(text)
    for heading in ("Executive summary", "Checklist areas", "Priority action plan", "Summary", "Appendix",
                    "Strengths", "Improvements needed", "Immediate", "Short-term", "Medium-term"):
        assert heading in text, heading
    assert "Risk level" in text and report.risk in text
    areas = [a for t, a in doc.tags if t == "section" and "area" in (a.get("class") or "")]
    assert len(areas) == len(report.sections)
    bars = [a for t, a in doc.tags if t == "rect" and a.get("class") == "bar-fill"]
    assert len(bars) == sum(1 for s in report.sections if s.score is not None)
    items = [a for t, a in doc.tags if t == "li" and a.get("class") == "item"]
    assert {a["data-severity"] for a in items} >= {"critical", "high", "medium", "low", "info"}
    assert all(a.get("data-section") for a in items)
    # Live sub-grades and file:line / URL locations.
    assert '<span class="grade grade-A">A</span>' in text
    assert '<span class="grade grade-C">C</span> (55/100)' in text
    assert "deploy/compose.yaml:3" in text and "https://example.test/" in text
    # Fix snippets are collapsible and highlighted by Pygments (class-based, inlined stylesheet).
    assert "<details class=\"fix\">" in text and "<div class=\"hl\"><pre>" in text
    assert ".hl .k" in text  # Pygments rules are in the single inlined stylesheet
    assert "@media print" in text
    # Appendix lists skipped, errored and suppressed checks.
    assert "DEPS-AUDIT" in text and "APP-HEALTH" in text and "ENV-SECRET-COMMITTED" in text


def test_render_is_deterministic(tmp_path: Path) -> None:
    report = sample_report()
    assert html.render(report) == html.render(report)


def test_element_ids_are_unique_and_plan_links_resolve() -> None:
    base = sample_report()
    # A second live target: the same live checks fail once per URL.
    second = [type(r)(**{**r.__dict__, "target": "https://two.example.test/"})
              for r in base.results if r.meta.target.value == "live"]
    report = type(base)(**{**base.__dict__, "results": base.results + tuple(second)})
    doc = _parse(html.render(report))
    ids = [a["id"] for _, a in doc.tags if a.get("id")]
    assert len(ids) == len(set(ids))
    hrefs = [a.get("href") or "" for t, a in doc.tags if t == "a"]
    links = {href[1:] for href in hrefs if href.startswith("#check-")}
    assert links and links <= set(ids)


def test_repo_and_live_items_are_grouped_once_with_one_snippet() -> None:
    report = heydev_repo_and_live_report()
    text = html.render(report)
    doc = _parse(text)
    checks = [a for t, a in doc.tags if t == "div" and a.get("class") == "check"]
    ids = [a["id"] for _, a in doc.tags if a.get("id")]
    assert len(ids) == len(set(ids))
    assert len(checks) == len(issues(report))  # one block per issue, not per check
    assert len(re.findall(r"Security headers missing\s*</", text)) == 2  # its block and its plan line
    assert "confirmed live: </strong>" in text
    assert "Assessment date</strong>: 2026-01-26</li>" in text
    # A group's fix appears once per area; identical snippets are never highlighted twice in one area.
    for area in re.split(r'<section class="area"', text)[1:]:
        snippets = re.findall(r'<div class="hl"><pre>(.*?)</pre></div>', area, re.DOTALL)
        assert len(snippets) == len(set(snippets))
    # A member shown in another area is pointed to from its own.
    assert re.search(r'Source maps referenced or served in production <code class="muted">ASSET-SOURCE-MAPS</code>: '
                     r'shown with <a href="#check-\d+">Source maps shipped to production</a> under Deployment', text)
    # Strengths read as strengths, not as the check's problem title.
    assert "Health check configured for every image" in text
