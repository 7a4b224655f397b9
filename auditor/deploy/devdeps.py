"""Development dependencies in a built image: which install or COPY leaves them in the shipped stage.

An engine view on a Dockerfile, shared by DOCKER-DEV-DEPS (which reports the instruction) and
DOCKER-SINGLE-STAGE (which says whether a single-stage build ships its dev tooling). Node's
node_modules and Python's environment are followed along the stage chain, through
`COPY --from` of node_modules (or the whole workdir) out of a build stage.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from itertools import pairwise

from auditor.deploy.images import assignments, chain, runtime_stage, segments, stage_by_name, words
from auditor.parsing.dockerfile import Dockerfile, Instruction, Stage
from auditor.project import Project
from auditor.secrets import env_pairs

_DEV_EXTRA = re.compile(r"\[[^\]]*\b(dev|devel|develop|test|tests|testing|lint|docs)\b[^\]]*\]", re.IGNORECASE)
_DEV_REQS = re.compile(r"(^|[/_-])(dev|devel|develop|test|tests|testing)([/_.-]|$)", re.IGNORECASE)
_PROD_ENV = {"NODE_ENV": "production", "NPM_CONFIG_PRODUCTION": "true", "npm_config_production": "true"}


@dataclass(frozen=True)
class DependencyState:
    """Whether node_modules / the Python env holds dev deps, and which line put them there."""

    dev: bool
    instruction: Instruction | None = None
    label: str = ""


def _prod_env(env: dict[str, str]) -> bool:
    return any(env.get(k, "").lower() == v for k, v in _PROD_ENV.items())


def _node_event(tokens: list[str], env: dict[str, str]) -> tuple[str, bool] | None:
    """(label, is dev) for a Node package-manager command that sets node_modules, else None."""
    if not tokens:
        return None
    tool = tokens[0].rsplit("/", 1)[-1]
    rest = tokens[1:]
    flags = {t.split("=", 1)[0] for t in rest if t.startswith("-")}
    values = set(rest)
    positional = [t for t in rest if not t.startswith("-")]
    if tool == "npm" and positional and positional[0] in {"install", "i", "ci", "clean-install"}:
        if "-g" in flags or "--global" in flags or len(positional) > 1:
            return None  # a global tool or one named package, not the project's dependencies
        prod = ("--production" in flags or "--omit=dev" in values or "--only=prod" in values
                or "--only=production" in values or _omit_dev(rest) or _prod_env(env))
        return f"npm {positional[0]}", not prod
    if tool == "npm" and positional[:1] == ["prune"]:
        return "npm prune", not ("--production" in flags or "--omit=dev" in values or _omit_dev(rest)
                                 or _prod_env(env))
    if tool == "pnpm" and positional[:1] in (["install"], ["i"]):
        if len(positional) > 1 or "-g" in flags:
            return None
        return "pnpm install", not ({"--prod", "-P", "--production"} & flags or _prod_env(env))
    if tool == "pnpm" and positional[:1] == ["prune"]:
        return "pnpm prune", not ({"--prod", "--production"} & flags or _prod_env(env))
    if tool == "yarn" and (not positional or positional[:1] == ["install"]):
        if positional == [] and flags - {"--frozen-lockfile", "--immutable", "--production", "--pure-lockfile",
                                         "--non-interactive", "--ignore-scripts", "--prefer-offline",
                                         "--network-timeout", "--check-files"}:
            return None  # `yarn --version` and friends
        return "yarn install", not ("--production" in flags or _prod_env(env))
    if tool == "yarn" and positional[:2] == ["workspaces", "focus"]:
        return "yarn workspaces focus", "--production" not in flags
    if tool == "bun" and positional[:1] in (["install"], ["i"]):
        if len(positional) > 1 or "-g" in flags:
            return None
        return "bun install", not ({"--production", "-p"} & flags or _prod_env(env))
    return None


def _omit_dev(rest: list[str]) -> bool:
    return any(a == "--omit" and b == "dev" for a, b in pairwise(rest))


def _python_event(tokens: list[str]) -> str | None:
    """A label when a Python command installs dev dependencies, else None."""
    if not tokens:
        return None
    tool = tokens[0].rsplit("/", 1)[-1]
    rest = tokens[1:]
    if tool.startswith("python") and rest[:2] == ["-m", "pip"]:
        tool, rest = "pip", rest[2:]
    if tool in {"pip", "pip3"} and rest[:1] == ["install"]:
        for i, token in enumerate(rest):
            if _DEV_EXTRA.search(token) and not token.startswith("-"):
                return f"pip install {token}"
            if token in {"-r", "--requirement"} and i + 1 < len(rest) and _DEV_REQS.search(
                    posixpath.basename(rest[i + 1])):
                return f"pip install -r {rest[i + 1]}"
            if token.startswith("--requirement=") and _DEV_REQS.search(token.split("=", 1)[1]):
                return f"pip install {token}"
            if token == "--group" and i + 1 < len(rest) and _DEV_REQS.search(rest[i + 1]):
                return f"pip install --group {rest[i + 1]}"
        return None
    if tool == "poetry" and rest[:1] == ["install"]:
        joined = " ".join(rest)
        if re.search(r"--only[= ]main\b|--without[= ]\S*dev|--no-dev|--only[= ]\S*prod", joined):
            return None
        return "poetry install"
    if tool == "uv" and rest[:1] == ["sync"]:
        joined = " ".join(rest)
        if re.search(r"--no-dev\b|--only-group\b|--no-default-groups\b", joined):
            return None
        return "uv sync"
    if tool == "pipenv" and rest[:1] == ["install"] and "--dev" in rest:
        return "pipenv install --dev"
    return None


_INSTALLS = re.compile(r"\b(npm|pnpm|yarn|bun)\s+(install|ci|i|add)\b|\byarn\s*($|&&|;)|\b(pip3?|poetry|pipenv)"
                       r"\s+install\b|-m\s+pip\s+install\b|\buv\s+(sync|pip\s+install)\b")


class _Judge:
    """Walks a stage chain and tracks dev-dependency state per ecosystem."""

    def __init__(self, dockerfile: Dockerfile) -> None:
        self.dockerfile = dockerfile
        self.cache: dict[int, dict[str, DependencyState]] = {}

    def state(self, stage: Stage, depth: int = 0) -> dict[str, DependencyState]:
        if stage.index in self.cache:
            return self.cache[stage.index]
        self.cache[stage.index] = {}  # cycle guard
        states: dict[str, DependencyState] = {"node": DependencyState(False), "python": DependencyState(False)}
        env: dict[str, str] = {}
        for current in chain(self.dockerfile, stage):
            for ins in current.instructions:
                if ins.keyword == "ENV":
                    env.update({k: v for k, v in env_pairs(ins.args) if v is not None})
                elif ins.keyword == "RUN":
                    self._run(ins, env, states)
                elif ins.keyword == "COPY" and ins.flags.get("from") and depth < 8:
                    self._copy(ins, states, current, depth)
        self.cache[stage.index] = states
        return states

    def _run(self, ins: Instruction, env: dict[str, str], states: dict[str, DependencyState]) -> None:
        for segment in segments(ins.command_text):
            tokens = words(segment)
            local_env = {**env, **assignments(segment)}
            node = _node_event(tokens, local_env)
            if node is not None:
                label, dev = node
                states["node"] = DependencyState(dev, ins, label)
                continue
            if re.match(r"rm\s+-\w*r\w*\s+.*node_modules", segment):
                states["node"] = DependencyState(False)
                continue
            python = _python_event(tokens)
            if python is not None:
                states["python"] = DependencyState(True, ins, python)

    def _copy(self, ins: Instruction, states: dict[str, DependencyState], current: Stage, depth: int) -> None:
        source_stage = stage_by_name(self.dockerfile, ins.flags["from"], before=current.index)
        if source_stage is None:
            return
        tokens = ins.args.split()
        sources = tokens[:-1]
        workdir = _workdir(self.dockerfile, source_stage)
        # COPY --from paths are relative to the source stage's root, not its WORKDIR.
        takes_modules = any(
            "node_modules" in s or posixpath.normpath(posixpath.join("/", s)) in {workdir, "/"} for s in sources
        )
        if not takes_modules:
            return
        inherited = self.state(source_stage, depth + 1).get("node", DependencyState(False))
        if inherited.dev:
            states["node"] = DependencyState(True, ins, f"COPY node_modules from {ins.flags['from']}")
        else:
            states["node"] = DependencyState(False)


def _workdir(dockerfile: Dockerfile, stage: Stage) -> str:
    workdir = "/"
    for current in chain(dockerfile, stage):
        for ins in current.of("WORKDIR"):
            workdir = posixpath.normpath(posixpath.join(workdir, ins.args.strip()))
    return workdir


def installs_dependencies(dockerfile: Dockerfile) -> bool:
    """Whether any stage installs dependencies (npm/pnpm/yarn/pip/poetry/uv) or copies node_modules."""
    return (any(_INSTALLS.search(i.command_text) for s in dockerfile.stages for i in s.of("RUN"))
            or any("node_modules" in i.args for s in dockerfile.stages for i in s.of("COPY")))


def dependency_states(project: Project, dockerfile: Dockerfile) -> dict[str, DependencyState]:
    """Per ecosystem ("node", "python"), what the shipped stage holds and which instruction put it there."""
    stage = runtime_stage(project, dockerfile)
    return project.view(dependency_states, lambda: _Judge(dockerfile).state(stage), dockerfile.path, stage.index)


def leaves_dev_dependencies(project: Project, dockerfile: Dockerfile) -> bool:
    """Whether the image ``dockerfile`` builds keeps development dependencies."""
    return any(state.dev and state.instruction is not None for state in dependency_states(project, dockerfile).values())
