"""Walk a repository once and decide which files prodcheck may read.

Honours ``.gitignore`` files (root and nested, through pathspec), prunes
vendored and build directories, and leaves out binaries, oversized files and
symlinks that leave the root, each with a reason for the report appendix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.model import SkippedFile

# Directories never worth reading: vendored code, VCS data, build output, caches.
PRUNED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "bower_components", "vendor", "dist", "build",
        "out", ".next", ".nuxt", ".svelte-kit", ".output", "coverage", "__pycache__", ".venv",
        "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "target",
        ".turbo", ".cache", ".parcel-cache", "site-packages", ".terraform",
    }
)
DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 200_000
BASELINE_NAME = ".prodcheck-baseline.json"
#: A ``.gitignore`` / ``.dockerignore`` bigger than this is not read (its rules are not applied).
MAX_IGNORE_FILE_BYTES = 1024 * 1024


class ReadRefused(Exception):
    """A file under the root that prodcheck will not read; ``reason`` says why (for the appendix)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_inside(root: Path, rel: str, cap: int) -> bytes:
    """The bytes of ``root/rel`` if it is a regular file inside ``root`` and at most ``cap`` bytes.

    The one guarded reader every file read of a scan goes through: a path
    that climbs out (``..``) or a symlink that leaves the tree is refused,
    so is a FIFO or device (which would block or never end), and nothing
    past ``cap`` is ever read into memory.
    """
    path = root / rel
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise ReadRefused("not found") from None
    except (OSError, RuntimeError):
        raise ReadRefused("broken or looping symlink") from None
    if not resolved.is_relative_to(root):
        raise ReadRefused("symlink points outside the scanned tree")
    try:
        if not resolved.is_file():
            raise ReadRefused("not a regular file")
        with resolved.open("rb") as handle:
            data = handle.read(cap + 1)
    except OSError as exc:
        raise ReadRefused(f"unreadable: {exc.strerror or type(exc).__name__}") from None
    if len(data) > cap:
        raise ReadRefused(f"larger than the {cap // 1024} KiB size cap")
    return data


def load_ignore_spec(root: Path, rel: str) -> tuple[Any, str]:
    """A gitignore-style spec from ``root/rel``; (None, reason) when it is absent or refused."""
    try:
        data = read_inside(root, rel, MAX_IGNORE_FILE_BYTES)
    except ReadRefused as exc:
        return None, "" if exc.reason == "not found" else f"not applied: {exc.reason}"
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(data.decode("utf-8", errors="replace").splitlines()), ""


@dataclass(frozen=True)
class FileEntry:
    """A discovered, readable file: its path relative to the root (POSIX) and size."""

    rel: str
    size: int


@dataclass(frozen=True)
class Discovery:
    """What discovery kept and what it left out."""

    files: tuple[FileEntry, ...]
    skipped: tuple[SkippedFile, ...]
    #: Files and directories the configured ``exclude`` patterns left out (a few examples kept).
    excluded_files: int = 0
    excluded_dirs: int = 0
    excluded_examples: tuple[str, ...] = ()
    #: Files left out for being over the size cap.
    oversized: int = 0


class _IgnoreRules:
    """The .gitignore specs that apply in each directory, each anchored at the directory that holds it.

    ``os.walk`` goes top-down, so a directory's chain is its parent's chain plus its own
    ``.gitignore``: a path is tested only against the files of its own ancestors (depth-bounded),
    never against every ``.gitignore`` met so far in sibling trees.
    """

    def __init__(self) -> None:
        self._chains: dict[str, tuple[tuple[str, object], ...]] = {}

    def load(self, root: Path, rel_dir: str, skipped: list[SkippedFile]) -> None:
        """Enter ``rel_dir``: inherit the parent's specs and add its own ``.gitignore``, if any."""
        parent = self._chains.get(rel_dir.rpartition("/")[0], ()) if rel_dir else ()
        chain = parent
        rel = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
        if os.path.lexists(root / rel):
            spec, reason = load_ignore_spec(root, rel)
            if reason:
                skipped.append(SkippedFile(rel, reason))
            if spec is not None:
                chain = (*parent, (rel_dir, spec))
        self._chains[rel_dir] = chain

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether a gitignore of one of ``rel``'s ancestor directories matches it."""
        for base, spec in self._chains.get(rel.rpartition("/")[0], ()):
            sub = rel[len(base) + 1 :] if base else rel
            if spec.match_file(sub + "/" if is_dir else sub):  # type: ignore[attr-defined]
                return True
        return False


