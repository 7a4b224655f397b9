"""COPY source missing from the build context.

## What it checks
Every `COPY` / `ADD` that takes files from the build context (not
`--from=<stage>`, not a URL or git source, not a heredoc) names sources that
exist in the repository, relative to the build context: the compose
`build.context` of the services built from this Dockerfile, else the
Dockerfile's directory or the repository root (either may be the context of
a plain `docker build`). A source fails when:

- no file or directory matches it (a lock file that was never committed, a
  renamed folder, a typo);
- it lies outside the context (`../shared`);
- the context's `.dockerignore` (or `<Dockerfile>.dockerignore`) excludes
  it: Docker never sends it to the builder.

Each missing source is reported once per Dockerfile, at its first `COPY`
(later copies of the same source are named in the message). Globs
(`package*.json`) fail only when every source of the instruction matches
nothing, since `COPY package.json yarn.lock* ./` is a common way to copy an
optional file. Sources built by a step before `docker build` (git-ignored
paths such as `dist/`) and sources still holding an unresolved `${ARG}`
are not judged. Dockerfiles that copy nothing from the context are skipped.

## Why it matters
The build stops with `failed to compute cache key: "/package-lock.json":
not found`. Nobody notices until the next deploy, usually in a hurry; when
a lock file is the missing piece, the fix is often a rushed `npm install`
that replaces the reproducible `npm ci`.

## How to fix
Commit the file (for a lock file: run the install once and commit the
result), fix the path, or stop excluding it in `.dockerignore`.

```dockerfile
# commit package-lock.json, then:
COPY package.json package-lock.json ./
RUN npm ci
```
```dockerfile pnpm
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN corepack enable && pnpm install --frozen-lockfile
```
```gitignore
# .dockerignore: do not exclude what the Dockerfile copies
node_modules
.env
!package-lock.json
```
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

import pathspec

from auditor.deploy.checkviews import arg_defaults, build_contexts, dockerfiles, has_unresolved, resolve
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.dockerfile import Dockerfile, Instruction, exec_form
from auditor.project import Project
from auditor.registry import NotApplicable, check

_GLOB = re.compile(r"[*?\[]")
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://|^git@", re.IGNORECASE)


@dataclass(frozen=True)
class Missing:
    """One source that no build context provides, with why."""

    source: str
    why: str
    instruction: Instruction


def context_sources(ins: Instruction) -> list[str]:
    """The build-context sources of a COPY/ADD (none for --from, URLs and heredocs)."""
    if ins.keyword not in {"COPY", "ADD"} or "from" in ins.flags:
        return []
    parts = exec_form(ins.args)
    tokens = parts if parts is not None else ins.args.split()
    return [t for t in tokens[:-1] if not t.startswith("<<") and not _REMOTE.match(t)]


def _dockerignore(project: Project, dockerfile: Dockerfile, context: str) -> pathspec.PathSpec | None:
    """The ignore rules Docker applies for this context (Dockerfile-specific file first)."""
    for candidate in (f"{dockerfile.path}.dockerignore", posixpath.normpath(posixpath.join(context, ".dockerignore"))):
        if candidate in project.file_set:
            lines = []
            for raw in (project.read_text(candidate) or "").splitlines():
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("!")
                body = (line[1:] if negate else line).strip().lstrip("/")
                if body:
                    # Docker anchors patterns at the context root.
                    lines.append(("!" if negate else "") + "/" + body)
            return pathspec.GitIgnoreSpec.from_lines(lines)
    return None


class _Tree:
    """Files and directories of the repository, for existence and glob tests."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.files = project.file_set
        dirs: set[str] = set()
        for rel in project.files:
            parts = rel.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:depth]))
        self.dirs = frozenset(dirs)

    def exists(self, rel: str) -> bool:
        """A discovered file or directory, or anything on disk (node_modules, ignored files)."""
        return rel in self.files or rel in self.dirs or self.project.exists(rel)

    def glob(self, pattern: str) -> list[str]:
        """Paths matching a Docker glob, segment by segment (``*`` never crosses ``/``)."""
        wanted = pattern.split("/")
        return [p for p in (*self.files, *self.dirs)
                if len(parts := p.split("/")) == len(wanted)
                and all(fnmatchcase(a, b) for a, b in zip(parts, wanted, strict=True))]


def _relative(context: str, source: str) -> str | None:
    """The repo-relative path of a source in a context; None when it escapes the context."""
    cleaned = posixpath.normpath(source.lstrip("/") or ".")
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    joined = posixpath.normpath(posixpath.join(context, cleaned)) if context not in {"", "."} else cleaned
    return "" if joined == "." else joined


