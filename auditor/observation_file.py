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

from auditor.errors import ProdcheckError

MAX_OBSERVATION_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64


class ObservationFileError(ProdcheckError):
    """The observations file cannot be judged; the message says why and where (masked and escaped)."""

    def __init__(self, message: str) -> None:
        from auditor.textsafe import safe_text

        super().__init__(safe_text(message, keep_newlines=False))


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
    from auditor.live.observations import LiveTarget, load_observations

    items = raw.get("targets") if isinstance(raw, dict) else raw
    if isinstance(items, list):
        for index, item in enumerate(items):
            # The loader converts loosely (str(5) is a URL to it): check the JSON as written first.
            problem = _mismatch(LiveTarget, item, f"targets[{index}]") if isinstance(item, dict) else ""
            if problem:
                raise ObservationFileError(f"{shown}: {problem}")
    try:
        load_observations(path)
    except Exception as exc:  # noqa: BLE001 - any shape the model rejects is the file's problem
        detail = str(exc).replace(str(path), "").strip(": ").splitlines()[0][:200] if str(exc) else ""
        raise ObservationFileError(f"{shown}: not a prodcheck observations file: "
                                   f"{type(exc).__name__}: {detail}".rstrip(": ")) from None


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


def _mismatch(hint: Any, value: Any, where: str) -> str:
    """Why a JSON value does not fit the declared type (empty when it fits); missing keys take defaults."""
    if hint is Any:
        return ""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return ""
        problems = [_mismatch(o, value, where) for o in options if o is not type(None)]
        return "" if any(not p for p in problems) else problems[0]
    if value is None:
        return f"{where}: must not be null"
    if origin is tuple:
        if not isinstance(value, list):
            return f"{where}: expected a list, got {_json_type(value)}"
        args = typing.get_args(hint)
        repeated = len(args) == 2 and args[1] is Ellipsis
        if not repeated and len(value) != len(args):
            return f"{where}: expected {len(args)} items, got {len(value)}"
        subs = [args[0]] * len(value) if repeated else list(args)
        return next((p for i, (sub, item) in enumerate(zip(subs, value, strict=False))
                     if (p := _mismatch(sub, item, f"{where}[{i}]"))), "")
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where}: expected an object, got {_json_type(value)}"
        value_hint = typing.get_args(hint)[1] if len(typing.get_args(hint)) == 2 else Any
        return next((p for k, item in value.items() if (p := _mismatch(value_hint, item, f"{where}.{k}"))), "")
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return f"{where}: expected an object, got {_json_type(value)}"
        hints = typing.get_type_hints(hint)
        names = {f.name for f in dataclasses.fields(hint)}
        return next((p for k, item in value.items() if k in names
                     and (p := _mismatch(hints.get(k, Any), item, f"{where}.{k}"))), "")
    checks: dict[Any, tuple[tuple[type, ...], str]] = {
        bool: ((bool,), "true or false"), int: ((int,), "a whole number"), float: ((int, float), "a number"),
        str: ((str,), "a string"),
    }
    if hint in checks:
        kinds, wanted = checks[hint]
        if (isinstance(value, bool) and hint is not bool) or not isinstance(value, kinds):
            return f"{where}: expected {wanted}, got {_json_type(value)}"
    return ""


def _json_type(value: Any) -> str:
    for kind, name in ((bool, "true/false"), (int, "a number"), (float, "a number"), (str, "a string"),
                       (list, "a list"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__
