"""The Dockerfile views checks use, in one place: stage chains, ARGs, builds, start paths, judged files."""

from __future__ import annotations

from auditor.deploy.images import (
    arg_defaults,
    assignments,
    build_contexts,
    build_of,
    build_target,
    building_services,
    chain,
    chain_instructions,
    compose_command_text,
    env_values,
    has_unresolved,
    last_of,
    resolve,
    root_image,
    run_commands,
    runtime_stage,
    segments,
    stage_by_name,
    start_command,
    start_instructions,
    words,
)
from auditor.deploy.judged import dockerfiles, start_path
from auditor.deploy.startpath import find_repo_file, package_scripts, strip_comments

__all__ = [
    "arg_defaults",
    "assignments",
    "build_contexts",
    "build_of",
    "build_target",
    "building_services",
    "chain",
    "chain_instructions",
    "compose_command_text",
    "dockerfiles",
    "env_values",
    "find_repo_file",
    "has_unresolved",
    "last_of",
    "package_scripts",
    "resolve",
    "root_image",
    "run_commands",
    "runtime_stage",
    "segments",
    "stage_by_name",
    "start_command",
    "start_instructions",
    "start_path",
    "strip_comments",
    "words",
]
