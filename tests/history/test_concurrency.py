"""Two scheduled runs writing one SQLite history at once; a run killed mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from auditor.history.store import open_store

ROOT = Path(__file__).resolve().parents[2]

_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from auditor.history.store import open_store
    from tests.history.helpers import run_of, snapshot
    store = open_store(sys.argv[1])
    for i in range(int(sys.argv[3])):
        store.add_run(run_of(snapshot(target=sys.argv[2], score=float(i))), {{}})
    store.close()
""")

_KILLED = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from auditor.history.store import open_store
    from tests.history.helpers import run_of, snapshot
    store = open_store(sys.argv[1])
    original = store._insert_target
    def stall(*args, **kwargs):
        original(*args, **kwargs)
        print("mid-write", flush=True)  # the run row and one target are written, not committed
        time.sleep(60)
    store._insert_target = stall
    store.add_run(run_of(snapshot(target="https://a.test"), snapshot(target="https://b.test")), {{}})
""")


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script.format(root=str(ROOT)), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_runs_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "h.sqlite")
    writers = [_python(_WRITER, path, f"https://{name}.test", "25") for name in ("a", "b")]
    for proc in writers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = open_store(path)
    try:
        rows = store.trend()
    finally:
        store.close()
    assert len(rows) == 50 and len({r.run_id for r in rows}) == 50
    by_target = {t: [r.score for r in rows if r.target == t] for t in ("https://a.test", "https://b.test")}
    assert by_target["https://a.test"] == [float(i) for i in range(25)] == by_target["https://b.test"]


def test_run_killed_mid_write_leaves_earlier_runs_and_nothing_of_its_own(tmp_path: Path) -> None:
    path = str(tmp_path / "h.sqlite")
    from tests.history.helpers import run_of, snapshot

    store = open_store(path)
    store.add_run(run_of(snapshot(target="https://a.test")), {})
    store.close()
    proc = _python(_KILLED, path)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "mid-write"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    store = open_store(path, busy_timeout_s=10)
    try:
        rows = store.trend()
        assert [(r.run_id, r.target) for r in rows] == [(1, "https://a.test")]
        later = store.add_run(run_of(snapshot(target="https://b.test")), {})  # the lock was released
        assert later.run_id >= 2
    finally:
        store.close()


def test_two_runs_writing_one_postgres_history_at_once() -> None:
    import uuid

    url = os.environ.get("PRODCHECK_TEST_PG_URL")
    if not url:
        import pytest

        pytest.skip("PRODCHECK_TEST_PG_URL is not set (run .ci/postgres.sh to start a local PostgreSQL)")
    import psycopg

    schema = f"conc_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    location = f"{url}?options=-csearch_path%3D{schema}"
    try:
        # Both start on an empty database: the schema is created once, under the advisory lock.
        writers = [_python(_WRITER, location, f"https://{name}.test", "15") for name in ("a", "b")]
        for proc in writers:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        store = open_store(location)
        try:
            rows = store.trend()
        finally:
            store.close()
        assert len(rows) == 30 and sorted(r.run_id for r in rows) == list(range(1, 31))
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_many_runs_creating_one_history_at_once(tmp_path: Path) -> None:
    # Six first runs racing to create the schema: none may take the half-created file for a foreign one.
    for trial in range(3):
        path = str(tmp_path / f"h{trial}.sqlite")
        writers = [_python(_WRITER, path, f"https://{n}.test", "2") for n in range(6)]
        for proc in writers:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        store = open_store(path)
        try:
            assert len(store.trend()) == 12
        finally:
            store.close()
