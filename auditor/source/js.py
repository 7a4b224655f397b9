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
    TryCatch,
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

# One query per file. Each pattern captures one node; where two parts belong together (a catch
# clause's parameter and body, a declarator's name and value) the parent is captured and its fields
# read, so pairing never depends on the order captures come back in. Every list is put in document
# order before use.
_QUERY_SRC = """
(call_expression) @call
(new_expression) @call
(import_statement source: (string)) @import
(member_expression object: (member_expression object: (identifier) property: (property_identifier))
                   property: (property_identifier)) @envmember
(subscript_expression object: (member_expression object: (identifier) property: (property_identifier))
                      index: (string)) @envsub
(variable_declarator name: (object_pattern) value: (member_expression)) @envdecl
(catch_clause parameter: (identifier) body: (statement_block)) @catch
(function_declaration name: (identifier)) @fn
(variable_declarator name: (identifier) value: [(arrow_function) (function_expression)]) @fndecl
(method_definition name: (property_identifier)) @method
(class_declaration) @class
(await_expression) @await
(throw_statement) @throw
(string) @string
(member_expression property: (property_identifier) @prop)
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


_WHITESPACE_FREE_LIMIT = 200
_HEAD_BYTES = 4  # a UTF-8 character is at most 4 bytes: n characters fit in 4n bytes
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# A catch block that gives up: re-throws, ends the process, or calls a shutdown/exit/fatal helper.
_ESCALATES = re.compile(r"\bthrow\b|process\.exit|process\.exitCode|process\.kill|\b\w*(?:[Ss]hutdown|[Ee]xit"
                        r"|[Cc]rash|[Aa]bort)\w*\s*\(")
_TYPE_ARGS = re.compile(r"<.*")
_PROCESS_ENV = "process.env"
_FN_ARGS = frozenset({"arrow_function", "function_expression", "function"})
_HANDLER_ARGS = frozenset({"arrow_function", "function_expression"})
_REF_TYPES = frozenset({"identifier", "member_expression"})
_STRING_TYPES = frozenset({"string", "template_string"})
_NESTED = frozenset({"if_statement", "switch_statement", "try_statement", "for_statement", "while_statement",
                     "ternary_expression"})
_RAW_TYPES = frozenset({"member_expression", "call_expression", "template_substitution"})
_PROP_KINDS = {"string": "string", "template_string": "string", "true": "true", "false": "false",
               "number": "number", "array": "array", "identifier": "identifier", "object": "object",
               "arrow_function": "function", "function_expression": "function", "function": "function"}
_LOG_NAMES = frozenset({"log", "error", "warn", "info", "debug", "trace"})
_SIGNAL_CALLEES = frozenset({"process.on", "process.once", "process.addListener"})
_PROCESS_EVENTS = frozenset({"beforeExit", "exit", "uncaughtException", "unhandledRejection"})
_FUNCTION_NODES = frozenset({"arrow_function", "function_expression", "function"})
_CONFIG_GETS = frozenset({"get", "getOrThrow"})
_REQUIRE = frozenset({"require", "import"})
_MOUNT_METHODS = frozenset({"route", "use", "register"})


class _Source:
    """The bytes one tree was parsed from, and node text sliced from them.

    The bytes are the root node's (after any JSX repair ``parse_tree`` made), so every slice is
    exactly what ``node.text`` would return, without a copy per node from the binding.
    """

    def __init__(self, tree: ts.Tree) -> None:
        root = tree.root_node
        self.data = root.text or b""
        self.base = root.start_byte

    def text(self, node: ts.Node | None) -> str:
        """The node's source text ('' for no node)."""
        if node is None:
            return ""
        base = self.base
        return self.data[node.start_byte - base:node.end_byte - base].decode("utf-8", "replace")

    def head(self, node: ts.Node, limit: int) -> str:
        """The first ``limit`` characters of the node's text, decoding no more than they can take."""
        base = self.base
        start = node.start_byte - base
        end = min(node.end_byte - base, start + limit * _HEAD_BYTES)
        return self.data[start:end].decode("utf-8", "replace")[:limit]

    def string(self, node: ts.Node | None) -> str | None:
        """The value of a string or substitution-free template literal, else None."""
        if node is None:
            return None
        kind = node.type
        if kind == "string":
            return self.text(node)[1:-1]
        if kind == "template_string" and not any(c.type == "template_substitution" for c in node.children):
            return self.text(node)[1:-1]
        return None


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


