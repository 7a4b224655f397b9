"""The history stores: round trip, trend, prune, migrations, refusal of newer or corrupt histories.

Every test runs on SQLite; the same contract tests run on PostgreSQL when PRODCHECK_TEST_PG_URL
names a server (``.ci/postgres.sh`` starts one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.history.errors import HistoryError
from auditor.history.record import FindingFacts
from auditor.history.regressions import Regression
from auditor.history.sqlite_store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from auditor.history.store import HistoryStore, open_store, stamp
from auditor.model import Severity
from tests.history.helpers import run_of, snapshot, ticking_clock

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PG_URL = os.environ.get("PRODCHECK_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "history.sqlite")
        return
    if not PG_URL:
        pytest.skip("PRODCHECK_TEST_PG_URL is not set (run .ci/postgres.sh to start a local PostgreSQL)")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"  # one schema per test: tests never see each other's rows
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _open(location: str) -> HistoryStore:
    return open_store(location, clock=ticking_clock(START, dt.timedelta(days=1)))


def test_round_trip_previous_trend_and_prune(location: str) -> None:
    store = _open(location)
    try:
        assert store.previous("https://site.test") is None
        first = store.add_run(run_of(snapshot()), {})
        reg = Regression("unreachable", Severity.CRITICAL, "https://site.test", "target unreachable: refused")
        down = snapshot(reachable=False, error="refused", cert=None)
        second = store.add_run(run_of(down), {"https://site.test": [reg]})
        third = store.add_run(run_of(snapshot(findings=(FindingFacts("f9", "X", "high", "m"),))), {})
        assert (first.run_id, second.run_id, third.run_id) == (1, 2, 3)
        assert first.stamped_at == "2026-01-01T00:00:00.000000Z"
        previous = store.previous("https://site.test")
        assert previous is not None and previous.run_id == 3  # the latest run in which it was reached
        assert previous.snapshot.findings[0].fingerprint == "f9"
        rows = store.trend()
        assert [r.run_id for r in rows] == [1, 2, 3]
        assert rows[1].regressions == (reg,) and not rows[1].reachable and rows[1].days_left is None
        assert rows[0].days_left == 60 and rows[0].counts["medium"] == 1 and rows[2].counts["high"] == 1
        assert [r.run_id for r in store.trend(since=stamp(START + dt.timedelta(days=1)))] == [2, 3]
        assert store.trend(target="https://other.test") == []
        assert store.prune(stamp(START + dt.timedelta(days=2))) == 2
        assert [r.run_id for r in store.trend()] == [3]
    finally:
        store.close()


def test_reopening_keeps_runs(location: str) -> None:
    store = _open(location)
    store.add_run(run_of(snapshot()), {})
    store.close()
    again = _open(location)
    try:
        assert len(again.trend()) == 1
    finally:
        again.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    _open(str(path)).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = _digest(path)
    with pytest.raises(HistoryError, match="newer prodcheck"):
        _open(str(path))
    assert _digest(path) == before


def test_newer_schema_on_postgres_is_refused(location: str) -> None:
    if not location.startswith("postgres"):
        pytest.skip("the SQLite case is tested above")
    _open(location).close()
    import psycopg

    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("UPDATE prodcheck_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(HistoryError, match="newer prodcheck") as info:
        _open(location)
    assert "prodcheck-test-pw" not in str(info.value) and ":***@" in str(info.value)


def test_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database\n" * 100)
    before = _digest(path)
    with pytest.raises(HistoryError, match="not an SQLite database"):
        _open(str(path))
    assert _digest(path) == before


def test_damaged_pages_give_a_clear_error_and_are_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    store = _open(str(path))
    for _ in range(30):
        store.add_run(run_of(snapshot()), {})
    store.close()
    data = bytearray(path.read_bytes())
    data[4096:12288] = b"\xff" * 8192  # pages 2-3: table b-tree pages
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(HistoryError, match=r"corrupt|malformed"):
        reopened = _open(str(path))
        try:
            reopened.trend()
        finally:
            reopened.close()
    assert _digest(path) == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match="not a prodcheck history"):
        _open(str(path))


def test_v1_history_migrates_forward_with_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[1][0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = _open(str(path))
    store.add_run(run_of(snapshot()), {})
    store.close()
    # Simulate a v1 file holding that run: drop v2's table and version.
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE findings")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    migrated = _open(str(path))
    try:
        assert len(migrated.trend()) == 1
    finally:
        migrated.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT fingerprint, severity FROM findings").fetchall() == [("f1", "medium")]
    conn.close()


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="does not exist"):
        _open(str(tmp_path / "nope" / "h.sqlite"))
