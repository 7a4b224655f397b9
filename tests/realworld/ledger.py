"""The reviewed ledger of verdicts on prodcheck's findings in real public repositories.

One YAML file per corpus repository (``tests/realworld/<name>.yaml``), keyed by fingerprint
(check id, path or URL, key: no line number, so verdicts survive edits). Each entry records what
a reviewer decided after opening the finding at its file and line:

* ``verdict``: ``true`` (correct and worth acting on), ``false`` (wrong: the repository does the
  thing, the code was misread), ``noise`` (true but not worth a team's time, or a repeat), or
  empty when nobody has reviewed it yet;
* ``status`` for false and noise entries: ``open`` (prodcheck still reports it: a known defect,
  counted against precision) or ``fixed`` (no longer reported; it must not come back);
* ``reason``: one line, and ``where`` (``path:line`` when it was reviewed);
* ``accepted_miss`` (a reason) on a true entry a deliberate rule no longer reports: counted as
  a miss in the benchmark, never silently;
* ``absorbed_into`` for a true entry that is now one of the related locations of a grouped
  finding (one finding per concept): it is not lost while that finding lists it.

``misses`` lists what a careful review found that prodcheck does not report.

The comparison is a pure function of a ledger and a scan, so the test, the update tool and the
precision benchmark agree on every number.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LEDGER_DIR = Path(__file__).resolve().parent
CORPUS = LEDGER_DIR.parent.parent.parent / "shared" / "realworld"
VERDICTS = ("true", "false", "noise")
SEVERE = ("high", "critical")
# The date the corpus scans judge time-dependent facts (end-of-life dates) on: the review date.
LEDGER_DATE = "2026-12-04"


@dataclass(frozen=True)
class Seen:
    """One failing finding of a scan, as the ledger keys and shows it."""

    fingerprint: str
    check_id: str
    severity: str
    where: str
    message: str
    related: tuple[str, ...] = ()  # path:line of the repeated instances this finding stands for


@dataclass(frozen=True)
class Comparison:
    """How a scan compares with a ledger; every list empty means the ledger holds."""

    unreviewed: tuple[Seen, ...] = ()        # reported, no verdict recorded
    lost_true: tuple[dict[str, Any], ...] = ()   # judged true, no longer reported
    returned: tuple[Seen, ...] = ()          # judged false/noise and marked fixed, reported again
    stale_open: tuple[dict[str, Any], ...] = ()  # false/noise marked open but no longer reported
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """True when the scan matches the reviewed ledger exactly."""
        return not (self.unreviewed or self.lost_true or self.returned or self.stale_open)

    def problems(self) -> list[str]:
        """Human-readable lines, one per mismatch."""
        lines = [f"new finding without a verdict: {s.check_id} {s.where} [{s.fingerprint}] {s.message}"
                 for s in self.unreviewed]
        lines += [f"true finding lost: {e['check_id']} {e.get('where')} [{e['fingerprint']}]" for e in self.lost_true]
        lines += [f"finding judged {s.check_id} false/noise came back: {s.where} [{s.fingerprint}]"
                  for s in self.returned]
        lines += [f"judged {e['verdict']} and no longer reported: mark it fixed: {e['check_id']} {e.get('where')}"
                  for e in self.stale_open]
        return lines


def seen_findings(report: Mapping[str, Any]) -> list[Seen]:
    """The failing findings of a JSON report (the dict ``reports.json_report`` renders)."""
    out = []
    for f in report.get("findings", []):
        if f.get("status", "fail") != "fail":
            continue
        where = _where(f.get("location") or {})
        related = tuple(_where(r) for r in f.get("related") or ())
        out.append(Seen(f["fingerprint"], f["check_id"], f["severity"], where, f.get("message", ""), related))
    return out


def _where(loc: Mapping[str, Any]) -> str:
    where = str(loc.get("path") or loc.get("url") or "repository")
    return f"{where}:{loc['line']}" if loc.get("line") else where


def absorbed_by(entry: Mapping[str, Any], current: Mapping[str, Seen]) -> Seen | None:
    """The current finding that lists a (no longer separate) true entry among its related locations.

    One finding per concept (a service's unthrottled routes, a workflow's unpinned actions) keeps
    every instance as a related location; an instance that became one is not lost. Matched on
    the check id and the exact ``path:line``, else on the path alone (lines move with edits).
    """
    where = str(entry.get("where") or "")
    path = where.rsplit(":", 1)[0] if where.rsplit(":", 1)[-1].isdigit() else where
    candidates = [s for s in current.values() if s.check_id == entry.get("check_id")]
    for seen in candidates:
        if where in seen.related or seen.where == where:  # listed, or the same place under a new key
            return seen
    for seen in candidates:
        if any(r.rsplit(":", 1)[0] == path for r in seen.related):
            return seen
    return None


def load(name: str) -> dict[str, Any]:
    """The ledger of one corpus repository (an empty one when none exists yet)."""
    from auditor.parsing.yamlsafe import load_yaml

    path = LEDGER_DIR / f"{name}.yaml"
    if not path.is_file():
        return {"repo": name, "findings": [], "misses": []}
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    return {"repo": name, "findings": list(data.get("findings") or []), "misses": list(data.get("misses") or []),
            **{k: v for k, v in data.items() if k not in {"repo", "findings", "misses"}}}


def compare(ledger: Mapping[str, Any], seen: Iterable[Seen]) -> Comparison:
    """Compare a scan's findings with the ledger (see the module docstring for the rules)."""
    entries = {str(e["fingerprint"]): e for e in ledger.get("findings", [])}
    current = {s.fingerprint: s for s in seen}
    unreviewed = tuple(s for fp, s in current.items() if _verdict(entries.get(fp)) not in VERDICTS)
    lost = tuple(e for fp, e in entries.items()
                 if _verdict(e) == "true" and fp not in current and absorbed_by(e, current) is None
                 and not e.get("accepted_miss"))
    returned = tuple(s for fp, s in current.items()
                     if _verdict(entries.get(fp)) in ("false", "noise") and entries[fp].get("status") == "fixed")
    stale = tuple(e for fp, e in entries.items()
                  if _verdict(e) in ("false", "noise") and e.get("status", "open") == "open" and fp not in current)
    counts = {"findings": len(current)}
    for verdict in VERDICTS:
        counts[verdict] = sum(1 for fp in current if _verdict(entries.get(fp)) == verdict)
    counts["false_severe"] = sum(1 for fp, s in current.items()
                                 if _verdict(entries.get(fp)) == "false" and s.severity in SEVERE)
    # Findings above info are the claims a team is asked to act on (info is advice, weight 0).
    actionable = [fp for fp, s in current.items() if s.severity != "info"]
    counts["actionable"] = len(actionable)
    counts["actionable_true"] = sum(1 for fp in actionable if _verdict(entries.get(fp)) == "true")
    counts["fixed"] = sum(1 for e in entries.values() if e.get("status") == "fixed")
    counts["accepted_miss"] = sum(1 for fp, e in entries.items() if _verdict(e) == "true" and fp not in current
                                  and e.get("accepted_miss"))
    counts["absorbed"] = sum(1 for fp, e in entries.items() if _verdict(e) == "true" and fp not in current
                             and absorbed_by(e, current) is not None)
    return Comparison(unreviewed, lost, returned, stale, counts)


