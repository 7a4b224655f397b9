"""Framework start-up hooks: the source-level end of the start path.

Code that runs when the application boots, before it serves traffic: Starlette/FastAPI ``lifespan``
and ``on_event("startup")``, Django ``AppConfig.ready``, NestJS ``onModuleInit`` /
``onApplicationBootstrap``, Flask ``before_first_request``. Hooks are found where the framework
looks for them, not only in the entry file:

- a hook the entry file names (``FastAPI(lifespan=lifespan)``) but imports from another module
  is read from that module, and so are the hooks of the app factory an entry file calls
  (``app = create_application()`` imported from ``core/setup.py``);
- a local function the hook calls (``await init_db()``, imported from ``app/db.py``) is read too,
  one call deep, because that is where start-up work usually lives;
- Django calls ``ready()`` of every installed app, so the ``apps.py`` files of the service's code
  are read when the service runs Django;
- NestJS calls the lifecycle methods of every provider, so the service's source files are read
  when its entry file creates a Nest application.

Each hook is a ``hook`` step whose text is the hook's own body, and each function it calls a ``call``
step, so checks can look inside them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from auditor.deploy.model import StartStep
from auditor.project import Project
from auditor.source.imports import js_module_file, py_module_file

# (name, a word every match contains, pattern): the word is a substring test that rules most files out
# before the regular expression runs.
HOOKS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("lifespan", "lifespan", re.compile(r"\blifespan\s*=|@asynccontextmanager\s*\n\s*async\s+def\s+lifespan\b")),
    ("startup event", "startup", re.compile(r"\bon_event\(\s*[\"']startup[\"']\s*\)|\bon_startup\s*=")),
    ("AppConfig.ready", "ready", re.compile(r"\bdef\s+ready\s*\(\s*self\s*\)")),
    ("onModuleInit", "onModuleInit", re.compile(r"\bonModuleInit\s*\(")),
    ("onApplicationBootstrap", "onApplicationBootstrap", re.compile(r"\bonApplicationBootstrap\s*\(")),
    ("before_first_request", "before_first_request", re.compile(r"\bbefore_first_request\b")),
)

# A hook named by reference: `lifespan=app_lifespan`, `on_startup=[init]`, `add_event_handler("startup", init)`.
_NAMED_HOOK = re.compile(
    r"\blifespan\s*=\s*([A-Za-z_]\w*)\b(?!\s*\()|\bon_startup\s*=\s*\[\s*([A-Za-z_]\w*)|"
    r"\badd_event_handler\(\s*[\"']startup[\"']\s*,\s*([A-Za-z_]\w*)")
# `from x import a, b` or a parenthesised list over several lines; `[ \t]` so that `^` never spans lines.
_PY_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.MULTILINE)
_JS_IMPORT = re.compile(r"\bimport\s*\{([^}]{0,1000})\}\s*from\s*[\"'](\.{1,2}/[^\"']{1,500})[\"']")
# `app = create_app(...)` at the top level of an entry file: the factory builds the application.
_FACTORY_CALL = re.compile(r"^(?:app|application|api)\s*(?::\s*\w+\s*)?=\s*([A-Za-z_]\w*)\s*\(", re.MULTILINE)
_CALLED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(")
_BUILTINS = frozenset({"print", "super", "len", "str", "int", "dict", "list", "set", "isinstance", "range",
                       "Event", "getattr", "setattr", "require", "def", "if", "for", "while", "return"})
_JS_SUFFIXES = (".ts", ".mts", ".tsx", ".js", ".mjs", ".cjs")
_TEST_PARTS = frozenset({"test", "tests", "__tests__", "spec", "e2e"})
# A service with hundreds of providers is read in full once; past this many hook files the rest adds
# nothing a check would use.
_MAX_FRAMEWORK_HOOKS = 40


def startup_hooks(project: Project, sources: Iterable[tuple[str, str]]) -> Iterator[StartStep]:
    """A ``hook`` step per start-up hook of the application whose (path, text) entry files are given."""
    entries = list(sources)
    entry_paths = frozenset(path for path, _text in entries)
    kept: list[StartStep] = []

    def new(step: StartStep) -> bool:
        # The same code reached twice (a decorated lifespan and the `lifespan=` naming it) is one hook.
        path = step.origin.split(":", 1)[0]
        if any(k.origin.split(":", 1)[0] == path and step.text in k.text for k in kept):
            return False
        kept.append(step)
        return True

    for path, text in [*entries, *_factory_modules(project, entries)]:
        for step in [*_hooks_in(path, text), *_named_hooks(project, path, text)]:
            step = replace(step, via=path)
            if new(step):
                yield step
                module = step.origin.split(":", 1)[0]
                module_text = text if module == path else project.read_text(module) or ""
                yield from filter(new, _called_helpers(project, module, module_text, step, entry_paths))
    yield from filter(new, _framework_hooks(project, entries))


def _hooks_in(path: str, text: str) -> Iterator[StartStep]:
    """Hooks written in ``path`` itself; a hook only named here (``lifespan=x``) is left to ``_named_hooks``."""
    for name, word, pattern in HOOKS:
        if word not in text:
            continue
        for match in pattern.finditer(text):
            if _NAMED_HOOK.match(text, match.start()) or _is_assignment(text, match.start()):
                continue
            line = text.count("\n", 0, match.start()) + 1
            yield StartStep(f"{path}:{line} {name}", _body_at(path, text, match.start()), "hook")
            break


def _factory_modules(project: Project, entries: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Modules of the app factories entry files call (``app = create_application(...)`` from ``core/setup.py``)."""
    known = {path for path, _text in entries}
    for path, text in entries:
        if not path.endswith(".py"):
            continue
        for match in _FACTORY_CALL.finditer(text):
            module = _imported_from(project, path, text, match.group(1))
            module_text = project.read_text(module) if module and module not in known else None
            if module and module_text:
                known.add(module)
                yield module, module_text


