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
        "hook_calls": [s.origin for s in start.steps if s.kind == "call"],
        "sources": [s.origin for s in start.steps if s.kind == "source"],
        "user": start.user, "user_reason": start.user_reason,
        "pid1": start.pid1, "pid1_reason": start.pid1_reason,
    }


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
            lines.append(f"    start path: {' -> '.join(dict.fromkeys(data['start_path']))}")
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
