r"""Package-manager caches left in image layers.

## What it checks
Every `RUN` of the stages that end up in the final image (the final stage
and the stages it is built `FROM`; caches in discarded builder stages never
ship):

- `apt-get install` / `apt install` without `rm -rf /var/lib/apt/lists/*` in
  the same `RUN` (`apt-get clean` alone leaves the lists);
- `apk add` without `--no-cache` (or `rm -rf /var/cache/apk/*`);
- `pip install` without `--no-cache-dir` (or a prefix pip accepts, such as
  `--no-cache`), unless `PIP_NO_CACHE_DIR` is set, the cache is removed in
  the same `RUN`, or the command only upgrades pip itself (`pip install
  --upgrade pip setuptools wheel`: a cache of a few MB);
- `yum`/`dnf`/`microdnf` install without `clean all` in the same `RUN`.

An image whose shipped stages install no system or pip package is skipped.

A `RUN --mount=type=cache,...` keeps the cache out of the layer and passes.

## Why it matters
Package indexes and download caches add tens to hundreds of megabytes to
every image, every pull and every cold start, and removing them in a later
`RUN` does not help: the earlier layer still holds them.

## How to fix
Clean up in the same `RUN`, or use a BuildKit cache mount.

```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
```

```dockerfile alpine
RUN apk add --no-cache ca-certificates
```

```dockerfile python
RUN pip install --no-cache-dir -r requirements.txt
# or: RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.deploy.checkviews import (
    assignments,
    chain_instructions,
    dockerfiles,
    env_values,
    runtime_stage,
    segments,
    words,
)
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check

_APT_CLEAN = re.compile(r"\brm\s+[^;&|]*?/var/lib/apt/lists")
_APK_CLEAN = re.compile(r"\brm\s+[^;&|]*?/var/cache/apk")
_PIP_CLEAN = re.compile(r"\brm\s+[^;&|]*?\.cache(/pip)?\b|\bpip3?\s+cache\s+(purge|remove)")
_INSTALLS = re.compile(r"\b(apt-get|apt|yum|dnf|microdnf|tdnf)\b[^;&|]*\binstall\b|\bapk\b[^;&|]*\badd\b"
                       r"|\bpip3?\s+install\b|-m\s+pip\s+install\b")
_YUM_CLEAN = re.compile(r"\b(yum|dnf|microdnf|tdnf)\s+clean\s+all\b|\brm\s+[^;&|]*?/var/cache/(yum|dnf)")


_PIP_ITSELF = frozenset({"pip", "pip3", "setuptools", "wheel"})


def _self_upgrade(args: list[str]) -> bool:
    """``pip install --upgrade pip setuptools``: pip's own wheels, a cache of a few MB not worth a finding."""
    packages = [word for word in args[1:] if not word.startswith("-")]
    return bool(packages) and all(word.lower() in _PIP_ITSELF for word in packages)


def _cache_problems(command: str, pip_env_off: bool) -> list[str]:
    """Managers in one RUN that leave their cache behind."""
    found: list[str] = []
    for segment in segments(command):
        tokens = words(segment)
        if not tokens:
            continue
        tool = tokens[0].rsplit("/", 1)[-1]
        rest = tokens[1:]
        if tool in {"apt-get", "apt"} and "install" in rest and not _APT_CLEAN.search(command):
            found.append("apt-get")
        elif tool == "apk" and "add" in rest and "--no-cache" not in rest and not _APK_CLEAN.search(command):
            found.append("apk")
        elif (tool in {"pip", "pip3"} and rest[:1] == ["install"]) or (
                tool.startswith("python") and rest[:3] == ["-m", "pip", "install"]):
            inline_off = "PIP_NO_CACHE_DIR" in assignments(segment)
            # pip accepts any unambiguous prefix of an option: `--no-cache` is `--no-cache-dir`.
            no_cache = any(len(word) >= len("--no-c") and "--no-cache-dir".startswith(word) for word in rest)
            if not (no_cache or pip_env_off or inline_off or _PIP_CLEAN.search(command) or _self_upgrade(rest)):
                found.append("pip")
        elif tool in {"yum", "dnf", "microdnf", "tdnf"} and "install" in rest and not _YUM_CLEAN.search(command):
            found.append(tool)
    return list(dict.fromkeys(found))


@check(id="DOCKER-PKG-CACHE", severity=Severity.LOW, section=Section.DEPLOYMENT, needs=("dockerfiles",),
       effort_hours=0.25,
       passed="Package-manager caches kept out of image layers")
def pkg_cache(project: Project) -> Iterator[Finding]:
    """Report RUN instructions that leave apt/apk/pip/yum/dnf caches in shipped layers."""
    judged = False
    for dockerfile in dockerfiles(project):
        instructions = chain_instructions(dockerfile, runtime_stage(project, dockerfile))
        judged = judged or any(i.keyword == "RUN" and _INSTALLS.search(i.command_text) for i in instructions)
        for ins in instructions:
            if ins.keyword != "RUN" or re.search(r"--mount=\S*type=cache", ins.value):
                continue
            earlier = [i for i in instructions if i.keyword == "ENV" and i.line < ins.line]
            pip_off = "PIP_NO_CACHE_DIR" in env_values(earlier)
            for manager in _cache_problems(ins.command_text, pip_off):
                yield Finding(
                    message=f"{dockerfile.path}: {manager} leaves its package cache in this layer",
                    location=Location(path=dockerfile.path, line=ins.line),
                    key=manager,
                )
    if not judged:
        raise NotApplicable("no apt/apk/pip/yum/dnf install in the final image's stages")
