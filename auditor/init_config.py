"""``prodcheck init``: write a commented starter ``.prodcheck.yaml`` for the detected stack.

The starter file sets a merge gate and lists every other key commented out
with an example, so a team sees what can be configured without reading the
docs. Whatever it writes must load through :func:`auditor.settings.resolve_settings`.
"""

from __future__ import annotations

from pathlib import Path

from auditor.errors import ProdcheckError
from auditor.project import Project

CONFIG_NAME = ".prodcheck.yaml"

# Where each framework usually exposes its health endpoint (a starting point, not a rule).
_HEALTH_PATHS = {
    "nestjs": "/health",
    "hono": "/health",
    "express": "/healthz",
    "fastify": "/health",
    "nextjs": "/api/health",
    "fastapi": "/health",
    "django": "/health/",
    "flask": "/health",
    "starlette": "/health",
}
# Paths a stack typically keeps test data or generated code in; offered as commented excludes.
_EXCLUDE_HINTS = {
    "node": ("**/__fixtures__/**", "**/*.test.ts", "**/*.spec.ts"),
    "python": ("tests/fixtures/**", "**/*_test.py"),
}


class InitError(ProdcheckError):
    """The starter config could not be written (exists without --force, unwritable)."""


def render_starter_config(stacks: tuple[str, ...]) -> str:
    """The commented starter config for these detected stacks."""
    detected = ", ".join(stacks) if stacks else "nothing specific (generic defaults)"
    health = next((_HEALTH_PATHS[s] for s in stacks if s in _HEALTH_PATHS), "/health")
    excludes = [p for s in stacks for p in _EXCLUDE_HINTS.get(s, ())]
    lines = [
        "# prodcheck configuration (written by `prodcheck init`).",
        f"# Detected stack: {detected}.",
        "# Precedence: command-line flags > PRODCHECK_* environment variables > this file > defaults.",
        "# Unknown keys and bad values are errors, so typos never go unnoticed.",
        "",
        "# Merge gates: exit 1 when an open finding is at or above this severity",
        "# (info, low, medium, high, critical). With --baseline only new findings count.",
        "fail_on: high",
        "# Exit 1 when the overall score (0-100) is below this.",
        "# min_score: 80",
        "",
        "# Skip checks that need the network (vulnerability databases).",
        "offline: false",
        "",
        "# Extra paths never scanned, in .gitignore syntax (.gitignore is already honoured).",
        "exclude: []",
    ]
    lines += [f"#   - \"{p}\"" for p in excludes]
    lines += [
        "",
        "checks:",
        "  # Check ids from `prodcheck checks list`.",
        "  disable: []",
        "  # only: [PARSE-ERROR]",
        "",
        "sections:",
        "  # deployment, configuration, data, delivery, hardening, security,",
        "  # observability, operations, compliance",
        "  disable: []",
    ]
    if "dockerfile" not in stacks and "compose" not in stacks:
        lines.append("  # No Dockerfile or compose file found: deployment checks will be skipped anyway.")
    lines += [
        "",
        "# Severity overrides per check id, for example:",
        "#   SUPPRESSION-NO-REASON: medium",
        "severity: {}",
        "",
        "# Accepted findings. Every ignore needs a reason; an expired ignore stops applying",
        "# and the report says so. Prefer this over inline comments for time-boxed exceptions.",
        "ignore: []",
        "#  - check: PARSE-ERROR",
        "#    path: legacy/**",
        "#    reason: legacy deployment, removed in Q3",
        "#    expires: 2026-09-30",
        "",
        "# Live targets scanned by `prodcheck scan` when no --url is given.",
        "# targets:",
        "#   - url: https://staging.example.com",
        f"#     health_paths: [\"{health}\"]",
        "#     assets: [\"/assets/app.js\"]",
        "#     burst_path: /",
        "",
        "# Live probe settings shared by every target.",
        "# live:",
        "#   burst_size: 30",
        "#   no_burst: false",
        "#   timeout: 10",
        "",
    ]
    return "\n".join(lines)


def write_starter_config(root: Path, *, force: bool = False, name: str = CONFIG_NAME) -> tuple[Path, tuple[str, ...]]:
    """Detect the stack under ``root`` and write the starter config; returns (path, stacks)."""
    from auditor.stacks import detect_stacks

    target = root / name
    if target.exists() and not force:
        raise InitError(f"{target} already exists (use --force to overwrite)")
    stacks = detect_stacks(Project(root))
    try:
        target.write_text(render_starter_config(stacks), encoding="utf-8")
    except OSError as exc:
        raise InitError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target, stacks
