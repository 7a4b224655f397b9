"""Resolving the history options: CLI > PRODCHECK_HISTORY > config; notify specs; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.history.errors import HistoryError
from auditor.history.scan_hook import start
from auditor.model import Severity


def test_config_file_history_notify_and_thresholds(tmp_path: Path) -> None:
    config = {"history": str(tmp_path / "h.sqlite"),
              "notify": ["https://hooks.slack.com/services/T/B/SECRET", {"url": "http://127.0.0.1:9/x", "kind": "teams"}],
              "regressions": {"expiry_days": [21, 7]}}
    hook = start(config, {"fail_on_regression": "medium"}, {}, {"fail_on": None})
    try:
        assert [h.kind for h in hook.hooks] == ["slack", "teams"]
        assert hook.thresholds.expiry_days == (21, 7) and hook.fail_on_regression is Severity.MEDIUM
        assert hook.config["notify"] == ["https://hooks.slack.com/***", "http://127.0.0.1:9/***"]
        assert "SECRET" not in repr(hook.config)
    finally:
        assert hook.store is not None
        hook.store.close()


def test_cli_beats_environment_beats_config(tmp_path: Path) -> None:
    paths = {name: str(tmp_path / f"{name}.sqlite") for name in ("cli", "env", "file")}
    for cli, env, expected in (({"history": paths["cli"]}, {"PRODCHECK_HISTORY": paths["env"]}, "cli"),
                               ({}, {"PRODCHECK_HISTORY": paths["env"]}, "env"), ({}, {}, "file")):
        hook = start({"history": paths["file"]}, cli, env, {})
        assert hook.store is not None and hook.store.display == paths[expected]
        hook.store.close()


@pytest.mark.parametrize(("config", "cli", "message"), [
    ({}, {"notify": ("http://127.0.0.1:9/x",)}, "--notify needs --history"),
    ({}, {"fail_on_regression": "low"}, "--fail-on-regression needs --history"),
    ({"history": "x.sqlite", "regressions": {"expiry": 3}}, {}, "unknown key"),
    ({"history": ["a"]}, {}, "must be a path"),
    ({}, {"notify": ("ftp://host/SECRET",)}, "notify URL must be http"),
])
def test_bad_options_are_clear_errors(config: dict[str, object], cli: dict[str, object], message: str) -> None:
    with pytest.raises(HistoryError, match=message) as info:
        start(config, cli, {}, {})
    assert "SECRET" not in str(info.value)


def test_a_digest_needs_no_history() -> None:
    hook = start({}, {"notify": ("http://127.0.0.1:9/x",), "notify_always": True}, {}, {})
    assert hook.store is None and hook.notify_always


def test_an_unconfigured_scan_imports_no_history_module(tmp_path: Path) -> None:
    # No history, webhook or gate: the hook is inert and the store, comparison and webhook modules
    # (about 20 ms of start-up) are never imported; a configured history still gets them.
    import subprocess
    import sys

    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    code = ("import sys\nfrom auditor.entry import main\n"
            "sys.argv = ['prodcheck', 'scan', sys.argv[1], '--offline', '-q', '--format', 'json', '-o', sys.argv[2]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('auditor.history.')))\n")
    root = Path(__file__).resolve().parents[2]
    plain = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(tmp_path / "r.json")], cwd=root,
                           capture_output=True, text=True, check=True).stdout
    assert "auditor.history.store" not in plain and "auditor.history.notify" not in plain, plain
    (tmp_path / ".prodcheck.yaml").write_text(f"history: {tmp_path / 'h.sqlite'}\n")
    recorded = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(tmp_path / "r.json")], cwd=root,
                              capture_output=True, text=True, check=True).stdout
    assert "auditor.history.store" in recorded and (tmp_path / "h.sqlite").is_file(), recorded
