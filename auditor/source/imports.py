"""Where an import points in the repository: the file a Python module or a relative JS/TS import names.

Text-level and existence-checked: the answer is a repository path or None (a package from the
registry, a path alias, a file the repository does not hold).
"""

from __future__ import annotations

import posixpath

from auditor.project import Project

_JS_SUFFIXES = (".ts", ".mts", ".tsx", ".js", ".mjs", ".cjs")


def py_module_file(project: Project, importer: str, module: str) -> str | None:
    """The file of a Python module, relative (``.events``) or absolute (``app.core.events``)."""
    dots = len(module) - len(module.lstrip("."))
    rest = module.lstrip(".").replace(".", "/")
    if dots:
        folder = posixpath.dirname(importer)
        for _ in range(dots - 1):
            folder = posixpath.dirname(folder)
        stem = posixpath.join(folder, rest) if rest else folder
        return next((c for c in (f"{stem}.py", f"{stem}/__init__.py") if c in project.file_set), None)
    candidates = [rel for rel in project.files
                  if rel in {f"{rest}.py", f"{rest}/__init__.py"}
                  or rel.endswith((f"/{rest}.py", f"/{rest}/__init__.py"))]
    # The copy nearest the importer: a monorepo may hold two packages named `app`.
    return min(candidates, key=lambda rel: (not rel.startswith(importer.split("/")[0]), len(rel)), default=None)


def js_module_file(project: Project, importer: str, spec: str) -> str | None:
    """The file a relative JS/TS import names (``./db`` -> ``src/db.ts`` or ``src/db/index.ts``;
    ``./db.js`` -> ``src/db.ts`` too, as TypeScript's ESM imports write it); None when not relative."""
    if not spec.startswith("."):
        return None
    stem = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    stem = stem.removesuffix(".js") if not stem.endswith(_JS_SUFFIXES[:3]) else stem
    for candidate in (stem, *(stem + s for s in _JS_SUFFIXES), *(f"{stem}/index{s}" for s in _JS_SUFFIXES)):
        if candidate in project.file_set:
            return candidate
    return None
