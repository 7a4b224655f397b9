"""Run checks, each inside its own error boundary."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from auditor.model import CheckResult, Finding, SkipKind, Status, Target
from auditor.options import ScanOptions
from auditor.project import Project
from auditor.registry import CheckSpec, NotApplicable, NotChecked, Registry
from auditor.scrubber import scrubber


def select(registry: Registry, options: ScanOptions) -> tuple[list[CheckSpec], list[CheckResult]]:
    """Split the registry into checks to run and checks disabled by options (as skipped results)."""
    to_run: list[CheckSpec] = []
    disabled: list[CheckResult] = []
    only = _resolve_ids(registry, options.only_checks)
    off = _resolve_ids(registry, options.disabled_checks)
    for spec in registry:
        meta = spec.meta
        override = options.severity_overrides.get(meta.id)
        if override is not None:
            spec = replace(spec, meta=replace(meta, severity=override))
        reason = ""
        if only and meta.id not in only:
            reason = "not selected"
        elif meta.id in off:
            reason = "disabled by configuration"
        elif meta.section in options.disabled_sections:
            reason = f"section {meta.section.id} disabled by configuration"
        if reason:
            disabled.append(CheckResult(spec.meta, Status.SKIPPED, reason=reason, skip_kind=SkipKind.NOT_RUN))
        else:
            to_run.append(spec)
    return to_run, disabled


def _resolve_ids(registry: Registry, names: Iterable[str]) -> set[str]:
    """Canonical ids for names given by id or alias; unknown names are ignored."""
    specs = (registry.resolve(name) for name in names)
    return {spec.id for spec in specs if spec is not None}


def run_one(spec: CheckSpec, subject: Any, *, target: str, secrets: frozenset[str]) -> CheckResult:
    """Run one check, timed (``-v`` shows it); any exception becomes an ``error`` result with a one-line reason."""
    started = time.perf_counter()
    result = _run_one(spec, subject, target=target, secrets=secrets)
    return replace(result, elapsed=time.perf_counter() - started)


def _run_one(spec: CheckSpec, subject: Any, *, target: str, secrets: frozenset[str]) -> CheckResult:
    try:
        findings = _normalise(spec, spec.func(subject), secrets)
    except NotChecked as exc:
        return CheckResult(spec.meta, Status.SKIPPED, reason=str(exc) or "could not check", target=target,
                           skip_kind=SkipKind.NOT_CHECKED)
    except NotApplicable as exc:
        return CheckResult(spec.meta, Status.SKIPPED, reason=str(exc) or "not applicable", target=target)
    except Exception as exc:  # noqa: BLE001 - the error boundary is the point
        return CheckResult(spec.meta, Status.ERROR, reason=_one_line(exc), target=target)
    status = Status.FAIL if findings else Status.PASS
    return CheckResult(spec.meta, status, tuple(findings), target=target)


def _normalise(spec: CheckSpec, produced: Iterable[Finding] | None, secrets: frozenset[str]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, str | None, int | None, str | None]] = set()
    # Compiled once per secret set (cached), then one scan of each text for every value.
    scrub = scrubber(secrets)
    for finding in produced or ():
        if not isinstance(finding, Finding):
            raise TypeError(f"check yielded {type(finding).__name__}, not Finding")
        # Defence in depth: whatever a check wrote, known secret values never leave.
        finding = replace(
            finding,
            check_id=spec.id,
            confidence=finding.confidence if finding.confidence is not None else spec.meta.confidence,
            message=scrub(finding.message),
            evidence=scrub(finding.evidence),
        )
        ident = (finding.key or finding.message, finding.location.path, finding.location.line, finding.location.url)
        if ident in seen:
            continue
        seen.add(ident)
        findings.append(finding)
    return findings


def run_repo_checks(specs: Sequence[CheckSpec], project: Project, secrets: frozenset[str],
                    skip: Callable[[CheckSpec], str] | None = None) -> list[CheckResult]:
    """Run every repository check against the project.

    ``skip`` may give a reason not to run a check (a ``--changed-since`` scan skips families
    whose inputs did not change); a check skipped, here or for its ``needs``, is never called,
    so a catalog-built registry never imports its module.
    """
    results = []
    for spec in specs:
        if spec.meta.target is not Target.REPO:
            continue
        reason = skip(spec) if skip is not None else ""
        if reason:
            results.append(CheckResult(spec.meta, Status.SKIPPED, reason=reason, target="repo",
                                       skip_kind=SkipKind.NOT_RUN))
            continue
        missing = [need for need in spec.needs if not project.has(need)]
        if missing:
            results.append(CheckResult(spec.meta, Status.SKIPPED, reason=f"no {missing[0].replace('_', ' ')} found",
                                       target="repo"))
            continue
        results.append(run_one(spec, project, target="repo", secrets=secrets))
    return results


def run_live_checks(specs: Sequence[CheckSpec], targets: Sequence[Any], secrets: frozenset[str]) -> list[CheckResult]:
    """Run every live check against each live target; unreachable targets give errors."""
    results = []
    for target in targets:
        url = str(getattr(target, "url", target))
        error = getattr(target, "error", None)
        for spec in specs:
            if spec.meta.target is not Target.LIVE:
                continue
            if error:
                results.append(CheckResult(spec.meta, Status.ERROR, reason=f"target not scanned: {error}", target=url))
                continue
            results.append(run_one(spec, target, target=url, secrets=secrets))
    return results


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
