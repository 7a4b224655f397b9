"""A C-accelerated YAML loader that keeps line numbers, shaped like ruamel.yaml's round-trip output.

ruamel.yaml's round-trip loader is pure Python and was the largest single cost of scanning
YAML-heavy repositories (about 10x slower than libyaml). This loader parses with PyYAML's
libyaml binding (``CSafeLoader``: plain mappings, sequences and scalars only, never arbitrary
objects) and reproduces what prodcheck relies on from ruamel:

* YAML 1.2 core scalars, as ruamel reads them (``on``/``yes`` and ``22:22`` stay strings,
  ``0o17``/``0x1F``/``0b101``/``1_000`` are integers, ``010`` is decimal 10);
* every mapping and sequence carries ``lc`` (``lc.line``, ``lc.key(k)``, ``lc.item(i)``:
  0-based ``(line, column)``), so :func:`auditor.parsing.yamlsafe.line_of` works unchanged;
* duplicate keys keep the first value; merge keys (``<<``) add the merged pairs after the
  mapping's own keys, the first merged mapping winning, and merged keys have no ``lc.key``
  position of their own (``KeyError``), as in ruamel.

Used by :func:`auditor.parsing.yamlsafe.load_yaml` when libyaml is available; ruamel stays the
fallback. ``tests/engine/test_yamlfast.py`` compares both loaders on every YAML file of the
samples, the corpus and the conformance suites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

#: True when PyYAML was built with libyaml (otherwise the pure-Python parser is no faster than ruamel).
AVAILABLE = bool(getattr(yaml, "__with_libyaml__", False))

_MERGE = "tag:yaml.org,2002:merge"


class LineCol:
    """ruamel-style position record: ``line``/``col`` of the node, ``key(k)`` and ``item(i)`` of children."""

    __slots__ = ("_items", "_keys", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        self.line = line
        self.col = col
        self._keys: dict[Any, tuple[int, int]] = {}
        self._items: list[tuple[int, int]] = []

    def key(self, key: Any) -> tuple[int, int]:
        """0-based (line, column) of a mapping key written in this mapping (KeyError for merged keys)."""
        return self._keys[key]

    def item(self, index: int) -> tuple[int, int]:
        """0-based (line, column) of a sequence item."""
        return self._items[index]


class LineMap(dict):  # type: ignore[type-arg]
    """A mapping with ``lc`` positions."""

    lc: LineCol


class LineSeq(list):  # type: ignore[type-arg]
    """A sequence with ``lc`` positions."""

    lc: LineCol


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema implicit typing, as ruamel.yaml's 1.2 resolver has it."""


_RESOLVERS: list[tuple[str, str, str]] = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:float", r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", "-+0123456789."),
    ("tag:yaml.org,2002:int", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", "-+0123456789"),
    (_MERGE, r"^(?:<<)$", "<"),
    ("tag:yaml.org,2002:null", r"^(?: ~ |null|Null|NULL | )$", "~nN\0"),
    ("tag:yaml.org,2002:timestamp", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", "0123456789"),
]
for _tag, _pattern, _first in _RESOLVERS:
    # "\0" stands for the empty scalar, which PyYAML's resolver looks up under "".
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern, re.X), ["" if ch == "\0" else ch for ch in _first])


class _Constructor(yaml.constructor.SafeConstructor):
    """Plain data with positions; integers and merges read as ruamel.yaml reads them."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:  # type: ignore[override]
        """``0b``/``0o``/``0x`` prefixes and ``_`` separators; a leading zero is still decimal (YAML 1.2)."""
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
            if digits.startswith(prefix):
                return sign * int(digits[2:], base)
        return sign * int(digits or "0", 10)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:  # type: ignore[override]
        """Floats with ``_`` separators allowed, as ruamel reads them."""
        text = str(self.construct_scalar(node)).replace("_", "").lower()
        if text.lstrip("+-") == ".inf":
            return float("-inf") if text.startswith("-") else float("inf")
        if text == ".nan":
            return float("nan")
        return float(text)

    def construct_line_map(self, node: yaml.MappingNode) -> Iterator[LineMap]:
        """A :class:`LineMap`; own keys first (the first duplicate wins), then merged ones."""
        data = LineMap()
        data.lc = LineCol(node.start_mark.line, node.start_mark.column)
        yield data
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self._merge_pairs(value_node, (node,)))
                continue
            key = self.construct_object(key_node, deep=True)
            if not _hashable(key):
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found an unhashable key", key_node.start_mark)
            if key in data:
                continue  # a duplicate key: the first value stays (ruamel with allow_duplicate_keys)
            data[key] = self.construct_object(value_node, deep=True)
            data.lc._keys[key] = (key_node.start_mark.line, key_node.start_mark.column)
        for key_node, value_node in merged:
            key = self.construct_object(key_node, deep=True)
            if _hashable(key) and key not in data:
                data[key] = self.construct_object(value_node, deep=True)

    def _merge_pairs(self, node: yaml.Node, seen: tuple[yaml.Node, ...]) -> list[tuple[yaml.Node, yaml.Node]]:
        """The (key, value) nodes a merge brings in: one mapping, or a list of them in priority order."""
        if any(node is other for other in seen):
            raise yaml.constructor.ConstructorError("while constructing a mapping", seen[0].start_mark,
                                                    "found a mapping merged into itself", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            pairs: list[tuple[yaml.Node, yaml.Node]] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    pairs.extend(self._merge_pairs(value_node, (*seen, node)))
                else:
                    pairs.append((key_node, value_node))
            return pairs
        if isinstance(node, yaml.SequenceNode):
            out: list[tuple[yaml.Node, yaml.Node]] = []
            for item in node.value:
                if not isinstance(item, yaml.MappingNode):
                    raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                            "expected a mapping for merging", item.start_mark)
                out.extend(self._merge_pairs(item, seen))
            return out
        raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                "expected a mapping or list of mappings for merging",
                                                node.start_mark)

    def construct_line_seq(self, node: yaml.SequenceNode) -> Iterator[LineSeq]:
        """A :class:`LineSeq` with each item's position."""
        data = LineSeq()
        data.lc = LineCol(node.start_mark.line, node.start_mark.column)
        yield data
        for item in node.value:
            data.append(self.construct_object(item, deep=True))
            data.lc._items.append((item.start_mark.line, item.start_mark.column))


def _construct_untagged(constructor: _Constructor, node: yaml.Node) -> Any:
    """An unknown tag (``!Ref``, ``!!python/object/apply``) is read as the plain data under it, never run."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return _built(constructor, node)
    return constructor.construct_scalar(node)  # type: ignore[arg-type]


def _built(constructor: _Constructor, node: yaml.Node) -> Any:
    """Run a mapping or sequence generator constructor to completion and return its object."""
    maker = constructor.construct_line_map if isinstance(node, yaml.MappingNode) else constructor.construct_line_seq
    generator = maker(node)  # type: ignore[arg-type]
    data = next(generator)
    for _ in generator:
        pass
    return data


_Constructor.add_constructor(None, _construct_untagged)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_line_map)
_Constructor.add_constructor("tag:yaml.org,2002:seq", _Constructor.construct_line_seq)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


if AVAILABLE:
    from yaml._yaml import CParser

    class _Loader(CParser, _Constructor, _Resolver):  # type: ignore[misc]
        """libyaml's parser and composer with the constructor and resolver above."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def load_all(text: str) -> list[Any]:
    """Every document of ``text`` (raises PyYAML's errors; the caller turns them into YamlError)."""
    loader = _Loader(text)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    finally:
        loader.dispose()
