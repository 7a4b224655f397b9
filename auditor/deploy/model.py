"""The deployment model as data: roles, compose projects, services and start paths.

Frozen dataclasses only; :mod:`auditor.deploy.build` fills them once per
project and checks read them through ``Project.deployment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a deployment file is for."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TEST = "test"
    CI = "ci"
    DEVCONTAINER = "devcontainer"
    DOCS = "docs"
    EXAMPLE = "example"
    TOOLING = "tooling"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from its name (case-insensitive); ValueError names the choices."""
        wanted = text.strip().lower()
        for role in cls:
            if role.value == wanted:
                return role
        raise ValueError(f"unknown role {text!r} (known: {', '.join(r.value for r in cls)})")


@dataclass(frozen=True)
class RoleDecision:
    """A role and the reason it was chosen ("under .devcontainer/")."""

    role: Role
    reason: str

    def describe(self) -> str:
        """``judged as development: under .devcontainer/``."""
        return f"judged as {self.role.value}: {self.reason}"


@dataclass(frozen=True)
class DeployFile:
    """A Dockerfile or compose file and its role."""

    path: str
    kind: str  # "dockerfile" | "compose"
    decision: RoleDecision

    @property
    def role(self) -> Role:
        """The decided role."""
        return self.decision.role


@dataclass(frozen=True)
class Reference:
    """A place that builds, pushes or starts a deployment file (a workflow step, a script, a doc)."""

    source: str  # file that holds the command
    line: int | None
    command: str  # "build" | "push" | "compose"
    files: tuple[str, ...]  # repo-relative deployment files it names, in order
    target: str | None = None
    pushed: bool = False
    context: str | None = None
    service: str | None = None  # compose ``run``/``exec`` service
    run: str | None = None  # the command it runs there (a deploy step such as migrations)
    image: str | None = None  # image name a build tags (last path component)
    script: str | None = None  # package.json script that holds the command

    @property
    def where(self) -> str:
        """``path:line`` of the reference."""
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass(frozen=True)
class StartStep:
    """One piece of what runs when a container starts, with where it came from."""

    origin: str  # "Dockerfile CMD", "deploy/entrypoint.sh", "package.json script start" ...
    text: str = field(repr=False)
    kind: str = "command"  # command | script | package-script | supervisor | hook | call | release | source
    via: str = ""  # origin of the step that runs this one ("" for a start command, an init or a release)

    def summary(self, width: int = 80) -> str:
        """The first line of the text, shortened."""
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        return first if len(first) <= width else first[: width - 3] + "..."


# Steps that are application code, not commands: entry files, start-up hooks and the functions they call.
_CODE_KINDS = frozenset({"source", "hook", "call"})


@dataclass(frozen=True)
class StartPath:
    """CMD/ENTRYPOINT followed into scripts, package scripts, supervisors and hooks."""

    steps: tuple[StartStep, ...] = ()
    anchor_path: str | None = None
    anchor_line: int | None = None
    pid1: str = "unknown"  # runtime | package manager | shell | shell script | script exec | init | supervisor
    #                         | image default | unknown
    pid1_reason: str = ""
    user: str | None = None  # effective user after privilege drops (None = root/unknown default)
    user_reason: str = ""
    privilege_drop: str | None = None  # "gosu app" / "s6-setuidgid app" / "USER app" ...

    @property
    def texts(self) -> tuple[tuple[str, str], ...]:
        """(origin, text) of every command and script step (not application sources)."""
        return tuple((s.origin, s.text) for s in self.steps if s.kind != "source")

    @property
    def commands(self) -> tuple[tuple[str, str], ...]:
        """(origin, text) of the commands and scripts only: no application code (sources, hooks)."""
        return tuple((s.origin, s.text) for s in self.steps if s.kind not in _CODE_KINDS)

    @property
    def sources(self) -> tuple[tuple[str, str], ...]:
        """(path, text) of the application entry files the path starts."""
        return tuple((s.origin, s.text) for s in self.steps if s.kind == "source")

    @property
    def text(self) -> str:
        """Every command and script joined."""
        return "\n".join(t for _o, t in self.texts)

    def followed(self) -> str:
        """The origins followed, joined with arrows, for finding messages."""
        seen = list(dict.fromkeys(s.origin for s in self.steps if s.kind not in {"source", "call"}))
        return " -> ".join(seen) if seen else "no start command"


@dataclass(frozen=True)
class DeployService:
    """A compose service or a released image: how it is built and started."""

    name: str
    project: str | None  # compose project name; None for a released image
    role: Role
    kind: str  # "compose" | "image"
    compose_file: str | None = None
    build_context: str | None = None
    dockerfile: str | None = None
    target: str | None = None
    image: str | None = None
    own_image_of: str | None = None  # Dockerfile whose published image this service runs
    healthcheck: str | None = None  # compose | dockerfile | image (inherited) | None
    package: str | None = None  # workspace package or source root that runs in it
    entry_point: str | None = None
    start: StartPath = field(default_factory=StartPath)


@dataclass(frozen=True)
class ComposeProjectInfo:
    """One compose project: its files in merge order, role and why it exists."""

    name: str
    files: tuple[str, ...]
    decision: RoleDecision
    origin: str  # "default project (base + override)" / "-f chain in .github/workflows/deploy.yml:12"
    env_file: str | None = None
    services: tuple[str, ...] = ()
    deploy_steps: tuple[StartStep, ...] = ()  # ``compose run <svc> <cmd>`` steps people run on deploy

    @property
    def role(self) -> Role:
        """The decided role."""
        return self.decision.role


@dataclass(frozen=True)
class Package:
    """A workspace package and whether it is deployed as a service."""

    path: str
    name: str
    kind: str  # "service" | "library" | "frontend" | "tooling"
    reason: str


@dataclass(frozen=True)
class DeploymentModel:
    """What the repository deploys, decided once."""

    files: tuple[DeployFile, ...]
    projects: tuple[ComposeProjectInfo, ...]
    services: tuple[DeployService, ...]
    references: tuple[Reference, ...]
    packages: tuple[Package, ...] = ()
    judge_all: bool = False
    overrides: tuple[str, ...] = ()  # config globs that decided a role
    targets: tuple[tuple[str, str], ...] = ()  # (Dockerfile, stage it ships)

    def target_of(self, dockerfile: str) -> str | None:
        """The stage a Dockerfile ships (release ``--target`` or compose ``build.target``), None = last."""
        return dict(self.targets).get(dockerfile)

    def role_of(self, path: str) -> Role | None:
        """The role of a deployment file, None when it is not one."""
        for item in self.files:
            if item.path == path:
                return item.role
        return None

    def decision_of(self, path: str) -> RoleDecision | None:
        """The role decision for a deployment file."""
        for item in self.files:
            if item.path == path:
                return item.decision
        return None

    def judged(self, path: str) -> bool:
        """Whether checks judge this file (production, or every role with ``roles: all``)."""
        role = self.role_of(path)
        return self.judge_all or role is None or role is Role.PRODUCTION

    def judged_projects(self) -> tuple[ComposeProjectInfo, ...]:
        """Compose projects checks judge."""
        return tuple(p for p in self.projects if self.judge_all or p.role is Role.PRODUCTION)

    def services_built_from(self, dockerfile: str) -> tuple[DeployService, ...]:
        """Services (compose or released) that run an image built from this Dockerfile."""
        return tuple(s for s in self.services if s.dockerfile == dockerfile or s.own_image_of == dockerfile)
