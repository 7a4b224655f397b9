"""Whole build context copied without a .dockerignore that excludes .env and .git.

## What it checks
A `COPY . .` / `COPY . /app` / `ADD . ...` (or `COPY * ./`) in any stage
needs a `.dockerignore` for its build context (the compose `build.context`,
else the Dockerfile's directory or the repository root, or a
`<Dockerfile>.dockerignore` next to it) that excludes both `.env` (`.env`,
`.env*`, `*.env` or an allow-list) and `.git`. The patterns are evaluated
as Docker does, including `!` exceptions.

## Why it matters
Without it, local `.env` files with real credentials and the whole `.git`
history (including secrets that were "removed" in a later commit) are sent
to the builder and, in a single-stage build or a careless `COPY --from`,
baked into the image for anyone who can pull it. It also busts the layer
cache on every commit.

## How to fix
Add a `.dockerignore` at the root of the build context.

```text dockerignore
.git
.env
.env.*
!.env.example
node_modules
dist
*.log
```
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

import pathspec

from auditor.deploy.checkviews import build_contexts, chain, chain_instructions, dockerfiles, runtime_stage
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Dockerfile, Instruction, exec_form
from auditor.project import Project
from auditor.registry import NotApplicable, check

_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/"})


def copies_whole_context(ins: Instruction) -> bool:
    """True for COPY/ADD from the build context (no --from) whose sources include the whole context."""
    if ins.keyword not in {"COPY", "ADD"} or "from" in ins.flags:
        return False
    parts = exec_form(ins.args)
    tokens = parts if parts is not None else ins.args.split()
    return any(t in _WHOLE_CONTEXT for t in tokens[:-1])


def ignore_problems(text: str) -> list[str]:
    """What a .dockerignore fails to exclude, among ``.env`` and ``.git``."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = line[1:] if negate else line
        # Docker patterns are anchored at the context root; a leading slash means the same.
        body = body.lstrip("/")
        if not body:
            continue
        lines.append(("!" if negate else "") + "/" + body)
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    missing = []
    if not spec.match_file(".env"):
        missing.append(".env")
    if not (spec.match_file(".git") or spec.match_file(".git/config")):
        missing.append(".git")
    return missing


def _dest(stage_instructions: list[Instruction], ins: Instruction) -> str:
    """Absolute destination of a COPY (relative ones resolved against the WORKDIR in effect)."""
    parts = exec_form(ins.args)
    tokens = parts if parts is not None else ins.args.split()
    dest = tokens[-1] if tokens else "."
    workdir = "/"
    for other in stage_instructions:
        if other is ins:
            break
        if other.keyword == "WORKDIR":
            workdir = posixpath.join(workdir, other.args.strip())
    return posixpath.normpath(posixpath.join(workdir, dest))


def shipped_copies(project: Project, dockerfile: Dockerfile) -> Iterator[Instruction]:
    """Whole-context COPYs whose files reach the shipped image.

    Those in the runtime stage's chain, and those in other stages whose destination the runtime
    chain copies back whole (``COPY --from=builder /app /app``); a builder that only hands over
    ``/app/dist`` or a virtualenv does not ship the context.
    """
    runtime = runtime_stage(project, dockerfile)
    shipped = chain(dockerfile, runtime)
    indexes = {s.index for s in shipped}
    pulls: list[tuple[str, str]] = []  # (stage name or index, source path)
    for stage in shipped:
        for ins in stage.of("COPY", "ADD"):
            source = ins.flags.get("from")
            if source:
                parts = exec_form(ins.args)
                tokens = parts if parts is not None else ins.args.split()
                pulls.extend((source.lower(), t) for t in tokens[:-1])
    for stage in dockerfile.stages:
        instructions = chain_instructions(dockerfile, stage)
        for ins in stage.instructions:
            if not copies_whole_context(ins):
                continue
            if stage.index in indexes:
                yield ins
                continue
            dest = _dest(instructions, ins)
            names = {str(stage.index), (stage.name or "").lower()}
            for source, path in pulls:
                path = posixpath.normpath(path if path.startswith("/") else posixpath.join(dest, path))
                if source in names and (dest == path or dest.startswith(path.rstrip("/") + "/") or path == "/"):
                    yield ins
                    break


@check(id="DOCKER-COPY-ALL-NO-DOCKERIGNORE", severity=Severity.MEDIUM, section=Section.SECURITY,
       needs=("dockerfiles",), security=True, effort_hours=0.25,
       passed="Build context .dockerignore excludes .env and .git")
def copy_all_no_dockerignore(project: Project) -> Iterator[Finding]:
    """Report COPY of the whole context without a .dockerignore excluding .env and .git."""
    judged = False
    for dockerfile in dockerfiles(project):
        first = next((i for i in shipped_copies(project, dockerfile)), None)
        if first is None:
            continue
        judged = True
        candidates = [f"{dockerfile.path}.dockerignore"]
        candidates += [posixpath.normpath(posixpath.join(c, ".dockerignore")) for c in build_contexts(project, dockerfile)]
        found = [c for c in dict.fromkeys(candidates) if c in project.file_set]
        if not found:
            yield Finding(
                message=f"{dockerfile.path}: copies the whole build context but there is no .dockerignore",
                location=Location(path=dockerfile.path, line=first.line),
                key="no .dockerignore",
            )
            continue
        problems = {c: ignore_problems(project.read_text(c) or "") for c in found}
        if any(not missing for missing in problems.values()):
            continue
        path, missing = next(iter(problems.items()))
        yield Finding(
            message=(f"{dockerfile.path}: copies the whole build context but {path} does not exclude "
                     f"{' and '.join(missing)}"),
            location=Location(path=dockerfile.path, line=first.line),
            key=f".dockerignore misses {' and '.join(missing)}",
        )
    if not judged:
        raise NotApplicable("no COPY of the whole build context")
