"""CI workflow files (GitHub Actions, GitLab CI) as steps with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from auditor.parsing import ParseProblem
from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml


@dataclass(frozen=True)
class Step:
    """One CI step: a ``uses`` action or a ``run`` script, with its working directory."""

    job: str
    line: int | None
    uses: str | None = None
    run: str | None = None
    run_line: int | None = None
    working_directory: str | None = None
    name: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Runner:
    """A runner label a job asks for (``runs-on``), matrix values expanded, with its line."""

    job: str
    label: str
    line: int | None


@dataclass(frozen=True)
class Workflow:
    """A parsed workflow: its triggers, flattened steps and the runner labels its jobs ask for."""

    path: str
    triggers: tuple[str, ...]
    steps: tuple[Step, ...]
    problems: tuple[ParseProblem, ...] = ()
    schedules: tuple[str, ...] = ()
    text: str = field(default="", repr=False)
    runners: tuple[Runner, ...] = ()
    # Per job, the matrix combinations it runs (scalar values only); a job without a matrix is absent.
    matrices: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)


def parse_github_workflow(path: str, text: str) -> Workflow:
    """Parse a GitHub Actions workflow; problems instead of exceptions."""
    try:
        return _parse_github_workflow(path, load_yaml(text), text)
    except YamlError as exc:
        return Workflow(path, (), (), (ParseProblem(path, exc.line, exc.reason),), text=text)
    except Exception as exc:  # noqa: BLE001 - the parse boundary: odd shapes become a problem
        return Workflow(path, (), (), (ParseProblem(path, None, f"could not read workflow: "
                                                                f"{type(exc).__name__}"),), text=text)


def _parse_github_workflow(path: str, data: Any, text: str) -> Workflow:
    if not isinstance(data, dict):
        return Workflow(path, (), (), text=text)
    # YAML 1.1 reads a bare `on:` key as boolean True.
    on = data.get("on", data.get(True))
    triggers: list[str] = []
    schedules: list[str] = []
    if isinstance(on, str):
        triggers = [on]
    elif isinstance(on, list):
        triggers = [str(t) for t in on]
    elif isinstance(on, dict):
        triggers = [str(t) for t in on]
        for item in on.get("schedule") or []:
            if isinstance(item, dict) and item.get("cron"):
                schedules.append(str(item["cron"]))
    steps: list[Step] = []
    runners: list[Runner] = []
    matrices: dict[str, tuple[dict[str, str], ...]] = {}
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        for job_name, job in jobs.items():
            if not isinstance(job, dict):
                continue
            runners.extend(_runners(str(job_name), job))
            combinations = _matrix_combinations(job)
            if combinations:
                matrices[str(job_name)] = combinations
            defaults = job.get("defaults") or {}
            default_wd = None
            if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
                default_wd = defaults["run"].get("working-directory")
            if job.get("uses"):  # reusable workflow call
                steps.append(Step(str(job_name), line_of(job, "uses"), uses=str(job["uses"])))
            for index, step in enumerate(job.get("steps") or []):
                if not isinstance(step, dict):
                    continue
                with_ = step.get("with") if isinstance(step.get("with"), dict) else {}
                steps.append(
                    Step(
                        job=str(job_name),
                        line=line_of(job.get("steps"), index),
                        uses=str(step["uses"]) if step.get("uses") else None,
                        run=str(step["run"]) if step.get("run") else None,
                        run_line=line_of(step, "run") if step.get("run") else None,
                        working_directory=str(step.get("working-directory") or default_wd or "") or None,
                        name=str(step["name"]) if step.get("name") else None,
                        with_={str(k): str(v) for k, v in (with_ or {}).items()},
                        id=str(step["id"]) if step.get("id") else None,
                    )
                )
    return Workflow(path, tuple(triggers), tuple(steps), schedules=tuple(schedules), text=text,
                    runners=tuple(runners), matrices=matrices)


# A matrix expands into at most this many combinations here; GitHub's own limit is 256 jobs.
_MAX_COMBINATIONS = 256


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _matrix_combinations(job: dict[str, Any]) -> tuple[dict[str, str], ...]:
    """The combinations a job's ``strategy.matrix`` runs, as GitHub expands them.

    The product of the scalar axes, less ``exclude`` entries; each ``include`` entry extends every
    combination whose original values it does not overwrite, or else is a combination of its own.
    A matrix given by an expression (``fromJSON(...)``) is not expanded.
    """
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(matrix, dict):
        return ()
    axes = {str(k): [str(v) for v in values if _scalar(v)] for k, values in matrix.items()
            if k not in {"include", "exclude"} and isinstance(values, list)}
    combos: list[dict[str, str]] = [{}]
    for key, values in axes.items():
        # Bounded while it is built: a hostile matrix of many long axes never materialises its product.
        combos = list(islice(({**combo, key: value} for combo in combos for value in values), _MAX_COMBINATIONS))
    if not axes:
        combos = []
    for entry in matrix.get("exclude") or []:
        if isinstance(entry, dict):
            drop = {str(k): str(v) for k, v in entry.items() if _scalar(v)}
            combos = [c for c in combos if any(c.get(k) != v for k, v in drop.items())]
    # Only the axes' own combinations take include values; values an include added may be overwritten.
    added: list[dict[str, str]] = []
    for entry in matrix.get("include") or []:
        if not isinstance(entry, dict):
            continue
        extra = {str(k): str(v) for k, v in entry.items() if _scalar(v)}
        fits = [c for c in combos if all(c.get(k, v) == v for k, v in extra.items() if k in axes)]
        for combo in fits:
            combo.update({k: v for k, v in extra.items() if k not in axes})
        if not fits and len(combos) + len(added) < _MAX_COMBINATIONS:
            added.append(extra)
    return tuple(combos + added)


_MATRIX_REF = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


def _runners(job_name: str, job: dict[str, Any]) -> list[Runner]:
    """The labels of a job's ``runs-on`` (string, list or ``labels:`` mapping), ``${{ matrix.x }}`` expanded."""
    value, line = job.get("runs-on"), line_of(job, "runs-on")
    if isinstance(value, dict):
        value, line = value.get("labels"), line_of(value, "labels")
    items: list[tuple[Any, int | None]]
    if isinstance(value, list):
        items = [(item, line_of(value, i)) for i, item in enumerate(value)]
    elif value is not None:
        items = [(value, line)]
    else:
        return []
    out: list[Runner] = []
    for item, line in items:
        match = _MATRIX_REF.match(str(item).strip())
        if match is None:
            out.append(Runner(job_name, str(item).strip(), line))
            continue
        # A matrix axis: each listed value (and each `include:` entry's value) is a runner label.
        strategy = job.get("strategy")
        matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
        if not isinstance(matrix, dict):
            continue
        axis = matrix.get(match.group(1))
        if isinstance(axis, list):
            out.extend(Runner(job_name, str(v).strip(), line_of(axis, i)) for i, v in enumerate(axis)
                       if isinstance(v, str | int | float))
        for entry in matrix.get("include") or []:
            if isinstance(entry, dict) and isinstance(entry.get(match.group(1)), str):
                out.append(Runner(job_name, str(entry[match.group(1)]).strip(), line_of(entry, match.group(1))))
    return out


def parse_gitlab_ci(path: str, text: str) -> Workflow:
    """Parse ``.gitlab-ci.yml`` jobs' scripts as run steps."""
    try:
        return _parse_gitlab_ci(path, load_yaml(text), text)
    except YamlError as exc:
        return Workflow(path, (), (), (ParseProblem(path, exc.line, exc.reason),), text=text)
    except Exception as exc:  # noqa: BLE001 - the parse boundary: odd shapes become a problem
        return Workflow(path, (), (), (ParseProblem(path, None, f"could not read workflow: "
                                                                f"{type(exc).__name__}"),), text=text)


def _parse_gitlab_ci(path: str, data: Any, text: str) -> Workflow:
    steps: list[Step] = []
    if isinstance(data, dict):
        for job_name, job in data.items():
            if not isinstance(job, dict):
                continue
            for key in ("before_script", "script", "after_script"):
                script = job.get(key)
                lines: list[Any] = script if isinstance(script, list) else [script] if script else []
                for index, command in enumerate(lines):
                    line = line_of(script, index) if isinstance(script, list) else line_of(job, key)
                    steps.append(Step(str(job_name), line, run=str(command), run_line=line))
    return Workflow(path, ("push",), tuple(steps), text=text)
