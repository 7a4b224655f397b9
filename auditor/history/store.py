"""The history store interface, shared row types, and :func:`open_store` (SQLite or PostgreSQL).

Every backend stamps a run when it writes it (the only clock read in the history), writes a run
in one transaction (a run killed mid-write leaves nothing), lets one writer in at a time, and
refuses a history written by a newer prodcheck or a corrupt one with a :class:`HistoryError`,
never touching the file or database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from auditor.history.errors import HistoryError
from auditor.history.record import RunSnapshot, TargetSnapshot
from auditor.history.regressions import Regression

Clock = Callable[[], dt.datetime]
STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so stamps sort as text


def utc_now() -> dt.datetime:
    """The store's clock (tests pass their own)."""
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """A moment as the stored, sortable UTC text."""
    return moment.astimezone(dt.UTC).strftime(STAMP_FORMAT)


@dataclass(frozen=True)
class StoredTarget:
    """One target snapshot as stored: which run, when, what."""

    run_id: int
    stamped_at: str
    snapshot: TargetSnapshot


@dataclass(frozen=True)
class StoredRun:
    """What :meth:`HistoryStore.add_run` wrote."""

    run_id: int
    stamped_at: str


@dataclass(frozen=True)
class TrendRow:
    """One target of one run, as the trend views show it."""

    run_id: int
    stamped_at: str
    target: str
    reachable: bool
    score: float | None
    grade: str
    tls_grade: str | None
    header_grade: str | None
    days_left: int | None
    counts: Mapping[str, int]
    regressions: tuple[Regression, ...]
    error: str | None = None


class HistoryStore(Protocol):
    """What every backend provides."""

    #: Where the history lives, safe to print (credentials masked).
    display: str

    def previous(self, target: str) -> StoredTarget | None:
        """The latest stored run of ``target`` in which it was reached (the baseline to compare with)."""

    def add_run(self, run: RunSnapshot, regressions: Mapping[str, Sequence[Regression]]) -> StoredRun:
        """Stamp and write one run (all targets, findings and regressions) in one transaction."""

    def trend(self, target: str | None = None, since: str | None = None) -> list[TrendRow]:
        """Rows ordered by target then run, optionally for one target and stamped at or after ``since``."""

    def prune(self, before: str) -> int:
        """Delete runs stamped before ``before``; return how many."""

    def close(self) -> None:
        """Release the connection."""


COUNT_COLUMNS = ("n_critical", "n_high", "n_medium", "n_low", "n_info")


def target_columns(snapshot: TargetSnapshot, regressions: Sequence[Regression]) -> dict[str, Any]:
    """The indexed summary columns of one run target (views read these, never the JSON blob)."""
    counts = snapshot.counts()
    return {
        "target": snapshot.target, "reachable": int(snapshot.reachable), "score": snapshot.score,
        "grade": snapshot.grade, "tls_grade": snapshot.tls_grade, "header_grade": snapshot.header_grade,
        "days_left": snapshot.cert.days_left if snapshot.cert is not None else None,
        **{col: counts[col[2:]] for col in COUNT_COLUMNS},
        "n_regressions": len(regressions), "error": snapshot.error,
        "regressions": json.dumps([r.to_dict() for r in regressions]),
        "data": json.dumps(snapshot.to_dict(), separators=(",", ":")),
    }


def trend_filter(target: str | None, since: str | None, placeholder: str) -> tuple[str, list[str]]:
    """The ``WHERE`` clause (or ``""``) and its parameters for a trend query, in a driver's placeholder style."""
    where, params = [], []
    if target is not None:
        where.append(f"rt.target = {placeholder}")
        params.append(target)
    if since is not None:
        where.append(f"r.stamped_at >= {placeholder}")
        params.append(since)
    return ("WHERE " + " AND ".join(where) if where else ""), params


def row_to_trend(row: Sequence[Any]) -> TrendRow:
    """Build a TrendRow from the SELECT in :data:`TREND_COLUMNS` order."""
    (run_id, stamped_at, target, reachable, score, grade, tls_grade, header_grade, days_left,
     c, h, m, low, i, regressions, error) = row
    return TrendRow(
        run_id=int(run_id), stamped_at=str(stamped_at), target=str(target), reachable=bool(reachable),
        score=score, grade=grade or "", tls_grade=tls_grade, header_grade=header_grade, days_left=days_left,
        counts={"critical": c, "high": h, "medium": m, "low": low, "info": i},
        # Most runs regress nothing: skip the JSON parser for the stored empty list.
        regressions=(tuple(Regression.from_dict(r) for r in json.loads(regressions))
                     if regressions and regressions != "[]" else ()), error=error,
    )


TREND_COLUMNS = ("rt.run_id, r.stamped_at, rt.target, rt.reachable, rt.score, rt.grade, rt.tls_grade, "
                 "rt.header_grade, rt.days_left, rt.n_critical, rt.n_high, rt.n_medium, rt.n_low, rt.n_info, "
                 "rt.regressions, rt.error")


def is_postgres(location: str) -> bool:
    """``postgresql://`` or ``postgres://`` URLs go to PostgreSQL; anything else is an SQLite path."""
    return location.lower().startswith(("postgresql://", "postgres://"))


def open_store(location: str, *, clock: Clock = utc_now, busy_timeout_s: float = 30.0) -> HistoryStore:
    """Open (creating or migrating when needed) the history at ``location``; raise HistoryError."""
    if not location or not str(location).strip():
        raise HistoryError("history: empty location")
    if is_postgres(location):
        from auditor.history.postgres_store import PostgresStore

        return PostgresStore(location, clock=clock, busy_timeout_s=busy_timeout_s)
    from auditor.history.sqlite_store import SqliteStore

    return SqliteStore(location, clock=clock, busy_timeout_s=busy_timeout_s)
