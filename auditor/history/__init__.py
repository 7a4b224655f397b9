"""Scan history: every scheduled scan recorded, compared with the previous run, alerted and charted.

* :mod:`~auditor.history.record` - the snapshot one scan leaves (pure, from the Report).
* :mod:`~auditor.history.regressions` - what got worse between two snapshots (pure).
* :mod:`~auditor.history.store` - the store interface and :func:`open_store`;
  :mod:`~auditor.history.sqlite_store` (default) and :mod:`~auditor.history.postgres_store`.
* :mod:`~auditor.history.notify` - webhook alerts (JSON, Slack, Teams).
* :mod:`~auditor.history.scan_hook` and :mod:`~auditor.history.commands` - the CLI's part.
"""

from auditor.history.errors import HistoryError

__all__ = ["HistoryError"]
