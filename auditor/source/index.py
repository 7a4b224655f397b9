"""The source index: services, their framework and entry point, and facts per parsed file.

Built once per project (``project.view(source_index, ...)``). A service is a
directory whose ``package.json`` depends on a server framework, or a Python
project (``pyproject.toml`` / ``requirements*.txt``) depending on one; a
monorepo can hold several, and a nested service claims its own files.
Files that cannot or should not be judged (syntax errors, minified bundles,
generated files over 1 MB, build output) are kept out with a reason in
``SourceIndex.skipped``.
"""

from __future__ import annotations

import ast
import gc
import json
import re
import tomllib
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar, cast

from auditor.deploy.migrations import migration_dirs
from auditor.model import SkippedFile
from auditor.project import Project
from auditor.source import js, py
from auditor.source.facts import Call, Function, Route, Service, SourceFile, SourceSkip
from auditor.source.parallel import parse_all

T = TypeVar("T")

MAX_SOURCE_BYTES = 1024 * 1024
JS_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
NODE_FRAMEWORKS = (
    ("@nestjs/core", "nestjs"),
    ("hono", "hono"),
    ("fastify", "fastify"),
    ("express", "express"),
    ("next", "nextjs"),
)
PYTHON_FRAMEWORKS = (("fastapi", "fastapi"), ("django", "django"), ("flask", "flask"), ("starlette", "starlette"))
_BUILD_DIRS = frozenset({"dist", "build", ".next", "out", ".output", "node_modules", "coverage"})
_TEST_PARTS = frozenset({"__tests__", "test", "tests", "e2e", "__mocks__", "fixtures"})
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_APP_CREATION = {
    "hono": re.compile(r"^(new)?Hono$"),
    "express": re.compile(r"^express$"),
    "nestjs": re.compile(r"^NestFactory\.create(Microservice)?$"),
    "fastify": re.compile(r"^(f|F)astify$"),
    "fastapi": re.compile(r"^(fastapi\.)?FastAPI$"),
    "flask": re.compile(r"^(flask\.)?Flask$"),
    "starlette": re.compile(r"^Starlette$"),
}
_CONVENTIONAL_ENTRIES = ("src/index", "src/main", "src/server", "src/app", "app/main", "main", "index", "server", "app",
                         "manage")


@dataclass(frozen=True)
class SourceIndex:
    """Services found in the repository and the facts of every analysed source file."""

    services: tuple[Service, ...] = ()
    files: dict[str, SourceFile] = field(default_factory=dict)
    skipped: tuple[SourceSkip, ...] = ()
    # Facts derived from the index, computed once per service: the index never changes after it is
    # built, and a dozen checks ask the same questions (routes, imports, functions by name).
    # Keyed by the service's identity (hashing a Service hashes its whole file list); the entry keeps
    # the service alive, so its id cannot be reused by another object while the entry exists.
    _derived: dict[tuple[str, int], tuple[Service, object]] = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: str, service: Service, factory: Callable[[], T]) -> T:
        """``factory()`` for this service, computed on first use and kept with the index."""
        slot = (key, id(service))
        entry = self._derived.get(slot)
        if entry is None or entry[0] is not service:
            entry = (service, factory())
            self._derived[slot] = entry
        return cast(T, entry[1])

    def files_of(self, service: Service) -> list[SourceFile]:
        """The parsed files of one service (skipped files excluded)."""
        return list(self.derived("files", service,
                                 lambda: tuple(self.files[p] for p in service.files if p in self.files)))

    def functions_named(self, service: Service) -> dict[str, tuple[tuple[SourceFile, Function], ...]]:
        """Each function name of the service: the files defining it, with the first definition in each."""
        def build() -> dict[str, tuple[tuple[SourceFile, Function], ...]]:
            found: dict[str, dict[str, tuple[SourceFile, Function]]] = {}
            for sf in self.files_of(service):
                for func in sf.functions:
                    found.setdefault(func.name, {}).setdefault(sf.path, (sf, func))
            return {name: tuple(by_file.values()) for name, by_file in found.items()}

        return self.derived("functions", service, build)

    def calls(self, service: Service) -> Iterator[tuple[SourceFile, Call]]:
        """Every call of a service with its file."""
        for sf in self.files_of(service):
            for call in sf.calls:
                yield sf, call

    def routes(self, service: Service) -> list[tuple[SourceFile, Route, str]]:
        """Every route of a service with its file and full path (mount prefixes resolved by name)."""
        return list(self.derived("routes", service, lambda: tuple(self._routes(service))))

    def _routes(self, service: Service) -> list[tuple[SourceFile, Route, str]]:
        # Keyed by the mounted expression: `feedbackRoutes`, or `orders.router` (module.name in Python).
        prefixes: dict[str, str] = {}
        for sf in self.files_of(service):
            for mount in sf.mounts:
                prefixes.setdefault(mount.target, mount.prefix)
                prefixes.setdefault(mount.target.rsplit(".", 1)[-1], mount.prefix)
        # Nest's app.setGlobalPrefix('api/v1') applies to every controller route.
        global_prefix = next((c.strings[0] for _, c in self.calls(service)
                              if c.name == "setGlobalPrefix" and c.strings), "") if service.framework == "nestjs" else ""
        out = []
        for sf in self.files_of(service):
            for route in sf.routes:
                stem = PurePosixPath(sf.path).stem
                prefix = prefixes.get(f"{stem}.{route.receiver}", prefixes.get(route.receiver, ""))
                full = join_paths(prefix, route.path)
                if global_prefix and route.receiver and route.receiver[:1].isupper():
                    full = join_paths(global_prefix, full)
                out.append((sf, route, full))
        return out

    def modules(self, service: Service) -> frozenset[str]:
        """Every module the service's code imports."""
        return self.derived("modules", service,
                            lambda: frozenset(m for sf in self.files_of(service) for m in sf.modules))


