"""Configuration: flags > ``PRODCHECK_*`` environment > config file > defaults.

The config file is ``--config FILE``, else the nearest ``.prodcheck.yaml`` / ``prodcheck.yaml``
or ``[tool.prodcheck]`` in a ``pyproject.toml``, looking from the scanned path upward to its
repository root (see :func:`config_dirs`).
Unknown keys and bad values are errors that name the file, key and line.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ProdcheckError
from auditor.model import DEFAULT_MIN_CONFIDENCE, Confidence, Section, Severity
from auditor.options import IgnoreRule, ScanOptions

BASELINE_FILE = ".prodcheck-baseline.json"
CONFIG_NAMES = (".prodcheck.yaml", ".prodcheck.yml", "prodcheck.yaml", "prodcheck.yml")

# key -> (type description, validator)
_TOP_KEYS = {
    "fail_on", "min_score", "offline", "formats", "checks", "sections", "severity", "ignore",
    "exclude", "max_file_kb", "live", "targets", "no_burst", "timeout", "roles", "deploy",
    "history", "notify", "notify_always", "regressions",  # validated by auditor.history.scan_hook
    "min_confidence", "profile",
}
_LIVE_KEYS = {"assets", "health_paths", "burst_path", "burst_size", "no_burst", "timeout", "ca_bundle", "resolve",
              "target_timeout"}


class SettingsError(ProdcheckError):
    """A configuration problem; the message names file, key and line.

    The message may quote the repository's own config (a key, a value): it is
    masked and escaped here, once, so no caller can print a secret or a
    terminal escape from it.
    """

    def __init__(self, message: str) -> None:
        from auditor.textsafe import safe_text

        super().__init__(safe_text(message, keep_newlines=False))


@dataclass
class Settings:
    """Resolved settings (mutable while resolving, read-only by convention after)."""

    fail_on: str | None = None
    min_score: float | None = None
    min_confidence: str | None = None
    profile: str | None = None  # service | distribution | template; None = guessed from the repository
    offline: bool = False
    no_burst: bool = False
    timeout: float = 10.0
    formats: list[str] = field(default_factory=list)
    disabled_checks: set[str] = field(default_factory=set)
    only_checks: set[str] = field(default_factory=set)
    disabled_sections: set[Section] = field(default_factory=set)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    ignores: list[IgnoreRule] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    max_file_kb: int = 2048
    live: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    source_lines: dict[str, int] = field(default_factory=dict)
    check_id_lines: dict[str, int | None] = field(default_factory=dict)
    ignore_lines: list[int | None] = field(default_factory=list)
    # The config was named by the user (--config): only then may it name live targets.
    trusted_config: bool = False
    target_timeout: float | None = None
    roles: str = "production"  # which deployment roles checks judge: production | all
    deploy_roles: dict[str, str] = field(default_factory=dict)  # path glob -> role (config `deploy:`)
    history: dict[str, Any] = field(default_factory=dict)  # history, notify, notify_always, regressions

    def scan_options(self, *, path: Path | None, urls: tuple[str, ...], ca_bundle: Path | None = None,
                     resolves: tuple[str, ...] = (), save_observations: Path | None = None,
                     from_observations: Path | None = None) -> ScanOptions:
        """Freeze into the options a scan runs with."""
        live = dict(self.live)
        live["no_burst"] = self.no_burst or bool(live.get("no_burst"))
        live["timeout"] = self.timeout
        if self.target_timeout is not None:
            live["target_timeout"] = self.target_timeout
        from auditor.live.trust import untrusted_live_config

        targets, may_name, notes = untrusted_live_config(self.targets, live, self.source, trusted=self.trusted_config)
        live["notes"] = notes
        if ca_bundle is not None:
            live["ca_bundle"] = str(ca_bundle)
        if resolves:
            live["resolve"] = list(resolves)
        all_urls = list(urls) + [str(t["url"]) for t in targets if t.get("url") and not urls and may_name]
        live["targets"] = targets
        if self.source:
            live["config_file"] = self.source
            live["config_url_lines"] = {str(t["url"]): t.get("_line") for t in targets if t.get("url")}
        return ScanOptions(
            path=path,
            urls=tuple(dict.fromkeys(all_urls)),
            only_checks=frozenset(self.only_checks),
            disabled_checks=frozenset(self.disabled_checks),
            disabled_sections=frozenset(self.disabled_sections),
            severity_overrides=dict(self.severity_overrides),
            ignores=tuple(self.ignores),
            # The baseline file holds fingerprints and messages, not code: never judge it.
            excludes=(*self.excludes, "/" + BASELINE_FILE),
            max_file_bytes=self.max_file_kb * 1024,
            offline=self.offline,
            live=live,
            from_observations=from_observations,
            save_observations=save_observations,
            roles=self.roles,
            deploy_roles=dict(self.deploy_roles),
            min_confidence=Confidence.parse(self.min_confidence) if self.min_confidence else DEFAULT_MIN_CONFIDENCE,
            profile=self.profile,
        )


#: The config file is a few dozen lines; anything bigger is refused before it is parsed.
MAX_CONFIG_BYTES = 1024 * 1024
#: ``max_file_kb`` above this (1 GiB) is refused: prodcheck reads every kept file whole.
MAX_FILE_KB_LIMIT = 1024 * 1024


def find_config(root: Path | None, explicit: Path | None) -> tuple[Path, dict[str, Any], dict[str, int]] | None:
    """Locate and load the config file; returns (path, data, key lines) or None.

    A config found in the scanned tree is read only when it really lives
    there: a symlink that leaves the tree is refused, and its content is never
    shown. A ``--config`` file was named by the user and may live anywhere.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise SettingsError(f"{explicit}: config file not found")
        return _load_file(explicit, _read_config(explicit))
    dirs = config_dirs(root if root is not None else Path("."))
    top = dirs[-1]  # the repository root: no config is read from above it, nor through a symlink out of it
    for directory in dirs:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() or candidate.is_symlink():
                return _load_file(candidate, _read_config(candidate, root=top))
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() or pyproject.is_symlink():
            found = _from_pyproject(pyproject, _read_config(pyproject, root=top))
            if found is not None:
                return found
    return None


