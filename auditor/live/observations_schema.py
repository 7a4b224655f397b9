"""The JSON Schema (draft 2020-12) of ``observations.json``, built from the observation dataclasses.

The schema is generated, not written by hand, so it cannot drift from the
model: every dataclass reachable from :class:`~auditor.live.observations.LiveTarget`
becomes one entry of ``$defs`` whose properties follow the fields' type hints.
A field without a default is required (the loader cannot build the dataclass
without it); a field with a default may be left out of hand-written fixtures,
as the loader fills it in. Unknown keys are refused (``additionalProperties:
false``): the loader ignores them, but a key the model does not know is a typo
or a file from another tool, and the schema describes what prodcheck writes.

``python -m auditor.live.observations_schema`` rewrites the committed
``observations.schema.json`` beside this module; a test fails when it is stale.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from auditor.live.observations import SCHEMA_VERSION, LiveTarget

SCHEMA_PATH = Path(__file__).with_name("observations.schema.json")
SCHEMA_ID = "https://prodcheck.invalid/schemas/observations.schema.json"

_SCALARS: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def build_schema() -> dict[str, Any]:
    """The whole document's schema: ``{"schema_version", "tool_version", "targets"}`` or a bare target list."""
    defs: dict[str, Any] = {}
    target_ref = _type_schema(LiveTarget, defs)
    targets = {"type": "array", "items": target_ref}
    document = {
        "type": "object",
        "properties": {
            # The loader refuses a newer version than it knows; older ones load.
            "schema_version": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
            "tool_version": {"type": "string"},
            "targets": targets,
        },
        "required": ["targets"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "prodcheck live observations",
        "description": ("What `prodcheck scan --url ... --save-observations FILE` writes and "
                        "`--from-observations FILE` reads. Generated from auditor/live/observations.py "
                        "by `python -m auditor.live.observations_schema`; do not edit by hand."),
        "oneOf": [document, targets],
        "$defs": dict(sorted(defs.items())),
    }


def render_schema() -> str:
    """The schema as the committed file holds it (stable key order, trailing newline)."""
    return json.dumps(build_schema(), indent=2) + "\n"


def _type_schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of one type hint; dataclasses are added to ``defs`` and referenced."""
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_schema(args, defs)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], defs)}
        # A fixed-length tuple (a header is [name, value]): exactly these items, in order.
        return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args],
                "minItems": len(args), "maxItems": len(args), "items": False}
    if origin is dict and len(args) == 2 and args[0] is str:
        return {"type": "object", "additionalProperties": _type_schema(args[1], defs)}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # reserved first so a recursive type ends here
            defs[name] = _dataclass_schema(hint, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for type hint {hint!r}")


def _union_schema(args: tuple[Any, ...], defs: dict[str, Any]) -> dict[str, Any]:
    options = [_type_schema(a, defs) for a in args if a is not type(None)]
    nullable = type(None) in args
    if all(set(o) == {"type"} and isinstance(o["type"], str) for o in options):
        kinds = [o["type"] for o in options] + (["null"] if nullable else [])
        return {"type": kinds[0] if len(kinds) == 1 else kinds}
    if nullable:
        options.append({"type": "null"})
    return options[0] if len(options) == 1 else {"anyOf": options}


def _dataclass_schema(cls: type[Any], defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    schema: dict[str, Any] = {"type": "object"}
    summary = (cls.__doc__ or "").strip().splitlines()
    if summary:
        schema["description"] = summary[0]
    schema["properties"] = {f.name: _type_schema(hints[f.name], defs) for f in fields}
    schema["required"] = [f.name for f in fields
                          if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    schema["additionalProperties"] = False
    return schema


def main(argv: list[str] | None = None) -> int:
    """Rewrite the committed schema file (``--check``: exit 1 when it is stale, writing nothing)."""
    args = sys.argv[1:] if argv is None else argv
    wanted = render_schema()
    current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    if "--check" in args:
        if current != wanted:
            print(f"{SCHEMA_PATH} is stale: run python -m auditor.live.observations_schema", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        SCHEMA_PATH.write_text(wanted, encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
