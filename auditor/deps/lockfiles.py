"""Read resolved package versions from Node lockfiles and Python manifests/lockfiles.

Parsing is deliberately line- or JSON-based for large lockfiles: a pnpm or
yarn lockfile can hold hundreds of thousands of YAML nodes, more than the
hostile-YAML budget allows, and only package keys and versions are needed.
"""

from __future__ import annotations

import json
import re
import tomllib

from auditor.deps.model import Package
from auditor.lazyre import lazy
from auditor.project import Project

NODE_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock")
PYTHON_LOCKFILES = ("poetry.lock", "uv.lock", "pylock.toml", "Pipfile.lock")
_REQ_LINE = lazy(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*==\s*([A-Za-z0-9._+!-]+)")


class LockfileError(ValueError):
    """A lockfile that cannot be read; the message says which and why."""


def node_lockfiles(project: Project) -> list[str]:
    """Node lockfiles in the project (one per workspace root)."""
    return [rel for rel in project.files if rel.rsplit("/", 1)[-1] in NODE_LOCKFILES]


def python_manifests(project: Project) -> list[str]:
    """Python requirement files, pyproject.toml files and lockfiles."""
    out = []
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if name in PYTHON_LOCKFILES or name == "pyproject.toml" or re.match(r"^requirements.*\.txt$", name):
            out.append(rel)
    return out


def parse_node_lockfile(path: str, text: str) -> list[Package]:
    """Packages from package-lock (v1-v3), pnpm-lock.yaml (v5-v9) or yarn.lock (classic and berry)."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".json"):
        return _package_lock(path, text)
    if name == "pnpm-lock.yaml":
        return _pnpm_lock(path, text)
    return _yarn_lock(path, text)


def _package_lock(path: str, text: str) -> list[Package]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockfileError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise LockfileError(f"{path}: not a package-lock object")
    found: dict[tuple[str, str], Package] = {}
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for key, info in packages.items():
            if not key or not isinstance(info, dict) or info.get("link") or not info.get("version"):
                continue
            pkg_name = str(info.get("name") or key.rsplit("node_modules/", 1)[-1])
            found[(pkg_name, str(info["version"]))] = Package(pkg_name, str(info["version"]), "npm", path)
    else:  # lockfileVersion 1: nested "dependencies"
        stack = [data.get("dependencies") or {}]
        while stack:
            deps = stack.pop()
            if not isinstance(deps, dict):
                continue
            for pkg_name, info in deps.items():
                if isinstance(info, dict) and info.get("version"):
                    version = str(info["version"])
                    if not version.startswith(("file:", "link:", "git", "http")):
                        found[(str(pkg_name), version)] = Package(str(pkg_name), version, "npm", path)
                    stack.append(info.get("dependencies") or {})
    return list(found.values())


_PNPM_KEY = lazy(r"^  ['\"]?/?((?:@[^/@\s]+/)?[^/@\s(]+)[@/]([0-9][^(:'\"\s_]*)")


def _pnpm_lock(path: str, text: str) -> list[Package]:
    found: dict[tuple[str, str], Package] = {}
    section = ""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line and not line.startswith((" ", "#")):
            section = line.split(":", 1)[0].strip()
            continue
        if section not in {"packages", "snapshots"}:
            continue
        match = _PNPM_KEY.match(line)
        if match and line.rstrip().endswith(":"):
            key = (match.group(1), match.group(2))
            found.setdefault(key, Package(key[0], key[1], "npm", path, lineno))
    if not found and "lockfileVersion" not in text:
        raise LockfileError(f"{path}: not a pnpm lockfile")
    return list(found.values())


def _yarn_lock(path: str, text: str) -> list[Package]:
    found: dict[tuple[str, str], Package] = {}
    current: str | None = None
    current_line = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            spec = line.rstrip(":").split(",")[0].strip().strip('"')
            at = spec.rfind("@")
            current = spec[:at] if at > 0 else None
            current_line = lineno
            if current == "__metadata":
                current = None
            continue
        match = re.match(r'^\s+version:?\s+"?([^"\s]+)"?', line)
        if match and current:
            found[(current, match.group(1))] = Package(current, match.group(1), "npm", path, current_line)
            current = None
    return list(found.values())


def parse_python_manifest(path: str, text: str) -> tuple[list[Package], list[str]]:
    """(pinned packages, skipped 'name: reason') from a requirements file, pyproject or lockfile."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".txt"):
        return _requirements(path, text)
    if name == "Pipfile.lock":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LockfileError(f"{path}: invalid JSON ({exc.msg})") from None
        out = []
        for group in ("default", "develop"):
            for pkg, info in (data.get(group) or {}).items():
                version = str((info or {}).get("version", "")).lstrip("=")
                if version:
                    out.append(Package(pkg, version, "PyPI", path))
        return out, []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockfileError(f"{path}: invalid TOML ({exc})") from None
    if name == "pyproject.toml":
        deps = list((data.get("project") or {}).get("dependencies") or [])
        return _requirements(path, "\n".join(str(d) for d in deps), skip_unpinned=True)
    packages = data.get("package") or data.get("packages") or []
    out = [Package(str(p["name"]), str(p["version"]), "PyPI", path) for p in packages
           if isinstance(p, dict) and p.get("name") and p.get("version") and
           not (isinstance(p.get("source"), dict) and (p["source"].get("editable") or p["source"].get("virtual")))]
    return out, []


def _requirements(path: str, text: str, *, skip_unpinned: bool = True) -> tuple[list[Package], list[str]]:
    packages: list[Package] = []
    skipped: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "--")):
            continue
        match = _REQ_LINE.match(line)
        if match:
            packages.append(Package(match.group(1), match.group(3), "PyPI", path, lineno))
        elif skip_unpinned:
            pkg = re.split(r"[\s<>=!~;\[@]", line, maxsplit=1)[0]
            skipped.append(f"{pkg}: not pinned to an exact version ({path}:{lineno})")
    return packages, skipped
