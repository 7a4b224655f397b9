"""Facts extracted from parsed source files: frozen dataclasses, no behaviour beyond small helpers.

The extractors (:mod:`auditor.source.js` for JS/TS through tree-sitter,
:mod:`auditor.source.py` for Python through ``ast``) fill these; checks read
them through :mod:`auditor.source.index`. Text fields hold source text
(callees, argument expressions), never values from env files.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prop:
    """One property of an object-literal argument (JS) or a keyword argument (Python).

    ``kind`` is ``string``, ``true``, ``false``, ``number``, ``array``, ``function``,
    ``identifier``, ``object`` or ``other``. For functions, ``returns`` lists each
    returned expression with whether the return sits under a condition.
    """

    key: str
    value: str
    kind: str
    returns: tuple[tuple[str, bool], ...] = ()
    params: tuple[str, ...] = ()
    children: tuple[Prop, ...] = ()

    def child(self, key: str) -> Prop | None:
        """A nested property of an object value."""
        return next((c for c in self.children if c.key == key), None)


@dataclass(frozen=True)
class Call:
    """A call (or ``new``) expression: callee text, argument texts, object/keyword props."""

    callee: str
    line: int
    args: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    props: tuple[Prop, ...] = ()
    fn_params: tuple[int, ...] = ()
    is_new: bool = False
    # The last segment of the callee (``app.use`` -> ``use``): set once here, because checks ask
    # for it on every call they look at (hundreds of thousands of times on a large repository).
    name: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.callee.rsplit(".", 1)[-1])

    def prop(self, key: str) -> Prop | None:
        """The first prop with this key."""
        return next((p for p in self.props if p.key == key), None)


@dataclass(frozen=True)
class Body:
    """What a function body does: the calls it makes and the members it touches."""

    line: int
    calls: tuple[str, ...] = ()
    members: frozenset[str] = frozenset()
    awaits: bool = False
    param_types: tuple[str, ...] = ()
    param_decorators: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    throws: bool = False  # a ``throw`` statement anywhere inside


@dataclass(frozen=True)
class Route:
    """A route registration: method, path as written, receiver and handler facts."""

    method: str
    path: str
    line: int
    receiver: str = ""
    middlewares: tuple[str, ...] = ()
    handler: Body | None = None
    handler_ref: str = ""


@dataclass(frozen=True)
class Mount:
    """A sub-router mounted under a prefix (Hono ``app.route``, Express ``app.use('/x', router)``)."""

    prefix: str
    target: str
    line: int


@dataclass(frozen=True)
class Function:
    """A named function (declaration, const arrow, method) and the calls it makes."""

    name: str
    line: int
    body: Body


@dataclass(frozen=True)
class EnvRead:
    """A read of an environment variable.

    ``has_default`` when the code copes without it (a fallback, ``os.getenv``
    returning None, a truthiness or equality test, an ``in os.environ`` guard);
    ``certain`` when the code visibly fails without it (``os.environ["X"]``,
    ``config.getOrThrow('X')``), as opposed to a bare ``process.env.X`` that is
    merely undefined.
    """

    name: str
    line: int
    has_default: bool = False
    certain: bool = False


@dataclass(frozen=True)
class EnvDefault:
    """An environment variable read with a literal fallback used when it is unset.

    ``process.env.X || "v"``, ``const { X = "v" } = process.env``, ``os.getenv("X", "v")``,
    ``config("X", default="v")``. ``value`` is scanned text (possibly a secret): checks judge it
    and never print it.
    """

    name: str
    line: int
    value: str



@dataclass(frozen=True)
class EnvFallback:
    """An environment variable that falls back to another one when unset.

    ``process.env.APP_SECRET || process.env.DATABASE_URL``, ``os.getenv("SECRET_KEY", os.getenv("X"))``:
    ``other`` names the variable read in its place (names only, never values).
    """

    name: str
    line: int
    other: str


@dataclass(frozen=True)
class SignalHandler:
    """``process.on('SIGTERM', ...)`` / ``signal.signal(SIGTERM, ...)`` with the handler's calls.

    Also process events (``uncaughtException``, ``unhandledRejection``, ``exit``). ``body`` is the
    inline handler's; a handler passed by name has ``named`` set instead (look it up among the
    file's functions); neither when the handler is an expression the scan cannot follow.
    """

    signal: str
    line: int
    calls: tuple[str, ...] = ()
    body: Body | None = None
    named: str | None = None


@dataclass(frozen=True)
class ErrorLeak:
    """A response built from raw exception text (``err.message``, ``str(exc)``, a traceback)."""

    line: int
    expression: str


@dataclass(frozen=True)
class TryCatch:
    """A ``try`` block with a ``catch``: the calls it guards and whether the catch gives up.

    ``escalates`` is true when the catch block re-throws, exits the process (``process.exit``,
    ``process.exitCode``) or hands over to a function named like a shutdown or exit; a catch that
    only logs is not escalating.
    """

    line: int
    calls: tuple[str, ...]
    escalates: bool


@dataclass(frozen=True)
class Assignment:
    """A module-level assignment (Python settings, JS top-level ``const``).

    ``literal`` holds the value when it is a plain literal (Python ``ast.literal_eval``),
    else None. ``kind`` summarises the value: ``Set``, ``Map``, ``array``, ``object``,
    ``dict``, ``set``, ``list``, ``call`` or ``other``.
    """

    name: str
    line: int
    value: str
    kind: str = "other"
    literal: object = None


@dataclass(frozen=True)
class ClassInfo:
    """A class with its decorators and base classes (NestJS controllers, Prisma services).

    ``end_line`` closes the class's span: the file's functions inside it are its methods.
    """

    name: str
    line: int
    decorators: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    end_line: int = 0


@dataclass(frozen=True)
class Import:
    """An import of a module, with the local names it binds."""

    module: str
    line: int
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """Every fact extracted from one parsed source file."""

    path: str
    language: str
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    routes: tuple[Route, ...] = ()
    mounts: tuple[Mount, ...] = ()
    functions: tuple[Function, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    env_defaults: tuple[EnvDefault, ...] = ()
    env_fallbacks: tuple[EnvFallback, ...] = ()
    signals: tuple[SignalHandler, ...] = ()
    log_calls: tuple[tuple[str, int], ...] = ()
    leaks: tuple[ErrorLeak, ...] = ()
    try_catches: tuple[TryCatch, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    classes: tuple[ClassInfo, ...] = ()
    literals: frozenset[str] = frozenset()
    # Module-level names assigned only under an ``if``/``try``/``with`` block (``if not DEBUG:
    # SESSION_COOKIE_SECURE = True``): set on some path, so a check must not call them absent.
    guarded_names: frozenset[str] = frozenset()
    # The imported module names: set once here, checks ask for them per call they judge.
    modules: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "modules", frozenset(i.module for i in self.imports))


@dataclass(frozen=True)
class SourceSkip:
    """A source file left out of analysis, with the reason (for the report appendix)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Service:
    """A deployable application: a package or Python project depending on a server framework."""

    name: str
    root: str
    framework: str
    language: str
    entry: str
    entry_line: int
    deps: frozenset[str] = frozenset()
    files: tuple[str, ...] = field(default=())
