"""Helpers shared by the Dockerfile checks (no checks live here).

The facts the checks share: which stage becomes the runtime image (the last
stage, or the compose ``build.target``), the chain of stages it is built
FROM (instructions such as USER and ENV are inherited along it), ARG
resolution, the compose services that build a Dockerfile, shell command
splitting and the start path (CMD/ENTRYPOINT, entrypoint scripts and the
package.json scripts they run).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.parsing.compose import Service
from auditor.parsing.dockerfile import Dockerfile, Instruction, Stage, shell_words
from auditor.project import Project
from auditor.registry import NotApplicable
from auditor.secrets import env_pairs

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_SEPARATORS = re.compile(r"&&|\|\||;|\||\n")


def dockerfiles(project: Project) -> list[Dockerfile]:
    """Parsed Dockerfiles that have at least one stage; NotApplicable when none."""
    found = [d for d in project.dockerfiles if d.stages]
    if not found:
        raise NotApplicable("no parseable Dockerfile")
    return found


# -- stages ------------------------------------------------------------------


def runtime_stage(project: Project, dockerfile: Dockerfile) -> Stage:
    """The stage that becomes the image: the compose ``build.target`` when every builder agrees, else the last."""
    targets = {build_target(s) for s in building_services(project, dockerfile)}
    targets.discard(None)
    if len(targets) == 1:
        wanted = str(targets.pop()).lower()
        for stage in dockerfile.stages:
            if stage.name and stage.name.lower() == wanted:
                return stage
    return dockerfile.stages[-1]


def stage_by_name(dockerfile: Dockerfile, name: str, before: int | None = None) -> Stage | None:
    """A stage by its ``AS`` name or numeric index, only among stages before ``before``."""
    candidates = dockerfile.stages[:before] if before is not None else dockerfile.stages
    if name.isdigit():
        index = int(name)
        return candidates[index] if index < len(candidates) else None
    for stage in reversed(candidates):
        if stage.name and stage.name.lower() == name.lower():
            return stage
    return None


def chain(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """The stage and the stages it is built FROM, root first (``FROM build AS run`` inherits build)."""
    out = [stage]
    seen = {stage.index}
    current = stage
    while True:
        parent = stage_by_name(dockerfile, current.image, before=current.index)
        if parent is None or parent.index in seen:
            break
        out.append(parent)
        seen.add(parent.index)
        current = parent
    return list(reversed(out))


def chain_instructions(dockerfile: Dockerfile, stage: Stage) -> list[Instruction]:
    """Every instruction that shapes ``stage``, inherited ones first."""
    return [ins for s in chain(dockerfile, stage) for ins in s.instructions]


def root_image(dockerfile: Dockerfile, stage: Stage) -> str:
    """The real base image under ``stage`` (stage references followed, ARGs resolved), lower-cased."""
    root = chain(dockerfile, stage)[0]
    return resolve(root.image, arg_defaults(dockerfile)).lower()


def last_of(instructions: list[Instruction], keyword: str) -> Instruction | None:
    """The last instruction of a keyword (the one in effect)."""
    found = [i for i in instructions if i.keyword == keyword]
    return found[-1] if found else None


# -- ARG / ENV -----------------------------------------------------------------


def arg_defaults(dockerfile: Dockerfile, stage: Stage | None = None) -> dict[str, str]:
    """ARG defaults usable in FROM lines (global ARGs) and, with ``stage``, inside that stage.

    ARGs declared inside an earlier stage are used as a last resort: Docker
    would not see them in a later FROM, but people write it (and mean it).
    """
    values: dict[str, str] = {}
    late: dict[str, str] = {}
    for other in dockerfile.stages:
        if stage is not None and other.index == stage.index:
            continue
        for ins in other.of("ARG"):
            for name, value in env_pairs(ins.args):
                if value is not None:
                    late.setdefault(name, value)
    values.update(late)
    for ins in dockerfile.preamble:
        if ins.keyword == "ARG":
            for name, value in env_pairs(ins.args):
                if value is not None:
                    values[name] = value
    if stage is not None:
        for ins in stage.of("ARG", "ENV"):
            for name, value in env_pairs(ins.args):
                if value is not None:
                    values[name] = resolve(value, values)
    return values


def resolve(text: str, values: dict[str, str]) -> str:
    """Substitute ``$VAR`` / ``${VAR}`` / ``${VAR:-default}``; unknown variables stay as written."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        if name in values:
            return values[name]
        if match.group(2) in ("-", ":-"):
            return match.group(3) or ""
        return match.group(0)

    return _VAR.sub(sub, text)


def has_unresolved(text: str) -> bool:
    """True when ``text`` still holds a variable reference."""
    return bool(_VAR.search(text))


def env_values(instructions: list[Instruction]) -> dict[str, tuple[str, Instruction]]:
    """Effective ENV values (last wins) with the instruction that set each."""
    out: dict[str, tuple[str, Instruction]] = {}
    for ins in instructions:
        if ins.keyword == "ENV":
            for name, value in env_pairs(ins.args):
                if value is not None:
                    out[name] = (value, ins)
    return out


