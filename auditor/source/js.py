"""JavaScript/TypeScript facts through tree-sitter.

One parse per file, then a handful of compiled queries pick the nodes of
interest (calls, imports, env reads, catch clauses, functions, classes); only
those nodes are visited from Python, which keeps a 2,000-file monorepo fast.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache

import tree_sitter as ts
import tree_sitter_javascript as tsjs
import tree_sitter_typescript as tsts

from auditor.source.facts import (
    Assignment,
    Body,
    Call,
    ClassInfo,
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

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "all", "options", "head"})
NEST_METHODS = {"Get": "GET", "Post": "POST", "Put": "PUT", "Patch": "PATCH", "Delete": "DELETE",
                "All": "ALL", "Options": "OPTIONS", "Head": "HEAD"}
# Calls that build a response: raw error text inside them is a leak.
RESPONSE_CALLS = frozenset({"json", "send", "text", "html", "body", "end", "write", "status", "reply",
                            "Response", "HttpException", "HTTPException", "InternalServerErrorException",
                            "BadRequestException", "newResponse"})
_FUNCS = frozenset({"arrow_function", "function_expression", "function", "function_declaration",
                    "generator_function", "generator_function_declaration", "method_definition"})
_CHAIN = frozenset({"member_expression", "call_expression", "subscript_expression", "non_null_expression",
                    "parenthesized_expression", "as_expression", "await_expression", "satisfies_expression"})
_HEADERISH = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
_CONFIG_RECEIVER = re.compile(r"config", re.IGNORECASE)

_QUERY_SRC = """
(call_expression) @call
(new_expression) @new
(import_statement source: (string) @src) @import
(member_expression object: (member_expression object: (identifier) @_p property: (property_identifier) @_e)
                   property: (property_identifier) @envname) @envmember
(subscript_expression object: (member_expression object: (identifier) @_p2 property: (property_identifier) @_e2)
                      index: (string) @envkey) @envsub
