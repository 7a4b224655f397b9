"""Configuration: flags > ``PRODCHECK_*`` environment > config file > defaults.

The config file is ``--config FILE``, else ``.prodcheck.yaml`` / ``prodcheck.yaml``
in the scanned root, else ``[tool.prodcheck]`` in its ``pyproject.toml``.
Unknown keys and bad values are errors that name the file, key and line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.model import DEFAULT_MIN_CONFIDENCE, Confidence, Section, Severity
from auditor.options import IgnoreRule, ScanOptions

BASELINE_FILE = ".prodcheck-baseline.json"
CONFIG_NAMES = (".prodcheck.yaml", ".prodcheck.yml", "prodcheck.yaml", "prodcheck.yml")

# key -> (type description, validator)
_TOP_KEYS = {
    "fail_on", "min_score", "offline", "formats", "checks", "sections", "severity", "ignore",
    "exclude", "max_file_kb", "live", "targets", "no_burst", "timeout", "min_confidence", "profile",
}
PROFILES = ("service", "distribution")
_LIVE_KEYS = {"assets", "health_paths", "burst_path", "burst_size", "no_burst", "timeout", "ca_bundle", "resolve"}


class SettingsError(Exception):
    """A configuration problem; the message names file, key and line."""


@dataclass
class Settings:
    """Resolved settings (mutable while resolving, read-only by convention after)."""

    fail_on: str | None = None
    min_score: float | None = None
    min_confidence: str | None = None
    profile: str | None = None  # service | distribution; None = guessed from the repository
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

    def scan_options(self, *, path: Path | None, urls: tuple[str, ...], ca_bundle: Path | None = None,
                     resolves: tuple[str, ...] = (), save_observations: Path | None = None,
                     from_observations: Path | None = None) -> ScanOptions:
        """Freeze into the options a scan runs with."""
        live = dict(self.live)
        live["no_burst"] = self.no_burst or bool(live.get("no_burst"))
        live["timeout"] = self.timeout
        if ca_bundle is not None:
            live["ca_bundle"] = str(ca_bundle)
        if resolves:
            live["resolve"] = list(resolves)
        all_urls = list(urls) + [str(t["url"]) for t in self.targets if t.get("url") and not urls]
        live["targets"] = self.targets
        if self.source:
            live["config_file"] = self.source
            live["config_url_lines"] = {str(t["url"]): t.get("_line") for t in self.targets if t.get("url")}
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
            min_confidence=Confidence.parse(self.min_confidence) if self.min_confidence else DEFAULT_MIN_CONFIDENCE,
            profile=self.profile,
        )


def find_config(root: Path | None, explicit: Path | None) -> tuple[Path, dict[str, Any], dict[str, int]] | None:
    """Locate and load the config file; returns (path, data, key lines) or None."""
    if explicit is not None:
        if not explicit.is_file():
            raise SettingsError(f"{explicit}: config file not found")
        return _load_file(explicit)
    if root is None:
        root = Path(".")
    for name in CONFIG_NAMES:
        candidate = root / name
        if candidate.is_file():
            return _load_file(candidate)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{pyproject}: invalid TOML: {exc}") from None
        section = data.get("tool", {}).get("prodcheck")
        if isinstance(section, dict):
            return pyproject, section, {}
    return None


def _load_file(path: Path) -> tuple[Path, dict[str, Any], dict[str, int]]:
    if path.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: invalid TOML: {exc}") from None
        section = data.get("tool", {}).get("prodcheck", data)
        return path, section if isinstance(section, dict) else {}, {}
    from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise SettingsError(f"{path}{where}: {exc.reason}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from None
    except (ValueError, TypeError) as exc:
        # ruamel's constructors raise plain errors for values such as the date 2026-13-01.
        raise SettingsError(f"{path}: invalid YAML value: {exc}") from None
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
        settings.source_lines = lines
        _apply_file(settings, data, str(path), lines)
    _apply_env(settings, environ)
    _apply_cli(settings, cli)
    return settings


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
        except (TypeError, ValueError) as exc:
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
    except (TypeError, ValueError) as exc:
        raise _ValueProblem(f"bad value for {path!r}: {exc}", path, _line(parent, sub)) from None


def _apply_key(settings: Settings, key: str, value: Any) -> None:
    holder = {key: value}  # lets _field treat top-level and nested values alike
    if key == "fail_on":
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
        settings.max_file_kb = int(_positive(value))
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
    elif key == "live":
        settings.live.update(_mapping(value, _LIVE_KEYS, key))
    elif key == "targets":
        items = _field(holder, key, key, _list)
        for index, item in enumerate(items):
            target = dict(_mapping(item, {"url", *_LIVE_KEYS}, f"targets[{index}]"))
            if not target.get("url"):
                raise _ValueProblem(f"targets[{index}] needs a 'url'", key, _line(items, index))
            target["_line"] = _line(items, index)
            settings.targets.append(target)


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
        from auditor.registry import load_registry

        registry = load_registry()
    except Exception:  # noqa: BLE001 - a broken check module must not make config loading fail
        return
    known = {spec.id for spec in registry} | set(registry.aliases)
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
    """``service`` or ``distribution``; anything else is a ValueError naming the choices."""
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


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value  # keep ruamel's sequence so item line numbers survive
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str):
        return [value]
    raise TypeError(f"expected a list, got {type(value).__name__}")


def _mapping(value: Any, allowed: set[str], path: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _ValueProblem(f"bad value for {path!r}: expected a mapping, got {type(value).__name__}", path,
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
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    number = float(value)
    if not 0 <= number <= 100:
        raise ValueError(f"min_score must be between 0 and 100, got {value!r}")
    return number


def _positive(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    number = float(value)
    if number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


def _format(value: Any) -> str:
    from reports import FORMATS

    text = str(value).strip().lower()
    if text not in FORMATS:
        raise ValueError(f"unknown format {text!r} (choose from {', '.join(FORMATS)})")
    return text