def join_paths(prefix: str, path: str) -> str:
    """``/api`` + ``/login`` -> ``/api/login``; ``/api/upload`` + ``/`` -> ``/api/upload``."""
    if not prefix:
        return path if path.startswith("/") or path.startswith("*") else "/" + path
    joined = "/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))
    return joined


def source_index(project: Project) -> SourceIndex:
    """The project's source index, built once; its skips join the report appendix."""

    def build() -> SourceIndex:
        with _no_cycle_collection():
            index = _build(project)
        # project.skipped (discovery + read skips) is what the report appendix lists.
        project.read_skips.extend(SkippedFile(s.path, f"source not analysed: {s.reason}") for s in index.skipped)
        return index

    return project.view(source_index, build)


def built_source_index(project: Project) -> SourceIndex | None:
    """The source index if a check already built it, else None: for callers that only use it when present."""
    index = project.built(source_index)
    return index if isinstance(index, SourceIndex) else None


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while the index is built (restored after, even on error).

    Building allocates hundreds of thousands of small objects (trees' nodes, facts, tuples) and
    no reference cycles, so every collection the allocations trigger walks a growing heap and
    frees nothing: 10-15% of the build on a 1,000-file tree. Reference counting still frees
    everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- services ------------------------------------------------------------


def _node_services(project: Project) -> list[tuple[str, str, str, frozenset[str], dict[str, object]]]:
    out = []
    for rel in project.glob("package.json"):
        text = project.read_text(rel)
        try:
            data = json.loads(text or "{}")
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        deps: set[str] = set()
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            value = data.get(key)
            if isinstance(value, dict):
                deps.update(str(d) for d in value)
        framework = next((name for dep, name in NODE_FRAMEWORKS if dep in deps), None)
        if framework is None:
            continue
        root = str(PurePosixPath(rel).parent)
        name = data.get("name") if isinstance(data.get("name"), str) else None
        out.append((root, framework, str(name or _dir_name(project, root)), frozenset(deps), data))
    return out


def _python_services(project: Project) -> list[tuple[str, str, str, frozenset[str]]]:
    by_root: dict[str, tuple[set[str], str | None]] = {}
    for rel in project.glob("pyproject.toml", "requirements*.txt", "requirements/*.txt", "Pipfile"):
        text = project.read_text(rel) or ""
        root = str(PurePosixPath(rel).parent)
        if PurePosixPath(rel).parent.name == "requirements":
            root = str(PurePosixPath(rel).parent.parent)
        deps, name = by_root.setdefault(root, (set(), None))
        if rel.endswith("pyproject.toml"):
            pname, pdeps = _pyproject(text)
            deps.update(pdeps)
            if pname:
                by_root[root] = (deps, pname)
        else:
            for line in text.splitlines():
                match = _REQ_NAME.match(line)
                if match and not line.lstrip().startswith(("#", "-")):
                    deps.add(match.group(1).lower().replace("_", "-"))
    out = []
    for root, (deps, name) in sorted(by_root.items()):
        framework = next((fw for dep, fw in PYTHON_FRAMEWORKS if dep in deps), None)
        if framework:
            out.append((root, framework, name or _dir_name(project, root), frozenset(deps)))
    return out


def _pyproject(text: str) -> tuple[str | None, set[str]]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None, set()
    deps: set[str] = set()
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    for item in project.get("dependencies", []) if isinstance(project, dict) else []:
        match = _REQ_NAME.match(str(item))
        if match:
            deps.add(match.group(1).lower().replace("_", "-"))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        deps.update(str(k).lower() for k in poetry["dependencies"])
    name = project.get("name") if isinstance(project, dict) else None
    return (str(name) if name else None), deps


def _dir_name(project: Project, root: str) -> str:
    return PurePosixPath(root).name if root not in ("", ".") else project.root.name


def _under(rel: str, root: str) -> bool:
    return root in ("", ".") or rel.startswith(root.rstrip("/") + "/")


# Code that never runs in the server process: build and maintenance scripts, seeds, bundler configs.
# Migrations run once at deploy time through the migration tool, never as part of a request: their
# facts (hundreds of Django AddField calls) are not the server's, and judging them costs a third of
# a Django project's parse. Migration checks read the files themselves.
_NOT_SERVER_PARTS = frozenset({"scripts", ".install-scripts", "seed", "seeds", "cypress", "playwright", "migrations"})
_ALEMBIC_VERSIONS = ("alembic", "versions")
_BUILD_CONFIG = re.compile(r"^(vite|vitest|webpack|rollup|tailwind|postcss|eslint|jest|playwright|drizzle|"
                           r"tsup|esbuild|babel|prettier)\.config\.[cm]?[jt]s$")


def _is_test(rel: str) -> bool:
    """Tests, and code that does not run in the server (scripts, seeds, bundler configs)."""
    parts = PurePosixPath(rel).parts
    name = parts[-1]
    return (
        bool(_TEST_PARTS.intersection(parts[:-1]))
        or bool(_NOT_SERVER_PARTS.intersection(parts[:-1])) or bool(_BUILD_CONFIG.match(name))
        or parts[-3:-1] == _ALEMBIC_VERSIONS
        or ".test." in name or ".spec." in name or ".e2e-spec." in name
        or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    )


# -- parsing -------------------------------------------------------------


# A React Server Components module boundary: the file (and what only it imports) runs in the browser.
# One whitespace character per repetition: `(\s+)*` would backtrack exponentially on a long blank run.
_USE_CLIENT = re.compile(r"""\A(?:\ufeff)?(?:\s|//[^\n]*\n|/\*.*?\*/)*(["'])use client\1""", re.DOTALL)


def _skip_reason(rel: str, size: int, text: str) -> str:
    parts = PurePosixPath(rel).parts
    if not rel.endswith(".py") and _USE_CLIENT.match(text):
        return "browser code ('use client' component) is not judged as server code"
    if _BUILD_DIRS.intersection(parts[:-1]):
        return "build output is not judged as source"
    if rel.endswith((".min.js", ".min.mjs", ".bundle.js")):
        return "minified bundle is not judged as source"
    if size > MAX_SOURCE_BYTES:
        return f"generated or oversized file ({size // 1024} KiB) is not parsed"
    lines = text.count("\n") + 1
    # No line can be longer than the text: most files never need splitting.
    too_long = len(text) > 5000 and max(map(len, text.splitlines()), default=0) > 5000
    # Bundlers write few, very long lines: low newline ratio means minified output.
    if too_long or (len(text) > 2000 and len(text) / lines > 300):
        return "minified or bundled code (very long lines) is not judged as source"
    return ""


def _parse(project: Project, rel: str, size: int) -> tuple[SourceFile | None, str]:
    text = project.read_text(rel)
    if text is None:
        return None, "unreadable or binary"
    reason = _skip_reason(rel, size, text)
    if reason:
        return None, reason
    if rel.endswith(".py"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in scanned code
                tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            return None, f"syntax error at line {exc.lineno or 1}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:
            return None, f"could not be parsed: {type(exc).__name__}"
        try:
            return py.extract(rel, tree), ""
        except RecursionError:
            return None, "too deeply nested to analyse"
    data = text.encode("utf-8")
    js_tree = js.parse_tree(rel, data)
    if js_tree.root_node.has_error:
        return None, f"syntax error at line {js.first_error_line(js_tree)}"
    return js.extract(rel, js_tree), ""


def _root_key(root: str) -> str:
    """A service root as a key: ``""`` for the repository root, no trailing slash."""
    return "" if root in ("", ".") else root.rstrip("/")


def _innermost_roots(files: tuple[str, ...], roots: list[str]) -> dict[str, list[str]]:
    """Each file under the innermost service root that contains it, in discovery order.

    One pass over the files, walking each file's parent folders upward to the first one that is a
    service root: O(files x depth) instead of O(services x files x roots), so a monorepo with
    hundreds of packages costs what its files cost. A file belongs to a root only when no deeper
    service root contains it (a nested package's files are its own).
    """
    keys = {_root_key(r) for r in roots}
    owned: dict[str, list[str]] = {}
    for rel in files:
        for parent in PurePosixPath(rel).parents:
            key = "" if str(parent) == "." else str(parent)
            if key in keys:
                owned.setdefault(key, []).append(rel)
                break
    return owned


def _candidates(owned: Iterable[str], language: str, migrations: tuple[str, ...] = ()) -> list[str]:
    """The files of one service root that are source in its language: no tests, no declarations, and no
    migrations (``migrations`` are folder prefixes, wherever the migration tool's config puts them)."""
    exts = JS_EXTENSIONS if language == "node" else (".py",)
    return [rel for rel in owned if rel.endswith(exts) and not rel.endswith(".d.ts") and not _is_test(rel)
            and not rel.startswith(migrations)]


def _build(project: Project) -> SourceIndex:
    sizes = {f.rel: f.size for f in project.discovery.files}
    found: list[tuple[str, str, str, str, frozenset[str], dict[str, object]]] = []
    for root, framework, name, deps, data in _node_services(project):
        found.append((root, framework, name, "node", deps, data))
    for root, framework, name, deps in _python_services(project):
        found.append((root, framework, name, "python", deps, {}))
    files: dict[str, SourceFile] = {}
    skipped: list[SourceSkip] = []
    services: list[Service] = []
    owned_by = _innermost_roots(project.files, [f[0] for f in found])
    migrations = tuple(folder + "/" for folder in migration_dirs(project))
    candidates = [_candidates(owned_by.get(_root_key(root), ()), language, migrations)
                  for root, _f, _n, language, _d, _x in found]
    # A package that cannot be a server (a SPA using the framework's typed client, a static export)
    # is dropped before its files are parsed: in a monorepo that is most of the tree.
    kept = [i for i, (root, framework, *_rest) in enumerate(found) if _may_serve(project, framework, root, candidates[i])]
    found, candidates = [found[i] for i in kept], [candidates[i] for i in kept]
    # Every file parsed once, in discovery order, across cores when the tree is large.
    wanted = list(dict.fromkeys(rel for own in candidates for rel in own))
    parsed_all = dict(zip(wanted, parse_all(project, [(rel, sizes.get(rel, 0)) for rel in wanted], _parse),
                          strict=True))
    for (root, framework, name, language, deps, data), candidate in zip(found, candidates, strict=True):
        own: list[str] = []
        for rel in candidate:
            sf, reason = parsed_all[rel]
            if sf is None:
                skipped.append(SourceSkip(rel, reason))
                continue
            files[rel] = sf
            own.append(rel)
        parsed = [files[r] for r in own]
        if not _serves(project, framework, root, parsed):
            continue  # a SPA or library that imports a framework's client, or a static export: no server here
        entry, line = _entry(framework, root, parsed, data)
        services.append(Service(name, root, framework, language, entry, line, deps, tuple(own)))
    return SourceIndex(tuple(services), files, tuple(skipped))


_FRAMEWORK_MODULE = {"nestjs": "@nestjs/core"}
_STATIC_EXPORT = re.compile(r"""output\s*:\s*["']export["']""")
# Text that any file creating the app must contain, for the frameworks whose app creation
# :func:`_serves` looks for: a call of the constructor, or a value import of the framework module
# (an alias is called instead). Looser than _APP_CREATION on purpose: a package passes when it
# might serve, and _serves decides on the parsed calls. Type-only imports (a SPA's typed RPC
# client) and comments that name the framework do not count.
def _creation_text(callee: str, module: str) -> re.Pattern[str]:
    quoted = rf"""["']{re.escape(module)}["']"""
    return re.compile(rf"""\b{callee}|^\s*import\s+(?!type\b)[^;]{{0,400}}?\bfrom\s*{quoted}|\brequire\s*\(\s*{quoted}""",
                      re.MULTILINE)


# Per framework: the substring every match contains (a cheap test that spares most files the
# regex), and the pattern.
_CREATION_TEXT = {
    "hono": ("ono", _creation_text(r"Hono\s*[(<]", "hono")),
    "express": ("express", _creation_text(r"express\s*\(", "express")),
    "nestjs": ("est", _creation_text(r"NestFactory\s*\.\s*create", "@nestjs/core")),
    "fastify": ("astify", _creation_text(r"[fF]astify\s*[(<]", "fastify")),
}


def _may_serve(project: Project, framework: str, root: str, candidate: list[str]) -> bool:
    """Whether a package can run a server, from its config and raw text, before anything is parsed.

    False only where :func:`_serves` would say False whatever the parse found: a Next.js static
    export, or no file that names the app's constructor or imports the framework module.
    """
    if framework == "nextjs":
        return not _static_export(project, root)
    needle_and_pattern = _CREATION_TEXT.get(framework)
    if needle_and_pattern is None:
        return True
    needle, pattern = needle_and_pattern
    for rel in candidate:
        text = project.read_text(rel)
        if text is not None and needle in text and pattern.search(text):
            return True
    return False


def _static_export(project: Project, root: str) -> bool:
    """Whether the Next.js app at ``root`` is built as a static export (``output: 'export'``)."""
    base = "" if root in ("", ".") else root + "/"
    for name in ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"):
        text = project.read_text(base + name) if project.exists(base + name) else None
        if text and _STATIC_EXPORT.search(text):
            return True
    return False


def _serves(project: Project, framework: str, root: str, parsed: list[SourceFile]) -> bool:
    """Whether a package runs a server: its own code creates the app, and Next.js is not a static export.

    A React/Vite SPA or a client library that depends on ``hono`` for its typed RPC client never calls
    ``new Hono()``; such packages get no server checks.
    """
    if framework == "nextjs":
        return not _static_export(project, root)
    pattern = _APP_CREATION.get(framework)
    if pattern is None or framework in {"fastapi", "flask", "starlette"}:
        return True  # Python apps are often created by factories the index does not follow: keep them
    if any(pattern.match(("new" if c.is_new else "") + c.callee) or pattern.match(c.callee)
           for sf in parsed for c in sf.calls):
        return True
    # The framework's default export under another name (`import importFastify from 'fastify'`).
    module = _FRAMEWORK_MODULE.get(framework, framework)
    aliases = {name for sf in parsed for imp in sf.imports if imp.module == module for name in imp.names}
    return any(c.callee in aliases for sf in parsed for c in sf.calls)


def _entry(framework: str, root: str, parsed: list[SourceFile], data: dict[str, object]) -> tuple[str, int]:
    if framework == "django":
        for sf in sorted(parsed, key=lambda s: (not PurePosixPath(s.path).stem.startswith(("settings", "prod")), s.path)):
            for assignment in sf.assignments:
                if assignment.name in {"MIDDLEWARE", "INSTALLED_APPS"}:
                    return sf.path, assignment.line
    pattern = _APP_CREATION.get(framework)
    best: tuple[int, str, int] | None = None
    for sf in parsed:
        created = next((c for c in sf.calls if (pattern and pattern.match(("new" if c.is_new else "") + c.callee))
                        or (pattern and pattern.match(c.callee))), None)
        if created is None:
            continue
        listens = any(c.name in {"listen", "serve", "run"} or c.callee in {"serve", "uvicorn.run"} for c in sf.calls)
        rank = (0 if listens else 1) * 10 + _conventional_rank(sf.path, root)
        if best is None or (rank, sf.path) < (best[0], best[1]):
            best = (rank, sf.path, created.line)
    if best is not None:
        return best[1], best[2]
    for candidate in sorted(parsed, key=lambda s: (_conventional_rank(s.path, root), s.path)):
        return candidate.path, 1
    main = data.get("main") if isinstance(data.get("main"), str) else None
    return (f"{root}/{main}" if root not in ("", ".") else str(main)) if main else (root or "."), 1


def _conventional_rank(rel: str, root: str) -> int:
    inner = rel[len(root) + 1:] if root not in ("", ".") else rel
    stem = inner.rsplit(".", 1)[0]
    return _CONVENTIONAL_ENTRIES.index(stem) if stem in _CONVENTIONAL_ENTRIES else len(_CONVENTIONAL_ENTRIES)