(variable_declarator name: (object_pattern) @envpattern value: (member_expression) @envsrc)
(catch_clause parameter: (identifier) @catchparam body: (statement_block) @catchbody)
(function_declaration name: (identifier) @fname) @fn
(variable_declarator name: (identifier) @vname value: [(arrow_function) (function_expression)] @vfn)
(method_definition name: (property_identifier) @mname) @method
(class_declaration) @class
(await_expression) @await
(string) @string
"""


@cache
def _language(kind: str) -> ts.Language:
    if kind == "tsx":
        return ts.Language(tsts.language_tsx())
    if kind == "ts":
        return ts.Language(tsts.language_typescript())
    return ts.Language(tsjs.language())


@cache
def _parser(kind: str) -> ts.Parser:
    return ts.Parser(_language(kind))


@cache
def _query(kind: str) -> ts.Query:
    return ts.Query(_language(kind), _QUERY_SRC)


@cache
def _member_query(kind: str) -> ts.Query:
    return ts.Query(_language(kind), "(member_expression property: (property_identifier) @prop)")


def grammar_for(path: str) -> str:
    """``ts``, ``tsx`` or ``js`` by file extension."""
    lower = path.lower()
    if lower.endswith(".tsx"):
        return "tsx"
    if lower.endswith((".ts", ".mts", ".cts")):
        return "ts"
    return "js"


def parse_tree(path: str, data: bytes) -> ts.Tree:
    """Parse bytes with the grammar the extension names.

    JSX text may hold a bare ``&`` ("Tom & Jerry"), which React renders but the
    tree-sitter grammars reject: such an ``&`` is blanked (same length, so every
    position stays right) and the file parsed again.
    """
    kind = grammar_for(path)
    tree = _parser(kind).parse(data)
    if kind == "ts" or b"&" not in data:
        return tree
    buffer = bytearray(data)
    for _ in range(_MAX_JSX_REPAIRS):
        if not tree.root_node.has_error:
            break
        spots = _bare_jsx_ampersands(tree)
        if not spots:
            break
        for index in spots:
            buffer[index] = 0x20
        tree = _parser(kind).parse(bytes(buffer))
    return tree


_MAX_JSX_REPAIRS = 16
_JSX_PARENTS = frozenset({"jsx_element", "jsx_fragment"})
_AMPERSANDS = frozenset({"&", "&&", "&=", "&&="})


def _bare_jsx_ampersands(tree: ts.Tree) -> list[int]:
    """Byte offsets of ``&`` tokens the parser could not place in JSX text.

    An ``&`` counts when it sits in an ERROR node right after JSX (text, a tag,
    an element) or in an ERROR directly inside an element; ``a & b`` in plain
    code never has JSX beside it.
    """
    spots: list[int] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR":
            in_jsx = node.parent is not None and node.parent.type in _JSX_PARENTS
            previous = None
            for child in node.children:
                if child.type in _AMPERSANDS and (in_jsx or (previous is not None
                                                              and previous.type.startswith("jsx_"))):
                    spots.extend(range(child.start_byte, child.end_byte))
                previous = child
            stack.extend(c for c in node.children if c.has_error)
        elif node.has_error:
            stack.extend(node.children)
    return spots


def first_error_line(tree: ts.Tree) -> int:
    """The line of the first ERROR or MISSING node (1-based), for the skip reason."""
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return node.start_point.row + 1
        if node.has_error:
            stack.extend(reversed(node.children))
    return 1


def _text(node: ts.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _line(node: ts.Node) -> int:
    return node.start_point.row + 1


def string_value(node: ts.Node | None) -> str | None:
    """The value of a string or substitution-free template literal, else None."""
    if node is None:
        return None
    if node.type == "string":
        return _text(node)[1:-1]
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return _text(node)[1:-1]
    return None


def _callee(node: ts.Node) -> str:
    func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    text = _text(func)
    # Keep callee texts short and comparable: drop type arguments and whitespace.
    text = re.sub(r"\s+", "", text)
    return text[:200]


def _args(node: ts.Node) -> list[ts.Node]:
    args = node.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [c for c in args.named_children if c.type != "comment"]


def _prop_kind(value: ts.Node) -> str:
    kinds = {"string": "string", "template_string": "string", "true": "true", "false": "false",
             "number": "number", "array": "array", "identifier": "identifier", "object": "object",
             "arrow_function": "function", "function_expression": "function", "function": "function"}
    return kinds.get(value.type, "other")


def _returns(func: ts.Node) -> tuple[tuple[str, bool], ...]:
    body = func.child_by_field_name("body")
    if body is None:
        return ()
    if body.type != "statement_block":
        return ((_text(body), False),)
    out: list[tuple[str, bool]] = []
    stack: list[tuple[ts.Node, bool]] = [(c, False) for c in body.named_children]
    while stack:
        node, conditional = stack.pop()
        if node.type in _FUNCS:
            continue
        if node.type == "return_statement":
            expr = node.named_children[0] if node.named_children else None
            out.append((_text(expr), conditional))
            continue
        nested = conditional or node.type in {"if_statement", "switch_statement", "try_statement",
                                              "for_statement", "while_statement", "ternary_expression"}
        stack.extend((c, nested) for c in node.named_children)
    return tuple(sorted(out))


def _params(func: ts.Node) -> tuple[str, ...]:
    params = func.child_by_field_name("parameters")
    if params is None:
        single = func.child_by_field_name("parameter")
        return (_text(single),) if single is not None else ()
    out = []
    for p in params.named_children:
        name = p.child_by_field_name("pattern") or p
        out.append(_text(name))
    return tuple(out)


def _props(obj: ts.Node, depth: int = 0) -> tuple[Prop, ...]:
    out = []
    for pair in obj.named_children:
        if pair.type == "shorthand_property_identifier":
            out.append(Prop(_text(pair), _text(pair), "identifier"))
            continue
        if pair.type != "pair":
            continue
        key_node = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        if key_node is None or value is None:
            continue
        key = string_value(key_node) if key_node.type == "string" else _text(key_node)
        kind = _prop_kind(value)
        returns: tuple[tuple[str, bool], ...] = ()
        params: tuple[str, ...] = ()
        children: tuple[Prop, ...] = ()
        if kind == "function":
            returns, params = _returns(value), _params(value)
        elif kind == "object" and depth < 2:
            children = _props(value, depth + 1)
        out.append(Prop(key or "", _text(value)[:300], kind, returns, params, children))
    return tuple(out)


class _Extractor:
    """Collects facts from one parsed tree."""

    def __init__(self, path: str, kind: str, tree: ts.Tree) -> None:
        self.path = path
        self.kind = kind
        self.tree = tree
        self.root = tree.root_node

    def run(self) -> SourceFile:
        caps = ts.QueryCursor(_query(self.kind)).captures(self.root)
        call_nodes = sorted([*caps.get("call", []), *caps.get("new", [])], key=lambda n: n.start_byte)
        self.call_starts = [n.start_byte for n in call_nodes]
        self.call_texts = [_callee(n) for n in call_nodes]
        await_starts = sorted(n.start_byte for n in caps.get("await", []))
        self.await_starts = await_starts
        string_nodes = caps.get("string", [])
        self.string_starts = sorted((n.start_byte, string_value(n) or "") for n in string_nodes)

        calls: list[Call] = []
        routes: list[Route] = []
        mounts: list[Mount] = []
        signals: list[SignalHandler] = []
        logs: list[tuple[str, int]] = []
        env_reads: list[EnvRead] = []
        for node, callee in zip(call_nodes, self.call_texts, strict=True):
            call = self._call(node, callee)
            calls.append(call)
            self._route(node, call, routes, mounts)
            if callee.startswith("console.") and call.name in {"log", "error", "warn", "info", "debug", "trace"}:
                logs.append((callee, call.line))
            if callee in {"process.on", "process.once", "process.addListener"} and call.strings:
                sig = call.strings[0]
                if sig.startswith("SIG") or sig in {"beforeExit", "exit"}:
                    args = _args(node)
                    handler = args[1] if len(args) > 1 else None
                    signals.append(SignalHandler(sig, call.line, self._body(handler).calls if handler else ()))
            # ConfigService.get('X') reads the environment too.
            if call.name in {"get", "getOrThrow"} and call.strings and _CONFIG_RECEIVER.search(callee.rsplit(".", 1)[0]):
                args = _args(node)
                if args and string_value(args[0]) is not None and re.fullmatch(r"[A-Z][A-Z0-9_]*", call.strings[0]):
                    env_reads.append(EnvRead(call.strings[0], call.line, has_default=len(args) > 1,
                                             certain=call.name == "getOrThrow"))
        for node in caps.get("envmember", []):
            obj = node.child_by_field_name("object")
            if _text(obj) == "process.env":
                env_reads.append(EnvRead(_text(node.child_by_field_name("property")), _line(node), _has_default(node)))
        for node in caps.get("envsub", []):
            obj = node.child_by_field_name("object")
            key = string_value(node.child_by_field_name("index"))
            if _text(obj) == "process.env" and key:
                env_reads.append(EnvRead(key, _line(node), _has_default(node)))
        for pattern, src in zip(caps.get("envpattern", []), caps.get("envsrc", []), strict=False):
            if _text(src) == "process.env":
                env_reads.extend(_pattern_reads(pattern))

        imports = [self._import(n) for n in caps.get("import", [])]
        imports.extend(self._requires(call_nodes))
        literals = frozenset(
            v.lower() for _, v in self.string_starts
            if (len(v) < 60 and _HEADERISH.match(v.lower())) or "journal_mode" in v.lower()
        )
        return SourceFile(
            path=self.path,
            language="typescript" if self.kind != "js" else "javascript",
            imports=tuple(imports),
            calls=tuple(calls),
            routes=tuple(routes) + self._nest_routes(caps.get("class", [])),
            mounts=tuple(mounts),
            functions=self._functions(caps),
            env_reads=tuple(env_reads),
            signals=tuple(signals),
            log_calls=tuple(logs),
            leaks=self._leaks(caps, call_nodes),
            assignments=self._assignments(),
            classes=tuple(self._class(n) for n in caps.get("class", [])),
            literals=literals,
        )

    # -- calls -----------------------------------------------------------

    def _call(self, node: ts.Node, callee: str) -> Call:
        args = _args(node)
        props: list[Prop] = []
        fn_params: list[int] = []
        strings: list[str] = []
        for arg in args:
            if arg.type == "object":
                props.extend(_props(arg))
            elif arg.type in {"arrow_function", "function_expression", "function"}:
                fn_params.append(len(_params(arg)))
            value = string_value(arg)
            if value is not None:
                strings.append(value)
        return Call(
            callee=callee,
            line=_line(node),
            args=tuple(_text(a)[:300] for a in args),
            strings=tuple(strings),
            props=tuple(props),
            fn_params=tuple(fn_params),
            is_new=node.type == "new_expression",
        )

    def _route(self, node: ts.Node, call: Call, routes: list[Route], mounts: list[Mount]) -> None:
        func = node.child_by_field_name("function")
        if func is None or func.type != "member_expression":
            return
        method = call.name
        args = _args(node)
        if not args:
            return
        path = string_value(args[0])
        receiver = call.callee.rsplit(".", 1)[0]
        if method in {"route", "use", "register"} and len(args) >= 2 and path is not None:
            target = args[-1]
            if target.type in {"identifier", "member_expression"}:
                mounts.append(Mount(path, _text(target), call.line))
            if method != "use":
                return
        if method not in HTTP_METHODS or path is None or not path.startswith(("/", "*")):
            return
        if method == "get" and len(args) == 1:
            return  # a getter such as map.get('key'), not a route
        last = args[-1]
        handler = self._body(last) if last.type in _FUNCS else None
        ref = _text(last) if last.type in {"identifier", "member_expression"} and len(args) > 1 else ""
        middlewares = tuple(_text(a)[:200] for a in args[1:-1])
        routes.append(Route(method.upper(), path, call.line, receiver, middlewares, handler, ref))

    # -- bodies ----------------------------------------------------------

    def _body(self, node: ts.Node | None) -> Body:
        if node is None:
            return Body(line=0)
        start, end = node.start_byte, node.end_byte
        lo, hi = bisect_left(self.call_starts, start), bisect_right(self.call_starts, end)
        calls = tuple(self.call_texts[lo:hi])
        awaits = bisect_left(self.await_starts, start) < bisect_right(self.await_starts, end)
        members = frozenset(_text(n) for n in ts.QueryCursor(_member_query(self.kind)).captures(node).get("prop", []))
        slo = bisect_left(self.string_starts, (start, ""))
        shi = bisect_left(self.string_starts, (end, ""))
        strings = tuple(v for _, v in self.string_starts[slo:shi])[:50]
        ptypes, pdecos = self._param_info(node)
        return Body(_line(node), calls, members, awaits, ptypes, pdecos, strings)

    def _param_info(self, func: ts.Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        params = func.child_by_field_name("parameters")
        if params is None:
            return (), ()
        types, decorators = [], []
        for p in params.named_children:
            annotation = p.child_by_field_name("type")
            if annotation is not None:
                types.append(_text(annotation).lstrip(": ").strip())
            for child in p.children:
                if child.type == "decorator":
                    decorators.append(_decorator_name(child))
        return tuple(types), tuple(decorators)

    def _functions(self, caps: dict[str, list[ts.Node]]) -> tuple[Function, ...]:
        out = []
        for node in caps.get("fn", []):
            out.append(Function(_text(node.child_by_field_name("name")), _line(node), self._body(node)))
        for name, value in zip(caps.get("vname", []), caps.get("vfn", []), strict=False):
            out.append(Function(_text(name), _line(name), self._body(value)))
        for node in caps.get("method", []):
            out.append(Function(_text(node.child_by_field_name("name")), _line(node), self._body(node)))
        return tuple(out)

    # -- imports ---------------------------------------------------------

    def _import(self, node: ts.Node) -> Import:
        source = string_value(node.child_by_field_name("source")) or ""
        names: list[str] = []
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    names.append(_text(part))
                elif part.type == "namespace_import":
                    names.extend(_text(c) for c in part.named_children if c.type == "identifier")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        names.append(_text(alias))
        return Import(source, _line(node), tuple(names))

    def _requires(self, call_nodes: list[ts.Node]) -> list[Import]:
        out = []
        for node, callee in zip(call_nodes, self.call_texts, strict=True):
            if callee not in {"require", "import"}:
                continue
            args = _args(node)
            module = string_value(args[0]) if args else None
            if module is None:
                continue
            parent = node.parent
            names: tuple[str, ...] = ()
            if parent is not None and parent.type == "variable_declarator":
                names = (_text(parent.child_by_field_name("name")),)
            out.append(Import(module, _line(node), names))
        return out

    # -- classes (NestJS) ------------------------------------------------

    def _class(self, node: ts.Node) -> ClassInfo:
        decorators = [_decorator_name(d) for d in _class_decorators(node)]
        bases: list[str] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    bases.extend(_text(c) for c in clause.named_children if c.type in {"identifier", "member_expression"})
        return ClassInfo(_text(node.child_by_field_name("name")), _line(node), tuple(decorators), tuple(bases))

    def _nest_routes(self, classes: list[ts.Node]) -> tuple[Route, ...]:
        out: list[Route] = []
        for node in classes:
            prefix = ""
            is_controller = False
            for deco in _class_decorators(node):
                if _decorator_name(deco) == "Controller":
                    is_controller = True
                    prefix = _decorator_path(deco)
            if not is_controller:
                continue
            body = node.child_by_field_name("body")
            pending: list[ts.Node] = []
            for member in body.named_children if body is not None else []:
                if member.type == "decorator":
                    pending.append(member)
                    continue
                if member.type == "method_definition":
                    for deco in pending:
                        method = NEST_METHODS.get(_decorator_name(deco))
                        if method:
                            path = "/" + "/".join(p.strip("/") for p in (prefix, _decorator_path(deco)) if p.strip("/"))
                            others = tuple(_text(d)[:200] for d in pending if d is not deco)
                            out.append(Route(method, path, _line(member), _text(node.child_by_field_name("name")),
                                             others, self._body(member)))
                pending = []
        return tuple(out)

    # -- error leaks -----------------------------------------------------

    def _leaks(self, caps: dict[str, list[ts.Node]], call_nodes: list[ts.Node]) -> tuple[ErrorLeak, ...]:
        scopes: list[tuple[str, ts.Node]] = []
        for param, body in zip(caps.get("catchparam", []), caps.get("catchbody", []), strict=False):
            scopes.append((_text(param), body))
        # Global error handlers: app.onError((err, c) => ...), setErrorHandler, 4-arg Express middleware.
        for node, callee in zip(call_nodes, self.call_texts, strict=True):
            name = callee.rsplit(".", 1)[-1]
            for arg in _args(node):
                if arg.type not in {"arrow_function", "function_expression"}:
                    continue
                params = _params(arg)
                if (name in {"onError", "setErrorHandler"} and params) or (name == "use" and len(params) == 4):
                    scopes.append((params[0], arg))
        out: list[ErrorLeak] = []
        seen: set[int] = set()
        for err, scope in scopes:
            if not err or not err.isidentifier():
                continue
            raw = {f"{err}.message", f"{err}.stack", f"String({err})", f"{err}.toString()"}
            lo, hi = bisect_left(self.call_starts, scope.start_byte), bisect_right(self.call_starts, scope.end_byte)
            for node in call_nodes[lo:hi]:
                callee = _callee(node)
                if callee.rsplit(".", 1)[-1] not in RESPONSE_CALLS:
                    continue
                for arg in _args(node):
                    hit = _find_raw(arg, err, raw)
                    if hit and node.start_byte not in seen:
                        seen.add(node.start_byte)
                        out.append(ErrorLeak(_line(node), hit))
        return tuple(out)

    # -- module-level state ----------------------------------------------

    def _assignments(self) -> tuple[Assignment, ...]:
        out = []
        for stmt in self.root.named_children:
            decl = stmt
            if stmt.type == "export_statement":
                decl = stmt.child_by_field_name("declaration") or stmt
            if decl.type not in {"lexical_declaration", "variable_declaration"}:
                continue
            for var in decl.named_children:
                if var.type != "variable_declarator":
                    continue
                name, value = var.child_by_field_name("name"), var.child_by_field_name("value")
                if name is None or value is None or name.type != "identifier":
                    continue
                out.append(Assignment(_text(name), _line(var), _text(value)[:300], _value_kind(value)))
        return tuple(out)


def _value_kind(value: ts.Node) -> str:
    if value.type == "new_expression":
        ctor = re.sub(r"<.*", "", _text(value.child_by_field_name("constructor")))
        return ctor if ctor in {"Set", "Map", "WeakMap"} else "new"
    return {"array": "array", "object": "object", "call_expression": "call"}.get(value.type, "other")


def _find_raw(node: ts.Node, err: str, raw: set[str]) -> str:
    """The first raw-error expression inside ``node`` (``err.message``, ``String(err)`` ...), else ''."""
    stack = [node]
    while stack:
        cur = stack.pop()
        text = _text(cur) if cur.type in {"member_expression", "call_expression", "template_substitution"} else ""
        if text in raw:
            return text
        if cur.type == "template_substitution" and _text(cur)[2:-1].strip() == err:
            return f"${{{err}}}"
        if cur.type == "pair" and _text(cur.child_by_field_name("value")) == err:
            return err
        stack.extend(cur.named_children)
    return ""


_FLAG_OPS = frozenset({"===", "!==", "==", "!=", "&&"})


def _has_default(node: ts.Node) -> bool:
    """The read copes with an unset variable: a fallback, a flag test, a condition or a guard."""
    cur = node
    parent = cur.parent
    while parent is not None and parent.type in _CHAIN:
        cur, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "binary_expression":
        op = _text(parent.child_by_field_name("operator"))
        left = parent.child_by_field_name("left")
        if op in {"??", "||"}:
            return left is not None and left.id == cur.id
        return op in _FLAG_OPS  # `process.env.X === "true"` is a flag, `A && B` a guard
    if parent.type == "unary_expression":
        return _text(parent.child_by_field_name("operator")) in {"!", "typeof"}
    if parent.type in {"ternary_expression", "if_statement", "while_statement"}:
        return True
    if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
        return _text(parent.parent.child_by_field_name("function")) == "Boolean"
    return False


def _pattern_reads(pattern: ts.Node) -> list[EnvRead]:
    out = []
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern":
            out.append(EnvRead(_text(part), _line(part), False))
        elif part.type == "object_assignment_pattern":
            left = part.child_by_field_name("left")
            out.append(EnvRead(_text(left), _line(part), True))
        elif part.type == "pair_pattern":
            key = part.child_by_field_name("key")
            value = part.child_by_field_name("value")
            out.append(EnvRead(_text(key), _line(part), value is not None and value.type == "assignment_pattern"))
    return out


def _class_decorators(node: ts.Node) -> list[ts.Node]:
    decorators = [c for c in node.children if c.type == "decorator"]
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        decorators = [c for c in parent.children if c.type == "decorator"] + decorators
    return decorators


def _decorator_name(node: ts.Node) -> str:
    inner = node.named_children[0] if node.named_children else None
    if inner is None:
        return ""
    if inner.type == "call_expression":
        inner = inner.child_by_field_name("function") or inner
    return _text(inner).rsplit(".", 1)[-1]


def _decorator_path(node: ts.Node) -> str:
    inner = node.named_children[0] if node.named_children else None
    if inner is None or inner.type != "call_expression":
        return ""
    args = _args(inner)
    if not args:
        return ""
    value = string_value(args[0])
    if value is not None:
        return value
    if args[0].type == "object":
        path = next((p for p in _props(args[0]) if p.key == "path"), None)
        return path.value.strip("'\"`") if path and path.kind == "string" else ""
    return ""


def extract(path: str, tree: ts.Tree) -> SourceFile:
    """Every fact of one parsed JS/TS file."""
    return _Extractor(path, grammar_for(path), tree).run()