def _callee(src: _Source, node: ts.Node) -> tuple[ts.Node | None, str]:
    """The function (or constructor) node of a call and its text, whitespace removed, at most 200 characters."""
    func = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    # Keep callee texts short and comparable: drop whitespace (str.split's whitespace is re's \s).
    return func, "".join(src.text(func).split())[:_WHITESPACE_FREE_LIMIT]


def _args(node: ts.Node) -> list[ts.Node]:
    args = node.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [c for c in args.named_children if c.type != "comment"]


def _returns(src: _Source, func: ts.Node) -> tuple[tuple[str, bool], ...]:
    body = func.child_by_field_name("body")
    if body is None:
        return ()
    if body.type != "statement_block":
        return ((src.text(body), False),)
    out: list[tuple[str, bool]] = []
    stack: list[tuple[ts.Node, bool]] = [(c, False) for c in body.named_children]
    while stack:
        node, conditional = stack.pop()
        kind = node.type
        if kind in _FUNCS:
            continue
        if kind == "return_statement":
            expr = node.named_children[0] if node.named_children else None
            out.append((src.text(expr), conditional))
            continue
        nested = conditional or kind in _NESTED
        stack.extend((c, nested) for c in node.named_children)
    return tuple(sorted(out))


def _params(src: _Source, func: ts.Node) -> tuple[str, ...]:
    params = func.child_by_field_name("parameters")
    if params is None:
        single = func.child_by_field_name("parameter")
        return (src.text(single),) if single is not None else ()
    out = []
    for p in params.named_children:
        name = p.child_by_field_name("pattern") or p
        out.append(src.text(name))
    return tuple(out)


def _props(src: _Source, obj: ts.Node, depth: int = 0) -> tuple[Prop, ...]:
    out = []
    for pair in obj.named_children:
        kind = pair.type
        if kind == "shorthand_property_identifier":
            name = src.text(pair)
            out.append(Prop(name, name, "identifier"))
            continue
        if kind != "pair":
            continue
        key_node = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        if key_node is None or value is None:
            continue
        key = src.string(key_node) if key_node.type == "string" else src.text(key_node)
        value_kind = _PROP_KINDS.get(value.type, "other")
        returns: tuple[tuple[str, bool], ...] = ()
        params: tuple[str, ...] = ()
        children: tuple[Prop, ...] = ()
        if value_kind == "function":
            returns, params = _returns(src, value), _params(src, value)
        elif value_kind == "object" and depth < 2:
            children = _props(src, value, depth + 1)
        out.append(Prop(key or "", src.head(value, 300), value_kind, returns, params, children))
    return tuple(out)


def _captures(kind: str, root: ts.Node) -> dict[str, list[ts.Node]]:
    """Every pattern's captured nodes by capture name (one match per node: each pattern has one capture).

    ``matches()`` costs less than ``captures()``, which also sorts captures across patterns; the
    lists are put in document order by the caller anyway.
    """
    out: dict[str, list[ts.Node]] = {}
    for _, match in ts.QueryCursor(_query(kind)).matches(root):
        for name, nodes in match.items():
            bucket = out.get(name)
            if bucket is None:
                out[name] = list(nodes)
            else:
                bucket.extend(nodes)
    return out


def _in_order(nodes: list[ts.Node]) -> list[ts.Node]:
    """Nodes in source order; of two starting together the inner first, as a chain runs (``a()`` before ``a().b()``)."""
    return sorted(nodes, key=lambda n: (n.start_byte, n.end_byte))


