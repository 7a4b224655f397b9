"""Collect secret values present in scanned files so outputs can be scrubbed of them."""

from __future__ import annotations

import re

from auditor.project import Project

SECRET_KEY = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|PASS$|PWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH|DSN|_KEY$|^KEY$|SALT|WEBHOOK)", re.IGNORECASE)
_PLACEHOLDER_WORDS = frozenset({"changeme", "change-me", "change_me", "secret", "password", "example", "placeholder", "todo", "xxx", "none", "null", "true", "false"})


def looks_secret_key(name: str) -> bool:
    """True for variable names that conventionally hold secrets."""
    return bool(SECRET_KEY.search(name))


def collect_secret_values(project: Project) -> frozenset[str]:
    """Values of secret-named variables in env files, compose files and Dockerfiles."""
    values: set[str] = set()

    def add(name: str, value: str | None) -> None:
        if value is None:
            return
        value = value.strip().strip("'\"")
        if len(value) < 6 or value.lower() in _PLACEHOLDER_WORDS or value.startswith("${"):
            return
        if looks_secret_key(name):
            values.add(value)

    for env in (*project.env_files, *project.env_templates):
        for entry in env.entries:
            add(entry.key, entry.value)
    for compose in project.compose_files:
        for service in compose.services:
            for name, value, _line in service.environment():
                add(name, value)
    for dockerfile in project.dockerfiles:
        for stage in dockerfile.stages:
            for ins in stage.of("ENV", "ARG"):
                for name, value in env_pairs(ins.args):
                    add(name, value)
    return frozenset(values)


def env_pairs(value: str) -> list[tuple[str, str | None]]:
    """``ENV A=1 B=2`` / ``ENV A 1`` / ``ARG A`` as (name, value) pairs."""
    from auditor.parsing.dockerfile import shell_words

    words = shell_words(value)
    if not words:
        return []
    if "=" not in words[0]:
        # Legacy "ENV KEY value with spaces" form, or a bare ARG name.
        return [(words[0], " ".join(words[1:]) if len(words) > 1 else None)]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, sep, val = word.partition("=")
        pairs.append((name, val if sep else None))
    return pairs
