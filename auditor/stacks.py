"""Detect the stacks a repository uses, to pick fix snippets written for them.

Stack names (also the labels fix snippets use in check docstrings):
frameworks ``nestjs hono fastify express nextjs fastapi django flask starlette``;
databases ``sqlite postgres mysql mongodb``; proxies ``traefik caddy nginx``;
package managers ``pnpm yarn npm``; CI ``github-actions gitlab``; and the
base stacks ``dockerfile compose node python``. The order is the preference
order: a snippet for the framework beats one for the database, which beats a
generic one.
"""

from __future__ import annotations

import json
import re

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
_DB_IMAGES = (("postgres", "postgres"), ("timescale", "postgres"), ("mysql", "mysql"), ("mariadb", "mysql"),
              ("mongo", "mongodb"))
_DB_DEPS = (("better-sqlite3", "sqlite"), ("sqlite3", "sqlite"), ("@libsql/client", "sqlite"), ("pg", "postgres"),
            ("postgres", "postgres"), ("mysql2", "mysql"), ("mongodb", "mongodb"), ("mongoose", "mongodb"),
            ("psycopg", "postgres"), ("psycopg2", "postgres"), ("psycopg2-binary", "postgres"),
            ("asyncpg", "postgres"), ("pymysql", "mysql"), ("aiosqlite", "sqlite"), ("pymongo", "mongodb"))
_DB_URL = re.compile(r"\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|sqlite)[+:]", re.IGNORECASE)
_PROXIES = ("traefik", "caddy", "nginx")


def detect_stacks(project: Project) -> tuple[str, ...]:
    """Stack names in preference order (see the module docstring)."""
    return project.view(detect_stacks, lambda: _detect(project))


def _node_deps(project: Project) -> set[str]:
    deps: set[str] = set()
    for rel in project.glob("package.json"):
        try:
            data = json.loads(project.read_text(rel) or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            for key in ("dependencies", "devDependencies", "peerDependencies"):
                section = data.get(key)
                if isinstance(section, dict):
                    deps.update(str(d) for d in section)
    return deps


def _python_text(project: Project) -> str:
    text = ""
    for rel in project.glob("pyproject.toml", "requirements*.txt", "setup.cfg", "Pipfile"):
        text += (project.read_text(rel) or "").lower() + "\n"
    return text


def _databases(project: Project, node_deps: set[str], py_text: str) -> list[str]:
    found: list[str] = []
    for compose in project.compose_files:
        for service in compose.services:
            image = (service.image or "").lower().rsplit("/", 1)[-1]
            found.extend(name for prefix, name in _DB_IMAGES if image.startswith(prefix))
    py_words = set(re.findall(r"[a-z0-9_.-]+", py_text))
    found.extend(name for dep, name in _DB_DEPS if dep in node_deps or dep in py_words)
    for rel in project.glob("drizzle.config.*", "schema.prisma", "alembic.ini", "knexfile.*", "settings.py"):
        text = (project.read_text(rel) or "").lower()
        for word, name in (("sqlite", "sqlite"), ("postgres", "postgres"), ("mysql", "mysql")):
            if word in text:
                found.append(name)
    for env in (*project.env_templates, *project.env_files):
        for entry in env.entries:
            match = _DB_URL.search(entry.value)
            if match:
                scheme = match.group(1).lower()
                found.append({"postgresql": "postgres", "mariadb": "mysql", "mongodb+srv": "mongodb"}.get(scheme, scheme))
    return found


def _detect(project: Project) -> tuple[str, ...]:
    node_deps = _node_deps(project)
    py_text = _python_text(project)
    frameworks = [name for dep, name in NODE_FRAMEWORKS if dep in node_deps]
    if py_text.strip():
        frameworks += [name for dep, name in PYTHON_FRAMEWORKS if re.search(rf"(^|[^a-z0-9_-]){dep}([^a-z0-9_-]|$)", py_text)]
    databases = _databases(project, node_deps, py_text)
    proxies = [name for compose in project.compose_files for service in compose.services
               for name in _PROXIES if (service.image or "").lower().rsplit("/", 1)[-1].startswith(name)]
    managers: list[str] = []
    if project.glob("pnpm-lock.yaml", "pnpm-workspace.yaml"):
        managers.append("pnpm")
    if project.glob("yarn.lock"):
        managers.append("yarn")
    if project.glob("package-lock.json") or (node_deps and not managers):
        managers.append("npm")
    ci = []
    if any(rel.startswith(".github/workflows/") for rel in project.files):
        ci.append("github-actions")
    if ".gitlab-ci.yml" in project.file_set:
        ci.append("gitlab")
    base: list[str] = []
    if project.dockerfile_paths:
        base.append("dockerfile")
    if project.compose_paths:
        base.append("compose")
    if node_deps or project.glob("package.json"):
        base.append("node")
    if py_text.strip():
        base.append("python")
    return tuple(dict.fromkeys([*frameworks, *databases, *proxies, *managers, *ci, *base]))