def _verdict(entry: Mapping[str, Any] | None) -> str:
    if not entry:
        return ""
    value = entry.get("verdict")
    # YAML reads a bare `true`/`false` as a boolean.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value or "")


def precision(counts: Mapping[str, int]) -> float | None:
    """True findings over all findings (noise counts against it); None when there are none."""
    total = counts.get("findings", 0)
    return counts.get("true", 0) / total if total else None


def scan_repo(path: Path) -> dict[str, Any]:
    """Scan a corpus repository offline, as a user would, and return the JSON report as a dict."""
    from auditor.engine import scan
    from auditor.settings import resolve_settings
    from reports import json_report

    settings = resolve_settings(root=path, config_path=None, cli={"offline": True}, environ={})
    # The corpus is a snapshot judged on the day it was reviewed: an end of life passing later must
    # not turn the ledger red (or change its verdicts) on its own.
    options = dataclasses.replace(settings.scan_options(path=path, urls=()), today=LEDGER_DATE)
    return dict(json.loads(json_report.render(scan(options))))


def updated(ledger: Mapping[str, Any], seen: Iterable[Seen]) -> dict[str, Any]:
    """The ledger brought up to date with a scan, without inventing verdicts.

    New findings get an entry with an empty verdict (the test fails until someone reviews it);
    false/noise entries no longer reported become ``fixed``; ``where`` follows the current line.
    """
    current = {s.fingerprint: s for s in seen}
    out: list[dict[str, Any]] = []
    known = set()
    for entry in ledger.get("findings", []):
        fp = str(entry["fingerprint"])
        known.add(fp)
        item = dict(entry)
        item["verdict"] = _verdict(entry) or None
        if fp in current:
            item["where"] = current[fp].where
            item["severity"] = current[fp].severity
            if item["verdict"] in ("false", "noise"):
                item["status"] = item.get("status") if item.get("status") == "fixed" else "open"
        elif item["verdict"] in ("false", "noise"):
            item["status"] = "fixed"
        elif item["verdict"] == "true" and (into := absorbed_by(item, current)) is not None:
            item["absorbed_into"] = into.fingerprint  # listed as a related location of that finding
        out.append(item)
    for fp, s in current.items():
        if fp not in known:
            out.append({"fingerprint": fp, "check_id": s.check_id, "severity": s.severity, "where": s.where,
                        "verdict": None, "reason": f"UNREVIEWED: {s.message}"})
    return {**ledger, "findings": out}


def dump(ledger: Mapping[str, Any]) -> str:
    """The ledger as YAML, entries in a stable order (by check id, then where)."""
    import io

    from ruamel.yaml import YAML

    data = dict(ledger)
    data["findings"] = sorted(data.get("findings", []), key=lambda e: (str(e["check_id"]), str(e.get("where")),
                                                                         str(e["fingerprint"])))
    yaml = YAML()
    yaml.width = 4096
    yaml.default_flow_style = False
    buffer = io.StringIO()
    yaml.dump(_plain(data), buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@functools.cache
def cached_scan(path: Path) -> dict[str, Any]:
    """``scan_repo`` once per repository per process: the ledger and target tests share one scan."""
    return scan_repo(path)


def top_actions(report: dict[str, Any], book: dict[str, Any]) -> tuple[int, list[str]]:
    """How many of the report's priority actions lead with a finding judged true, and each one shown."""
    verdicts = {str(e["fingerprint"]): _verdict(e) for e in book.get("findings", [])}
    at: dict[tuple[str, str], list[str]] = {}
    for seen in seen_findings(report):
        at.setdefault((seen.check_id, seen.where), []).append(seen.fingerprint)
    good, shown = 0, []
    for action in report.get("summary", {}).get("priority_actions", []):
        fingerprints = [fp for cid in action["check_ids"] for fp in at.get((cid, action["location"] or ""), [])]
        ok = any(verdicts.get(fp) == "true" for fp in fingerprints)
        good += ok
        shown.append(f"{action['check_ids'][0]}{'' if ok else ' (NOT true)'}")
    return good, shown