def _is_assignment(text: str, start: int) -> bool:
    """``lifespan = make_lifespan()`` on a line of its own is a variable, not a ``lifespan=`` argument."""
    if not text.startswith(("lifespan", "on_startup"), start):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def _named_hooks(project: Project, path: str, text: str) -> Iterator[StartStep]:
    """Hooks the entry file names (``lifespan=x``, ``on_startup=[x]``), read where ``x`` is defined."""
    if not path.endswith(".py"):
        return
    for match in _NAMED_HOOK.finditer(text):
        name = next(g for g in match.groups() if g)
        kind = "lifespan" if match.group(0).startswith("lifespan") else "startup event"
        found = _definition(text, name)
        if found:
            yield StartStep(f"{path}:{found[0]} {kind}", found[1], "hook")
            continue
        module = _imported_from(project, path, text, name)
        found = _definition(project.read_text(module), name) if module else None
        if module and found:
            yield StartStep(f"{module}:{found[0]} {kind} (imported by {path})", found[1], "hook")


def _called_helpers(project: Project, path: str, text: str, hook: StartStep,
                    entry_paths: frozenset[str] = frozenset()) -> Iterator[StartStep]:
    """Functions a hook calls, read where they are defined (one call deep).

    Imported ones are read from their module; ones defined beside the hook are read too, unless the
    hook's file is an entry file, whose whole text is already on the start path.
    """
    # Names defined inside the hook itself (its own `def`, inner functions) are not calls out of it.
    seen: set[str] = set(re.findall(r"\b(?:def|function)\s+(\w+)", hook.text))
    for match in _CALLED.finditer(hook.text):
        name = match.group(1)
        if name in seen or name in _BUILTINS:
            continue
        seen.add(name)
        module = _imported_from(project, path, text, name)
        if module is not None:
            found = _definition(project.read_text(module) or "", name)
        elif path not in entry_paths:
            module, found = path, _definition(text, name)
        else:
            continue
        if found:
            yield StartStep(f"{module}:{found[0]} {name}()", found[1], "call", via=hook.origin)


def _framework_hooks(project: Project, entries: list[tuple[str, str]]) -> Iterator[StartStep]:
    """Hooks the framework calls wherever they are: Django apps' ``ready()``, Nest providers' lifecycle."""
    entry_paths = {path for path, _text in entries}
    found = 0
    django_entries = [path for path, text in entries if path.endswith(".py") and "django" in text.lower()]
    if django_entries:
        # The project folder: the parent of the settings package that holds wsgi.py/asgi.py/manage.py's
        # neighbours (`shop/wsgi.py` -> the folder holding `shop/` and the apps beside it).
        entry = django_entries[0]
        root = posixpath.dirname(entry) if posixpath.basename(entry) == "manage.py" else \
            posixpath.dirname(posixpath.dirname(entry))
        for rel in _service_files(project, root, (".py",)):
            if rel in entry_paths or posixpath.basename(rel) != "apps.py":
                continue
            text = project.read_text(rel) or ""
            if "AppConfig" not in text:
                continue
            for step in _hooks_in(rel, text):
                if step.origin.endswith("AppConfig.ready") and found < _MAX_FRAMEWORK_HOOKS:
                    found += 1
                    step = replace(step, via=entry)
                    yield step
                    yield from _called_helpers(project, rel, text, step)
    nest_entries = [path for path, text in entries if "NestFactory" in text]
    for entry in nest_entries:
        root = posixpath.dirname(entry)
        for rel in _service_files(project, root, _JS_SUFFIXES):
            if rel in entry_paths:
                continue
            text = project.read_text(rel) or ""
            if "onModuleInit" not in text and "onApplicationBootstrap" not in text:
                continue
            for step in _hooks_in(rel, text):
                if found < _MAX_FRAMEWORK_HOOKS:
                    found += 1
                    yield replace(step, via=entry)