# -- compose -------------------------------------------------------------------


def build_of(service: Service) -> tuple[str, str, str | None] | None:
    """(context dir, dockerfile path, target) of a compose service's build, repo-relative; None without build."""
    build = service.get("build")
    return None if build is None else _build_tuple(build)


def _build_tuple(build: object) -> tuple[str, str, str | None] | None:
    if isinstance(build, str):
        return build, "Dockerfile", None
    if isinstance(build, dict):
        context = str(build.get("context") or ".")
        dockerfile = str(build.get("dockerfile") or "Dockerfile")
        target = build.get("target")
        return context, dockerfile, str(target) if target is not None else None
    return None


def build_target(service: Service) -> str | None:
    """The ``build.target`` stage name, if any."""
    info = build_of(service)
    return info[2] if info else None


def _builds_by_dockerfile(project: Project) -> dict[str, list[tuple[Service, str]]]:
    """Dockerfile path -> (compose service building it, its context dir), computed once per project."""

    def build() -> dict[str, list[tuple[Service, str]]]:
        index: dict[str, list[tuple[Service, str]]] = {}
        for compose in project.compose_files:
            base = posixpath.dirname(compose.path)
            for service in compose.services:
                info = build_of(service)
                if info is None or "://" in info[0]:
                    continue
                context_dir = posixpath.normpath(posixpath.join(base, info[0]))
                path = posixpath.normpath(posixpath.join(context_dir, info[1]))
                index.setdefault(path, []).append((service, context_dir))
        return index

    return project.memo("docker.builds_by_dockerfile", build)


def building_services(project: Project, dockerfile: Dockerfile) -> list[Service]:
    """Compose services whose ``build`` uses this Dockerfile."""
    return [service for service, _ctx in _builds_by_dockerfile(project).get(posixpath.normpath(dockerfile.path), [])]


def build_contexts(project: Project, dockerfile: Dockerfile) -> list[str]:
    """Plausible build contexts: compose contexts, else the Dockerfile's directory and the repo root."""
    contexts: list[str] = [ctx for _svc, ctx in
                           _builds_by_dockerfile(project).get(posixpath.normpath(dockerfile.path), [])]
    if not contexts:
        contexts = [posixpath.dirname(dockerfile.path) or ".", "."]
    return list(dict.fromkeys(contexts))


def compose_command_text(service: Service) -> str:
    """A compose service's ``entrypoint`` and ``command`` as one shell string."""
    parts = []
    for key in ("entrypoint", "command"):
        value = service.get(key)
        if isinstance(value, list):
            parts.append(" ".join(str(v) for v in value))
        elif value is not None:
            parts.append(str(value))
    return " ".join(parts)


# -- shell ---------------------------------------------------------------------


def segments(command: str) -> list[str]:
    """Split a shell command into simple commands (on ``&&``, ``||``, ``;``, ``|``, newlines)."""
    return [s.strip() for s in _SEPARATORS.split(command.replace("\\\n", " ")) if s.strip()]


def words(segment: str) -> list[str]:
    """Shell words of one simple command, without leading ``VAR=value`` assignments."""
    out = shell_words(segment)
    while out and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", out[0]):
        out.pop(0)
    return out


def assignments(segment: str) -> dict[str, str]:
    """Leading ``VAR=value`` assignments of one simple command."""
    found: dict[str, str] = {}
    for word in shell_words(segment):
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", word)
        if not match:
            break
        found[match.group(1)] = match.group(2)
    return found


def run_commands(instructions: list[Instruction]) -> Iterator[tuple[Instruction, str]]:
    """(RUN instruction, simple command) for every simple command of every RUN."""
    for ins in instructions:
        if ins.keyword == "RUN":
            for segment in segments(ins.command_text):
                yield ins, segment


# -- start path ----------------------------------------------------------------


@dataclass(frozen=True)
class StartPath:
    """What runs when the container starts: instruction, text and where each piece came from."""

    anchor: Instruction | None
    texts: tuple[tuple[str, str], ...]  # (origin, text): commands and scripts that run at start
    sources: tuple[tuple[str, str], ...] = ()  # (path, text): application entry files they start

    @property
    def text(self) -> str:
        """All pieces joined."""
        return "\n".join(t for _o, t in self.texts)


def start_instructions(instructions: list[Instruction]) -> tuple[Instruction | None, Instruction | None]:
    """The ENTRYPOINT and CMD in effect (the last of each along the stage chain)."""
    return last_of(instructions, "ENTRYPOINT"), last_of(instructions, "CMD")


def start_command(instructions: list[Instruction]) -> str:
    """ENTRYPOINT and CMD joined as the command line the container runs."""
    entry, cmd = start_instructions(instructions)
    return " ".join(i.command_text for i in (entry, cmd) if i is not None)


