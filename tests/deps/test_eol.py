"""End-of-life lookup: the release cycle read from an image tag, judged on a given day."""

from __future__ import annotations

import datetime as dt

import pytest

from auditor.deps.eol import end_of_life

DAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(("image", "cycle"), [
    ("node:18-alpine", "18"),
    ("node:16.20.2-bookworm-slim", "16"),
    ("python:3.8.18-slim", "3.8"),
    ("python:3.10", "3.10"),
    ("postgres:9.6", "9.6"),
    ("docker.io/library/postgres:13.4-alpine@sha256:" + "a" * 64, "13"),
    ("mysql:5.7.44", "5.7"),
    ("mongo:4.2.1-bionic", "4.2"),
])
def test_an_ended_cycle_is_read_from_the_tag(image: str, cycle: str) -> None:
    eol = end_of_life(image, DAY)
    assert eol is not None and eol.cycle == cycle and eol.ended < DAY


@pytest.mark.parametrize("image", [
    "node:22-alpine",        # supported on DAY
    "python:3.12-slim",
    "postgres:16",
    "python:3",              # names no single cycle
    "mysql:8",
    "node:lts-alpine",       # floating
    "postgres",              # no tag
    "nginx:1.18",            # not in the table: no date, no claim
    "python:3.99",           # a cycle without a published date
])
def test_supported_unversioned_or_unknown_images_are_not_claimed(image: str) -> None:
    assert end_of_life(image, DAY) is None


def test_the_same_image_is_judged_on_the_scan_date() -> None:
    assert end_of_life("node:20-alpine", dt.date(2026, 1, 26)) is None
    eol = end_of_life("node:20-alpine", DAY)
    assert eol is not None and eol.month == "April 2026"
