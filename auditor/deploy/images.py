"""Dockerfile views: stage chains, ARG/ENV resolution, builds, shell splitting.

Which stage becomes the runtime image (the target a release workflow or a
production compose service builds, else the last stage), the chain of stages
it is built FROM (USER and ENV are inherited along it), ARG resolution, the
compose services that build a Dockerfile and shell command splitting.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from auditor.lazyre import lazy
from auditor.parsing.compose import Service
from auditor.parsing.dockerfile import Dockerfile, Instruction, Stage, shell_words
from auditor.project import Project
from auditor.secrets import env_pairs

_VAR = lazy(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_SEPARATORS = lazy(r"&&|\|\||;|\||\n")


# -- stages ------------------------------------------------------------------


def runtime_stage(project: Project, dockerfile: Dockerfile) -> Stage:
    """The stage that becomes the image: the target the deployment model found, else the last stage."""
    wanted = project.deployment.target_of(dockerfile.path)
    if wanted:
        stage = stage_by_name(dockerfile, wanted)
        if stage is not None:
            return stage
    return dockerfile.stages[-1]


def runtime_stage_raw(dockerfile: Dockerfile) -> Stage:
    """The last stage (what ``docker build`` without ``--target`` ships)."""
    return dockerfile.stages[-1]


def compose_target(project: Project, dockerfile: Dockerfile) -> str | None:
    """The ``build.target`` every compose service building this Dockerfile agrees on, else None."""
    targets = {build_target(s) for s in building_services(project, dockerfile)}
    targets.discard(None)
    return str(targets.pop()) if len(targets) == 1 else None


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

    return project.view(_builds_by_dockerfile, build)


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




def start_instructions(instructions: list[Instruction]) -> tuple[Instruction | None, Instruction | None]:
    """The ENTRYPOINT and CMD in effect (the last of each along the stage chain)."""
    return last_of(instructions, "ENTRYPOINT"), last_of(instructions, "CMD")


def start_command(instructions: list[Instruction]) -> str:
    """ENTRYPOINT and CMD joined as the command line the container runs."""
    entry, cmd = start_instructions(instructions)
    return " ".join(i.command_text for i in (entry, cmd) if i is not None)