def start_path(project: Project, dockerfile: Dockerfile, stage: Stage, *, depth: int = 3) -> StartPath:
    """The start command plus the repo scripts and package.json scripts it runs (a few levels deep)."""
    instructions = chain_instructions(dockerfile, stage)
    entry, cmd = start_instructions(instructions)
    anchor = cmd or entry
    pieces: list[tuple[str, str]] = []
    command = start_command(instructions)
    if command:
        pieces.append((dockerfile.path, command))
    for service in building_services(project, dockerfile):
        text = compose_command_text(service)
        if text:
            pieces.append((f"compose service {service.name}", text))
    seen: set[str] = set()
    frontier = [text for _o, text in pieces]
    package = package_scripts(project, dockerfile)
    for _ in range(depth):
        found: list[str] = []
        for text in frontier:
            for origin, extra in _expand(project, dockerfile, text, package):
                if origin in seen:
                    continue
                seen.add(origin)
                pieces.append((origin, extra))
                found.append(extra)
        frontier = found
    return StartPath(anchor, tuple(pieces), tuple(_entry_sources(project, dockerfile, [t for _o, t in pieces])))


_SCRIPT_RUN = re.compile(r"\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([A-Za-z0-9:_.-]+)")
_SCRIPT_FILE = re.compile(r"(?:^|[\s\"'=/])((?:\./|/)?[\w./-]*?([\w.-]+\.(?:sh|bash|py|js|mjs|cjs|ts)))\b")
_NOT_SCRIPTS = frozenset({"install", "ci", "i", "add", "exec", "dlx", "x", "prune", "audit", "config", "set"})


def _expand(project: Project, dockerfile: Dockerfile, text: str, package: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Scripts a command text runs: package.json scripts (with pre-hooks) and shell scripts in the repo."""
    for match in _SCRIPT_RUN.finditer(text):
        name = match.group(1)
        if name in _NOT_SCRIPTS:
            continue
        for script in (f"pre{name}", name):
            if script in package:
                yield f"package.json script {script}", package[script]
    # `node`/`npm start` with no start script runs `node server.js`: nothing more to read.
    for match in _SCRIPT_FILE.finditer(text):
        candidate = match.group(1).lstrip("/")
        if candidate.endswith((".js", ".mjs", ".cjs", ".ts", ".py")) and not candidate.endswith(".sh"):
            # Application entry files are source, not start scripts; their content is judged elsewhere.
            continue
        path = find_repo_file(project, dockerfile, candidate)
        if path is not None:
            body = project.read_text(path)
            if body is not None:
                yield path, strip_comments(body)


_ENTRY_FILE = re.compile(r"(?:^|[\s\"'=/])([\w.-]+)\.(?:js|mjs|cjs|ts|mts|py)\b")
_SOURCE_SUFFIXES = (".ts", ".mts", ".js", ".mjs", ".cjs", ".py")
_BUILD_DIRS = frozenset({"dist", "build", "out", "node_modules", ".next", "coverage"})


def _entry_sources(project: Project, dockerfile: Dockerfile, texts: list[str]) -> Iterator[tuple[str, str]]:
    """Source files of the application entry points a start command runs (``dist/index.js`` -> ``src/index.ts``)."""
    stems = {m.group(1) for text in texts for m in _ENTRY_FILE.finditer(text)}
    stems -= {"manage", "setup", "conftest"}
    here = posixpath.dirname(dockerfile.path)
    by_stem = _source_files_by_stem(project)
    for rel in sorted({rel for stem in stems for rel in by_stem.get(stem, ())}):
        if _BUILD_DIRS & set(rel.split("/")[:-1]) or (here and not rel.startswith(here + "/")):
            continue
        text = project.read_text(rel)
        if text is not None:
            yield rel, text


def _source_files_by_stem(project: Project) -> dict[str, list[str]]:
    """Source files by file stem (``index`` -> ``src/index.ts``), computed once per project."""

    def build() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for rel in project.files:
            stem, dot, suffix = posixpath.basename(rel).rpartition(".")
            if dot and f".{suffix}" in _SOURCE_SUFFIXES:
                index.setdefault(stem, []).append(rel)
        return index

    return project.memo("docker.sources_by_stem", build)


def find_repo_file(project: Project, dockerfile: Dockerfile, candidate: str) -> str | None:
    """A repo file a container path most likely came from (same basename, nearest the Dockerfile)."""
    base = posixpath.basename(candidate)
    if not base:
        return None
    matches = project.files_named(base)
    if not matches:
        return None
    here = posixpath.dirname(dockerfile.path)
    matches.sort(key=lambda f: (not f.startswith(here + "/") if here else False, f.count("/"), f))
    return matches[0]


def strip_comments(text: str) -> str:
    """Drop full-line shell comments (``# ...``) so commented-out commands do not count."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def package_scripts(project: Project, dockerfile: Dockerfile) -> dict[str, str]:
    """``scripts`` of the package.json nearest the Dockerfile (its directory, else the root)."""
    here = posixpath.dirname(dockerfile.path)
    for candidate in (posixpath.join(here, "package.json") if here else "package.json", "package.json"):
        if candidate in project.file_set:
            try:
                data = json.loads(project.read_text(candidate) or "{}")
            except ValueError:
                continue
            scripts = data.get("scripts") if isinstance(data, dict) else None
            if isinstance(scripts, dict):
                return {str(k): str(v) for k, v in scripts.items()}
    return {}
