"""Precision of prodcheck's findings on the real-world corpus, from the reviewed ledger.

    python bench/bench_precision.py

For each repository in ``../shared/realworld`` with a ledger in ``tests/realworld/``: findings
reported today (distinct fingerprints), how many the reviewers judged true, false and noise,
precision (true / all, noise counted against it), false high or critical findings, findings
not yet reviewed, and the same precision over findings above info (info is advice with no weight). Not a timed test: the ledger test (tests/test_realworld_ledger.py) holds the line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.realworld import ledger


def main() -> int:
    """Print one row per corpus repository and a total."""
    if not ledger.CORPUS.is_dir():
        print(f"no corpus at {ledger.CORPUS}; nothing to measure", file=sys.stderr)
        return 2
    header = f"{'repository':30} {'findings':>8} {'true':>5} {'false':>5} {'noise':>5} {'unrev.':>6} " \
             f"{'precision':>9} {'false high+':>11} {'above info':>10} {'precision':>9}"
    print(header)
    total = {"findings": 0, "true": 0, "false": 0, "noise": 0, "false_severe": 0, "unreviewed": 0,
             "actionable": 0, "actionable_true": 0}
    actions: list[str] = []
    right = asked = 0
    for repo in sorted(p for p in ledger.CORPUS.iterdir() if p.is_dir()):
        report = ledger.scan_repo(repo)
        book = ledger.load(repo.name)
        seen = ledger.seen_findings(report)
        result = ledger.compare(book, seen)
        counts = {**result.counts, "unreviewed": len(result.unreviewed)}
        for key in total:
            total[key] += counts.get(key, 0)
        print(_row(repo.name, counts))
        good, shown = ledger.top_actions(report, book)
        right, asked = right + good, asked + len(shown)
        actions.append(f"{repo.name:30} {good}/{len(shown)} right: " + "; ".join(shown))
    print(_row("all", total))
    print(f"\ntop five actions (the report's priority actions), judged by the ledger: {right}/{asked} right")
    print("\n".join(actions))
    return 0


def _row(name: str, counts: dict[str, int]) -> str:
    value = ledger.precision(counts)
    shown = f"{value:.0%}" if value is not None else "n/a"
    above = counts.get("actionable", 0)
    above_shown = f"{counts.get('actionable_true', 0) / above:.0%}" if above else "n/a"
    return (f"{name:30} {counts['findings']:>8} {counts['true']:>5} {counts['false']:>5} {counts['noise']:>5} "
            f"{counts['unreviewed']:>6} {shown:>9} {counts['false_severe']:>11} {above:>10} {above_shown:>9}")


if __name__ == "__main__":
    raise SystemExit(main())
