"""Check registration and discovery.

A check is a pure function decorated with :func:`check`. Built-in checks are
found by walking the ``checks`` package; third-party checks come from the
``prodcheck.checks`` entry-point group, each loaded inside its own error
boundary so one broken plugin never stops a scan.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from auditor.docs import parse_doc
from auditor.model import CheckMeta, Confidence, Finding, Section, Severity, Target

CheckFunc = Callable[[Any], Iterable[Finding]]

_SPEC_ATTR = "__prodcheck_spec__"


class NotApplicable(Exception):
    """Raised by a check that finds nothing to judge; the result is skipped with this reason."""


class NotChecked(NotApplicable):
    """Raised by a check that could not look (offline, a probe that did not run): skipped, never a pass.

    A subclass so that code catching NotApplicable still treats it as a skip; the runner tells
    the two apart, and reports name this kind where they only count the first.
    """


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its metadata, the facts it needs, and the function."""

    meta: CheckMeta
    needs: tuple[str, ...]
    func: CheckFunc

    @property
    def id(self) -> str:
        """The check's permanent id."""
        return self.meta.id


#: The facts a check may declare in ``needs=`` (``Project.has`` answers each).
KNOWN_NEEDS = frozenset({"dockerfiles", "compose", "env_templates", "env_files", "env", "container_files"})


def check(
    *,
    id: str,
    severity: Severity,
    section: Section,
    needs: tuple[str, ...] = (),
    target: Target = Target.REPO,
    security: bool = False,
    effort_hours: float = 1.0,
    aliases: tuple[str, ...] = (),
    passed: str = "",
    confidence: Confidence = Confidence.HIGH,
    group: str | None = None,
    group_rank: int = 0,
    data_loss: bool = False,
    operator_side: bool = False,
    organisational: bool = False,
    adopter_side: bool = False,
) -> Callable[[CheckFunc], CheckFunc]:
    """Declare a check. The function's docstring (or its module's) is its documentation.

    ``passed`` is how a pass reads in the report's Strengths ("Runs as a non-root user").
    ``confidence`` is the default confidence of its findings (a finding may override it).
    ``group`` names the issue that related checks share (one fix resolves them all) and
    ``group_rank`` orders its members; ``data_loss`` puts a failure first within its severity;
    For a repository others operate (auditor/profile.py): ``operator_side`` marks a concern of
    whoever runs the software (its findings drop to info); ``organisational`` a process,
    practice or document of theirs, and ``adopter_side`` repository governance a template's adopters replace
    with their own (their failure is advice, listed with its reason, not a finding).
    ``needs`` must name facts the project provides (:data:`KNOWN_NEEDS`): a typo would
    otherwise make the check run where it cannot judge.
    """
    unknown = [need for need in needs if need not in KNOWN_NEEDS]
    if unknown:
        raise ValueError(f"check {id}: unknown needs {unknown} (known: {', '.join(sorted(KNOWN_NEEDS))})")

    def decorate(func: CheckFunc) -> CheckFunc:
        module = importlib.import_module(func.__module__) if func.__module__ else None
        # Full docs live in the function docstring for multi-check modules,
        # else in the module docstring (the function then has a one-liner).
        func_doc = func.__doc__ or ""
        docstring = func_doc if "## " in func_doc else (module.__doc__ if module else None) or func_doc
        doc = parse_doc(docstring, fallback_title=id)
        meta = CheckMeta(
            id=id,
            title=doc.title,
            severity=severity,
            section=section,
            target=target,
            doc=doc,
            security=security,
            effort_hours=effort_hours,
            aliases=tuple(aliases),
            passed=passed,
            confidence=confidence,
            group=group,
            group_rank=group_rank,
            data_loss=data_loss,
            operator_side=operator_side,
            organisational=organisational,
            adopter_side=adopter_side,
        )
        setattr(func, _SPEC_ATTR, CheckSpec(meta=meta, needs=tuple(needs), func=func))
        return func

    return decorate


