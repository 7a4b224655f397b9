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
