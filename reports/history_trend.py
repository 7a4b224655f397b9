"""Trend views of a history: a text table, JSON, and a self-contained HTML page with inline SVG.

Pure functions of :class:`~auditor.history.store.TrendRow` lists (ordered by target, then run).
The HTML page loads nothing: its one stylesheet is inline and allowed by hash in its
Content-Security-Policy, the charts are inline SVG, and Jinja2 autoescapes every stored value.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from auditor.history.store import TrendRow
from reports.common import one_line

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
SEVERITY_COLORS = {"critical": "#7f1d1d", "high": "#b91c1c", "medium": "#d97706", "low": "#0e7490", "info": "#9ca3af"}
GRADE_LEVEL = {"A+": 100, "A": 95, "A-": 90, "B": 80, "C": 70, "D": 60, "E": 50, "F": 40, "M": 20, "T": 20}


def _date(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def _counts(row: TrendRow) -> str:
    return "/".join(str(row.counts.get(s, 0)) for s in SEVERITY_ORDER)


def render_text(rows: Sequence[TrendRow], *, source: str = "") -> str:
    """One table per target: date, score, grades, days to expiry, findings C/H/M/L/I, regressions."""
    if not rows:
        return f"no runs recorded{' in ' + source if source else ''} for this selection\n"
    out: list[str] = []
    header = f"{'date (UTC)':<17} {'run':>6} {'score':>6} {'grade':<6} {'TLS':<4} {'hdrs':<4} {'expiry':>6}  " \
             f"{'findings C/H/M/L/I':<19} regressions"
    for target, group in groupby(rows, key=lambda r: r.target):
        out += [one_line(target), header]
        for row in group:
            score = f"{row.score:.0f}" if row.score is not None else "-"
            days = f"{row.days_left}d" if row.days_left is not None else "-"
            regs = ", ".join(dict.fromkeys(r.kind for r in row.regressions))
            reg_text = f"{len(row.regressions)} ({regs})" if row.regressions else "0"
            if not row.reachable:
                reg_text += f"  unreachable: {one_line(row.error or '')[:80]}"
            out.append(f"{_date(row.stamped_at):<17} {row.run_id:>6} {score:>6} {row.grade or '-':<6} "
                       f"{row.tls_grade or '-':<4} {row.header_grade or '-':<4} {days:>6}  {_counts(row):<19} {reg_text}")
        out.append("")
    return "\n".join(out)


def to_data(rows: Sequence[TrendRow]) -> dict[str, Any]:
    """The JSON shape: ``{"targets": [{"target", "runs": [...]}]}``."""
    targets = []
    for target, group in groupby(rows, key=lambda r: r.target):
        runs = [{"run_id": r.run_id, "stamped_at": r.stamped_at, "reachable": r.reachable, "error": r.error,
                 "score": r.score, "grade": r.grade, "tls_grade": r.tls_grade, "header_grade": r.header_grade,
                 "days_to_expiry": r.days_left, "findings": {s: r.counts.get(s, 0) for s in SEVERITY_ORDER},
                 "regressions": [g.to_dict() for g in r.regressions]} for r in group]
        targets.append({"target": target, "runs": runs})
    return {"schema_version": 1, "targets": targets}


def render_json(rows: Sequence[TrendRow], *, source: str = "") -> str:
    """The trend as JSON (``source`` is not included: it may name a database)."""
    return json.dumps(to_data(rows), indent=2, ensure_ascii=False) + "\n"


# -- HTML --------------------------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 640, 180, 32


@dataclass(frozen=True)
class Chart:
    """One inline SVG chart, already drawn (numbers only; labels are escaped by the template)."""

    title: str
    points: str  # polyline points, or "" for bar charts
    bars: tuple[tuple[float, float, float, str], ...]  # x, y, height, colour
    bar_width: float
    y_labels: tuple[tuple[float, str], ...]
    x_labels: tuple[tuple[float, str], ...]
    marks: tuple[tuple[float, float, str], ...]  # x, y, label (grades on the score line)
    empty: bool = False


def _x(index: int, count: int) -> float:
    return PAD + (WIDTH - 2 * PAD) * (index / max(count - 1, 1))


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return HEIGHT - PAD + (PAD * 2 - HEIGHT) * ((value - low) / span)


def _x_labels(rows: Sequence[TrendRow]) -> tuple[tuple[float, str], ...]:
    if not rows:
        return ()
    picks = sorted({0, len(rows) // 2, len(rows) - 1})
    return tuple((_x(i, len(rows)), rows[i].stamped_at[:10]) for i in picks)


def _line_chart(title: str, rows: Sequence[TrendRow], values: list[float | None], low: float, high: float,
                marks: list[str] | None = None) -> Chart:
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return Chart(title, "", (), 0, (), (), (), empty=True)
    points = " ".join(f"{_x(i, len(values)):.1f},{_y(v, low, high):.1f}" for i, v in known)
    y_labels = ((_y(low, low, high), f"{low:g}"), (_y(high, low, high), f"{high:g}"))
    shown: list[tuple[float, float, str]] = []
    if marks:
        step = max(1, len(known) // 12)  # at most a dozen grade labels, so they never overlap
        shown = [(_x(i, len(values)), _y(v, low, high) - 6, marks[i]) for i, v in known[::step] if marks[i]]
    return Chart(title, points, (), 0, y_labels, _x_labels(rows), tuple(shown))


def _bar_chart(rows: Sequence[TrendRow]) -> Chart:
    totals = [sum(r.counts.get(s, 0) for s in SEVERITY_ORDER) for r in rows]
    top = max([*totals, 1])
    width = max(1.0, (WIDTH - 2 * PAD) / max(len(rows), 1) * 0.8)
    bars: list[tuple[float, float, float, str]] = []
    for i, row in enumerate(rows):
        base = 0
        for sev in reversed(SEVERITY_ORDER):
            count = row.counts.get(sev, 0)
            if count:
                y_top = _y(base + count, 0, top)
                bars.append((_x(i, len(rows)) - width / 2, y_top, _y(base, 0, top) - y_top, SEVERITY_COLORS[sev]))
                base += count
    return Chart("Open findings by severity", "", tuple(bars), width,
                 ((_y(0, 0, top), "0"), (_y(top, 0, top), str(top))), _x_labels(rows), ())


@dataclass(frozen=True)
class TargetView:
    """One target's charts and latest state."""

    target: str
    runs: int
    latest: TrendRow
    charts: tuple[Chart, ...]
    recent: tuple[TrendRow, ...]


