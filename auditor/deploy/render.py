"""The deployment model as text (``prodcheck deploy-model``) and as JSON-ready data."""

from __future__ import annotations

from typing import Any

from auditor.deploy.model import DeploymentModel, DeployService, Role


def model_data(model: DeploymentModel) -> dict[str, Any]:
    """Plain data for ``--format json`` (stable keys, no file contents)."""
    return {
        "judged_roles": "all" if model.judge_all else "production",
        "files": [{"path": f.path, "kind": f.kind, "role": f.role.value, "reason": f.decision.reason}
                  for f in model.files],
        "compose_projects": [
            {"name": p.name, "files": list(p.files), "role": p.role.value, "reason": p.decision.reason,
             "origin": p.origin, "env_file": p.env_file, "services": list(p.services),
             "deploy_steps": [s.origin for s in p.deploy_steps]}
            for p in model.projects],
        "services": [_service_data(s) for s in model.services],
        "packages": [{"path": p.path, "name": p.name, "kind": p.kind, "reason": p.reason} for p in model.packages],
    }


def _service_data(service: DeployService) -> dict[str, Any]:
    start = service.start
    return {
        "name": service.name, "kind": service.kind, "project": service.project, "role": service.role.value,
        "build_context": service.build_context, "dockerfile": service.dockerfile, "target": service.target,
        "image": service.image, "own_image_of": service.own_image_of, "healthcheck": service.healthcheck,
        "package": service.package, "entry_point": service.entry_point,
        "start_path": [s.origin for s in start.steps if s.kind not in {"source", "call"}],
        # Who runs whom: each step with the origin of the step that runs it ("" at the top).
        "start_steps": [{"origin": s.origin, "kind": s.kind, "via": s.via} for s in start.steps if s.kind != "source"],
        "hook_calls": [s.origin for s in start.steps if s.kind == "call"],
        "sources": [s.origin for s in start.steps if s.kind == "source"],
        "user": start.user, "user_reason": start.user_reason,
        "pid1": start.pid1, "pid1_reason": start.pid1_reason,
    }


def start_of(service: DeployService) -> list[tuple[str, str]]:
    """(origin, via) of the start path's commands, scripts and hooks, once each, in path order."""
    pairs: dict[str, str] = {}
    for step in service.start.steps:
        if step.kind not in {"source", "call"} and step.origin not in pairs:
            pairs[step.origin] = step.via
    return list(pairs.items())


def _start_tree(pairs: list[tuple[str, str]]) -> list[str]:
    """The start path as an indented tree: each step under the step that runs it."""
    known = {origin for origin, _via in pairs}
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for origin, via in pairs:
        if via and via in known and via != origin:
            children.setdefault(via, []).append(origin)
        else:
            roots.append(origin)  # a start command, or run by a file the listing does not show (an entry file)
    lines: list[str] = []
    placed: set[str] = set()

    def place(origin: str, depth: int) -> None:
        if origin in placed:
            return
        placed.add(origin)
        lines.append(f"      {'  ' * depth}{origin}")
        for child in children.get(origin, ()):
            place(child, depth + 1)

    for root in roots:
        place(root, 0)
    for origin, _via in pairs:  # a cycle of `via` links has no root: list what is left at the top
        place(origin, 0)
    return lines


def render_text(model: DeploymentModel) -> str:
    """A readable listing: files by role with reasons, compose projects, then services."""
    lines: list[str] = [f"Judged roles: {'all' if model.judge_all else 'production'}", "", "Files by role:"]
    for role in Role:
        items = [f for f in model.files if f.role is role]
        if not items:
            continue
        lines.append(f"  {role.value}:")
        lines.extend(f"    {f.path} ({f.kind}): {f.decision.reason}" for f in items)
    lines += ["", "Compose projects:"]
    if not model.projects:
        lines.append("  (none)")
    for project in model.projects:
        lines.append(f"  {project.name} [{project.role.value}]: {project.decision.reason}")
        lines.append(f"    files: {', '.join(project.files)}; from: {project.origin}")
        if project.env_file:
            lines.append(f"    interpolation: {project.env_file}")
        for step in dict.fromkeys(s.origin for s in project.deploy_steps):
            lines.append(f"    deploy step: {step}")
    lines += ["", "Services:"]
    if not model.services:
        lines.append("  (none)")
    for service in model.services:
        where = f"{service.project} / " if service.project else f"{service.kind}: "
        lines.append(f"  {where}{service.name} [{service.role.value}]")
        data = _service_data(service)
        for key in ("build_context", "dockerfile", "target", "image", "own_image_of", "healthcheck", "package",
                    "entry_point"):
            if data[key]:
                lines.append(f"    {key.replace('_', ' ')}: {data[key]}")
        if data["start_path"]:
            tree = _start_tree(start_of(service))
            lines.extend([f"    start path: {tree[0].strip()}"] if len(tree) == 1 else ["    start path:", *tree])
        if data["hook_calls"]:
            names = ", ".join(dict.fromkeys(o.rsplit(" ", 1)[-1] for o in data["hook_calls"]))
            lines.append(f"    hooks call: {names}")
        fallback = "root (no USER)" if service.dockerfile or service.own_image_of else "the image's default"
        lines.append(f"    user: {data['user'] or fallback}"
                     + (f" ({data['user_reason']})" if data["user_reason"] else ""))
        lines.append(f"    PID 1: {data['pid1']}" + (f" ({data['pid1_reason']})" if data["pid1_reason"] else ""))
    if model.packages:
        lines += ["", "Workspace packages:"]
        lines.extend(f"  {p.path} ({p.name}): {p.kind}: {p.reason}" for p in model.packages)
    return "\n".join(lines) + "\n"


def role_notes(model: DeploymentModel) -> list[str]:
    """One line per deployment file for the report appendix ("judged as development: under .devcontainer/")."""
    return [f"{f.path}: {f.decision.describe()}" for f in model.files]