class _Extractor:
    """Collects facts from one parsed tree."""

    def __init__(self, path: str, kind: str, tree: ts.Tree) -> None:
        self.path = path
        self.kind = kind
        self.tree = tree
        self.root = tree.root_node
        self.src = _Source(tree)

    def run(self) -> SourceFile:
        src = self.src
        caps = _captures(self.kind, self.root)
        call_nodes = _in_order(caps.get("call", []))
        self.call_nodes = call_nodes
        self.call_starts = [n.start_byte for n in call_nodes]
        heads = [_callee(src, n) for n in call_nodes]
        self.call_texts = [text for _, text in heads]
        self.call_args = [_args(n) for n in call_nodes]
        self.await_starts = sorted(n.start_byte for n in caps.get("await", []))
        self.throw_starts = sorted(n.start_byte for n in caps.get("throw", []))
        self.string_starts = sorted((n.start_byte, src.string(n) or "") for n in caps.get("string", []))
        props = sorted((n.start_byte, src.text(n)) for n in caps.get("prop", []))
        self.prop_starts = [start for start, _ in props]
        self.prop_texts = [text for _, text in props]

        calls: list[Call] = []
        routes: list[Route] = []
        mounts: list[Mount] = []
        signals: list[SignalHandler] = []
        logs: list[tuple[str, int]] = []
        env_reads: list[EnvRead] = []
        env_defaults: list[EnvDefault] = []
        env_fallbacks: list[EnvFallback] = []
        for node, (func, callee), args in zip(call_nodes, heads, self.call_args, strict=True):
            call = self._call(node, callee, args)
            calls.append(call)
            if node.type == "call_expression" and func is not None and func.type == "member_expression" and args:
                self._route(call, args, routes, mounts)
            if callee.startswith("console.") and call.name in _LOG_NAMES:
                logs.append((callee, call.line))
            if callee in _SIGNAL_CALLEES and call.strings:
                sig = call.strings[0]
                if sig.startswith("SIG") or sig in _PROCESS_EVENTS:
                    handler = args[1] if len(args) > 1 else None
                    body = self._body(handler) if handler is not None else None
                    inline = handler is not None and handler.type in _FUNCTION_NODES
                    named = src.text(handler) if handler is not None and handler.type == "identifier" else None
                    signals.append(SignalHandler(sig, call.line, body.calls if body else (),
                                                 body=body if inline else None, named=named))
            # ConfigService.get('X') reads the environment too.
            if call.name in _CONFIG_GETS and call.strings and _CONFIG_RECEIVER.search(callee.rsplit(".", 1)[0]):
                if args and src.string(args[0]) is not None and _ENV_NAME.fullmatch(call.strings[0]):
                    env_reads.append(EnvRead(call.strings[0], call.line, has_default=len(args) > 1,
                                             certain=call.name == "getOrThrow"))
                    if len(args) > 1 and (literal := src.string(args[1])) is not None:
                        env_defaults.append(EnvDefault(call.strings[0], call.line, literal))
        for node in _in_order(caps.get("envmember", [])):
            if _is_process_env(src, node.child_by_field_name("object")):
                name = src.text(node.child_by_field_name("property"))
                env_reads.append(EnvRead(name, _line(node), _has_default(src, node)))
                if (literal := _fallback_literal(src, node)) is not None:
                    env_defaults.append(EnvDefault(name, _line(node), literal))
                elif (other := _fallback_env(src, node)) is not None and other != name:
                    env_fallbacks.append(EnvFallback(name, _line(node), other))
        for node in _in_order(caps.get("envsub", [])):
            if _is_process_env(src, node.child_by_field_name("object")):
                key = src.string(node.child_by_field_name("index"))
                if key:
                    env_reads.append(EnvRead(key, _line(node), _has_default(src, node)))
                    if (literal := _fallback_literal(src, node)) is not None:
                        env_defaults.append(EnvDefault(key, _line(node), literal))
        for decl in _in_order(caps.get("envdecl", [])):
            pattern = decl.child_by_field_name("name")
            if pattern is not None and _is_process_env(src, decl.child_by_field_name("value")):
                env_reads.extend(_pattern_reads(src, pattern))
                env_defaults.extend(_pattern_defaults(src, pattern))

        imports = [self._import(n) for n in _in_order(caps.get("import", []))]
        imports.extend(self._requires())
        literals = frozenset(
            low for v, low in ((v, v.lower()) for _, v in self.string_starts)
            if (len(v) < 60 and _HEADERISH.match(low)) or "journal_mode" in low
        )
        classes = _in_order(caps.get("class", []))
        return SourceFile(
            path=self.path,
            language="typescript" if self.kind != "js" else "javascript",
            imports=tuple(imports),
            calls=tuple(calls),
            routes=tuple(routes) + self._nest_routes(classes),
            mounts=tuple(mounts),
            functions=self._functions(caps),
            env_reads=tuple(env_reads),
            env_defaults=tuple(env_defaults),
            env_fallbacks=tuple(env_fallbacks),
            signals=tuple(signals),
            log_calls=tuple(logs),
            leaks=self._leaks(caps),
            try_catches=self._try_catches(caps),
            assignments=self._assignments(),
            classes=tuple(self._class(n) for n in classes),
            literals=literals,
        )

    # -- calls -----------------------------------------------------------

    def _call(self, node: ts.Node, callee: str, args: list[ts.Node]) -> Call:
        src = self.src
        props: list[Prop] = []
        fn_params: list[int] = []
        strings: list[str] = []
        for arg in args:
            kind = arg.type
            if kind == "object":
                props.extend(_props(src, arg))
            elif kind in _FN_ARGS:
                fn_params.append(len(_params(src, arg)))
            elif kind in _STRING_TYPES:
                value = src.string(arg)
                if value is not None:
                    strings.append(value)
        return Call(
            callee=callee,
            line=_line(node),
            args=tuple(src.head(a, 300) for a in args),
            strings=tuple(strings),
            props=tuple(props),
            fn_params=tuple(fn_params),
            is_new=node.type == "new_expression",
        )

    def _route(self, call: Call, args: list[ts.Node], routes: list[Route], mounts: list[Mount]) -> None:
        """A route or mount registered by a method call with arguments (``app.get('/x', h)``)."""
        src = self.src
        method = call.name
        path = src.string(args[0])
        if method in _MOUNT_METHODS and len(args) >= 2 and path is not None:
            target = args[-1]
            if target.type in _REF_TYPES:
                mounts.append(Mount(path, src.text(target), call.line))
            if method != "use":
                return
        if method not in HTTP_METHODS or path is None or not path.startswith(("/", "*")):
            return
        if method == "get" and len(args) == 1:
            return  # a getter such as map.get('key'), not a route
        last = args[-1]
        handler = self._body(last) if last.type in _FUNCS else None
        ref = src.text(last) if last.type in _REF_TYPES and len(args) > 1 else ""
        middlewares = tuple(src.head(a, 200) for a in args[1:-1])
        receiver = call.callee.rsplit(".", 1)[0]
        routes.append(Route(method.upper(), path, call.line, receiver, middlewares, handler, ref))

    # -- bodies ----------------------------------------------------------

    def _body(self, node: ts.Node | None) -> Body:
        if node is None:
            return Body(line=0)
        start, end = node.start_byte, node.end_byte
        lo, hi = bisect_left(self.call_starts, start), bisect_right(self.call_starts, end)
        calls = tuple(self.call_texts[lo:hi])
        awaits = bisect_left(self.await_starts, start) < bisect_right(self.await_starts, end)
        throws = bisect_left(self.throw_starts, start) < bisect_right(self.throw_starts, end)
        # Every member property inside the node (a property always lies inside its member expression).
        members = frozenset(self.prop_texts[bisect_left(self.prop_starts, start):bisect_right(self.prop_starts, end)])
        slo = bisect_left(self.string_starts, (start, ""))
        shi = bisect_left(self.string_starts, (end, ""))
        strings = tuple(v for _, v in self.string_starts[slo:shi])[:50]
        ptypes, pdecos = self._param_info(node)
        return Body(_line(node), calls, members, awaits, ptypes, pdecos, strings, throws)

    def _param_info(self, func: ts.Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        params = func.child_by_field_name("parameters")
        if params is None:
            return (), ()
        types, decorators = [], []
        for p in params.named_children:
            annotation = p.child_by_field_name("type")
            if annotation is not None:
                types.append(self.src.text(annotation).lstrip(": ").strip())
            for child in p.children:
                if child.type == "decorator":
                    decorators.append(_decorator_name(self.src, child))
        return tuple(types), tuple(decorators)

    def _functions(self, caps: dict[str, list[ts.Node]]) -> tuple[Function, ...]:
        src = self.src
        out = []
        for node in _in_order(caps.get("fn", [])):
            out.append(Function(src.text(node.child_by_field_name("name")), _line(node), self._body(node)))
        for decl in _in_order(caps.get("fndecl", [])):
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if name is not None and value is not None:
                out.append(Function(src.text(name), _line(name), self._body(value)))
        for node in _in_order(caps.get("method", [])):
            out.append(Function(src.text(node.child_by_field_name("name")), _line(node), self._body(node)))
        return tuple(out)

    # -- imports ---------------------------------------------------------

    def _import(self, node: ts.Node) -> Import:
        src = self.src
        source = src.string(node.child_by_field_name("source")) or ""
        names: list[str] = []
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    names.append(src.text(part))
                elif part.type == "namespace_import":
                    names.extend(src.text(c) for c in part.named_children if c.type == "identifier")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        alias = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                        names.append(src.text(alias))
        return Import(source, _line(node), tuple(names))

    def _requires(self) -> list[Import]:
        out = []
        for node, callee, args in zip(self.call_nodes, self.call_texts, self.call_args, strict=True):
            if callee not in _REQUIRE:
                continue
            module = self.src.string(args[0]) if args else None
            if module is None:
                continue
            parent = node.parent
            names: tuple[str, ...] = ()
            if parent is not None and parent.type == "variable_declarator":
                names = (self.src.text(parent.child_by_field_name("name")),)
            out.append(Import(module, _line(node), names))
        return out

    # -- classes (NestJS) ------------------------------------------------

    def _class(self, node: ts.Node) -> ClassInfo:
        src = self.src
        decorators = [_decorator_name(src, d) for d in _class_decorators(node)]
        bases: list[str] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    bases.extend(src.text(c) for c in clause.named_children if c.type in _REF_TYPES)
        return ClassInfo(src.text(node.child_by_field_name("name")), _line(node), tuple(decorators), tuple(bases),
                         node.end_point.row + 1)

    def _nest_routes(self, classes: list[ts.Node]) -> tuple[Route, ...]:
        src = self.src
        out: list[Route] = []
        for node in classes:
            prefix = ""
            is_controller = False
            for deco in _class_decorators(node):
                if _decorator_name(src, deco) == "Controller":
                    is_controller = True
                    prefix = _decorator_path(src, deco)
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
                        method = NEST_METHODS.get(_decorator_name(src, deco))
                        if method:
                            path = "/" + "/".join(p.strip("/") for p in (prefix, _decorator_path(src, deco))
                                                  if p.strip("/"))
                            others = tuple(src.head(d, 200) for d in pending if d is not deco)
                            out.append(Route(method, path, _line(member), src.text(node.child_by_field_name("name")),
                                             others, self._body(member)))
                pending = []
        return tuple(out)

    # -- error leaks -----------------------------------------------------

    def _leaks(self, caps: dict[str, list[ts.Node]]) -> tuple[ErrorLeak, ...]:
        src = self.src
        scopes: list[tuple[str, ts.Node]] = []
        for clause in _in_order(caps.get("catch", [])):
            param, body = clause.child_by_field_name("parameter"), clause.child_by_field_name("body")
            if param is not None and body is not None:
                scopes.append((src.text(param), body))
        # Global error handlers: app.onError((err, c) => ...), setErrorHandler, 4-arg Express middleware.
        names = [callee.rsplit(".", 1)[-1] for callee in self.call_texts]
        for name, args in zip(names, self.call_args, strict=True):
            if name not in {"onError", "setErrorHandler", "use"}:
                continue
            for arg in args:
                if arg.type not in _HANDLER_ARGS:
                    continue
                params = _params(src, arg)
                if (name != "use" and params) or (name == "use" and len(params) == 4):
                    scopes.append((params[0], arg))
        out: list[ErrorLeak] = []
        seen: set[int] = set()
        for err, scope in scopes:
            if not err or not err.isidentifier():
                continue
            raw = {f"{err}.message", f"{err}.stack", f"String({err})", f"{err}.toString()"}
            lo, hi = bisect_left(self.call_starts, scope.start_byte), bisect_right(self.call_starts, scope.end_byte)
            for i in range(lo, hi):
                if names[i] not in RESPONSE_CALLS:
                    continue
                node = self.call_nodes[i]
                for arg in self.call_args[i]:
                    hit = _find_raw(src, arg, err, raw)
                    if hit and node.start_byte not in seen:
                        seen.add(node.start_byte)
                        out.append(ErrorLeak(_line(node), hit))
        return tuple(out)

    # -- try/catch ---------------------------------------------------------

    def _try_catches(self, caps: dict[str, list[ts.Node]]) -> tuple[TryCatch, ...]:
        """Each catch clause with the callees of its own try block and whether it gives up."""
        out = []
        for clause in _in_order(caps.get("catch", [])):
            statement, body = clause.parent, clause.child_by_field_name("body")
            block = statement.child_by_field_name("body") if statement is not None else None
            if statement is None or statement.type != "try_statement" or block is None or body is None:
                continue
            lo, hi = bisect_left(self.call_starts, block.start_byte), bisect_right(self.call_starts, block.end_byte)
            calls = tuple(self.call_texts[lo:hi])
            out.append(TryCatch(_line(statement), calls, bool(_ESCALATES.search(self.src.text(body)))))
        return tuple(out)

    # -- module-level state ----------------------------------------------

    def _assignments(self) -> tuple[Assignment, ...]:
        src = self.src
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
                out.append(Assignment(src.text(name), _line(var), src.head(value, 300), _value_kind(src, value)))
        return tuple(out)


def _is_process_env(src: _Source, node: ts.Node | None) -> bool:
    """The node's text is exactly ``process.env`` (its length is checked first: most member chains are not)."""
    return (node is not None and node.end_byte - node.start_byte == len(_PROCESS_ENV)
            and src.text(node) == _PROCESS_ENV)


def _value_kind(src: _Source, value: ts.Node) -> str:
    if value.type == "new_expression":
        ctor = _TYPE_ARGS.sub("", src.text(value.child_by_field_name("constructor")))
        return ctor if ctor in {"Set", "Map", "WeakMap"} else "new"
    return {"array": "array", "object": "object", "call_expression": "call"}.get(value.type, "other")


def _find_raw(src: _Source, node: ts.Node, err: str, raw: set[str]) -> str:
    """The first raw-error expression inside ``node`` (``err.message``, ``String(err)`` ...), else ''."""
    stack = [node]
    while stack:
        cur = stack.pop()
        kind = cur.type
        text = src.text(cur) if kind in _RAW_TYPES else ""
        if text in raw:
            return text
        if kind == "template_substitution" and text[2:-1].strip() == err:
            return f"${{{err}}}"
        if kind == "pair" and src.text(cur.child_by_field_name("value")) == err:
            return err
        stack.extend(cur.named_children)
    return ""


_FLAG_OPS = frozenset({"===", "!==", "==", "!=", "&&"})


def _chain_top(node: ts.Node) -> tuple[ts.Node, ts.Node | None]:
    """The outermost member/call chain around ``node`` (``process.env.X.trim()``) and that chain's parent."""
    cur, parent = node, node.parent
    while parent is not None and parent.type in _CHAIN:
        cur, parent = parent, parent.parent
    return cur, parent


def _has_default(src: _Source, node: ts.Node) -> bool:
    """The read copes with an unset variable: a fallback, a flag test, a condition or a guard."""
    cur, parent = _chain_top(node)
    if parent is None:
        return False
    if parent.type == "binary_expression":
        op = src.text(parent.child_by_field_name("operator"))
        left = parent.child_by_field_name("left")
        if op in {"??", "||"}:
            return left is not None and left.id == cur.id
        return op in _FLAG_OPS  # `process.env.X === "true"` is a flag, `A && B` a guard
    if parent.type == "unary_expression":
        return src.text(parent.child_by_field_name("operator")) in {"!", "typeof"}
    if parent.type in {"ternary_expression", "if_statement", "while_statement"}:
        return True
    if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
        return src.text(parent.parent.child_by_field_name("function")) == "Boolean"
    return False


def _fallback_literal(src: _Source, node: ts.Node) -> str | None:
    """The string literal after ``||`` / ``??`` that stands in for an unset variable, else None."""
    cur, parent = _chain_top(node)
    if parent is None or parent.type != "binary_expression":
        return None
    left = parent.child_by_field_name("left")
    if src.text(parent.child_by_field_name("operator")) not in {"??", "||"} or left is None or left.id != cur.id:
        return None
    return src.string(parent.child_by_field_name("right"))


def _fallback_env(src: _Source, node: ts.Node) -> str | None:
    """``process.env.A || process.env.B``: the variable (``B``) read in place of an unset ``A``, else None."""
    cur, parent = _chain_top(node)
    if parent is None or parent.type != "binary_expression":
        return None
    left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
    if src.text(parent.child_by_field_name("operator")) not in {"??", "||"} or left is None or left.id != cur.id:
        return None
    if right is None or right.type not in {"member_expression", "subscript_expression"}:
        return None
    if not _is_process_env(src, right.child_by_field_name("object")):
        return None
    key = right.child_by_field_name("property") if right.type == "member_expression" else None
    name = src.text(key) if key is not None else src.string(right.child_by_field_name("index"))
    return name if name and _ENV_NAME.fullmatch(name) else None


def _pattern_defaults(src: _Source, pattern: ts.Node) -> list[EnvDefault]:
    """``const { X = "v", Y: y = "w" } = process.env``: the names destructured with a literal default."""
    out = []
    for part in pattern.named_children:
        key, default = None, None
        if part.type == "object_assignment_pattern":
            key, default = part.child_by_field_name("left"), part.child_by_field_name("right")
        elif part.type == "pair_pattern":
            value = part.child_by_field_name("value")
            if value is not None and value.type == "assignment_pattern":
                key, default = part.child_by_field_name("key"), value.child_by_field_name("right")
        literal = src.string(default)
        if key is not None and literal is not None:
            out.append(EnvDefault(src.text(key), _line(part), literal))
    return out


def _pattern_reads(src: _Source, pattern: ts.Node) -> list[EnvRead]:
    out = []
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern":
            out.append(EnvRead(src.text(part), _line(part), False))
        elif part.type == "object_assignment_pattern":
            left = part.child_by_field_name("left")
            out.append(EnvRead(src.text(left), _line(part), True))
        elif part.type == "pair_pattern":
            key = part.child_by_field_name("key")
            value = part.child_by_field_name("value")
            out.append(EnvRead(src.text(key), _line(part), value is not None and value.type == "assignment_pattern"))
    return out


def _class_decorators(node: ts.Node) -> list[ts.Node]:
    decorators = [c for c in node.children if c.type == "decorator"]
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        decorators = [c for c in parent.children if c.type == "decorator"] + decorators
    return decorators


def _decorator_name(src: _Source, node: ts.Node) -> str:
    inner = node.named_children[0] if node.named_children else None
    if inner is None:
        return ""
    if inner.type == "call_expression":
        inner = inner.child_by_field_name("function") or inner
    return src.text(inner).rsplit(".", 1)[-1]


def _decorator_path(src: _Source, node: ts.Node) -> str:
    inner = node.named_children[0] if node.named_children else None
    if inner is None or inner.type != "call_expression":
        return ""
    args = _args(inner)
    if not args:
        return ""
    value = src.string(args[0])
    if value is not None:
        return value
    if args[0].type == "object":
        path = next((p for p in _props(src, args[0]) if p.key == "path"), None)
        return path.value.strip("'\"`") if path and path.kind == "string" else ""
    return ""


def extract(path: str, tree: ts.Tree) -> SourceFile:
    """Every fact of one parsed JS/TS file."""
    return _Extractor(path, grammar_for(path), tree).run()