def _service_files(project: Project, root: str, suffixes: tuple[str, ...]) -> Iterator[str]:
    """Source files under ``root`` that are not tests, dependencies or build output."""
    prefix = root + "/" if root else ""
    for rel in project.files:
        if not rel.startswith(prefix) or not rel.endswith(suffixes):
            continue
        parts = rel.split("/")
        if _TEST_PARTS & set(parts[:-1]) or {"node_modules", "dist", "build"} & set(parts[:-1]):
            continue
        if ".spec." in parts[-1] or ".test." in parts[-1] or parts[-1].startswith("test_"):
            continue
        yield rel


def _imported_from(project: Project, path: str, text: str, name: str) -> str | None:
    """The repository file ``name`` is imported from in ``path`` (Python ``from x import``, JS ``import {}``)."""
    if path.endswith(".py"):
        for match in _PY_IMPORT.finditer(text):
            names = {part.split(" as ")[-1].strip().split("#")[0].strip()
                     for part in match.group(2).strip("()").replace("\n", ",").split(",")}
            if name in names:
                return py_module_file(project, path, match.group(1))
        return None
    for match in _JS_IMPORT.finditer(text):
        names = {part.split(" as ")[-1].strip() for part in match.group(1).split(",")}
        if name in names:
            return js_module_file(project, path, match.group(2))
    return None


def _definition(text: str | None, name: str) -> tuple[int, str] | None:
    """(line, body) of the top-level or method definition of ``name`` in Python or JS/TS text."""
    if not text or name not in text:
        return None
    py = re.search(rf"^([ \t]*)(?:async\s+)?def\s+{re.escape(name)}\s*\(", text, re.MULTILINE)
    if py:
        return text.count("\n", 0, py.start()) + 1, _python_block(text, py.start(), len(py.group(1)))
    js = re.search(rf"(?:function\s*\*?\s*{re.escape(name)}\s*\(|\b(?:const|let|var)\s+{re.escape(name)}\s*="
                   rf"|^[ \t]*(?:public\s+|private\s+)?(?:async\s+)?{re.escape(name)}\s*\([^)]{{0,500}}\)\s*(?::[^{{]{{0,200}})?\{{)",
                   text, re.MULTILINE)
    if js:
        return text.count("\n", 0, js.start()) + 1, _brace_block(text, js.start())
    return None


def _body_at(path: str, text: str, start: int) -> str:
    """The block a hook starts at ``start``: its indented body (Python) or braces (JS/TS)."""
    if path.endswith(".py"):
        line_start = text.rfind("\n", 0, start) + 1
        indent = len(text[line_start:start]) - len(text[line_start:start].lstrip())
        return _python_block(text, line_start, indent)
    return _brace_block(text, start)


def _python_block(text: str, start: int, indent: int) -> str:
    """Decorators, the ``def`` line and its body: up to the first later line indented at most ``indent``."""
    lines = text[start:start + 8000].split("\n")
    head = 0
    while head < len(lines) - 1 and lines[head].strip().startswith("@"):
        head += 1
    out = lines[:head + 1]
    for line in lines[head + 1:]:
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= indent and not stripped.startswith((")", "]", "#")):
            break
        out.append(line)
    return "\n".join(out).rstrip()


def _brace_block(text: str, start: int) -> str:
    """From ``start`` to the brace that closes the first one opened after it (bounded)."""
    depth = 0
    opened = False
    end = min(len(text), start + 8000)
    for index in range(start, end):
        char = text[index]
        if char == "{":
            depth += 1
            opened = True
        elif char == "}" and opened:
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    return text[start:end]
