"""The history options of ``prodcheck scan`` (click only, so the CLI's start-up stays lean)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def history_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the history options to a click command (they arrive as keyword arguments)."""
    options = [
        click.option("--history", "history", metavar="PATH|URL",
                     help="Record this scan in a history (SQLite file or postgresql://...) and compare it "
                          "with the previous run of each target."),
        click.option("--fail-on-regression", "fail_on_regression", is_flag=False, flag_value="low", default=None,
                     type=click.Choice(SEVERITIES, case_sensitive=False),
                     help="Exit 1 when something regressed since the last run at or above SEVERITY "
                          "(default when given alone: low)."),
        click.option("--notify", "notify", multiple=True, metavar="URL",
                     help="Webhook to post to when something regressed (repeatable; KIND+URL picks "
                          "json, slack or teams)."),
        click.option("--notify-always", "notify_always", is_flag=True, default=None,
                     help="Post a digest after every run, not only on regressions."),
    ]
    for option in reversed(options):
        func = option(func)
    return func
