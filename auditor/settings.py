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

from auditor.model import Section, Severity
from auditor.options import IgnoreRule, ScanOptions

CONFIG_NAMES = (".prodcheck.yaml", ".prodcheck.yml", "prodcheck.yaml", "prodcheck.yml")

# key -> (type description, validator)
_TOP_KEYS = {
    "fail_on", "min_score", "offline", "formats", "checks", "sections", "severity", "ignore",
    "exclude", "max_file_kb", "live", "targets", "no_burst", "timeout",
}
_LIVE_KEYS = {"assets", "health_paths", "burst_path", "burst_size", "no_burst", "timeout", "ca_bundle", "resolve"}


class SettingsError(Exception):
    """A configuration problem; the message names file, key and line."""


@dataclass
class Settings:
    """Resolved settings (mutable while resolving, read-only by convention after)."""

    fail_on: str | None = None
    min_score: float | None = None
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
            excludes=tuple(self.excludes),
            max_file_bytes=self.max_file_kb * 1024,
            offline=self.offline,
            live=live,
            from_observations=from_observations,
            save_observations=save_observations,
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


def _where(source: str, lines: Mapping[str, int], key: str, node: Any = None, sub: Any = None) -> str:
    line = None
    if node is not None and sub is not None:
        from auditor.parsing.yamlsafe import line_of

        line = line_of(node, sub)
    line = line or lines.get(key)
    return f"{source}:{line}" if line else source


def _apply_file(settings: Settings, data: Mapping[str, Any], source: str, lines: Mapping[str, int]) -> None:
    for key in data:
        if key not in _TOP_KEYS:
            raise SettingsError(f"{_where(source, lines, str(key))}: unknown key {key!r} "
                                f"(known: {', '.join(sorted(_TOP_KEYS))})")
    for key, value in data.items():
        where = _where(source, lines, str(key))
        try:
            _apply_key(settings, str(key), value, source)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{where}: bad value for {key!r}: {exc}") from None


def _apply_key(settings: Settings, key: str, value: Any, source: str) -> None:
    from auditor.parsing.yamlsafe import line_of

    if key == "fail_on":
        settings.fail_on = Severity.parse(str(value)).label
    elif key == "min_score":
        settings.min_score = _score(value)
    elif key in {"offline", "no_burst"}:
        setattr(settings, key, _bool(value))
    elif key == "timeout":
        settings.timeout = _positive(value)
    elif key == "formats":
        settings.formats = [_format(v) for v in _list(value)]
    elif key == "max_file_kb":
        settings.max_file_kb = int(_positive(value))
    elif key == "exclude":
        settings.excludes = [str(v) for v in _list(value)]
    elif key == "checks":
        mapping = _mapping(value, {"disable", "enable", "only"})
        settings.disabled_checks |= {str(v).upper() for v in _list(mapping.get("disable", []))}
        settings.disabled_checks -= {str(v).upper() for v in _list(mapping.get("enable", []))}
        settings.only_checks |= {str(v).upper() for v in _list(mapping.get("only", []))}
    elif key == "sections":
        mapping = _mapping(value, {"disable"})
        settings.disabled_sections |= {Section.parse(str(v)) for v in _list(mapping.get("disable", []))}
    elif key == "severity":
        if not isinstance(value, dict):
            raise TypeError("expected a mapping of CHECK-ID: severity")
        for check_id, sev in value.items():
            settings.severity_overrides[str(check_id).upper()] = Severity.parse(str(sev))
    elif key == "ignore":
        for item in _list(value):
            rule = _mapping(item, {"check", "path", "reason", "expires"})
            if not rule.get("check") or not rule.get("reason"):
                raise ValueError("each ignore needs 'check' and 'reason'")
            expires = rule.get("expires")
            if expires is not None:
                expires = dt.date.fromisoformat(str(expires)).isoformat()
            settings.ignores.append(IgnoreRule(str(rule["check"]).upper(), str(rule["reason"]),
                                               str(rule["path"]) if rule.get("path") else None, expires))
    elif key == "live":
        settings.live.update(_mapping(value, _LIVE_KEYS))
    elif key == "targets":
        for index, item in enumerate(_list(value)):
            target = dict(_mapping(item, {"url", *_LIVE_KEYS}))
            if not target.get("url"):
                raise ValueError("each target needs a 'url'")
            target["_line"] = line_of(value, index)
            settings.targets.append(target)


def _apply_env(settings: Settings, environ: Mapping[str, str]) -> None:
    env = {k: v for k, v in environ.items() if k.startswith("PRODCHECK_") and v != ""}
    try:
        if "PRODCHECK_FAIL_ON" in env:
            settings.fail_on = Severity.parse(env["PRODCHECK_FAIL_ON"]).label
        if "PRODCHECK_MIN_SCORE" in env:
            settings.min_score = _score(env["PRODCHECK_MIN_SCORE"])
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
        elif key == "formats":
            settings.formats = list(value)
        else:
            setattr(settings, key, value)


def _list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [value]
    raise TypeError(f"expected a list, got {type(value).__name__}")


def _mapping(value: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    unknown = [str(k) for k in value if str(k) not in allowed]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
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
    number = float(value)
    if not 0 <= number <= 100:
        raise ValueError(f"min_score must be between 0 and 100, got {value!r}")
    return number


def _positive(value: Any) -> float:
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
