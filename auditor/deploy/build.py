"""Assemble the deployment model once per project.

Order of evidence for a file's role: the config's ``deploy:`` section, then
what release workflows push, then path and name conventions, then the
compose projects that build it, then "production" as the default. Compose
projects come from ``-f`` chains people run (workflows, scripts, docs), the
default project (a base file plus its ``compose.override.*``) and every other
compose file on its own.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from auditor.deploy.compose import BASE_NAMES, Part, ServiceView, healthcheck_of_view, image_kind, resolve_vars
from auditor.deploy.devserver import dev_servers
from auditor.deploy.images import (
    build_of,
    chain_instructions,
    compose_target,
    last_of,
    runtime_stage_raw,
    stage_by_name,
)
from auditor.deploy.model import (
    ComposeProjectInfo,
    DeployFile,
    DeploymentModel,
    DeployService,
    Package,
    Reference,
    Role,
    RoleDecision,
    StartPath,
    StartStep,
)
from auditor.deploy.references import find_references
from auditor.deploy.roles import PRODUCTION_WORDS, convention_role, name_tokens, override_role
from auditor.deploy.startpath import command_start, dockerfile_start, entry_point, release_hooks
from auditor.parsing.compose import ComposeFile, Service
from auditor.parsing.dockerfile import Dockerfile, Stage, split_image
from auditor.project import Project


@dataclass(frozen=True)
class DeployConfig:
    """What the user told us: role overrides by path glob, and whether every role is judged."""

    overrides: Mapping[str, Role]
    judge_all: bool = False


def deploy_config(roles: Mapping[str, str], judge: str = "production") -> DeployConfig:
    """A :class:`DeployConfig` from settings (role names already validated)."""
    return DeployConfig({pattern: Role.parse(role) for pattern, role in roles.items()}, judge == "all")


def build_model(project: Project, config: DeployConfig | None = None) -> DeploymentModel:
    """The deployment model of ``project`` (pure apart from reading the project's files)."""
    config = config or DeployConfig({})
    refs = find_references(project)
    compose_by_path = {c.path: c for c in project.compose_files}
    projects = _apply_content(project, _projects(project, refs, compose_by_path, config), compose_by_path)
    docker_roles = _dockerfile_roles(project, refs, projects, compose_by_path, config)
    files: list[DeployFile] = [DeployFile(path, "dockerfile", decision) for path, decision in docker_roles.items()]
    files.extend(_compose_file_roles(project, projects, config))
    targets = _targets(project, refs, projects, compose_by_path)
    services = _services(project, projects, compose_by_path, targets, docker_roles, refs)
    return DeploymentModel(
        files=tuple(sorted(files, key=lambda f: f.path)),
        projects=tuple(projects),
        services=tuple(services),
        references=refs,
        packages=tuple(_packages(project, services)),
        judge_all=config.judge_all,
        overrides=tuple(config.overrides),
        targets=tuple(sorted(targets.items())),
    )


# -- compose projects --------------------------------------------------------------------------


def _projects(project: Project, refs: tuple[Reference, ...], compose: Mapping[str, ComposeFile],
              config: DeployConfig) -> list[ComposeProjectInfo]:
    out: list[ComposeProjectInfo] = []
    seen: set[tuple[str, ...]] = set()
    chained: set[str] = set()
    for ref in refs:
        if ref.command != "compose" or tuple(ref.files) in seen:
            continue
        seen.add(tuple(ref.files))
        chained.update(ref.files)
        decision = _chain_role(ref, config)
        info = _info(ref.files, decision, f"-f chain in {ref.where}", project, ref.context, compose)
        steps = tuple(_deploy_steps(project, refs, ref.files, compose))
        out.append(replace(info, deploy_steps=steps))
    for base, overlay in _overlays(project, compose, chained):
        pair: tuple[str, ...] = (base, overlay)
        if pair in seen:
            continue
        seen.add(pair)
        chained.update(pair)
        found = override_role(overlay, config.overrides) or convention_role(overlay)
        decision = RoleDecision(found.role, f"{overlay.rsplit('/', 1)[-1]}: {found.reason}") if found \
            else RoleDecision(Role.PRODUCTION, "an overlay of the base file, and no other role fits")
        out.append(_info(pair, decision, f"overlay of {base} (its services only extend the base's)", project,
                         None, compose))
    for path in project.compose_paths:
        folder, name = posixpath.split(path)
        if name.lower() in BASE_NAMES:
            override = next((o for o in project.compose_paths if posixpath.dirname(o) == folder
                             and re.match(r"^(docker-|podman-|container-)?compose\.override\.ya?ml$", o.rsplit("/", 1)[-1])), None)
            files: tuple[str, ...] = (path, override) if override else (path,)
            if files in seen or (override is None and path in chained):
                continue
            seen.add(files)
            decision = _default_role(path, override, refs, config)
            origin = "default project (base + override)" if override else "default project"
            out.append(_info(files, decision, origin, project, None, compose))
        elif ".override." not in name.lower() and path not in chained:
            files = (path,)
            if files in seen:
                continue
            seen.add(files)
            decision = override_role(path, config.overrides) or convention_role(path) or RoleDecision(
                Role.PRODUCTION, "a compose file of its own, and no other role fits")
            out.append(_info(files, decision, "compose file on its own", project, None, compose))
    return out


DEV_TOOLS = frozenset({"maildev", "mailhog", "mailpit", "mailcatcher", "smtp4dev", "adminer", "pgadmin",
                       "pgadmin4", "mongo-express", "phpmyadmin", "redis-commander", "redisinsight",
                       "dbgate", "kafka-ui", "localstack"})
_SOURCE_MOUNT = re.compile(r"^\.{1,2}/?$|^\./(src|app|lib|code|backend|server|api)(/|$)")


def _by_content(files: tuple[str, ...], compose: Mapping[str, ComposeFile],
                decision: RoleDecision) -> RoleDecision:
    """A project nothing else decided is development when a service runs a dev server or mounts the source."""
    if not decision.reason.endswith("no other role fits"):
        return decision
    for path in files:
        file = compose.get(path)
        for service in file.services if file else ():
            command = " ".join(_words(service.get("command")) + _words(service.get("entrypoint")))
            found = dev_servers(command)
            if found:
                return RoleDecision(Role.DEVELOPMENT, f"service {service.name} runs a development server "
                                    f"({found[0]}) at {path}:{service.line_of('command')}")
            tool = _image_base_name(service.image)
            if tool in DEV_TOOLS:
                return RoleDecision(Role.DEVELOPMENT, f"service {service.name} runs the development tool {tool} "
                                    f"at {path}:{service.line}")
            for item, line in service.as_list("volumes"):
                source = str(item.get("source", "")) if isinstance(item, dict) else str(item).split(":", 1)[0]
                if ":" in str(item) or isinstance(item, dict):
                    if _SOURCE_MOUNT.match(source.strip()):
                        return RoleDecision(Role.DEVELOPMENT, f"service {service.name} bind-mounts the source "
                                            f"tree ({source}) for live editing at {path}:{line}")
    return decision


def _apply_content(project: Project, projects: list[ComposeProjectInfo],
                   compose: Mapping[str, ComposeFile]) -> list[ComposeProjectInfo]:
    """Second pass: undecided projects that look like development stacks, when another deploy path exists.

    A lone compose file that runs ``--reload`` is often the file a template tells you to deploy after
    edits, so content alone decides only when the repository shows another way to production.
    """
    other = _other_deploy_path(project, projects)
    if other is None:
        return projects
    out = []
    for info in projects:
        found = _by_content(info.files, compose, info.decision)
        if found is not info.decision:
            found = RoleDecision(found.role, f"{found.reason}; production runs {other}")
            info = replace(info, decision=found)
        out.append(info)
    return out


_DEPLOY_CONFIGS = ("Procfile", "fly.toml", "app.yaml", "render.yaml", "railway.json", "railway.toml",
                   "heroku.yml", "Chart.yaml", "kustomization.yaml", "kustomization.yml")


def _other_deploy_path(project: Project, projects: list[ComposeProjectInfo]) -> str | None:
    for info in projects:
        if info.role is Role.PRODUCTION and not info.decision.reason.endswith("no other role fits"):
            return f"compose project {info.name}"
    for name in _DEPLOY_CONFIGS:
        found = project.files_named(name)
        if found:
            return found[0]
    return None


def _overlays(project: Project, compose: Mapping[str, ComposeFile], chained: set[str]) -> list[tuple[str, str]]:
    """(base, overlay) pairs: a sibling file whose services all extend the base's (no image or build of their own)."""
    out = []
    for path in project.compose_paths:
        folder, name = posixpath.split(path)
        if name.lower() in BASE_NAMES or ".override." in name.lower() or path in chained or path not in compose:
            continue
        base = next((b for b in project.compose_paths if posixpath.dirname(b) == folder
                     and b.rsplit("/", 1)[-1].lower() in BASE_NAMES and b in compose), None)
        services = compose[path].services
        if base is None or not services:
            continue
        names = {s.name for s in compose[base].services}
        if all(s.name in names and s.get("image") is None and s.get("build") is None for s in services):
            out.append((base, path))
    return out


def _image_base_name(image: str | None) -> str:
    if not image:
        return ""
    return split_image(resolve_vars(image).strip())[0].rsplit("/", 1)[-1].lower()


def _info(files: tuple[str, ...], decision: RoleDecision, origin: str, project: Project,
          env_file: str | None, compose: Mapping[str, ComposeFile]) -> ComposeProjectInfo:
    folder = posixpath.dirname(files[0])
    beside = posixpath.join(folder, ".env") if folder else ".env"
    env = (posixpath.normpath(posixpath.join(folder, env_file)) if env_file else None) or (
        beside if beside in project.file_set else None)
    names = [" + ".join(f.rsplit("/", 1)[-1] for f in files)]
    name = f"{folder}/{names[0]}" if folder else names[0]
    services = tuple(dict.fromkeys(s.name for f in files if f in compose for s in compose[f].services))
    return ComposeProjectInfo(name, files, decision, origin, env, services)


def _deploy_steps(project: Project, refs: tuple[Reference, ...], files: tuple[str, ...],
                  compose: Mapping[str, ComposeFile]) -> list[StartStep]:
    """``docker compose -f ... run SERVICE CMD`` commands on this chain, followed into scripts."""
    out: list[StartStep] = []
    for ref in refs:
        if ref.command != "compose" or ref.files != files or not ref.run or not ref.service:
            continue
        base = ""
        for path in files:
            for service in compose[path].services if path in compose else ():
                built = build_of(service) if service.name == ref.service else None
                if built is not None:
                    base = posixpath.normpath(posixpath.join(posixpath.dirname(path), built[0]))
        start = command_start(project, "" if base == "." else base, f"{ref.where} run {ref.service}", ref.run)
        out.extend(start.steps)
    return out


def _chain_role(ref: Reference, config: DeployConfig) -> RoleDecision:
    for path in reversed(ref.files):
        found = override_role(path, config.overrides)
        if found:
            return found
    for path in reversed(ref.files):
        found = convention_role(path)
        if found:
            return RoleDecision(found.role, f"{path.rsplit('/', 1)[-1]}: {found.reason}")
    context = _context_role(ref)
    if context is not None:
        return context
    base = convention_role(ref.files[0])
    if base is not None:
        return base
    return RoleDecision(Role.PRODUCTION, f"run with -f at {ref.where}, and no other role fits")


def _context_role(ref: Reference) -> RoleDecision | None:
    """The role of the place that runs a chain: a deploy workflow, a ``docker:test`` script ..."""
    words = name_tokens(ref.source.rsplit("/", 1)[-1])
    if ref.script:
        words |= name_tokens(ref.script.replace(":", "-"))
    if words & PRODUCTION_WORDS:
        return RoleDecision(Role.PRODUCTION, f"run by {ref.where}, a deployment")
    found = convention_role("x/" + "-".join(sorted(words)))
    if found is not None and found.role is not Role.PRODUCTION:
        return RoleDecision(found.role, f"run by {ref.where} ({found.reason})")
    return None


def _default_role(base: str, override: str | None, refs: tuple[Reference, ...],
                  config: DeployConfig) -> RoleDecision:
    found = override_role(base, config.overrides)
    if override:
        found = override_role(override, config.overrides) or found
    if found:
        return found
    if override:
        other = next((r for r in refs if r.command == "compose" and base in r.files and override not in r.files),
                     None)
        if other is not None:
            return RoleDecision(Role.DEVELOPMENT, f"{override.rsplit('/', 1)[-1]} is the local-development "
                                f"default; deployments run the -f chain at {other.where}")
    return convention_role(base) or RoleDecision(Role.PRODUCTION, "the default compose project, "
                                                 "and no other role fits")


def _compose_file_roles(project: Project, projects: list[ComposeProjectInfo],
                        config: DeployConfig) -> list[DeployFile]:
    out = []
    for path in project.compose_paths:
        found = override_role(path, config.overrides)
        if found is None:
            member = [p for p in projects if path in p.files]
            prod = next((p for p in member if p.role is Role.PRODUCTION), None)
            chosen = prod or (member[0] if member else None)
            if chosen is None:
                found = convention_role(path) or RoleDecision(Role.PRODUCTION, "no other role fits")
            elif chosen.files == (path,):
                found = chosen.decision
            else:
                found = RoleDecision(chosen.role, f"part of compose project {chosen.name} "
                                     f"({chosen.decision.reason})")
        out.append(DeployFile(path, "compose", found))
    return out


# -- Dockerfiles -------------------------------------------------------------------------------


def _dockerfile_roles(project: Project, refs: tuple[Reference, ...], projects: list[ComposeProjectInfo],
                      compose: Mapping[str, ComposeFile], config: DeployConfig) -> dict[str, RoleDecision]:
    users = _compose_builders(projects, compose)
    out: dict[str, RoleDecision] = {}
    for path in project.dockerfile_paths:
        pushed = next((r for r in refs if r.command == "build" and path in r.files and r.pushed
                       and not _is_doc(r.source)), None)
        built = next((r for r in refs if r.command == "build" and path in r.files
                      and r.source.startswith((".github/", ".gitlab"))), None)
        convention = convention_role(path) or _tool_image(project, path)
        decision = override_role(path, config.overrides)
        if decision is None and pushed is not None:
            decision = RoleDecision(Role.PRODUCTION, f"built and pushed by {pushed.where}")
        if decision is None and convention is not None:
            decision = convention
        if decision is None and built is not None:
            decision = RoleDecision(Role.PRODUCTION, f"built by CI at {built.where}")
        if decision is None and path in users:
            # Development stacks usually build the production image and override its command, so
            # only test, CI and similar stacks pass their role on to the Dockerfile they build.
            roles = users[path]
            chosen = next((p for p in roles if p.role is Role.PRODUCTION), None)
            if chosen is None and all(p.role in _INHERITED for p in roles):
                chosen = roles[0]
            if chosen is not None:
                decision = RoleDecision(chosen.role, f"built by compose project {chosen.name} "
                                        f"({chosen.role.value})")
        out[path] = decision or RoleDecision(Role.PRODUCTION, "no other role fits")
    return out


_INHERITED = frozenset({Role.TEST, Role.CI, Role.DEVCONTAINER, Role.DOCS, Role.EXAMPLE, Role.TOOLING})


def _is_doc(path: str) -> bool:
    return bool(re.search(r"\.(md|mdx|rst|txt)$", path, re.IGNORECASE))


def _tool_image(project: Project, path: str) -> RoleDecision | None:
    """A Dockerfile that only packages a third-party development tool (maildev, mailhog, adminer ...)."""
    words = name_tokens(path.rsplit("/", 1)[-1])
    hit = next((w for w in sorted(words) if w in DEV_TOOLS), None)
    if hit is None:
        parsed = next((d for d in project.dockerfiles if d.path == path and d.stages), None)
        base = _image_base_name(parsed.stages[-1].image) if parsed else ""
        hit = base if base in DEV_TOOLS else None
    if hit is None:
        return None
    return RoleDecision(Role.TOOLING, f"it packages the development tool {hit}")


def _compose_builders(projects: list[ComposeProjectInfo],
                      compose: Mapping[str, ComposeFile]) -> dict[str, list[ComposeProjectInfo]]:
    out: dict[str, list[ComposeProjectInfo]] = {}
    for info in projects:
        for path in info.files:
            file = compose.get(path)
            if file is None:
                continue
            for service in file.services:
                built = build_of(service)
                if built is None or "://" in built[0]:
                    continue
                context = posixpath.normpath(posixpath.join(posixpath.dirname(path), built[0]))
                dockerfile = posixpath.normpath(posixpath.join(context, built[1]))
                out.setdefault(dockerfile, []).append(info)
    return out


def _targets(project: Project, refs: tuple[Reference, ...], projects: list[ComposeProjectInfo],
             compose: Mapping[str, ComposeFile]) -> dict[str, str]:
    """The stage each Dockerfile ships: the release target, else the one compose services agree on."""
    out: dict[str, str] = {}
    for dockerfile in project.dockerfiles:
        released = {r.target for r in refs if r.command == "build" and dockerfile.path in r.files and r.target}
        if len(released) == 1:
            out[dockerfile.path] = released.pop()
            continue
        target = compose_target(project, dockerfile)
        if target:
            out[dockerfile.path] = target
    return out


# -- services ----------------------------------------------------------------------------------


def _merged(view: ServiceView) -> Service:
    data: dict[object, object] = {}
    for part in view.parts:
        if isinstance(part.service.data, dict):
            data.update(part.service.data)
    return Service(view.name, data, view.main.service.line)


def _views(info: ComposeProjectInfo, compose: Mapping[str, ComposeFile]) -> dict[str, ServiceView]:
    parts: dict[str, list[Part]] = {}
    for path in info.files:
        file = compose.get(path)
        if file is None:
            continue
        for service in file.services:
            parts.setdefault(service.name, []).append(Part(file, service))
    return {name: ServiceView(name, tuple(p)) for name, p in parts.items()}


def _services(project: Project, projects: list[ComposeProjectInfo], compose: Mapping[str, ComposeFile],
              targets: dict[str, str], roles: dict[str, RoleDecision],
              refs: tuple[Reference, ...]) -> list[DeployService]:
    by_path = {d.path: d for d in project.dockerfiles if d.stages}
    released = _released_names(project, refs, by_path)
    out: list[DeployService] = []
    for info in projects:
        for _name, view in _views(info, compose).items():
            out.append(_compose_service(project, info, view, by_path, targets, released))
    for path, image in released.items():
        dockerfile = by_path[path]
        stage = _stage(dockerfile, targets.get(path))
        start = dockerfile_start(project, dockerfile, stage)
        health = "dockerfile" if _has_healthcheck(dockerfile, stage) else None
        out.append(DeployService(image, None, roles[path].role, "image", None,
                                 _context_of(refs, path), path, targets.get(path), image, None, health,
                                 _package_of(project, path), _entry(project, posixpath.dirname(path), start), start))
    represented = {s.dockerfile or s.own_image_of for s in out}
    for path, dockerfile in by_path.items():
        if path in represented:
            continue
        # A Dockerfile nothing in the repository builds is still an image someone builds: judge it on its own.
        stage = _stage(dockerfile, targets.get(path))
        start = dockerfile_start(project, dockerfile, stage)
        health = "dockerfile" if _has_healthcheck(dockerfile, stage) else None
        out.append(DeployService(_derived_name(project, path), None, roles[path].role, "image", None,
                                 posixpath.dirname(path) or ".", path, targets.get(path), None, None, health,
                                 _package_of(project, path), _entry(project, posixpath.dirname(path), start), start))
    out.extend(_procfile_services(project))
    return out


def _procfile_services(project: Project) -> list[DeployService]:
    """A root Procfile (Heroku-style platforms): its web process, with the release phase first."""
    if "Procfile" not in project.file_set:
        return []
    lines = (project.read_text("Procfile") or "").splitlines()
    commands = dict(line.split(":", 1) for line in lines if re.match(r"^[\w-]+:", line))
    web = commands.get("web", "").strip()
    if not web:
        return []
    start = command_start(project, "", "Procfile web", web)
    start = StartPath(tuple(release_hooks(project, "")) + start.steps, "Procfile", None, start.pid1,
                      start.pid1_reason, start.user, start.user_reason, start.privilege_drop)
    return [DeployService("web", None, Role.PRODUCTION, "procfile", None, ".", None, None, None, None, None,
                          ".", _entry(project, "", start), start)]


def _compose_service(project: Project, info: ComposeProjectInfo, view: ServiceView,
                     by_path: dict[str, Dockerfile], targets: dict[str, str],
                     released: dict[str, str]) -> DeployService:
    merged = _merged(view)
    built = None
    for part in reversed(view.parts):
        built = build_of(part.service)
        if built is not None:
            context = posixpath.normpath(posixpath.join(posixpath.dirname(part.path), built[0]))
            built = (context, posixpath.normpath(posixpath.join(context, built[1])), built[2])
            break
    image = view.image
    own = None
    if built is None and image:
        own = _own_image(project, image, released, by_path)
    dockerfile_path = built[1] if built else own
    target = (built[2] if built else None) or (targets.get(dockerfile_path) if dockerfile_path else None)
    start: StartPath
    dockerfile = by_path.get(dockerfile_path) if dockerfile_path else None
    if dockerfile is not None:
        start = dockerfile_start(project, dockerfile, _stage(dockerfile, target), merged)
    else:
        text = " ".join(_words(merged.get("entrypoint")) + _words(merged.get("command")))
        start = command_start(project, posixpath.dirname(info.files[0]), f"compose service {view.name}", text) \
            if text else _image_default_start(image, merged.get("user"))
    health = healthcheck_of_view(project, view, dockerfile, _stage(dockerfile, target) if dockerfile else None)
    if health == "dockerfile" and own:
        health = "image (inherited from its Dockerfile)"
    return DeployService(
        name=view.name, project=info.name, role=info.role, kind="compose", compose_file=view.main.path,
        build_context=built[0] if built else None, dockerfile=built[1] if built else None, target=target,
        image=image, own_image_of=own, healthcheck=health,
        package=_package_of(project, dockerfile_path) if dockerfile_path else None,
        entry_point=_entry(project, posixpath.dirname(dockerfile_path or info.files[0]), start), start=start)


# Official images whose own entrypoint drops root before the server starts (their docker-entrypoint.sh
# re-executes itself with gosu, su-exec on Alpine), or whose Dockerfile sets USER: what "the image's
# default" means. Only when compose runs the image's own command: another command may start as root.
_IMAGE_USERS = {
    "postgres": ("postgres", "the official image's entrypoint starts the server as postgres (gosu or su-exec)"),
    "redis": ("redis", "the official image's entrypoint starts the server as redis (gosu or su-exec)"),
    "mysql": ("mysql", "the official image's entrypoint starts the server as mysql (gosu or su-exec)"),
    "mariadb": ("mysql", "the official image's entrypoint starts the server as mysql (gosu or su-exec)"),
    "mongo": ("mongodb", "the official image's entrypoint starts the server as mongodb (gosu or su-exec)"),
    "grafana/grafana": ("472", "the image sets USER 472 (grafana)"),
    "prom/prometheus": ("nobody", "the image sets USER nobody"),
}


def _image_default_start(image: str | None, user: object) -> StartPath:
    """The start of a third-party image run with its own command: its user, when compose or the image says."""
    reason = f"{image or 'the image'} runs its own command"
    if user is not None:
        return StartPath(pid1="image default", pid1_reason=reason, user=str(user),
                         user_reason=f"compose sets user: {user}")
    name = (image or "").split("@", 1)[0].rsplit(":", 1)[0].lower()
    name = name.removeprefix("docker.io/").removeprefix("library/")
    known = _IMAGE_USERS.get(name)
    if known is None:
        return StartPath(pid1="image default", pid1_reason=reason)
    return StartPath(pid1="image default", pid1_reason=reason, user=known[0], user_reason=known[1])


def _words(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value is not None else []


def _stage(dockerfile: Dockerfile, target: str | None) -> Stage:
    if target:
        found = stage_by_name(dockerfile, target)
        if found is not None:
            return found
    return runtime_stage_raw(dockerfile)


def _has_healthcheck(dockerfile: Dockerfile, stage: Stage) -> bool:
    found = last_of(chain_instructions(dockerfile, stage), "HEALTHCHECK")
    return found is not None and found.args.strip().upper() != "NONE"


def _released_names(project: Project, refs: tuple[Reference, ...], by_path: dict[str, Dockerfile]) -> dict[str, str]:
    """Dockerfile -> image name for every Dockerfile a workflow or bake file pushes."""
    out: dict[str, str] = {}
    for ref in refs:
        if ref.command == "build" and ref.pushed and not _is_doc(ref.source):
            for path in ref.files:
                if path in by_path:
                    out.setdefault(path, ref.image or _derived_name(project, path))
    return out


def _derived_name(project: Project, path: str) -> str:
    folder, name = posixpath.split(path)
    tokens = sorted(name_tokens(name))
    if tokens:
        return tokens[0]
    if folder:
        return folder.rsplit("/", 1)[-1].lower()
    return _repo_name(project)


def _repo_name(project: Project) -> str:
    if "package.json" in project.file_set:
        try:
            data = json.loads(project.read_text("package.json") or "{}")
        except ValueError:
            data = {}
        if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"]:
            return str(data["name"]).rsplit("/", 1)[-1].lower()
    return project.root.name.lower()


def _own_image(project: Project, image: str, released: dict[str, str],
               by_path: dict[str, Dockerfile]) -> str | None:
    """The Dockerfile whose published image a compose service runs (matched by image name)."""
    if image_kind(image) is not None:
        return None
    name = split_image(resolve_vars(image).strip())[0].rsplit("/", 1)[-1].lower()
    for path, released_name in released.items():
        if released_name == name:
            return path
    candidates = {_derived_name(project, p): p for p in by_path}
    if name in candidates:
        return candidates[name]
    if name == _repo_name(project) and "Dockerfile" in by_path:
        return "Dockerfile"
    return None


def _context_of(refs: tuple[Reference, ...], path: str) -> str | None:
    return next((r.context for r in refs if r.command == "build" and path in r.files and r.context), None)


def _entry(project: Project, base: str, start: StartPath) -> str | None:
    return entry_point(project, base, start.steps)


# -- packages ----------------------------------------------------------------------------------


def _package_of(project: Project, dockerfile: str | None) -> str | None:
    """The workspace package (or source root) a Dockerfile's directory belongs to."""
    if dockerfile is None:
        return None
    folder = posixpath.dirname(dockerfile)
    while folder:
        if posixpath.join(folder, "package.json") in project.file_set or \
                posixpath.join(folder, "pyproject.toml") in project.file_set:
            return folder
        folder = posixpath.dirname(folder)
    return "."


_SERVER_DEPS = frozenset({"express", "fastify", "hono", "@nestjs/core", "koa", "@hapi/hapi", "next", "nuxt",
                          "@remix-run/node", "@sveltejs/kit", "elysia", "@hono/node-server"})
_FRONTEND_DEPS = frozenset({"react-dom", "vue", "svelte", "solid-js", "@angular/core", "preact"})
# Libraries that render React (or MJML) to HTML on the server for e-mail: a package built on them is
# a library of templates the server sends, even though it depends on react-dom.
_EMAIL_TEMPLATE_DEPS = frozenset({"@react-email/components", "@react-email/render", "react-email", "mjml",
                                  "mjml-react", "@faire/mjml-react", "jsx-email"})
_SERVER_START = re.compile(r"\b(node|bun|tsx|ts-node|nest\s+start|next\s+start|nuxt\s+start|deno)\b")


def _packages(project: Project, services: list[DeployService]) -> list[Package]:
    """Workspace packages of a monorepo: services, front ends and libraries."""
    folders = sorted({posixpath.dirname(p) for p in project.files_named("package.json")
                      if posixpath.dirname(p) and "node_modules" not in p.split("/")})
    if not folders:
        return []
    contexts = {s.build_context for s in services if s.build_context} | {
        posixpath.dirname(s.dockerfile) for s in services if s.dockerfile}
    out = []
    for folder in folders:
        try:
            data = json.loads(project.read_text(posixpath.join(folder, "package.json")) or "{}")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        deps = {str(k) for key in ("dependencies", "devDependencies") if isinstance(data.get(key), dict)
                for k in data[key]}
        scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
        start = str(scripts.get("start", "")) if isinstance(scripts, dict) else ""
        name = str(data.get("name") or folder)
        serves = bool(_SERVER_START.search(start))
        templates = deps & _EMAIL_TEMPLATE_DEPS
        if templates and folder not in contexts and not serves:
            out.append(Package(folder, name, "library", "e-mail templates rendered on the server ("
                               + ", ".join(sorted(templates)) + "), not a browser front end"))
        elif deps & _FRONTEND_DEPS and not serves and (folder in contexts or not deps & _SERVER_DEPS):
            out.append(Package(folder, name, "frontend", "a browser front end (" +
                               ", ".join(sorted(deps & _FRONTEND_DEPS)) + ") with no server start script"))
        elif folder in contexts:
            out.append(Package(folder, name, "service", "the build context or Dockerfile folder of a service"))
        elif deps & _SERVER_DEPS and _SERVER_START.search(start):
            out.append(Package(folder, name, "service", f"start script `{start}` runs a server"))
        elif deps & _FRONTEND_DEPS:
            out.append(Package(folder, name, "frontend", "a browser front end (" +
                               ", ".join(sorted(deps & _FRONTEND_DEPS)) + ")"))
        else:
            out.append(Package(folder, name, "library", "no server start script and no service builds it"))
    return out