def _problem(tree: _Tree, context: str, source: str, ignore: pathspec.PathSpec | None) -> str | None:
    """Why ``source`` is unavailable in ``context``; None when it is there."""
    rel = _relative(context, source)
    if rel is None:
        return "it lies outside the build context"
    if rel == "" or rel == context.strip("/"):
        return None  # the context itself
    inside = rel[len(context) + 1:] if context not in {"", "."} else rel
    if _GLOB.search(rel):
        matches = [m for m in tree.glob(rel) if ignore is None or not ignore.match_file(
            m[len(context) + 1:] if context not in {"", "."} else m)]
        return None if matches else "no file matches it"
    if not tree.exists(rel):
        return "no such file or directory in the repository"
    if ignore is not None and ignore.match_file(inside) and rel in tree.files:
        return ".dockerignore excludes it"
    return None


def _missing(project: Project, tree: _Tree, dockerfile: Dockerfile) -> Iterator[Missing]:
    contexts = build_contexts(project, dockerfile)
    ignores = {c: _dockerignore(project, dockerfile, c) for c in contexts}
    for stage in dockerfile.stages:
        args = arg_defaults(dockerfile, stage)
        for ins in stage.of("COPY", "ADD"):
            sources = [resolve(s, args) for s in context_sources(ins)]
            sources = [s for s in sources if not has_unresolved(s)]
            if not sources:
                continue
            problems: dict[str, str] = {}
            for source in sources:
                # Missing only when no plausible context provides it.
                reasons = [_problem(tree, c, source, ignores[c]) for c in contexts]
                if all(reasons):
                    problems[source] = str(reasons[0])
            globs = [s for s in sources if _GLOB.search(s)]
            if globs and any(s not in problems for s in sources):
                # A glob matching nothing beside a source that exists is the "optional file" idiom.
                problems = {s: w for s, w in problems.items() if s not in globs}
            for source, why in problems.items():
                rel = _relative(contexts[0], source)
                if rel and any(project.is_git_ignored(c) for c in (rel, rel + "/", rel + "/_")):
                    continue  # produced before the build (dist/, .env): not a repository file
                if rel and _unseen(project, rel):
                    continue  # the scan could not see it: never claim it does not exist
                yield Missing(source, why, ins)


_LOCKFILES = frozenset({"pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lockb", "bun.lock",
                        "npm-shrinkwrap.json", "poetry.lock", "uv.lock", "Pipfile.lock", "Cargo.lock",
                        "composer.lock", "Gemfile.lock", "go.sum"})
_FROZEN = re.compile(r"--frozen-lockfile|--immutable|\bnpm\s+ci\b|--locked\b|--frozen\b|\bpoetry\s+install\b")


def _unseen(project: Project, rel: str) -> bool:
    """A path the scan skipped (size cap, excludes), or a lockfile that CI and scripts clearly rely on.

    Lockfiles are often large and left out of partial copies; when a workflow installs with a frozen
    lockfile or names the file, its absence here says more about the copy than about the build.
    """
    if any(skip.path == rel or skip.path.startswith(rel.rstrip("/") + "/") for skip in project.skipped):
        return True
    name = rel.rsplit("/", 1)[-1]
    if name not in _LOCKFILES:
        return False
    texts = [w.text for w in project.workflows]
    return any(_FROZEN.search(text) or name in text for text in texts)


@check(id="DOCKER-COPY-MISSING-SOURCE", severity=Severity.HIGH, section=Section.DEPLOYMENT,
       needs=("dockerfiles",), effort_hours=0.25,
       passed="Every COPY source exists in the build context")
def copy_missing_source(project: Project) -> Iterator[Finding]:
    """Report COPY/ADD sources that match nothing in the build context, so the build fails."""
    if not any(context_sources(i) for d in dockerfiles(project) for s in d.stages for i in s.of("COPY", "ADD")):
        raise NotApplicable("no COPY or ADD from the build context")
    tree = _Tree(project)
    for dockerfile in dockerfiles(project):
        first: dict[str, Missing] = {}
        later: dict[str, list[int]] = {}
        for item in _missing(project, tree, dockerfile):
            if item.source in first:
                later.setdefault(item.source, []).append(item.instruction.line)
            else:
                first[item.source] = item
        for source, item in first.items():
            also = later.get(source, [])
            more = f" (also copied at line{'s' if len(also) > 1 else ''} {', '.join(map(str, also))})" if also else ""
            yield Finding(
                message=(f"{dockerfile.path}: {item.instruction.keyword} {source}: {item.why}, "
                         f"so the image build fails{more}"),
                location=Location(path=dockerfile.path, line=item.instruction.line),
                key=source,
            )