def discover(
    root: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    excludes: tuple[str, ...] = (),
) -> Discovery:
    """Walk ``root`` and return the files worth reading plus the skips with reasons."""
    root = root.resolve()
    rules = _IgnoreRules()
    exclude_spec = None
    if excludes:
        import pathspec

        exclude_spec = pathspec.GitIgnoreSpec.from_lines(list(excludes))
    files: list[FileEntry] = []
    skipped: list[SkippedFile] = []
    excluded = {"files": 0, "dirs": 0}
    examples: list[str] = []

    def exclude(rel: str, kind: str) -> None:
        excluded[kind] += 1
        if len(examples) < 5:
            examples.append(rel + ("/" if kind == "dirs" else ""))

    def result() -> Discovery:
        oversized = sum(1 for s in skipped if s.reason.startswith("larger than"))
        return Discovery(tuple(files), tuple(skipped), excluded["files"], excluded["dirs"], tuple(examples),
                         oversized)

    def on_error(err: OSError) -> None:
        where = _rel(root, Path(err.filename)) if err.filename else "?"
        skipped.append(SkippedFile(where, f"unreadable directory: {err.strerror or err}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=False):
        rel_dir = _rel(root, Path(dirpath))
        rules.load(root, rel_dir, skipped)
        kept_dirs = []
        for name in sorted(dirnames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = Path(dirpath, name)
            if name in PRUNED_DIRS:
                continue
            if full.is_symlink():
                skipped.append(SkippedFile(rel, "symlinked directory not followed"))
                continue
            if rules.ignored(rel, True):
                continue
            if exclude_spec and exclude_spec.match_file(rel + "/"):
                exclude(rel, "dirs")
                continue
            kept_dirs.append(name)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if rules.ignored(rel, False) and not _always_wanted(name):
                continue
            if exclude_spec and exclude_spec.match_file(rel):
                if name != BASELINE_NAME:  # the baseline is always excluded; not worth saying
                    exclude(rel, "files")
                continue
            entry, reason = _inspect(root, Path(dirpath, name), rel, max_file_bytes)
            if entry is not None:
                files.append(entry)
            elif reason:
                skipped.append(SkippedFile(rel, reason))
            if len(files) >= MAX_FILES:
                skipped.append(SkippedFile(rel_dir or ".", f"file limit of {MAX_FILES} reached"))
                return result()
    return result()


def _always_wanted(name: str) -> bool:
    # Real env files are usually git-ignored, yet the env checks must still
    # see them to say whether they are ignored: keep them in discovery.
    return name == ".env" or name.startswith(".env.")


def _inspect(root: Path, full: Path, rel: str, cap: int) -> tuple[FileEntry | None, str]:
    try:
        if full.is_symlink():
            try:
                target = full.resolve(strict=True)
            except (OSError, RuntimeError):
                return None, "broken or looping symlink"
            if not target.is_relative_to(root):
                return None, "symlink points outside the scanned tree"
            if not target.is_file():
                return None, ""
        stat = full.stat()
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    if not full.is_file():
        return None, ""
    if stat.st_size > cap:
        return None, f"larger than the {cap // 1024} KiB size cap ({stat.st_size // 1024} KiB)"
    return FileEntry(rel=rel, size=stat.st_size), ""


def _rel(root: Path, path: Path) -> str:
    try:
        rel = path.resolve().relative_to(root) if path.is_symlink() else path.relative_to(root)
    except ValueError:
        return str(path)
    text = rel.as_posix()
    return "" if text == "." else text
