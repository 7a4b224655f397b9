"""Detect the stacks a repository uses, to pick fix snippets written for them."""

from __future__ import annotations

import json

from auditor.project import Project

# package.json dependency -> stack name, in preference order.
NODE_FRAMEWORKS = (
    ("@nestjs/core", "nestjs"),
    ("hono", "hono"),
    ("fastify", "fastify"),
    ("express", "express"),
    ("next", "nextjs"),
)
PYTHON_FRAMEWORKS = (
    ("fastapi", "fastapi"),
    ("django", "django"),
    ("flask", "flask"),
    ("starlette", "starlette"),
)


def detect_stacks(project: Project) -> tuple[str, ...]:
    """Stack names in preference order: frameworks first, then dockerfile/compose/node/python."""
    return project.memo("stacks", lambda: _detect(project))


def _detect(project: Project) -> tuple[str, ...]:
    frameworks: list[str] = []
    base: list[str] = []
    node_deps: set[str] = set()
    for rel in project.glob("package.json"):
        text = project.read_text(rel)
        try:
            data = json.loads(text or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            for key in ("dependencies", "devDependencies", "peerDependencies"):
                deps = data.get(key)
                if isinstance(deps, dict):
                    node_deps.update(str(d) for d in deps)
    if node_deps or project.glob("package.json"):
        base.append("node")
    for dep, name in NODE_FRAMEWORKS:
        if dep in node_deps:
            frameworks.append(name)
    py_text = ""
    for rel in project.glob("pyproject.toml", "requirements*.txt", "setup.cfg", "Pipfile"):
        py_text += (project.read_text(rel) or "").lower() + "\n"
    if py_text.strip():
        base.append("python")
        for dep, name in PYTHON_FRAMEWORKS:
            if dep in py_text:
                frameworks.append(name)
    if project.dockerfile_paths:
        base.insert(0, "dockerfile")
    if project.compose_paths:
        base.insert(1 if project.dockerfile_paths else 0, "compose")
    return tuple(dict.fromkeys([*frameworks, *base]))
