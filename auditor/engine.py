"""One scan end to end: discover, probe, judge, score; returns a Report."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.model import CheckResult, Report, Status, Target, TargetInfo
from auditor.options import ScanOptions
from auditor.project import Project
from auditor.registry import Registry, scan_registry
from auditor.runner import run_live_checks, run_repo_checks, select
from auditor.scoring import overall, section_scores

if TYPE_CHECKING:
    from auditor.changed import Scope

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def _deployment_notes(project: Project) -> list[str]:
    """Role decisions for the report appendix, when some deployment file is not judged as production."""
    from auditor.deploy.model import Role
    from auditor.deploy.render import role_notes

    try:
        model = project.deployment
    except Exception as exc:  # noqa: BLE001 - the model is advisory here; checks report their own errors
        return [f"deployment model could not be built: {type(exc).__name__}"]
    if all(f.role is Role.PRODUCTION for f in model.files):
        return []
    judged = "every role" if model.judge_all else "production files only (--roles all judges every role)"
    return [f"Deployment model (judged: {judged}; see `prodcheck deploy-model`):",
            *role_notes(model)]


def scan(options: ScanOptions, registry: Registry | None = None, progress: Progress = _quiet) -> Report:
    """Run a whole scan and build the report. Never raises for bad scanned input."""
    if registry is None:
        # Only the families the scan judges: a URL-only scan imports no repository check (source index, parsers).
        # Built from the catalog: a check module is imported only when one of its checks runs.
        wanted = ({Target.REPO} if options.path is not None else set()) | (
            {Target.LIVE} if options.urls or options.from_observations else set())
        registry = scan_registry(targets=frozenset(wanted))
    specs, disabled = select(registry, options)
    results: list[CheckResult] = list(disabled)
    targets: list[TargetInfo] = []
    notes: list[str] = [*registry.problems, *(options.live.get("notes") or ())]
    project: Project | None = None
    secrets: frozenset[str] = frozenset()
    if options.path is not None:
        from auditor.deploy.build import deploy_config
        from auditor.suppress import parse_today

        project = Project(options.path, max_file_bytes=options.max_file_bytes, excludes=options.excludes,
                          deploy=deploy_config(options.deploy_roles, options.roles), profile=options.profile,
                          today=parse_today(options.today))
        progress(f"discovering files in {options.path}")
        from auditor.secrets import collect_secret_values

        secrets = collect_secret_values(project)
        limited: Scope | None = None
        if options.changed is not None:
            from auditor.changed import scope

            limited = scope(options.changed, project.file_set)
            notes.append(limited.note())
        skip = limited.skip_reason if limited is not None else None
        if not options.offline and any(s.id.startswith("DEPS-") and not (skip and skip(s)) for s in specs):
            _observe_dependencies(project, options, progress)
        progress(f"running {sum(1 for s in specs if s.meta.target is Target.REPO)} repository checks")
        repo_results = run_repo_checks(specs, project, secrets, skip=skip)
        results.extend(limited.limit(repo_results) if limited is not None else repo_results)
        notes.extend(_deployment_notes(project))
        targets.append(TargetInfo(kind="repo", value=str(options.path)))
    live_targets: list[Any] = []
    output_failures: list[str] = []  # outputs the engine writes itself (--save-observations)
    if options.urls or options.from_observations:
        from auditor.live.session import observe_targets  # lazy: pulls in httpx and sslyze

        live_targets = observe_targets(options, progress, output_failures)
        notes.extend(output_failures)
        results.extend(run_live_checks(specs, live_targets, secrets))
        for target in live_targets:
            targets.append(_live_target_info(target, results))
            notes.extend(f"{target.url}: {note}" for note in getattr(target, "notes", ()))
    from auditor.suppress import suppress

    outcome = suppress(results, project, options)
    results = outcome.results
    notes.extend(outcome.notes)
    records = list(outcome.records)
    if project is not None:
        from auditor.profile import apply_profile, guess_profile

        profile = guess_profile(project, options.profile)
        results, advice_records = apply_profile(list(results), profile)
        records.extend(advice_records)
        notes.append(f"profile: {profile.name} ({profile.reason})")
    score = overall(results, options.min_confidence)
    if project is not None:
        from auditor.scope import judged_nothing, scope_notes, without_judgement

        notes.extend(scope_notes(project, options))
        if judged_nothing(project):
            score = without_judgement(score, results)
    stacks: tuple[str, ...] = ()
    if project is not None:
        from auditor.stacks import detect_stacks

        stacks = detect_stacks(project)
    facts: dict[str, Any] = {}
    if project is not None:
        from auditor.repo_facts import repo_facts

        facts = repo_facts(project, stacks)  # names the reports' fix snippets use (never values)
    return Report(
        tool_version=__version__,
        generated_at=(options.today or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        targets=tuple(targets),
        results=tuple(results),
        sections=section_scores(results, options.min_confidence),
        score=score.score,
        grade=score.grade,
        risk=score.risk,
        # A live check that errored (a probe attempted and failed) leaves the scan incomplete.
        complete=score.complete and not any(r.status is Status.ERROR and r.target not in ("", "repo")
                                            for r in results),
        coverage=score.coverage,
        stacks=stacks,
        scanned_files=project.files if project else (),
        skipped_files=tuple(project.skipped) if project else (),
        notes=tuple(notes),
        extra={**_extra(options), "suppressions": [dataclasses.asdict(r) for r in records],
               # The history records TLS, header, health and burst facts from these (auditor.history.record).
               "live_observations": [t.to_dict() for t in live_targets],
               "output_failures": output_failures, "repo_facts": facts},
        min_confidence=options.min_confidence,
    )


def _extra(options: ScanOptions) -> dict[str, Any]:
    """Context renderers may use: the config file and the line naming each live URL (SARIF anchors)."""
    extra: dict[str, Any] = {}
    if options.live.get("config_file"):
        extra["config_file"] = options.live["config_file"]
        extra["config_url_lines"] = dict(options.live.get("config_url_lines") or {})
    return extra


def _observe_dependencies(project: Project, options: ScanOptions, progress: Progress) -> None:
    """Audit dependencies against OSV / PyPI (URLs overridable for private mirrors and tests)."""
    import os

    from auditor.deps.lockfiles import node_lockfiles, python_manifests

    if not (node_lockfiles(project) or python_manifests(project)):
        return
    from auditor.deps.probe import observe_dependencies

    progress("auditing dependencies")
    kwargs: dict[str, Any] = {"timeout": float(options.live.get("timeout") or 15.0)}
    if os.environ.get("PRODCHECK_OSV_URL"):
        kwargs["osv_url"] = os.environ["PRODCHECK_OSV_URL"]
    if os.environ.get("PRODCHECK_PYPI_URL"):
        kwargs["pypi_url"] = os.environ["PRODCHECK_PYPI_URL"]
    project.dependency_observations = observe_dependencies(project, **kwargs)


def _live_target_info(target: Any, results: list[CheckResult]) -> TargetInfo:
    """Summarise one live target (its sub-grades come from the live grading module)."""
    grades: dict[str, Any] = {}
    try:
        from auditor.live.grades import target_grades

        grades = target_grades(target)
    except Exception:  # noqa: BLE001 - grading judges recorded input too: a bad value costs the grade only
        grades = {}
    return TargetInfo(
        kind="url",
        value=str(getattr(target, "url", target)),
        tls_grade=grades.get("tls_grade"),
        header_grade=grades.get("header_grade"),
        header_score=grades.get("header_score"),
        error=getattr(target, "error", None),
    )
