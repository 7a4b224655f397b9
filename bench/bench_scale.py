"""Is a scan linear in the number of files? Generated 1k, 5k, 20k and 50k-file trees.

Each tree is a monorepo of services of 50 files (a Dockerfile, a compose file, an env
template, a package.json, 12 TypeScript modules, docs), plus a ``node_modules`` folder per
service (20% more files, which discovery must prune, never read) and a root ``.gitignore``.
For each size it prints wall time, CPU time and peak RSS of ``prodcheck scan --offline``,
the time per file and its ratio to the smallest tree's (1.0 = linear), and writes a PNG of
time and memory against files (``--png``, default ``bench/scale.png``; needs matplotlib from
the bench extra, skipped with a reason otherwise). Target: 50k files in < 10 s and < 300 MiB.

Usage: ``python bench/bench_scale.py [--sizes 1000,5000,20000,50000] [--png PATH]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_repo import Run, measure, precompile, scan_cmd  # bench scripts import each other by path

PER_SERVICE = 50
TS_MODULES = 12

TS_MODULE = """import {{ Router }} from "express";
import {{ db }} from "../db";

export const router{n} = Router();

router{n}.get("/items/{n}", async (req, res) => {{
  const rows = await db.query("select * from items where id = $1", [req.params.id]);
  res.json(rows);
}});
"""
ENTRY = """import express from "express";
import helmet from "helmet";
{imports}
const app = express();
app.use(helmet());
{uses}
app.listen(Number(process.env.PORT ?? 3000));
"""


def generate(root: Path, files: int) -> int:
    """Write a tree of about ``files`` scanned files (plus pruned node_modules); returns the scanned count."""
    (root / ".gitignore").write_text("node_modules/\ndist/\n*.log\n")
    written = 1
    services = max(1, files // PER_SERVICE)
    for index in range(services):
        svc = root / "services" / f"svc{index:04d}"
        (svc / "src" / "routes").mkdir(parents=True)
        (svc / "docs").mkdir()
        (svc / "Dockerfile").write_text(
            "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
            "FROM node:20-alpine\nUSER node\nCOPY --from=build /app/dist dist\nCMD [\"node\", \"dist/index.js\"]\n")
        (svc / "docker-compose.yml").write_text(
            f"services:\n  svc{index}:\n    build: .\n    ports: ['80{index % 100:02d}:80']\n"
            "  db:\n    image: postgres:16\n")
        (svc / ".env.example").write_text("PORT=3000\nDATABASE_URL=postgres://db/app\nSECRET_KEY=changeme\n")
        (svc / "package.json").write_text(
            f'{{"name": "svc{index}", "version": "1.0.0", "main": "dist/index.js", '
            '"dependencies": {"express": "^4.19.0", "helmet": "^7.0.0"}}\n')
        imports = "\n".join(f'import {{ router{n} }} from "./routes/r{n}";' for n in range(TS_MODULES - 1))
        uses = "\n".join(f"app.use(router{n});" for n in range(TS_MODULES - 1))
        (svc / "src" / "index.ts").write_text(ENTRY.format(imports=imports, uses=uses))
        for n in range(TS_MODULES - 1):
            (svc / "src" / "routes" / f"r{n}.ts").write_text(TS_MODULE.format(n=n))
        docs = PER_SERVICE - 4 - TS_MODULES
        for n in range(docs):
            (svc / "docs" / f"page{n:02d}.md").write_text(f"# page {n}\n" + "text line\n" * 20)
        written += PER_SERVICE
        # Dependencies a real checkout has: pruned by discovery, so they must cost (almost) nothing.
        modules = svc / "node_modules" / "left-pad"
        modules.mkdir(parents=True)
        for n in range(PER_SERVICE // 5):
            (modules / f"f{n}.js").write_text("module.exports = function () {};\n")
    return written


def plot(points: list[tuple[int, Run]], path: Path) -> str:
    """Write time and memory against files as a PNG; returns a one-line status."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install -e '.[bench]')"
    files = [n for n, _ in points]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(files, [r.wall for _, r in points], "o-", label="wall")
    left.plot(files, [r.cpu for _, r in points], "s--", label="cpu")
    base = points[0][1].cpu / points[0][0]
    left.plot(files, [base * n for n in files], ":", color="grey", label="linear from smallest (cpu)")
    left.axhline(10, color="red", linewidth=0.8, label="target: 10 s at 50k")
    left.set_xlabel("files scanned")
    left.set_ylabel("seconds")
    left.legend()
    right.plot(files, [r.peak for _, r in points], "o-", color="purple")
    right.axhline(300, color="red", linewidth=0.8, label="target: 300 MiB")
    right.set_xlabel("files scanned")
    right.set_ylabel("peak RSS (MiB)")
    right.legend()
    fig.suptitle("prodcheck scan --offline on generated monorepos")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return f"plot written: {path}"


def main() -> None:
    """Generate, scan and report each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--png", type=Path, default=Path(__file__).resolve().parent / "scale.png")
    args = parser.parse_args()
    precompile()
    with tempfile.TemporaryDirectory() as tmp:
        empty = measure(scan_cmd(Path(tmp)), 3)
    print(f"  empty tree (start-up and fixed cost): {empty.wall:.2f} s wall {empty.cpu:.2f} s cpu {empty.peak:.1f} MiB;"
          " per-file costs below exclude it")
    points: list[tuple[int, Run]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            count = generate(Path(tmp), size)
            run = measure(scan_cmd(Path(tmp)), args.repeat)
        points.append((count, run))
        per_file = (run.cpu - empty.cpu) / count * 1e6
        first = (points[0][1].cpu - empty.cpu) / points[0][0] * 1e6
        print(f"  {count:>6} files  {run.wall:7.2f} s wall  {run.cpu:7.2f} s cpu  {run.peak:6.1f} MiB  "
              f"{per_file:6.0f} us cpu/file  x{per_file / first:4.2f} of the smallest tree's", flush=True)
    count, last = points[-1]
    if count >= 50_000:
        ok = last.wall < 10 and last.peak < 300
        print(f"    target 50k files < 10 s and < 300 MiB: {'ok' if ok else 'MISSED'}")
    print(plot(points, args.png))


if __name__ == "__main__":
    main()
