"""Docker Compose files as typed views with line numbers.

Values are kept as written: ``${VAR:-default}`` stays visible so checks can
judge defaults. Anchors and merge keys are resolved by ruamel.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auditor.parsing import ParseProblem
from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $VAR
VAR_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class VarRef:
    """A ``${VAR}`` reference in a compose file."""

    name: str
    default: str | None
    line: int | None


@dataclass(frozen=True)
class Service:
    """One compose service: its name, raw mapping and the line of its key."""

    name: str
    data: Any = field(repr=False)
    line: int | None

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level key of the service definition."""
        if isinstance(self.data, dict):
            return self.data.get(key, default)
        return default

    def line_of(self, key: str) -> int | None:
        """Line of a key in this service, falling back to the service line."""
        if isinstance(self.data, dict) and key in self.data:
            return line_of(self.data, key) or self.line
        return self.line

    @property
    def image(self) -> str | None:
        """The image reference, if the service names one."""
        image = self.get("image")
        return str(image) if image is not None else None

    def environment(self) -> list[tuple[str, str | None, int | None]]:
        """Environment entries as (name, value or None, line), from list or mapping form."""
        env = self.get("environment")
        out: list[tuple[str, str | None, int | None]] = []
        if isinstance(env, dict):
            for key, value in env.items():
                out.append((str(key), None if value is None else str(value), line_of(env, key)))
        elif isinstance(env, list):
            for index, item in enumerate(env):
                name, sep, value = str(item).partition("=")
                out.append((name.strip(), value if sep else None, line_of(env, index)))
        return out

    def as_list(self, key: str) -> list[tuple[Any, int | None]]:
        """A list-valued key (ports, volumes, cap_add ...) as (item, line) pairs."""
        value = self.get(key)
        if isinstance(value, list):
            return [(item, line_of(value, i)) for i, item in enumerate(value)]
        if isinstance(value, dict):  # e.g. depends_on in long form
            return [(k, line_of(value, k)) for k in value]
        if value is None:
            return []
        return [(value, self.line_of(key))]


@dataclass(frozen=True)
class ComposeFile:
    """A parsed compose file."""

    path: str
    data: Any = field(repr=False)
    services: tuple[Service, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    text: str = field(default="", repr=False)

    def top(self, key: str) -> dict[str, Any]:
        """A top-level mapping (volumes, networks, secrets, configs), empty when absent."""
        if isinstance(self.data, dict) and isinstance(self.data.get(key), dict):
            return dict(self.data[key])
        return {}

    def top_line(self, key: str) -> int | None:
        """Line of a top-level key."""
        if isinstance(self.data, dict) and key in self.data:
            return line_of(self.data, key)
        return None

    def service(self, name: str) -> Service | None:
        """A service by name."""
        for svc in self.services:
            if svc.name == name:
                return svc
        return None

    def var_refs(self) -> list[VarRef]:
        """Every ``${VAR}`` reference in the file, with its default and line."""
        refs = []
        for lineno, line in enumerate(self.text.splitlines(), start=1):
            stripped = line.lstrip()
            if stripped.startswith("#"):
                continue
            for match in VAR_REF.finditer(line.replace("$$", "")):
                name = match.group(1) or match.group(4)
                default = match.group(3) if match.group(2) and "-" in match.group(2) else None
                refs.append(VarRef(name, default, lineno))
        return refs


def parse_compose(path: str, text: str) -> ComposeFile:
    """Parse compose YAML; a malformed or hostile file yields a problem, never an exception."""
    try:
        return _parse_compose(path, text)
    except YamlError as exc:
        return ComposeFile(path, None, (), (ParseProblem(path, exc.line, exc.reason),), text)
    except Exception as exc:  # noqa: BLE001 - the parse boundary: odd shapes become a problem
        return ComposeFile(path, None, (), (ParseProblem(path, None, f"could not read compose file: "
                                                                    f"{type(exc).__name__}"),), text)


def _parse_compose(path: str, text: str) -> ComposeFile:
    data = load_yaml(text)
    if data is None:
        return ComposeFile(path, None, (), (), text)
    if not isinstance(data, dict):
        return ComposeFile(path, data, (), (ParseProblem(path, 1, "top level is not a mapping"),), text)
    services_node = data.get("services")
    services: list[Service] = []
    problems: list[ParseProblem] = []
    if isinstance(services_node, dict):
        for name, body in services_node.items():
            if not isinstance(body, dict) and body is not None:
                problems.append(ParseProblem(path, line_of(services_node, name),
                                             f"service {name!r} is not a mapping"))
                continue
            services.append(Service(str(name), body if body is not None else {}, line_of(services_node, name)))
    elif services_node is not None:
        problems.append(ParseProblem(path, line_of(data, "services"), "'services' is not a mapping"))
    return ComposeFile(path, data, tuple(services), tuple(problems), text)
