"""Merge the compose snippets of one area into one block per service, as the hand-written audits do.

Three fixes for the same service (its logging, its memory limit, a missing variable) read
better, and paste more safely, as one ``services: server:`` block than as three. A snippet
takes part only when it is plainly shaped: top-level keys at column 0, exactly one
service under ``services:``, the same service in every snippet; anything else is left
as it is. The merged text must load as YAML with the same keys, else nothing is merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.model import FixSnippet

_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*):(.*)$")
_SERVICE_KEY = re.compile(r"^  ([A-Za-z0-9][\w.-]*):\s*(?:#.*)?$")
_COMPOSE_LANGUAGES = frozenset({"yaml", "yml", "compose"})


@dataclass(frozen=True)
class ComposeShape:
    """A compose snippet cut into its service, that service's body lines, and the other top-level blocks."""

    service: str
    body: tuple[str, ...]
    blocks: tuple[tuple[str, tuple[str, ...]], ...]  # (top-level key, its lines), in order


def compose_shape(snippet: FixSnippet) -> ComposeShape | None:
    """The shape of a one-service compose snippet, or None when it is not plainly one."""
    if snippet.language.lower() not in _COMPOSE_LANGUAGES:
        return None
    blocks: list[tuple[str, list[str]]] = []
    pending: list[str] = []  # comment lines before a top-level key belong to it
    for line in snippet.code.splitlines():
        match = _TOP_KEY.match(line)
        if match:
            blocks.append((match.group(1), [*pending, line]))
            pending = []
        elif not line.strip() or line.startswith("#"):
            (blocks[-1][1] if blocks and not line.startswith("#") else pending).append(line)
        elif blocks:
            blocks[-1][1].append(line)
        else:
            return None
    if pending:
        return None
    services = [lines for key, lines in blocks if key == "services"]
    if len(services) != 1 or services[0][0] != "services:":
        return None
    lines = [line for line in services[0][1:] if line.strip()]
    names = [m.group(1) for line in lines if (m := _SERVICE_KEY.match(line))]
    if len(names) != 1 or not lines or not _SERVICE_KEY.match(lines[0]):
        return None
    if any(not line.startswith("    ") and not line.strip().startswith("#") for line in lines[1:]):
        return None
    others = tuple((key, tuple(block)) for key, block in blocks if key != "services")
    return ComposeShape(names[0], tuple(lines[1:]), others)


def merge_compose(shapes: list[ComposeShape]) -> str | None:
    """One compose text for several shapes of the same service, or None when they do not merge cleanly."""
    if len(shapes) < 2 or len({s.service for s in shapes}) != 1:
        return None
    before: list[str] = []
    after: list[str] = []
    seen: set[str] = set()
    for shape in shapes:
        for index, (key, lines) in enumerate(shape.blocks):
            if key in seen:
                return None  # two snippets defining the same top-level key: not ours to reconcile
            seen.add(key)
            # Anchors (x-...) go before services, like the snippets write them; the rest after.
            (before if key.startswith("x-") else after).extend(line for line in lines if line.strip() or index)
    body = [line for shape in shapes for line in shape.body]
    text = "\n".join([*before, *([""] if before else []), "services:", f"  {shapes[0].service}:", *body,
                      *([""] if after else []), *after]).rstrip() + "\n"
    if not _loads_same(text, shapes):
        return None
    return text.rstrip("\n")


def _loads_same(text: str, shapes: list[ComposeShape]) -> bool:
    """The merged text loads, and its service has every key each snippet gave it."""
    from auditor.parsing.yamlsafe import YamlError, load_yaml

    try:
        data = load_yaml(text)
    except YamlError:
        return False
    service = data.get("services", {}).get(shapes[0].service) if isinstance(data, dict) else None
    if not isinstance(service, dict):
        return False
    keys = [m.group(1) for shape in shapes for line in shape.body if (m := re.match(r"^    ([\w.-]+):", line))]
    return len(keys) == len(set(keys)) and set(keys) <= set(service)