@dataclass
class Registry:
    """All loaded checks, by id, plus problems met while loading."""

    checks: dict[str, CheckSpec] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Ids and aliases taken by checks not loaded here (the catalog's built-ins, when only plugins are).
    reserved: frozenset[str] = frozenset()

    def add(self, spec: CheckSpec) -> None:
        """Register one check; a duplicate id or alias raises ValueError."""
        ids = (spec.id, *spec.meta.aliases)
        for name in ids:
            if name in self.checks or name in self.aliases or name in self.reserved:
                raise ValueError(f"duplicate check id {name!r}")
        self.checks[spec.id] = spec
        for alias in spec.meta.aliases:
            self.aliases[alias] = spec.id

    def resolve(self, check_id: str) -> CheckSpec | None:
        """Find a check by id or alias, case-insensitively."""
        wanted = check_id.strip().upper()
        wanted = self.aliases.get(wanted, wanted)
        return self.checks.get(wanted)

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(sorted(self.checks.values(), key=lambda s: (s.meta.section.order, s.id)))

    def __len__(self) -> int:
        return len(self.checks)


def specs_in_module(module: ModuleType) -> list[CheckSpec]:
    """The checks a module defines (functions carrying a spec)."""
    found = []
    for value in vars(module).values():
        spec = getattr(value, _SPEC_ATTR, None)
        if isinstance(spec, CheckSpec) and getattr(value, "__module__", None) == module.__name__:
            found.append(spec)
    return found


def _walk_package(package_name: str, targets: frozenset[Target]) -> Iterator[ModuleType]:
    """Import every module below ``package_name``, skipping sub-packages for targets not wanted.

    A sub-package may declare ``TARGET = "live"`` (or ``"repo"``) in its ``__init__``:
    a scan without live URLs then never imports it (nor httpx/ssl through it).
    """
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(package.__path__, prefix=package_name + "."):
        module = importlib.import_module(info.name)
        if info.ispkg:
            declared = getattr(module, "TARGET", None)
            if declared is not None and Target(declared) not in targets:
                continue
            yield from _walk_package(info.name, targets)
        else:
            yield module


ALL_TARGETS = frozenset(Target)


def load_registry(*, plugins: bool = True, package: str = "checks",
                  targets: frozenset[Target] = ALL_TARGETS) -> Registry:
    """Load built-in checks from ``package`` and, when asked, entry-point plugins.

    ``targets`` limits which built-in check families are imported (a repository
    scan needs no live checks); ``checks list`` and the tests load them all.
    """
    registry = Registry()
    for module in _walk_package(package, targets):
        for spec in specs_in_module(module):
            registry.add(spec)  # a duplicate built-in id is a bug: let it raise
    if plugins:
        _load_plugins(registry)
    return registry


class DeferredCheck:
    """A built-in check known from the catalog: its module is imported on the first call.

    A scan built from the catalog (:func:`scan_registry`) holds these instead of the
    functions, so a check that is skipped (its ``needs`` absent, or its inputs unchanged
    in a ``--changed-since`` scan) never costs its module's import.
    """

    __slots__ = ("check_id", "module")

    def __init__(self, module: str, check_id: str) -> None:
        self.module = module
        self.check_id = check_id

    def __call__(self, subject: Any) -> Iterable[Finding]:
        """Import the check's module (once) and run the check."""
        return _imported_check(self.module, self.check_id)(subject)

    def __repr__(self) -> str:
        return f"DeferredCheck({self.module!r}, {self.check_id!r})"


@functools.cache
def _imported_check(module_name: str, check_id: str) -> CheckFunc:
    for spec in specs_in_module(importlib.import_module(module_name)):
        if spec.id == check_id:
            return spec.func
    raise LookupError(f"{module_name} defines no check {check_id} (stale catalog)")


def scan_registry(targets: frozenset[Target] = ALL_TARGETS, *, plugins: bool = True) -> Registry:
    """The registry a scan runs: built-ins from the catalog with their modules imported on first use.

    Same checks, metadata and order as :func:`load_registry` (the catalog is refused when any
    check source changed, and then this is :func:`load_registry`), but no check module is
    imported until one of its checks runs.
    """
    from auditor import catalog

    entries = catalog.load()
    if entries is None:
        return load_registry(plugins=plugins, targets=targets)
    registry = Registry()
    try:
        specs = [CheckSpec(meta=catalog.meta_of(entry), needs=entry.needs, func=DeferredCheck(entry.module, entry.id))
                 for entry in entries if Target(entry.target) in targets]
    except (KeyError, TypeError, ValueError):  # a row this code cannot read: import the checks instead
        return load_registry(plugins=plugins, targets=targets)
    for spec in specs:
        registry.add(spec)
    if plugins:
        _load_plugins(registry)
    return registry


def load_plugins(reserved: frozenset[str] = frozenset()) -> Registry:
    """Only the entry-point plugins; ``reserved`` ids (built-ins known from the catalog) count as taken."""
    registry = Registry(reserved=reserved)
    _load_plugins(registry)
    return registry


def known_check_ids() -> dict[str, str]:
    """Every check id and alias -> its canonical id, without importing a check module when the catalog is fresh.

    For validating ids (``--select``, config files): built-ins come from the catalog, plugins
    are loaded (only importing them tells what they define).
    """
    from auditor import catalog

    entries = catalog.load()
    if entries is None:
        registry = load_registry()
        return {**{spec.id: spec.id for spec in registry}, **registry.aliases}
    names = {name: entry.id for entry in entries for name in (entry.id, *entry.aliases)}
    plugins = load_plugins(frozenset(names))
    return {**names, **{spec.id: spec.id for spec in plugins.checks.values()}, **plugins.aliases}


def load_check(check_id: str) -> CheckSpec | None:
    """One check by id or alias, importing only its module when the catalog knows it."""
    from auditor import catalog

    entries = catalog.load()
    module_name = catalog.module_of(check_id, entries) if entries is not None else None
    if module_name is not None:
        registry = Registry()
        for spec in specs_in_module(importlib.import_module(module_name)):
            registry.add(spec)
        found = registry.resolve(check_id)
        if found is not None:
            return found
    return load_registry().resolve(check_id)


def _may_have_plugins() -> bool:
    """Whether any installed distribution may declare a plugin: False only when surely none does.

    ``importlib.metadata`` (and the email, zipfile and csv modules it pulls in: ~30 ms, a tenth
    of a small scan) is imported only when some ``entry_points.txt`` on ``sys.path`` names the
    plugin group. Anything this pre-test cannot read as a plain directory (a zip or egg on the
    path, a distribution finder besides the standard path finder) answers True: the full search.
    """
    import os
    import sys
    from importlib.machinery import PathFinder

    from auditor.plugins import PLUGIN_GROUP

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return True
    for entry in sys.path:
        base = entry or "."
        if not os.path.isdir(base) or base.endswith(".egg"):
            if os.path.exists(base):
                return True  # a zip or egg: let importlib.metadata read it
            continue
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            lower = name.lower()
            if lower == "egg-info" or lower.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(base, name, "entry_points.txt"), encoding="utf-8",
                              errors="replace") as handle:
                        if PLUGIN_GROUP in handle.read():
                            return True
                except OSError:
                    continue
    return False


def _load_plugins(registry: Registry) -> None:
    from auditor.plugins import plugin_entry_points

    if not _may_have_plugins():
        return
    for entry in plugin_entry_points():
        try:
            loaded = entry.load()
            specs = _specs_from_plugin(loaded)
            if not specs:
                raise ValueError("defines no @check function")
        except Exception as exc:  # noqa: BLE001 - a plugin may fail in any way
            registry.problems.append(f"plugin {entry.name!r} skipped: {_one_line(exc)}")
            continue
        for spec in specs:
            try:
                registry.add(_as_plugin(spec, entry.name))
            except ValueError as exc:
                registry.problems.append(f"plugin {entry.name!r}: {exc}; skipped")


def _specs_from_plugin(loaded: object) -> list[CheckSpec]:
    if isinstance(loaded, ModuleType):
        return specs_in_module(loaded)
    spec = getattr(loaded, _SPEC_ATTR, None)
    return [spec] if isinstance(spec, CheckSpec) else []


def _as_plugin(spec: CheckSpec, origin: str) -> CheckSpec:
    from dataclasses import replace

    return replace(spec, meta=replace(spec.meta, origin=f"plugin:{origin}"))


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
