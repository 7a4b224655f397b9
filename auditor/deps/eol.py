"""End-of-life dates of the runtimes and data stores that container images ship.

The table holds release cycles whose upstream project publishes an end of support (the dates
endoflife.date lists, from each project's own policy): Node.js, Python, PostgreSQL, MySQL and
MongoDB. A cycle missing from the table is never reported: only a date we know is a claim we
can make. Tags are read from the image reference (``node:18-alpine``, ``python:3.8.18-slim``,
``postgres:13``, ``mongo:4.2.1-bionic``); floating tags (``lts``, ``3``, ``latest``) and code names
are not judged here (DOCKER-BASE-UNPINNED and COMPOSE-IMAGE-UNPINNED are about those).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from auditor.parsing.dockerfile import split_image

# product image -> (kind, release cycle -> last day of upstream support)
_CYCLES: dict[str, tuple[str, dict[str, str]]] = {
    "node": ("runtime", {
        "8": "2019-12-31", "10": "2021-04-30", "12": "2022-04-30", "14": "2023-04-30", "15": "2021-06-01",
        "16": "2023-09-11", "17": "2022-06-01", "18": "2025-04-30", "19": "2023-06-01", "20": "2026-04-30",
        "21": "2024-06-01", "22": "2027-04-30", "23": "2025-06-01", "24": "2028-04-30",
    }),
    "python": ("runtime", {
        "2.7": "2020-01-01", "3.5": "2020-09-13", "3.6": "2021-12-23", "3.7": "2023-06-27", "3.8": "2024-10-07",
        "3.9": "2025-10-31", "3.10": "2026-10-31", "3.11": "2027-10-31", "3.12": "2028-10-31",
    }),
    "postgres": ("database", {
        "9.5": "2021-02-11", "9.6": "2021-11-11", "10": "2022-11-10", "11": "2023-11-09", "12": "2024-11-21",
        "13": "2025-11-13", "14": "2026-11-12", "15": "2027-11-11", "16": "2028-11-09", "17": "2029-11-08",
    }),
    "mysql": ("database", {"5.6": "2021-02-28", "5.7": "2023-10-31", "8.0": "2026-04-30"}),
    "mongo": ("database", {
        "3.6": "2021-04-30", "4.0": "2022-04-30", "4.2": "2023-04-30", "4.4": "2024-02-29", "5.0": "2024-10-31",
        "6.0": "2025-07-31", "7.0": "2027-08-31",
    }),
}
_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class EndOfLife:
    """An image's product and release cycle, the day its upstream support ended, and its kind."""

    product: str
    cycle: str
    ended: dt.date
    kind: str  # "runtime" (runs the application) or "database"

    @property
    def month(self) -> str:
        """``November 2025``: the precision the message claims."""
        return self.ended.strftime("%B %Y")


def end_of_life(image: str, today: dt.date) -> EndOfLife | None:
    """The end of life ``image`` has passed by ``today``, or None (supported, unknown or unversioned)."""
    name, tag, _digest = split_image(image.strip())
    product = name.rsplit("/", 1)[-1].lower()
    if product not in _CYCLES or not tag:
        return None
    version = _VERSION.match(tag)
    if version is None:
        return None
    kind, cycles = _CYCLES[product]
    major, minor = version.group(1), version.group(2)
    cycle = f"{major}.{minor}" if minor is not None and f"{major}.{minor}" in cycles else major
    if cycle not in cycles:
        return None  # python:3 or mysql:8 alone name no single cycle; a cycle we have no date for is not judged
    ended = dt.date.fromisoformat(cycles[cycle])
    return EndOfLife(product, cycle, ended, kind) if ended < today else None
