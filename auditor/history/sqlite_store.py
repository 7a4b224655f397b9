"""The default history backend: one SQLite file (standard library ``sqlite3``, WAL mode).

Safety, in the order a scheduled job meets it:

* The file is checked before SQLite touches it: a file that is not SQLite, a SQLite database
  of another application, or a history of a newer schema is refused with a clear message and
  left exactly as it was (no "recreate on error").
* Older schemas migrate forward, step by step, inside one ``BEGIN IMMEDIATE`` transaction.
* One writer at a time: every write is ``BEGIN IMMEDIATE`` with a busy timeout, so a second
  scheduled run waits for the first instead of failing or interleaving.
* A run is written in one transaction: a process killed mid-write leaves the earlier runs and
  nothing of its own (SQLite rolls the WAL back on the next open).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from auditor.history.errors import HistoryError
from auditor.history.record import RunSnapshot, TargetSnapshot
from auditor.history.regressions import Regression
from auditor.history.store import (
    TREND_COLUMNS,
    Clock,
    StoredRun,
    StoredTarget,
    TrendRow,
    row_to_trend,
    stamp,
    target_columns,
    trend_filter,
    utc_now,
)

APPLICATION_ID = 0x50434B48  # "PCKH": marks the file as a prodcheck history
SCHEMA_VERSION = 2
_SQLITE_MAGIC = b"SQLite format 3\x00"

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stamped_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    score REAL, grade TEXT, risk TEXT, complete INTEGER NOT NULL, duration_s REAL,
    config TEXT NOT NULL
);
CREATE INDEX runs_stamped ON runs (stamped_at);
CREATE TABLE run_targets (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    target TEXT NOT NULL,
    reachable INTEGER NOT NULL,
    score REAL, grade TEXT, tls_grade TEXT, header_grade TEXT, days_left INTEGER,
    n_critical INTEGER NOT NULL, n_high INTEGER NOT NULL, n_medium INTEGER NOT NULL,
    n_low INTEGER NOT NULL, n_info INTEGER NOT NULL,
    n_regressions INTEGER NOT NULL, error TEXT, regressions TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (run_id, target)
);
CREATE INDEX run_targets_target ON run_targets (target, run_id);
"""

_V2 = """
CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    target TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    PRIMARY KEY (run_id, target, fingerprint)
);
CREATE INDEX findings_fingerprint ON findings (fingerprint, run_id);
"""


def _backfill_findings(conn: sqlite3.Connection) -> None:
    """v2 keeps findings by fingerprint in their own table: fill it from the v1 snapshots."""
    for run_id, data in conn.execute("SELECT run_id, data FROM run_targets").fetchall():
        snapshot = TargetSnapshot.from_dict(json.loads(data))
        _insert_findings(conn, int(run_id), snapshot)


#: Step N takes a version N-1 history to version N (DDL, then an optional data step).
MIGRATIONS: dict[int, tuple[str, Callable[[sqlite3.Connection], None] | None]] = {
    1: (_V1, None),
    2: (_V2, _backfill_findings),
}


def _insert_findings(conn: sqlite3.Connection, run_id: int, snapshot: TargetSnapshot) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO findings (run_id, target, fingerprint, check_id, severity) VALUES (?, ?, ?, ?, ?)",
        [(run_id, snapshot.target, f.fingerprint, f.check_id, f.severity) for f in snapshot.findings],
    )


