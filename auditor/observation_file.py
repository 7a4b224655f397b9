"""Validate a ``--from-observations`` file before a scan judges it.

The file is input like any other: it may be hand-edited, truncated or
hostile. Before the scan starts it must be small enough, plain JSON (no
``NaN``/``Infinity``, no absurd nesting) and every value must have the type
the observation model declares, so that checks and grading never meet a
string where they expect a number. Anything else is a usage error (exit 2)
with a message that says where in the file the problem is.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from pathlib import Path
from typing import Any

MAX_OBSERVATION_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


class ObservationFileError(Exception):
    """The observations file cannot be judged; the message says why and where."""


def check_observation_file(path: Path) -> None:
    """Raise :class:`ObservationFileError` unless ``path`` holds observations prodcheck can judge."""
    from auditor.textsafe import safe_path

    shown = safe_path(str(path))
    try:
        size = path.stat().st_size
        if size > MAX_OBSERVATION_BYTES:
            raise ObservationFileError(f"{shown}: {size // (1024 * 1024)} MiB is over the "
                                       f"{MAX_OBSERVATION_BYTES // (1024 * 1024)} MiB limit for observations")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ObservationFileError(f"{shown}: cannot read: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError as exc:
        raise ObservationFileError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    _check_depth(text, shown)
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except ObservationFileError as exc:
        raise ObservationFileError(f"{shown}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise ObservationFileError(f"{shown}: not valid JSON: {str(exc).splitlines()[0][:200]}") from None
    _check_numbers(raw, shown, "$")
    from auditor.live.observations import load_observations

    try:
        targets = load_observations(path)
    except Exception as exc:  # noqa: BLE001 - any shape the model rejects is the file's problem
        raise ObservationFileError(f"{shown}: not a prodcheck observations file: "
                                   f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                                   ) from None
    for index, target in enumerate(targets):
        _check_types(target, f"targets[{index}]", shown)


def _no_constant(name: str) -> Any:
    raise ObservationFileError(f"{name} is not a number JSON allows")


def _check_depth(text: str, shown: str) -> None:
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ObservationFileError(f"{shown}: nested deeper than {MAX_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def _check_numbers(value: Any, shown: str, where: str) -> None:
    """Reject numbers JSON parses but no observation can hold (1e400 becomes infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ObservationFileError(f"{shown}: {where}: number out of range")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, shown, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, shown, f"{where}[{index}]")


def _check_types(obj: Any, where: str, shown: str) -> None:
    """Every field of a loaded observation has its declared type (the loader converts only some)."""
    hints = typing.get_type_hints(type(obj))
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        problem = _mismatch(hints.get(field.name, Any), value, f"{where}.{field.name}", shown)
        if problem:
            raise ObservationFileError(f"{shown}: {problem}")


def _mismatch(hint: Any, value: Any, where: str, shown: str) -> str:
    if hint is Any:
        return ""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return ""
        problems = [_mismatch(o, value, where, shown) for o in options if o is not type(None)]
        return "" if any(not p for p in problems) else problems[0]
    if origin is tuple:
        if not isinstance(value, tuple):
            return f"{where}: expected a list, got {type(value).__name__}"
        args = typing.get_args(hint)
        items = [(args[0], v) for v in value] if len(args) == 2 and args[1] is Ellipsis else list(zip(args, value,
                                                                                                     strict=False))
        if not (len(args) == 2 and args[1] is Ellipsis) and len(value) != len(args):
            return f"{where}: expected {len(args)} items, got {len(value)}"
        for index, (sub, item) in enumerate(items):
            problem = _mismatch(sub, item, f"{where}[{index}]", shown)
            if problem:
                return problem
        return ""
    if origin is dict:
        return "" if isinstance(value, dict) else f"{where}: expected a mapping, got {type(value).__name__}"
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):  # type: ignore[arg-type]
            return f"{where}: expected an object, got {type(value).__name__}"
        try:
            _check_types(value, where, shown)
        except ObservationFileError as exc:
            return str(exc).removeprefix(f"{shown}: ")
        return ""
    if hint is bool:
        return "" if isinstance(value, bool) else f"{where}: expected true or false, got {type(value).__name__}"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return "" if ok else f"{where}: expected a whole number, got {type(value).__name__}"
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return "" if ok else f"{where}: expected a number, got {type(value).__name__}"
    if hint is str:
        return "" if isinstance(value, str) else f"{where}: expected a string, got {type(value).__name__}"
    return ""
