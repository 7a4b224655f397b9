"""Role of a deployment file from its path and name, and from config overrides.

Conventions, in order: ``.devcontainer/``; test folders and names (``test``,
``tests``, ``e2e``, ``cypress``, ``playwright``); ``ci``; documentation sites
(``docs/``); examples; development names (``dev``, ``local``, ``debug``);
build and base images (``builder``, ``base``); then production names
(``prod``, ``deploy``, ``release``). Words are whole tokens of the path, so
``document.Dockerfile`` is not documentation and ``circle`` is not CI.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping

from auditor.deploy.model import Role, RoleDecision

_DIR_RULES: tuple[tuple[Role, frozenset[str]], ...] = (
    (Role.DEVCONTAINER, frozenset({".devcontainer"})),
    (Role.TEST, frozenset({"test", "tests", "e2e", "cypress", "playwright", "__tests__", "spec", "testing",
                           "integration-tests", "test-data", "testdata", "fixtures"})),
    (Role.CI, frozenset({".github", ".gitlab", ".circleci", "ci", ".buildkite"})),
    (Role.DOCS, frozenset({"docs", "doc", "documentation", "website", "mkdocs"})),
    (Role.EXAMPLE, frozenset({"examples", "example", "samples", "sample", "demo", "demos", "quickstart"})),
    (Role.DEVELOPMENT, frozenset({"dev", "development", "local", ".dev", "devenv"})),
)
_NAME_RULES: tuple[tuple[Role, frozenset[str]], ...] = (
    (Role.DEVCONTAINER, frozenset({"devcontainer"})),
    (Role.TEST, frozenset({"test", "tests", "e2e", "cypress", "playwright", "spec", "testing", "integration"})),
    (Role.CI, frozenset({"ci"})),
    (Role.DOCS, frozenset({"docs", "doc", "mkdocs", "storybook"})),
    (Role.EXAMPLE, frozenset({"example", "examples", "sample", "demo"})),
    (Role.DEVELOPMENT, frozenset({"dev", "development", "local", "debug", "devel", "hotreload", "watch"})),
    (Role.TOOLING, frozenset({"builder", "base", "build", "tools", "tooling", "toolchain"})),
)
PRODUCTION_WORDS = frozenset({"prod", "production", "release", "deploy", "deployment", "live", "swarm", "stack"})
_GENERIC = frozenset({"docker", "compose", "dockerfile", "containerfile", "yml", "yaml", "override"})


def name_tokens(name: str) -> set[str]:
    """Lower-case words of a file name (``docker-compose.relational.ci.yaml`` -> relational, ci ...)."""
    return {t for t in re.split(r"[._\-]+", name.lower()) if t} - _GENERIC


def convention_role(path: str) -> RoleDecision | None:
    """The role path and name conventions give, None when they say nothing."""
    parts = path.split("/")
    folders = [p.lower() for p in parts[:-1]]
    tokens = name_tokens(parts[-1])
    for role, words in _DIR_RULES:
        hit = next((f for f in folders if f in words), None)
        if hit is not None:
            return RoleDecision(role, f"under {hit}/")
    for role, words in _NAME_RULES:
        hit = next((t for t in sorted(tokens) if t in words), None)
        if hit is not None:
            return RoleDecision(role, f"its name says {hit!r}")
    hit = next((t for t in sorted(tokens) if t in PRODUCTION_WORDS), None)
    if hit is not None:
        return RoleDecision(Role.PRODUCTION, f"its name says {hit!r}")
    return None


def override_role(path: str, overrides: Mapping[str, Role]) -> RoleDecision | None:
    """The role the config's ``deploy:`` section gives a path (exact path or glob)."""
    for pattern, role in overrides.items():
        if path == pattern or fnmatch.fnmatch(path, pattern):
            return RoleDecision(role, f"set in the config (deploy: {pattern}: {role.value})")
    return None