class SqliteStore:
    """A history in one SQLite file."""

    def __init__(self, path: str | Path, *, clock: Clock = utc_now, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.display = str(path)
        self._clock = clock
        self._check_file()
        try:
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"history {self.display}: cannot open: {exc}") from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self._retry_locked(self._prepare, busy_timeout_s)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise self._error(exc) from None
        except HistoryError:
            self._conn.close()
            raise

    # -- opening ---------------------------------------------------------------------------------

    def _prepare(self) -> None:
        self._check_identity()
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        self._migrate()

    def _retry_locked(self, step: Callable[[], None], budget_s: float) -> None:
        """Run ``step``, retrying "database is locked" until ``budget_s`` has passed.

        The busy handler does not cover every case while first runs race to create a history:
        two connections switching a fresh file to WAL at once deadlock on the lock upgrade, and
        SQLite answers one of them "locked" at once instead of waiting.
        """
        deadline = time.monotonic() + budget_s
        while True:
            try:
                step()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                time.sleep(0.05)

    def _check_file(self) -> None:
        """Refuse, without opening it through SQLite, anything that is not an SQLite file."""
        if self.path.is_dir():
            raise HistoryError(f"history {self.display}: is a directory, expected a file")
        if not self.path.exists():
            if not self.path.parent.is_dir():
                raise HistoryError(f"history {self.display}: directory {self.path.parent} does not exist")
            return
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise HistoryError(f"history {self.display}: cannot read: {exc.strerror}") from None
        if head and head != _SQLITE_MAGIC:
            raise HistoryError(f"history {self.display}: not an SQLite database (corrupt or another kind of "
                               "file); it was left untouched")

    def _check_identity(self) -> None:
        # One read transaction: read one by one, a run creating the schema meanwhile could be seen
        # half-way (tables already there, application id not yet read) and the file taken for a foreign one.
        self._conn.execute("BEGIN")
        try:
            app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            self._conn.execute("COMMIT")
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise HistoryError(f"history {self.display}: an SQLite database that is not a prodcheck history; "
                               "it was left untouched")
        if version > SCHEMA_VERSION:
            raise HistoryError(f"history {self.display}: written by a newer prodcheck (schema {version}, this "
                               f"version reads up to {SCHEMA_VERSION}); upgrade prodcheck. It was left untouched")

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()  # again, under the write lock: another run may have migrated
            for step in range(version + 1, SCHEMA_VERSION + 1):
                ddl, data_step = MIGRATIONS[step]
                for statement in filter(str.strip, ddl.split(";")):
                    self._conn.execute(statement)
                if data_step is not None:
                    data_step(self._conn)
                self._conn.execute(f"PRAGMA user_version = {step}")
            self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _error(self, exc: sqlite3.Error) -> HistoryError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return HistoryError(f"history {self.display}: still locked by another run after the busy timeout")
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            return HistoryError(f"history {self.display}: corrupt ({exc}); it was left untouched")
        return HistoryError(f"history {self.display}: {exc}")

    # -- the interface ---------------------------------------------------------------------------

    def previous(self, target: str) -> StoredTarget | None:
        """The latest run in which ``target`` was reached."""
        try:
            row = self._conn.execute(
                "SELECT rt.run_id, r.stamped_at, rt.data FROM run_targets rt JOIN runs r ON r.id = rt.run_id "
                "WHERE rt.target = ? AND rt.reachable = 1 ORDER BY rt.run_id DESC LIMIT 1", (target,)).fetchone()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        if row is None:
            return None
        return StoredTarget(int(row[0]), str(row[1]), TargetSnapshot.from_dict(json.loads(row[2])))

    def add_run(self, run: RunSnapshot, regressions: Mapping[str, Sequence[Regression]]) -> StoredRun:
        """Write one run in one ``BEGIN IMMEDIATE`` transaction; the stamp is taken under the lock."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            stamped_at = stamp(self._clock())
            cursor = conn.execute(
                "INSERT INTO runs (stamped_at, tool_version, score, grade, risk, complete, duration_s, config) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stamped_at, run.tool_version, run.score, run.grade, run.risk, int(run.complete), run.duration_s,
                 json.dumps(dict(run.config), sort_keys=True, default=str)))
            run_id = int(cursor.lastrowid or 0)
            for snapshot in run.targets:
                self._insert_target(run_id, snapshot, regressions.get(snapshot.target, ()))
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        return StoredRun(run_id, stamped_at)

    def _insert_target(self, run_id: int, snapshot: TargetSnapshot, regressions: Sequence[Regression]) -> None:
        columns = target_columns(snapshot, regressions)
        names = ["run_id", *columns]
        self._conn.execute(f"INSERT INTO run_targets ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                           (run_id, *columns.values()))
        _insert_findings(self._conn, run_id, snapshot)

    def trend(self, target: str | None = None, since: str | None = None) -> list[TrendRow]:
        """Trend rows, by target then run."""
        where, params = trend_filter(target, since, "?")
        sql = f"SELECT {TREND_COLUMNS} FROM run_targets rt JOIN runs r ON r.id = rt.run_id {where} ORDER BY rt.target, rt.run_id"
        try:
            return [row_to_trend(row) for row in self._conn.execute(sql, params)]
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def prune(self, before: str) -> int:
        """Delete runs stamped before ``before`` (and their targets and findings)."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            old = "SELECT id FROM runs WHERE stamped_at < ?"
            conn.execute(f"DELETE FROM findings WHERE run_id IN ({old})", (before,))
            conn.execute(f"DELETE FROM run_targets WHERE run_id IN ({old})", (before,))
            deleted = conn.execute("DELETE FROM runs WHERE stamped_at < ?", (before,)).rowcount
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._error(exc) from None
        return int(deleted)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "SqliteStore"]


