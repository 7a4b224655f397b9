"""The history on PostgreSQL (psycopg 3), for ephemeral or many runners sharing one history.

Same interface and guarantees as the SQLite store: versioned schema in ``prodcheck_meta`` with
forward migrations under a transaction-scoped advisory lock, one writer at a time (the same
lock), a run written in one transaction, a newer schema refused. The URL's password never
appears in a message: errors are scrubbed before they are raised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.history.errors import HistoryError
from auditor.history.masking import mask_credentials, scrub
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

SCHEMA_VERSION = 2
LOCK_KEY = 0x50434B48  # advisory lock id shared by every prodcheck writer of this database

_V1 = """
CREATE TABLE prodcheck_runs (
    id BIGSERIAL PRIMARY KEY,
    stamped_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    score DOUBLE PRECISION, grade TEXT, risk TEXT, complete INTEGER NOT NULL, duration_s DOUBLE PRECISION,
    config TEXT NOT NULL
);
CREATE INDEX prodcheck_runs_stamped ON prodcheck_runs (stamped_at);
CREATE TABLE prodcheck_run_targets (
    run_id BIGINT NOT NULL REFERENCES prodcheck_runs (id),
    target TEXT NOT NULL,
    reachable INTEGER NOT NULL,
    score DOUBLE PRECISION, grade TEXT, tls_grade TEXT, header_grade TEXT, days_left INTEGER,
    n_critical INTEGER NOT NULL, n_high INTEGER NOT NULL, n_medium INTEGER NOT NULL,
    n_low INTEGER NOT NULL, n_info INTEGER NOT NULL,
    n_regressions INTEGER NOT NULL, error TEXT, regressions TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (run_id, target)
);
CREATE INDEX prodcheck_run_targets_target ON prodcheck_run_targets (target, run_id)
"""

_V2 = """
CREATE TABLE prodcheck_findings (
    run_id BIGINT NOT NULL REFERENCES prodcheck_runs (id),
    target TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    check_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    PRIMARY KEY (run_id, target, fingerprint)
);
CREATE INDEX prodcheck_findings_fingerprint ON prodcheck_findings (fingerprint, run_id)
"""

MIGRATIONS = {1: _V1, 2: _V2}


class PostgresStore:
    """A history in a PostgreSQL database (tables prefixed ``prodcheck_``)."""

    def __init__(self, url: str, *, clock: Clock = utc_now, busy_timeout_s: float = 30.0) -> None:
        self.display = mask_credentials(url)
        self._secrets = [url]
        self._clock = clock
        try:
            import psycopg
        except ImportError:
            raise HistoryError("history on PostgreSQL needs psycopg 3: pip install 'prodcheck[postgres]'") from None
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(url, connect_timeout=max(1, int(busy_timeout_s)), autocommit=False)
            with self._conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = '{int(busy_timeout_s * 1000)}ms'")
            self._conn.commit()
            self._migrate()
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> HistoryError:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return HistoryError(f"history {self.display}: {scrub(text, self._secrets)}")

    def _lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))

    def _version(self, cur: Any) -> int:
        # A plain catalog query (a fresh MVCC snapshot per statement), not to_regclass(): after waiting
        # on an advisory lock the relation cache may not yet know a table another run just committed.
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relname = 'prodcheck_meta' AND n.nspname = current_schema())")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT value FROM prodcheck_meta WHERE key = 'schema_version'")
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        with self._conn.cursor() as cur:
            version = self._version(cur)
            if version > SCHEMA_VERSION:
                self._conn.rollback()
                raise HistoryError(f"history {self.display}: written by a newer prodcheck (schema {version}, "
                                   f"this version reads up to {SCHEMA_VERSION}); upgrade prodcheck. It was left "
                                   "untouched")
            if version == SCHEMA_VERSION:
                self._conn.commit()
                return
            self._lock(cur)
            cur.execute("CREATE TABLE IF NOT EXISTS prodcheck_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            version = self._version(cur)  # again, under the lock: another run may have migrated meanwhile
            if version > SCHEMA_VERSION:
                self._conn.rollback()
                raise HistoryError(f"history {self.display}: written by a newer prodcheck (schema {version}); "
                                   "upgrade prodcheck. It was left untouched")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in filter(str.strip, MIGRATIONS[step].split(";")):
                    cur.execute(statement)
                if step == 2:
                    cur.execute("SELECT run_id, data FROM prodcheck_run_targets")
                    for run_id, data in cur.fetchall():
                        self._insert_findings(cur, int(run_id), TargetSnapshot.from_dict(json.loads(data)))
                cur.execute("INSERT INTO prodcheck_meta (key, value) VALUES ('schema_version', %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (str(step),))
        self._conn.commit()

    @staticmethod
    def _insert_findings(cur: Any, run_id: int, snapshot: TargetSnapshot) -> None:
        if snapshot.findings:
            cur.executemany(
                "INSERT INTO prodcheck_findings (run_id, target, fingerprint, check_id, severity) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(run_id, snapshot.target, f.fingerprint, f.check_id, f.severity) for f in snapshot.findings])

    def previous(self, target: str) -> StoredTarget | None:
        """The latest run in which ``target`` was reached."""
        try:
            with self._conn.cursor() as cur:
                cur.execute(
                    "SELECT rt.run_id, r.stamped_at, rt.data FROM prodcheck_run_targets rt "
                    "JOIN prodcheck_runs r ON r.id = rt.run_id WHERE rt.target = %s AND rt.reachable = 1 "
                    "ORDER BY rt.run_id DESC LIMIT 1", (target,))
                row = cur.fetchone()
            self._conn.commit()
        except self._psycopg.Error as exc:
            self._conn.rollback()
            raise self._error(exc) from None
        if row is None:
            return None
        return StoredTarget(int(row[0]), str(row[1]), TargetSnapshot.from_dict(json.loads(row[2])))

    def add_run(self, run: RunSnapshot, regressions: Mapping[str, Sequence[Regression]]) -> StoredRun:
        """Write one run in one transaction, holding the writers' advisory lock."""
        try:
            with self._conn.cursor() as cur:
                self._lock(cur)
                stamped_at = stamp(self._clock())
                cur.execute(
                    "INSERT INTO prodcheck_runs (stamped_at, tool_version, score, grade, risk, complete, duration_s, "
                    "config) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (stamped_at, run.tool_version, run.score, run.grade, run.risk, int(run.complete),
                     run.duration_s, json.dumps(dict(run.config), sort_keys=True, default=str)))
                inserted = cur.fetchone()
                if inserted is None:  # pragma: no cover - RETURNING always yields the row
                    raise HistoryError(f"history {self.display}: the run was not written")
                run_id = int(inserted[0])
                for snapshot in run.targets:
                    columns = target_columns(snapshot, regressions.get(snapshot.target, ()))
                    names = ["run_id", *columns]
                    cur.execute(f"INSERT INTO prodcheck_run_targets ({', '.join(names)}) "
                                f"VALUES ({', '.join(['%s'] * len(names))})", (run_id, *columns.values()))
                    self._insert_findings(cur, run_id, snapshot)
            self._conn.commit()
        except self._psycopg.Error as exc:
            self._conn.rollback()
            raise self._error(exc) from None
        return StoredRun(run_id, stamped_at)

    def trend(self, target: str | None = None, since: str | None = None) -> list[TrendRow]:
        """Trend rows, by target then run."""
        where, params = trend_filter(target, since, "%s")
        sql = f"SELECT {TREND_COLUMNS} FROM prodcheck_run_targets rt JOIN prodcheck_runs r ON r.id = rt.run_id {where} ORDER BY rt.target, rt.run_id"
        try:
            with self._conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
            self._conn.commit()
        except self._psycopg.Error as exc:
            self._conn.rollback()
            raise self._error(exc) from None
        return [row_to_trend(row) for row in rows]

    def prune(self, before: str) -> int:
        """Delete runs stamped before ``before``."""
        old = "SELECT id FROM prodcheck_runs WHERE stamped_at < %s"
        try:
            with self._conn.cursor() as cur:
                self._lock(cur)
                cur.execute(f"DELETE FROM prodcheck_findings WHERE run_id IN ({old})", (before,))
                cur.execute(f"DELETE FROM prodcheck_run_targets WHERE run_id IN ({old})", (before,))
                cur.execute("DELETE FROM prodcheck_runs WHERE stamped_at < %s", (before,))
                deleted = cur.rowcount
            self._conn.commit()
        except self._psycopg.Error as exc:
            self._conn.rollback()
            raise self._error(exc) from None
        return int(deleted)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
