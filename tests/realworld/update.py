"""Bring the real-world ledgers up to date with today's scan, without inventing verdicts.

    python -m tests.realworld.update [NAME ...]

New findings get an entry with an empty verdict (the ledger test fails until a reviewer opens
the finding at its file and line and records one); false and noise entries that are no longer
reported are marked ``fixed`` (they must not come back); true entries are kept as they are, so a
lost true finding still fails the test. Prints each repository's counts and precision.
"""

from __future__ import annotations

import sys

from tests.realworld import ledger


def main(argv: list[str]) -> int:
    """Update the named ledgers (all corpus repositories by default)."""
    if not ledger.CORPUS.is_dir():
        print(f"no corpus at {ledger.CORPUS}", file=sys.stderr)
        return 2
    names = argv or sorted(p.name for p in ledger.CORPUS.iterdir() if p.is_dir())
    for name in names:
        seen = ledger.seen_findings(ledger.scan_repo(ledger.CORPUS / name))
        new = ledger.updated(ledger.load(name), seen)
        (ledger.LEDGER_DIR / f"{name}.yaml").write_text(ledger.dump(new), encoding="utf-8")
        counts = ledger.compare(new, seen).counts
        value = ledger.precision(counts)
        shown = f"{value:.0%}" if value is not None else "n/a"
        print(f"{name}: {dict(counts)} precision {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
