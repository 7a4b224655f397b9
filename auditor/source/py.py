"""Python facts through the standard library ``ast`` module (never imported or executed)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from auditor.source.facts import (
    Assignment,
    Body,
    Call,
    ClassInfo,
    EnvDefault,
    EnvFallback,
    EnvRead,
    ErrorLeak,
    Function,
    Import,
    Mount,
    Prop,
    Route,
    SignalHandler,
    SourceFile,
)

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "api_route", "route",
                          "websocket"})
RESPONSE_CALLS = frozenset({"JSONResponse", "Response", "HTMLResponse", "PlainTextResponse", "HTTPException",
                            "jsonify", "make_response", "JsonResponse", "HttpResponse", "HttpResponseServerError",
                            "abort", "dict"})
_HEADERISH = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def _walk(node: ast.AST) -> list[ast.AST]:
    """The node and all its descendants in ``ast.walk`` order (breadth first), as one list.

    ``ast.walk`` does the same through two generators per node (``iter_child_nodes``, ``iter_fields``).
    """
    out = [node]
    i = 0
    while i < len(out):
        current = out[i]
        i += 1
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, ast.AST):
                out.append(value)
            elif isinstance(value, list):
                out.extend(item for item in value if isinstance(item, ast.AST))
    return out


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a name or a chain of attributes on a name (exactly what ``ast.unparse`` writes), else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _src(node: ast.AST | None) -> str:
    if node is None:
        return ""
    # Most texts asked for are callees and receivers: dotted names, written without the unparser.
    dotted = _dotted(node)
    if dotted is not None:
        return dotted[:300]
    try:
        return ast.unparse(node)[:300]
    except (ValueError, TypeError, RecursionError):
        return ""


def _callee(node: ast.Call) -> str:
    return _src(node.func).replace(" ", "")[:200]


def _kind(value: ast.AST) -> str:
    if isinstance(value, ast.Constant):
        if value.value is True:
            return "true"
        if value.value is False:
            return "false"
        if isinstance(value.value, str):
            return "string"
        if isinstance(value.value, int | float):
            return "number"
    if isinstance(value, ast.List | ast.Tuple):
        return "array"
    if isinstance(value, ast.Dict):
        return "dict"
    if isinstance(value, ast.Set):
        return "set"
    if isinstance(value, ast.Lambda):
        return "function"
    if isinstance(value, ast.Name):
        return "identifier"
    if isinstance(value, ast.Call):
        name = _callee(value)
        return name if name in {"set", "dict", "list", "defaultdict", "deque", "OrderedDict"} else "call"
    return "other"


def _literal(value: ast.AST) -> object:
    try:
        return ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return None


class _Extractor(ast.NodeVisitor):
    """Collects facts from one module tree."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.routes: list[Route] = []
        self.mounts: list[Mount] = []
        self.functions: list[Function] = []
        self.env: list[EnvRead] = []
        self.env_defaults: list[EnvDefault] = []
        self.env_fallbacks: list[EnvFallback] = []
        self.signals: list[SignalHandler] = []
        self.logs: list[tuple[str, int]] = []
        self.leaks: list[ErrorLeak] = []
        self.classes: list[ClassInfo] = []
        self.literals: set[str] = set()
        self._defaulted: set[int] = set()
        self._env_guards: set[str] = set()
        self._visitors: dict[type, Callable[[ast.AST], object]] = {}

    # -- traversal -------------------------------------------------------
    # ast.NodeVisitor's own visit/generic_visit, with the method lookup done once per node class
    # (it builds the method name and looks it up on every node): same methods, same order.

    def visit(self, node: ast.AST) -> object:
        """Dispatch to ``visit_<Class>`` (else ``generic_visit``), looked up once per class."""
        kind = type(node)
        visitor = self._visitors.get(kind)
        if visitor is None:
            visitor = getattr(self, "visit_" + kind.__name__, self.generic_visit)
            self._visitors[kind] = visitor
        return visitor(node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit every child node, field by field, in ``ast.iter_fields`` order."""
        visit = self.visit
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
            elif isinstance(value, ast.AST):
                visit(value)

    # -- imports ---------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.append(Import(alias.name, node.lineno, (alias.asname or alias.name.split(".")[0],)))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        names = tuple(a.asname or a.name for a in node.names)
        self.imports.append(Import(module, node.lineno, names))
        for alias in node.names:
            # `from fastapi.middleware.cors import CORSMiddleware` also names the member module.
            self.imports.append(Import(f"{module}.{alias.name}", node.lineno, (alias.asname or alias.name,)))

    # -- calls -----------------------------------------------------------

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if isinstance(node.op, ast.Or):
            self._defaulted.add(id(node.values[0]))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node)
        strings = tuple(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
        props = tuple(self._prop(k.arg, k.value) for k in node.keywords if k.arg)
        call = Call(callee, node.lineno, tuple(_src(a) for a in node.args), strings, props,
                    tuple(len(a.args.args) for a in node.args if isinstance(a, ast.Lambda)))
        self.calls.append(call)
        name = call.name
        if callee in {"print", "pprint", "pprint.pprint"}:
            self.logs.append((callee, node.lineno))
        if callee in {"os.getenv", "os.environ.get", "getenv", "environ.get"} and strings:
            # getenv/get return None instead of failing: the code copes, so the variable is optional.
            self.env.append(EnvRead(strings[0], node.lineno, True))
        if node.args and (default := _env_default(callee, node)) is not None:
            self.env_defaults.append(default)
        if node.args and (fallback := _env_fallback(callee, node)) is not None:
            self.env_fallbacks.append(fallback)
        if callee in {"signal.signal", "signal"} and node.args:
            sig = _src(node.args[0]).rsplit(".", 1)[-1]
            handler = _src(node.args[1]) if len(node.args) > 1 else ""
            self.signals.append(SignalHandler(sig, node.lineno, (handler,)))
        if callee.endswith("add_signal_handler") and node.args:
            self.signals.append(SignalHandler(_src(node.args[0]).rsplit(".", 1)[-1], node.lineno, ()))
        if name in {"include_router", "mount", "register_blueprint"} and node.args:
            prefix = next((p.value.strip("'\"") for p in props if p.key in {"prefix", "url_prefix"}), "")
            if not prefix and strings:
                prefix = strings[0]
            self.mounts.append(Mount(prefix, _src(node.args[-1] if name == "mount" else node.args[0]), node.lineno))
        if callee in {"path", "re_path", "url", "django.urls.path"} and len(node.args) >= 2 and strings:
            target = node.args[1]
            if not (isinstance(target, ast.Call) and _callee(target) == "include"):
                self.routes.append(Route("ANY", "/" + strings[0].lstrip("^/"), node.lineno, "urls", (),
                                         None, _src(target).rsplit(".", 1)[-1]))
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                self._literal_of_interest(arg.value)
        self.generic_visit(node)

    def _prop(self, key: str, value: ast.AST) -> Prop:
        children: tuple[Prop, ...] = ()
        if isinstance(value, ast.Dict):
            children = tuple(self._prop(str(k.value), v) for k, v in zip(value.keys, value.values, strict=False)
                             if isinstance(k, ast.Constant))
        return Prop(key, _src(value), _kind(value), children=children)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _src(node.value) in {"os.environ", "environ"} and isinstance(node.slice, ast.Constant):
            if isinstance(node.slice.value, str) and isinstance(node.ctx, ast.Load):
                guarded = node.slice.value in self._env_guards
                self.env.append(EnvRead(node.slice.value, node.lineno, guarded, certain=not guarded))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        # `if "X" in os.environ:` guards later `os.environ["X"]` reads (module-wide: a cheap, safe over-approximation).
        if (isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
                and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
                and any(_src(c) in {"os.environ", "environ"} for c in node.comparators)):
            self._env_guards.add(node.left.value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._literal_of_interest(node.value)

    def _literal_of_interest(self, value: str) -> None:
        lower = value.lower()
        if (len(lower) < 60 and _HEADERISH.match(lower)) or "journal_mode" in lower:
            self.literals.add(lower)

    # -- functions, routes, error handling -------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        body = _body(node)
        self.functions.append(Function(node.name, node.lineno, body))
        for deco in node.decorator_list:
            if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Attribute):
                continue
            method = deco.func.attr
            receiver = _src(deco.func.value)
            path = deco.args[0].value if deco.args and isinstance(deco.args[0], ast.Constant) else None
            if method in HTTP_METHODS and isinstance(path, str):
                verbs = ["GET"] if method in {"route", "api_route"} else [method.upper()]
                for kw in deco.keywords:
                    if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple):
                        verbs = [str(e.value).upper() for e in kw.value.elts if isinstance(e, ast.Constant)]
                others = tuple(_src(d) for d in node.decorator_list if d is not deco)
                for verb in verbs:
                    self.routes.append(Route(verb, path, node.lineno, receiver, others, body))
            if method in {"exception_handler", "errorhandler"}:
                self._leak_scope(node, _first_param(node, 1 if method == "exception_handler" else 0))
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(ClassInfo(node.name, node.lineno, tuple(_src(d) for d in node.decorator_list),
                                      tuple(_src(b) for b in node.bases), node.end_lineno or node.lineno))
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._leak_scope(node, node.name)
        else:
            self._leak_scope(node, "")
        self.generic_visit(node)

    def _leak_scope(self, scope: ast.AST, err: str) -> None:
        raw = {f"str({err})", f"repr({err})", f"{err}.args", "traceback.format_exc()", f"f'{{{err}}}'"} if err \
            else {"traceback.format_exc()"}
        for node in _walk(scope):
            if isinstance(node, ast.Call) and _callee(node).rsplit(".", 1)[-1] in RESPONSE_CALLS:
                hit = _raw_in(node, err, raw)
                if hit:
                    self.leaks.append(ErrorLeak(node.lineno, hit))
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
                hit = _raw_in(node.value, err, raw)
                if hit:
                    self.leaks.append(ErrorLeak(node.lineno, hit))


def _raw_in(node: ast.AST, err: str, raw: set[str]) -> str:
    for sub in _walk(node):
        if isinstance(sub, ast.Call | ast.Attribute):
            text = _src(sub)
            if text in raw:
                return text
        if err and isinstance(sub, ast.FormattedValue) and isinstance(sub.value, ast.Name) and sub.value.id == err:
            return f"{{{err}}}"
    return ""


def _first_param(node: ast.FunctionDef | ast.AsyncFunctionDef, index: int) -> str:
    args = node.args.args
    return args[index].arg if len(args) > index else ""


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Body:
    calls: list[str] = []
    members: set[str] = set()
    strings: list[str] = []
    awaits = False
    # The function's own code: its statements and parameter defaults (`db = Depends(get_db)`), not the
    # decorators above it, whose route registration (`router.get("/health")`) is not what the body does.
    inside = [sub for part in (node.args, *node.body) for sub in _walk(part)]
    for sub in inside:
        if isinstance(sub, ast.Call):
            calls.append(_callee(sub))
        elif isinstance(sub, ast.Attribute):
            members.add(sub.attr)
        elif isinstance(sub, ast.Await):
            awaits = True
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(strings) < 50:
            strings.append(sub.value)
    params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    types = tuple(_src(p.annotation) for p in params if p.annotation is not None)
    defaults = tuple(_src(d) for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
    return Body(node.lineno, tuple(calls), frozenset(members), awaits, types, defaults, tuple(strings))


def _assignments(tree: ast.Module) -> tuple[Assignment, ...]:
    out = []
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = list(stmt.targets), stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.AugAssign):
            targets, value = [stmt.target], stmt.value
        if value is None:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                out.append(Assignment(target.id, stmt.lineno, _src(value), _kind(value), _literal(value)))
    return tuple(out)


def _guarded_names(tree: ast.Module) -> frozenset[str]:
    """Names assigned inside module-level ``if``/``try``/``with`` blocks or class bodies.

    Class bodies count because class-based settings (django-configurations' ``class
    Production(Configuration)``) set their values there; function bodies do not run on import.
    """
    blocks = ast.If | ast.Try | ast.With | ast.ExceptHandler | ast.ClassDef
    names: set[str] = set()
    pending: list[ast.AST] = [s for s in tree.body if isinstance(s, blocks)]
    while pending:
        stmt = pending.pop()
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, blocks):
                pending.append(child)
            elif isinstance(child, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            names.add(node.id)
    return frozenset(names)


_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# Settings helpers that read one variable with a default: os.getenv, python-decouple and
# starlette's ``config("X", default=...)``, environs' ``env.str("X", "v")``, project helpers
# named env*/getenv (``envsecret("SECRET_KEY", "---")``).
_ENV_HELPER = re.compile(r"(?:^|\.)(?:getenv|get_env|config|env\w*)$|^(?:os\.)?environ\.get$|^env\.\w+$")


def _env_default(callee: str, node: ast.Call) -> EnvDefault | None:
    """``helper("NAME", "literal")`` or ``helper("NAME", default="literal")``: the literal fallback."""
    first = node.args[0]
    if not (_ENV_HELPER.search(callee) and isinstance(first, ast.Constant) and isinstance(first.value, str)
            and _ENV_NAME.fullmatch(first.value)):
        return None
    candidates = [node.args[1]] if len(node.args) > 1 else []
    candidates += [k.value for k in node.keywords if k.arg == "default"]
    for value in candidates:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return EnvDefault(first.value, node.lineno, value.value)
    return None


def _env_name_read(node: ast.AST) -> str | None:
    """The variable a ``os.getenv("X")`` / ``os.environ.get("X")`` / ``os.environ["X"]`` expression reads."""
    if isinstance(node, ast.Call) and node.args and _ENV_HELPER.search(_callee(node)):
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and _ENV_NAME.fullmatch(first.value):
            return first.value
    if isinstance(node, ast.Subscript) and _src(node.value) in {"os.environ", "environ"}:
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and _ENV_NAME.fullmatch(key.value):
            return key.value
    return None


def _env_fallback(callee: str, node: ast.Call) -> EnvFallback | None:
    """``os.getenv("A", os.getenv("B"))``: the variable read in place of ``A`` when it is unset."""
    name = _env_name_read(node)
    if name is None:
        return None
    candidates = [node.args[1]] if len(node.args) > 1 else []
    candidates += [k.value for k in node.keywords if k.arg == "default"]
    for value in candidates:
        other = _env_name_read(value)
        if other is not None and other != name:
            return EnvFallback(name, node.lineno, other)
    return None


def extract(path: str, tree: ast.Module) -> SourceFile:
    """Every fact of one parsed Python module."""
    ex = _Extractor(path)
    ex.visit(tree)
    return SourceFile(
        path=path,
        language="python",
        imports=tuple(ex.imports),
        calls=tuple(ex.calls),
        routes=tuple(ex.routes),
        mounts=tuple(ex.mounts),
        functions=tuple(ex.functions),
        env_reads=tuple(ex.env),
        env_defaults=tuple(ex.env_defaults),
        env_fallbacks=tuple(ex.env_fallbacks),
        signals=tuple(ex.signals),
        log_calls=tuple(ex.logs),
        leaks=tuple(ex.leaks),
        assignments=_assignments(tree),
        classes=tuple(ex.classes),
        literals=frozenset(ex.literals),
        guarded_names=_guarded_names(tree),
    )