def _views(rows: Sequence[TrendRow]) -> list[TargetView]:
    views = []
    for target, group in groupby(rows, key=lambda r: r.target):
        runs = list(group)
        days = [float(r.days_left) if r.days_left is not None else None for r in runs]
        known_days = [d for d in days if d is not None]
        charts = (
            _line_chart("Score and grade", runs, [r.score for r in runs], 0, 100, [r.grade for r in runs]),
            _line_chart("Days to certificate expiry", runs, days, min([0.0, *known_days]),
                        max([30.0, *known_days])),
            _bar_chart(runs),
        )
        views.append(TargetView(target, len(runs), runs[-1], charts, tuple(reversed(runs[-10:]))))
    return views


_CSS = """body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#111827}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;word-break:break-all}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
figure{margin:0;border:1px solid #e5e7eb;border-radius:.5rem;padding:.5rem}
figcaption{font-weight:600;font-size:.9rem}svg{width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:.85rem;display:block;overflow-x:auto}
td,th{border-bottom:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;white-space:nowrap}
.legend span{display:inline-block;margin-right:.75rem;font-size:.8rem}.muted{color:#6b7280}
.sw-critical{color:#7f1d1d}.sw-high{color:#b91c1c}.sw-medium{color:#d97706}.sw-low{color:#0e7490}.sw-info{color:#9ca3af}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="referrer" content="no-referrer">
<title>prodcheck history</title>
<style>{{ css }}</style>
</head>
<body>
<h1>prodcheck history</h1>
<p class="muted">{{ total }} run(s) over {{ views | length }} target(s).</p>
{% if not views %}<p>No runs recorded for this selection.</p>{% endif %}
{% for v in views %}
<section class="target">
<h2>{{ v.target }}</h2>
<p>Latest ({{ v.latest.stamped_at[:16] | replace("T", " ") }} UTC): score {{ "%.0f" | format(v.latest.score) if v.latest.score is not none else "-" }},
grade {{ v.latest.grade or "-" }}, TLS {{ v.latest.tls_grade or "-" }}, headers {{ v.latest.header_grade or "-" }},
certificate {{ (v.latest.days_left ~ " days left") if v.latest.days_left is not none else "n/a" }}; {{ v.runs }} run(s).</p>
<div class="charts">
{% for c in v.charts %}
<figure>
<figcaption>{{ c.title }}</figcaption>
<svg viewBox="0 0 {{ width }} {{ height }}" role="img" aria-label="{{ c.title }} for {{ v.target }}">
<line x1="{{ pad }}" y1="{{ height - pad }}" x2="{{ width - pad }}" y2="{{ height - pad }}" stroke="#9ca3af"/>
<line x1="{{ pad }}" y1="{{ pad }}" x2="{{ pad }}" y2="{{ height - pad }}" stroke="#9ca3af"/>
{% if c.empty %}<text x="{{ width / 2 }}" y="{{ height / 2 }}" text-anchor="middle" font-size="14" fill="#6b7280">no data</text>{% endif %}
{% if c.points %}<polyline fill="none" stroke="#1d4ed8" stroke-width="2" points="{{ c.points }}"/>{% endif %}
{% for b in c.bars %}<rect x="{{ '%.1f' | format(b[0]) }}" y="{{ '%.1f' | format(b[1]) }}" width="{{ '%.1f' | format(c.bar_width) }}" height="{{ '%.1f' | format(b[2]) }}" fill="{{ b[3] }}"/>{% endfor %}
{% for m in c.marks %}<text x="{{ '%.1f' | format(m[0]) }}" y="{{ '%.1f' | format(m[1]) }}" text-anchor="middle" font-size="11" fill="#111827">{{ m[2] }}</text>{% endfor %}
{% for y, label in c.y_labels %}<text x="{{ pad - 4 }}" y="{{ '%.1f' | format(y + 4) }}" text-anchor="end" font-size="11" fill="#6b7280">{{ label }}</text>{% endfor %}
{% for x, label in c.x_labels %}<text x="{{ '%.1f' | format(x) }}" y="{{ height - pad + 16 }}" text-anchor="middle" font-size="11" fill="#6b7280">{{ label }}</text>{% endfor %}
</svg>
</figure>
{% endfor %}
</div>
<p class="legend">{% for s in severities %}<span class="sw-{{ s }}">&#9632; {{ s }}</span>{% endfor %}</p>
<table>
<thead><tr><th>Date (UTC)</th><th>Score</th><th>Grade</th><th>TLS</th><th>Headers</th><th>Expiry</th><th>C/H/M/L/I</th><th>Regressions</th></tr></thead>
<tbody>
{% for r in v.recent %}<tr><td>{{ r.stamped_at[:16] | replace("T", " ") }}</td><td>{{ "%.0f" | format(r.score) if r.score is not none else "-" }}</td><td>{{ r.grade or "-" }}</td><td>{{ r.tls_grade or "-" }}</td><td>{{ r.header_grade or "-" }}</td><td>{{ (r.days_left ~ "d") if r.days_left is not none else "-" }}</td><td>{{ counts(r) }}</td><td>{% if not r.reachable %}unreachable: {{ r.error }}{% endif %}{% for g in r.regressions %}{{ g.severity.label }}: {{ g.message }}{% if not loop.last %}; {% endif %}{% endfor %}</td></tr>
{% endfor %}
</tbody>
</table>
</section>
{% endfor %}
</body>
</html>
"""

def render_html(rows: Sequence[TrendRow], *, source: str = "") -> str:
    """A self-contained trend page: charts per target (score and grade, days to expiry, findings)."""
    from jinja2 import Environment  # lazy: the text and JSON views start faster without it
    from markupsafe import Markup

    digest = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    return Environment(autoescape=True).from_string(_PAGE).render(
        csp=csp, css=Markup(_CSS), views=_views(rows), total=len(rows), width=WIDTH, height=HEIGHT, pad=PAD,
        severities=SEVERITY_ORDER, counts=_counts,
    )