def config_dirs(root: Path) -> list[Path]:
    """Where a config is looked for, nearest first: the scanned path, then upward to its repository root.

    As ruff does, so that ``prodcheck scan svc`` in a monorepo honours the root's config and
    gates. The walk stops at the first folder holding ``.git``; outside a repository only the
    scanned path itself is searched, so nothing above the project is ever read.
    """
    start = root.resolve()
    chain = [start, *start.parents]
    for index, directory in enumerate(chain):
        if (directory / ".git").exists():
            return chain[: index + 1]
    return [start]


def _read_config(path: Path, *, root: Path | None = None) -> str:
    """The text of a config file: inside ``root`` (when given), under the size cap, UTF-8."""
    from auditor.textsafe import safe_path

    shown = safe_path(str(path))
    try:
        if root is not None:
            resolved = path.resolve(strict=True)
            if not resolved.is_relative_to(root.resolve()):
                raise SettingsError(f"{shown}: refused: a symlink that leaves the scanned tree")
            if not resolved.is_file():
                raise SettingsError(f"{shown}: not a regular file")
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise SettingsError(f"{shown}: config file is {size // 1024} KiB, over the "
                                f"{MAX_CONFIG_BYTES // 1024} KiB limit for a config file")
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except (OSError, RuntimeError) as exc:
        raise SettingsError(f"{shown}: cannot read: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise SettingsError(f"{shown}: config file is over the {MAX_CONFIG_BYTES // 1024} KiB limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{shown}: not UTF-8 text (byte {exc.start})") from None


def _from_pyproject(path: Path, text: str) -> tuple[Path, dict[str, Any], dict[str, int]] | None:
    """``[tool.prodcheck]`` of a pyproject.toml; None when it has none.

    A pyproject.toml that does not parse is the project's problem, not a
    configuration error, unless it (apparently) holds prodcheck's table: the
    PARSE-ERROR check reports it and the scan goes on.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if _names_prodcheck_table(text):
            raise SettingsError(f"{path}: invalid TOML: {exc}") from None
        return None
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise SettingsError(f"{path}:{_toml_line(text, 'tool')}: 'tool' must be a table, got {_type_name(tool)}")
    section = tool.get("prodcheck")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise SettingsError(f"{path}:{_toml_line(text, 'prodcheck')}: 'tool.prodcheck' must be a table, "
                            f"got {_type_name(section)}")
    return path, section, _toml_key_lines(text, section)


def _names_prodcheck_table(text: str) -> bool:
    """Whether TOML text (even broken) appears to hold a ``[tool.prodcheck]`` table."""
    import re

    if re.search(r"\btool\s*\.\s*\"?prodcheck\b", text):
        return True
    header = re.search(r"^\s*\[\s*tool\s*\]", text, re.MULTILINE)
    if header is None:
        return False
    body = text[header.end():]
    next_table = re.search(r"^\s*\[", body, re.MULTILINE)
    body = body[: next_table.start()] if next_table else body
    return bool(re.search(r"^\s*\"?prodcheck\"?\s*[.=]", body, re.MULTILINE))


def _type_name(value: Any) -> str:
    for kind, name in ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"),
                       (list, "a list"), (dict, "a mapping"), (dt.date, "a date")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _toml_line(text: str, key: str) -> int:
    """Best-effort line of ``key = ...`` or ``[...key...]`` in TOML text (tomllib keeps no positions)."""
    import re

    pattern = re.compile(rf"^\s*(?:\[[^\]\n]*\b{re.escape(key)}\b|(?:[\w.\-\"]*\.)?{re.escape(key)}\s*=)", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _toml_key_lines(text: str, section: Mapping[str, Any]) -> dict[str, int]:
    """Lines of the top-level keys of ``[tool.prodcheck]`` (first occurrence after the table header)."""
    import re

    header = re.search(r"^\s*\[tool\.prodcheck\]", text, re.MULTILINE)
    offset = header.end() if header else 0
    lines: dict[str, int] = {}
    for key in section:
        match = re.compile(rf"^\s*(?:\[tool\.prodcheck\.)?{re.escape(str(key))}\b", re.MULTILINE).search(text, offset)
        if match:
            lines[str(key)] = text.count("\n", 0, match.start()) + 1
    return lines


def _load_file(path: Path, text: str) -> tuple[Path, dict[str, Any], dict[str, int]]:
    if path.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: invalid TOML: {exc}") from None
        tool = data.get("tool")
        if isinstance(tool, dict) and "prodcheck" in tool:
            found = _from_pyproject(path, text)
            return found if found is not None else (path, {}, {})
        if tool is not None and not isinstance(tool, dict):
            raise SettingsError(f"{path}:{_toml_line(text, 'tool')}: 'tool' must be a table, got {_type_name(tool)}")
        return path, data, _toml_key_lines(text, data)
    from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml

    try:
        data = load_yaml(text)
    except YamlError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise SettingsError(f"{path}{where}: {exc.reason}") from None
    if data is None:
        return path, {}, {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}:1: the config must be a mapping of keys")
    lines = {str(k): line_of(data, k) or 0 for k in data}
    return path, data, lines


def resolve_settings(*, root: Path | None, config_path: Path | None, cli: Mapping[str, Any],
                     environ: Mapping[str, str]) -> Settings:
    """Merge defaults, config file, environment and CLI flags, in that order of strength."""
    settings = Settings()
    found = find_config(root, config_path)
    if found is not None:
        path, data, lines = found
        settings.source = str(path)
        settings.trusted_config = config_path is not None
        settings.source_lines = lines
        _apply_file(settings, data, str(path), lines)
        if config_path is None:
            _confine_paths(settings, root or Path("."), str(path))
    _apply_env(settings, environ)
    _apply_cli(settings, cli)
    return settings


def _confine_paths(settings: Settings, root: Path, source: str) -> None:
    """Files named by a config found in the scanned tree must be in that tree.

    The repository is not trusted: its config may not make prodcheck read
    ``/etc/shadow`` as a CA bundle. A relative path is taken from the root.
    """
    base = root.resolve()
    holders = [settings.live, *settings.targets]
    for holder in holders:
        value = holder.get("ca_bundle")
        if not value:
            continue
        try:
            resolved = (base / str(value)).resolve(strict=True)
        except (OSError, RuntimeError):
            raise SettingsError(f"{source}: live.ca_bundle: file not found in the scanned tree") from None
        if not resolved.is_relative_to(base) or not resolved.is_file():
            raise SettingsError(f"{source}: live.ca_bundle: refused: it points outside the scanned tree "
                                "(name it with --ca-bundle instead)")
        holder["ca_bundle"] = str(resolved)


class _ValueProblem(Exception):
    """A bad nested value: the dotted key path and, when known, its line."""

    def __init__(self, message: str, key_path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key_path = key_path
        self.line = line


def _line(node: Any, sub: Any = None) -> int | None:
    from auditor.parsing.yamlsafe import line_of

    return line_of(node, sub)


def _apply_file(settings: Settings, data: Mapping[str, Any], source: str, lines: Mapping[str, int]) -> None:
    for key in data:
        if key not in _TOP_KEYS:
            line = lines.get(str(key))
            where = f"{source}:{line}" if line else source
            raise SettingsError(f"{where}: unknown key {key!r}{_suggest(str(key), _TOP_KEYS)} "
                                f"(known: {', '.join(sorted(_TOP_KEYS))})")
    for key, value in data.items():
        try:
            _apply_key(settings, str(key), value)
        except _ValueProblem as exc:
            line = exc.line or lines.get(str(key))
            where = f"{source}:{line}" if line else source
            raise SettingsError(f"{where}: {exc.message}") from None
        except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as exc:
            # The config is data from the repository: any shape it has ends as a message, not a traceback.
            line = lines.get(str(key))
            where = f"{source}:{line}" if line else source
            raise SettingsError(f"{where}: bad value for {key!r}: {exc}") from None
    _validate_check_ids(settings, source)


def _field(parent: Any, sub: Any, path: str, convert: Any) -> Any:
    """Convert ``parent[sub]``; a failure names the dotted key path and its line."""
    try:
        return convert(parent[sub])
    except _ValueProblem:
        raise
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise _ValueProblem(f"bad value for {path!r}: {exc}", path, _line(parent, sub)) from None


def _apply_key(settings: Settings, key: str, value: Any) -> None:
    holder = {key: value}  # lets _field treat top-level and nested values alike
    if key in {"history", "notify", "notify_always", "regressions"}:
        settings.history[key] = value
    elif key == "fail_on":
        settings.fail_on = Severity.parse(_scalar(value)).label
    elif key == "min_score":
        settings.min_score = _score(value)
    elif key == "min_confidence":
        settings.min_confidence = Confidence.parse(_scalar(value)).label
    elif key == "profile":
        settings.profile = _profile(_scalar(value))
    elif key in {"offline", "no_burst"}:
        setattr(settings, key, _bool(value))
    elif key == "timeout":
        settings.timeout = _positive(value)
    elif key == "formats":
        items = _field(holder, key, key, _list)
        settings.formats = [_field(items, i, f"formats[{i}]", _format) for i in range(len(items))]
    elif key == "max_file_kb":
        settings.max_file_kb = _file_kb(value)
    elif key == "exclude":
        settings.excludes = [_scalar(v) for v in _list(value)]
    elif key == "checks":
        mapping = _mapping(value, {"disable", "enable", "only"}, key)
        ids = {k: _check_ids(value, k, f"checks.{k}") for k in mapping}
        for found in ids.values():
            settings.check_id_lines.update(found)
        settings.disabled_checks |= set(ids.get("disable", {}))
        settings.disabled_checks -= set(ids.get("enable", {}))
        settings.only_checks |= set(ids.get("only", {}))
    elif key == "sections":
        mapping = _mapping(value, {"disable"}, key)
        if "disable" in mapping:
            items = _field(value, "disable", "sections.disable", _list)
            for i in range(len(items)):
                settings.disabled_sections.add(
                    _field(items, i, f"sections.disable[{i}]", lambda v: Section.parse(_scalar(v))))
    elif key == "severity":
        if not isinstance(value, dict):
            raise TypeError("expected a mapping of CHECK-ID: severity")
        for check_id in value:
            sev = _field(value, check_id, f"severity.{check_id}", lambda v: Severity.parse(_scalar(v)))
            settings.severity_overrides[_scalar(check_id).upper()] = sev
            settings.check_id_lines[_scalar(check_id).upper()] = _line(value, check_id)
    elif key == "ignore":
        items = _field(holder, key, key, _list)
        for index, item in enumerate(items):
            settings.ignores.append(_ignore_rule(items, index, item))
            settings.ignore_lines.append(_line(item, "check"))
    elif key == "roles":
        settings.roles = _roles(value)
    elif key == "deploy":
        settings.deploy_roles.update(_deploy_roles(value))
    elif key == "live":
        mapping = _mapping(value, _LIVE_KEYS, key)
        settings.live.update({k: _field(value, k, f"live.{k}", _LIVE_VALUES[k]) for k in mapping})
    elif key == "targets":
        items = _field(holder, key, key, _list)
        for index, item in enumerate(items):
            target = dict(_mapping(item, {"url", *_LIVE_KEYS}, f"targets[{index}]"))
            for sub in target:
                convert = _LIVE_VALUES.get(sub, _url)
                target[sub] = _field(item, sub, f"targets[{index}].{sub}", convert)
            if not target.get("url"):
                raise _ValueProblem(f"targets[{index}] needs a 'url'", key, _line(items, index))
            target["_line"] = _line(items, index)
            settings.targets.append(target)


def _file_kb(value: Any) -> int:
    number = _positive(value)
    if number > MAX_FILE_KB_LIMIT:
        raise ValueError(f"max_file_kb must be at most {MAX_FILE_KB_LIMIT} (1 GiB), got {value!r}")
    return max(1, int(number))


def _strings(value: Any) -> list[str]:
    """A string or a list of strings (nothing nested)."""
    return [_scalar(v) for v in _list(value)]


def _text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise TypeError(f"expected a string, got {_type_name(value)}")
    return str(value)


def _url(value: Any) -> str:
    text = _text(value)
    if not text.startswith(("http://", "https://")):
        raise ValueError(f"expected an http(s) URL, got {text[:80]!r}")
    return text


def _burst_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {_type_name(value)}")
    if not 1 <= value <= 30:
        raise ValueError(f"burst_size must be between 1 and 30, got {value!r}")
    return value


def _timeout(value: Any) -> float:
    number = _positive(value)
    if number > 120:
        raise ValueError(f"timeout must be at most 120 seconds, got {value!r}")
    return number


def _target_timeout(value: Any) -> float:
    number = _positive(value)
    if not 1 <= number <= 3600:
        raise ValueError(f"target_timeout must be between 1 and 3600 seconds, got {value!r}")
    return number


def _resolve_entries(value: Any) -> list[str]:
    entries = _strings(value)
    for entry in entries:
        if entry.count(":") < 2:
            raise ValueError(f"expected HOST:PORT:IP, got {entry[:80]!r}")
    return entries




def _ignore_rule(items: list[Any], index: int, item: Any) -> IgnoreRule:
    where = f"ignore[{index}]"
    rule = _mapping(item, {"check", "path", "reason", "expires"}, where)
    for needed in ("check", "reason"):
        if not rule.get(needed) or not str(rule[needed]).strip():
            raise _ValueProblem(f"{where} needs a non-empty {needed!r} (every ignore says what and why)",
                                where, _line(items, index))
    expires = None
    if rule.get("expires") is not None:
        expires = _field(item, "expires", f"{where}.expires",
                         lambda v: dt.date.fromisoformat(_scalar(v)).isoformat())
    check_id = _scalar(rule["check"]).upper()
    return IgnoreRule(check_id, _scalar(rule["reason"]).strip(),
                      _scalar(rule["path"]) if rule.get("path") else None, expires)


def _check_ids(parent: Any, sub: str, path: str) -> dict[str, int | None]:
    """Upper-cased check ids of a list, each with its line (for error messages)."""
    items = _field(parent, sub, path, _list)
    return {_field(items, i, f"{path}[{i}]", lambda v: _scalar(v).upper()): _line(items, i) or _line(parent, sub)
            for i in range(len(items))}


def _validate_check_ids(settings: Settings, source: str) -> None:
    """Unknown check ids in the config are errors: a typo would silently do nothing."""
    try:
        from auditor.registry import known_check_ids

        # The committed catalog answers without importing every check family (about 0.2 CPU-s).
        known = set(known_check_ids())
    except Exception:  # noqa: BLE001 - a broken check module must not make config loading fail
        return
    named: list[tuple[str, str, int | None]] = []
    named += [(c, "checks", settings.check_id_lines.get(c))
              for c in sorted(settings.disabled_checks | settings.only_checks)]
    named += [(c, "severity", settings.check_id_lines.get(c)) for c in settings.severity_overrides]
    named += [(r.check_id, "ignore", line) for r, line in zip(settings.ignores, settings.ignore_lines, strict=False)]
    for check_id, key, line in named:
        if check_id not in known:
            line = line or settings.source_lines.get(key)
            where = f"{source}:{line}" if line else source
            raise SettingsError(f"{where}: unknown check {check_id!r} in {key!r}{_suggest(check_id, known)} "
                                "(see 'prodcheck checks list')")


def _suggest(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, sorted(str(c) for c in choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _profile(text: str) -> str:
    """``service``, ``distribution`` or ``template``; anything else is a ValueError naming the choices."""
    from auditor.profile import PROFILES

    wanted = text.strip().lower()
    if wanted not in PROFILES:
        raise ValueError(f"unknown profile {text!r} (choose from {', '.join(PROFILES)})")
    return wanted


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise TypeError(f"expected a single value, got a {'mapping' if isinstance(value, dict) else 'list'}")
    return str(value)


def _apply_env(settings: Settings, environ: Mapping[str, str]) -> None:
    env = {k: v for k, v in environ.items() if k.startswith("PRODCHECK_") and v != ""}
    try:
        if "PRODCHECK_FAIL_ON" in env:
            settings.fail_on = Severity.parse(env["PRODCHECK_FAIL_ON"]).label
        if "PRODCHECK_MIN_SCORE" in env:
            settings.min_score = _score(env["PRODCHECK_MIN_SCORE"])
        if "PRODCHECK_MIN_CONFIDENCE" in env:
            settings.min_confidence = Confidence.parse(env["PRODCHECK_MIN_CONFIDENCE"]).label
        if "PRODCHECK_OFFLINE" in env:
            settings.offline = _bool(env["PRODCHECK_OFFLINE"])
        if "PRODCHECK_NO_BURST" in env:
            settings.no_burst = _bool(env["PRODCHECK_NO_BURST"])
        if "PRODCHECK_TIMEOUT" in env:
            settings.timeout = _positive(env["PRODCHECK_TIMEOUT"])
        if "PRODCHECK_FORMAT" in env:
            settings.formats = [_format(f) for f in env["PRODCHECK_FORMAT"].split(",") if f.strip()]
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"environment: {exc}") from None


def _apply_cli(settings: Settings, cli: Mapping[str, Any]) -> None:
    for key, value in cli.items():
        if value is None:
            continue
        if key == "fail_on":
            settings.fail_on = Severity.parse(str(value)).label
        elif key == "min_confidence":
            settings.min_confidence = Confidence.parse(str(value)).label
        elif key == "formats":
            settings.formats = list(value)
        else:
            setattr(settings, key, value)


def _roles(value: Any) -> str:
    text = _scalar(value).strip().lower()
    if text not in {"production", "all"}:
        raise ValueError(f"roles must be 'production' or 'all', not {text!r}")
    return text


def _deploy_roles(value: Any) -> dict[str, str]:
    """``deploy:`` maps a path or glob to a role (production, development, test, ci ...)."""
    from auditor.deploy.model import Role

    if not isinstance(value, dict):
        raise TypeError("expected a mapping of path or glob: role")
    out: dict[str, str] = {}
    for pattern in value:
        role = _field(value, pattern, f"deploy.{pattern}", lambda v: Role.parse(_scalar(v)))
        out[_scalar(pattern)] = role.value
    return out


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value  # keep ruamel's sequence so item line numbers survive
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str):
        return [value]
    raise TypeError(f"expected a list, got {_type_name(value)}")


def _mapping(value: Any, allowed: set[str], path: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _ValueProblem(f"bad value for {path!r}: expected a mapping, got {_type_name(value)}", path,
                            _line(value))
    for k in value:
        if str(k) not in allowed:
            dotted = f"{path}.{k}" if path else str(k)
            raise _ValueProblem(f"unknown key {dotted!r}{_suggest(str(k), allowed)} "
                                f"(known: {', '.join(sorted(allowed))})", dotted, _line(value, k))
    return {str(k): v for k, v in value.items()}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _score(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, got {_type_name(value)}")
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise ValueError(f"min_score must be between 0 and 100, got {value!r}")
    return number


def _positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected a number, got {_type_name(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    if number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


def _format(value: Any) -> str:
    from reports import FORMATS

    text = str(value).strip().lower()
    if text not in FORMATS:
        raise ValueError(f"unknown format {text!r} (choose from {', '.join(FORMATS)})")
    return text


# How each ``live:`` (and per-target) key is checked and converted.
_LIVE_VALUES: dict[str, Any] = {
    "assets": _strings,
    "health_paths": _strings,
    "burst_path": _text,
    "burst_size": _burst_size,
    "no_burst": _bool,
    "timeout": _timeout,
    "ca_bundle": _text,
    "resolve": _resolve_entries,
    "target_timeout": _target_timeout,
}
