"""CI configuration a repository holds: which files are CI configs, their parsed workflows, their commands.

GitHub Actions and GitLab CI workflows are parsed once by the Project (``Project.workflows``); Travis
CI's phases are read here as run steps. Computed once per scan and shared by every check that asks.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.parsing import ParseProblem
from auditor.parsing.workflow import Step, Workflow
from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml
from auditor.project import Project


def workflows(project: Project) -> tuple[Workflow, ...]:
    """GitHub Actions workflows, GitLab CI (both as ``Project.workflows`` parsed them) and Travis CI."""

    def build() -> tuple[Workflow, ...]:
        parsed = {wf.path: wf for wf in project.workflows}  # parsed once per scan, shared with the engine
        out = []
        for rel in project.files:
            if rel in parsed:
                out.append(parsed[rel])
            elif rel == ".travis.yml":
                out.append(_parse_travis(rel, project.read_text(rel) or ""))
        return tuple(out)

    return project.view(workflows, build)


_TRAVIS_PHASES = ("before_install", "install", "before_script", "script", "after_success", "deploy")


def _parse_travis(path: str, text: str) -> Workflow:
    """Travis CI's top-level and per-job phase commands as run steps (what the CI checks read)."""
    try:
        data = load_yaml(text)
    except YamlError as exc:
        return Workflow(path, (), (), (ParseProblem(path, exc.line, exc.reason),), text=text)
    steps: list[Step] = []
    jobs: list[Any] = [data] if isinstance(data, dict) else []
    if isinstance(data, dict):
        matrix = data.get("jobs") or data.get("matrix")
        include = matrix.get("include") if isinstance(matrix, dict) else None
        jobs += [job for job in include or [] if isinstance(job, dict)]
    for job in jobs:
        for phase in _TRAVIS_PHASES:
            value = job.get(phase)
            commands = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            for index, command in enumerate(commands):
                line = line_of(value, index) if isinstance(value, list) else line_of(job, phase)
                if isinstance(command, str):
                    steps.append(Step(phase, line, run=command, run_line=line))
    return Workflow(path, ("push",), tuple(steps), text=text)


def is_ci_config(rel: str) -> bool:
    """Whether a repository path is a CI configuration file prodcheck recognises (parsed or not)."""
    return bool(_CI_FILE.match(rel))


def ci_config_files(project: Project) -> list[str]:
    """Every CI configuration file prodcheck recognises (even those it does not parse)."""
    return list(project.view(ci_config_files, lambda: [rel for rel in project.files if is_ci_config(rel)]))


_CI_FILE = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$|^\.gitlab-ci\.yml$|^\.travis\.yml$|^appveyor\.ya?ml$|"
                      r"^\.cirrus\.ya?ml$|^cloudbuild\.ya?ml$|^\.semaphore/semaphore\.ya?ml$|^\.circleci/config\.ya?ml$|^Jenkinsfile$|"
                      r"^azure-pipelines\.ya?ml$|^bitbucket-pipelines\.yml$|^\.woodpecker(\.ya?ml|/.+)$|"
                      r"^\.drone\.ya?ml$|^\.buildkite/.+\.ya?ml$")


def all_commands(project: Project) -> list[tuple[str, int | None, str]]:
    """(path, line, command text) of every CI run step."""
    return [(wf.path, step.run_line or step.line, step.run or "") for wf in workflows(project) for step in wf.steps
            if step.run]
