"""Parse many source files across cores: forked workers for large trees, the plain loop for small ones.

tree-sitter parsing and fact extraction cost about 1.5 ms per file and are independent per file,
so a 1,000-file monorepo spends most of its scan here. Above :data:`PARALLEL_MIN_FILES` files the
list is dealt round-robin to forked worker processes while this process parses its own share;
each worker sends back the extracted facts (plain frozen dataclasses), never a tree. Below it, with
one core, where ``fork`` does not exist, or while another thread runs (a live probe's TLS scan),
the loop runs in this process exactly as before.
Results keep the input order, so the index and every report stay byte-identical either way.

``PRODCHECK_JOBS`` sets the number of processes (``1`` turns parallel parsing off).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from auditor.model import SkippedFile
from auditor.project import Project

R = TypeVar("R")

# Below this many files a worker's start-up and the result transfer (about 0.2 ms per file to
# unpickle) cost more than the parsing they save.
PARALLEL_MIN_FILES = 300
_MAX_JOBS = 4

Item = tuple[str, int]  # (repository-relative path, size in bytes)
Parser = Callable[[Project, str, int], R]

# Set in the parent just before the workers fork, so they inherit the project (its root, limits and
# already-read texts) instead of receiving it pickled.
_INHERITED: tuple[Project, Callable[[Project, str, int], object]] | None = None
_FORKING = threading.Lock()  # one parallel parse at a time owns _INHERITED


def jobs(count: int) -> int:
    """How many processes parse ``count`` files: 1 for small trees, else PRODCHECK_JOBS or the usable cores."""
    wanted = os.environ.get("PRODCHECK_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        limit = int(wanted)
    else:
        limit = min(_usable_cores(), _MAX_JOBS)
    if count < PARALLEL_MIN_FILES or limit <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1  # a live probe's TLS thread is running: forking a threaded process can deadlock the child
    return limit


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def parse_all(project: Project, items: Sequence[Item], parse: Parser[R]) -> list[R]:
    """``parse(project, path, size)`` for every item, in order, across processes when the tree is large."""
    processes = jobs(len(items))
    if processes <= 1:
        return [parse(project, rel, size) for rel, size in items]
    shares = [list(range(i, len(items), processes)) for i in range(processes)]
    results: list[R | None] = [None] * len(items)
    global _INHERITED
    with _FORKING:
        _INHERITED = (project, parse)
        try:
            with ProcessPoolExecutor(max_workers=processes - 1,
                                     mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [(share, pool.submit(_work, [items[i] for i in share])) for share in shares[1:]]
                for i in shares[0]:
                    results[i] = parse(project, *items[i])
                for share, future in futures:
                    _collect(project, items, share, future, parse, results)
        finally:
            _INHERITED = None
    done = [r for r in results if r is not None]
    if len(done) != len(items):  # every share is parsed above, by its worker or here: a gap is a bug
        raise RuntimeError(f"parallel parsing returned {len(done)} of {len(items)} results")
    return done


def _collect(project: Project, items: Sequence[Item], share: list[int], future: Future[tuple[list[Any], list[SkippedFile]]],
             parse: Parser[R], results: list[R | None]) -> None:
    """One worker's results into place; if the worker died, this process parses its share instead."""
    try:
        parsed, read_skips = future.result()
    except Exception:  # noqa: BLE001 - a broken worker (killed, out of memory) must not lose results
        for i in share:
            results[i] = parse(project, *items[i])
        return
    # Reads the worker refused (outside the root, binary) are part of the report's appendix.
    project.read_skips.extend(read_skips)
    for i, result in zip(share, parsed, strict=True):
        results[i] = result


def _work(share: list[Item]) -> tuple[list[object], list[SkippedFile]]:
    """In a forked worker: parse a share with the inherited project; return results and new read skips."""
    if _INHERITED is None:
        raise RuntimeError("parallel parsing worker started without an inherited project")
    project, parse = _INHERITED
    before = len(project.read_skips)
    parsed = [parse(project, rel, size) for rel, size in share]
    return parsed, list(project.read_skips[before:])
