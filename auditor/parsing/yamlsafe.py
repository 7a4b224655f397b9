"""YAML loading that is safe against hostile input.

The loader builds only plain mappings, sequences and scalars (never arbitrary
objects) and keeps line numbers, which findings need: libyaml through
:mod:`auditor.parsing.yamlfast` (about ten times faster) when PyYAML has it,
else ruamel.yaml's round-trip loader, whose output shape both share.
On top of it this module bounds what a file may cost: a size cap, a nesting
depth limit, and an expansion budget so alias bombs ("billion laughs") are
refused instead of expanded.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_ALIASES = 500
#: Largest YAML text parsed at all; bigger files are refused before the parser sees them.
MAX_YAML_CHARS = 4 * 1024 * 1024


class YamlError(Exception):
    """The file is not YAML prodcheck will read; the message says why and where."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


_ALIAS = re.compile(r"(?<![\w&*])\*[A-Za-z0-9_.-]+")


def load_yaml(text: str) -> Any:
    """Parse one YAML document (the first) with line info; raise YamlError on anything hostile."""
    if len(text) > MAX_YAML_CHARS:
        raise YamlError(f"larger than the {MAX_YAML_CHARS // (1024 * 1024)} MiB YAML size cap")
    # Cheap pre-check: deep flow nesting would make the parser recurse.
    depth = 0
    for ch in text[:200_000]:
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"nesting deeper than {MAX_DEPTH} levels")
        elif ch in "]}":
            depth = max(0, depth - 1)
    if len(_ALIAS.findall(text)) > MAX_ALIASES:
        raise YamlError(f"more than {MAX_ALIASES} alias references (possible alias bomb)")
    parse, marked, base = _parser()
    try:
        docs = parse(text)
    except marked as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"invalid YAML: {exc.problem or exc.context or 'syntax error'}", line) from None
    except base as exc:
        raise YamlError(f"invalid YAML: {_first_line(exc) or 'error'}", _line_from_traceback(exc)) from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Constructors reject some well-formed scalars (e.g. the date 2026-13-01).
        raise YamlError(f"invalid YAML value: {_first_line(exc) or type(exc).__name__}",
                        _line_from_traceback(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the parse boundary: whatever the parser raises is a parse problem
        # e.g. a merge key that points at its own anchor (AttributeError) or `!!bool z` (KeyError).
        raise YamlError(f"invalid YAML: the parser gave up ({type(exc).__name__})",
                        _line_from_traceback(exc)) from None
    data = docs[0] if docs else None
    _check_budget(data)
    return data


def _parser() -> tuple[Callable[[str], list[Any]], type[Any], type[Any]]:
    """(parse every document, the library's marked error class, its base error class).

    libyaml through :mod:`auditor.parsing.yamlfast` when PyYAML has it; else ruamel, imported
    only then (it costs about 15 ms of every scan's start-up).
    """
    from auditor.parsing import yamlfast

    if yamlfast.AVAILABLE:
        import yaml as pyyaml

        return yamlfast.load_all, pyyaml.MarkedYAMLError, pyyaml.YAMLError
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    def parse(text: str) -> list[Any]:
        yaml = YAML(typ="rt")
        yaml.allow_duplicate_keys = True
        with warnings.catch_warnings():
            # ruamel warns (duplicate anchors ...) by printing the raw line, which may hold a
            # secret: the warning adds nothing a finding needs, so it is never shown.
            warnings.simplefilter("ignore")
            return list(yaml.load_all(text))

    return parse, MarkedYAMLError, YAMLError


def _line_from_traceback(exc: BaseException) -> int | None:
    """The line of the YAML node ruamel was building when it failed (it gives no mark itself)."""
    tb = exc.__traceback__
    line: int | None = None
    while tb is not None:
        for name in ("node", "value_node", "key_node", "event"):
            mark = getattr(tb.tb_frame.f_locals.get(name), "start_mark", None)
            if mark is not None and isinstance(getattr(mark, "line", None), int):
                line = mark.line + 1  # innermost frame wins: keep overwriting
                break
        tb = tb.tb_next
    return line


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""


def _check_budget(data: Any) -> None:
    """Walk the tree counting nodes as if aliases were expanded; refuse over budget."""
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise YamlError(f"document expands to more than {MAX_NODES} nodes (alias bomb?)")
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def line_of(node: Any, key: Any = None) -> int | None:
    """1-based line of a mapping key (or sequence index), or of the node itself."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is None:
            return int(lc.line) + 1
        if isinstance(node, dict):
            return int(lc.key(key)[0]) + 1
        if isinstance(node, list):
            return int(lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        # Keys that come from a merge (<<: *anchor) have no own position.
        return int(lc.line) + 1
    return None
