"""The data model shared by the engine, the checks and the renderers.

Frozen dataclasses and enums only; behaviour is limited to small helpers so
that renderers can depend on this module without pulling in the engine.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the history package imports this module; renderers only read the field
    from auditor.history.regressions import SinceLast


class Severity(enum.IntEnum):
    """How bad a failing check is; ordered so thresholds compare."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """Lower-case name used in every output format."""
        return self.name.lower()

    @property
    def weight(self) -> float:
        """Scoring weight from DESIGN.md: critical 10, high 7.5, medium 5, low 2.5, info 0."""
        return _WEIGHTS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse ``"high"``/``"HIGH"``; raise ValueError naming the valid choices."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_WEIGHTS = {
    Severity.INFO: 0.0,
    Severity.LOW: 2.5,
    Severity.MEDIUM: 5.0,
    Severity.HIGH: 7.5,
    Severity.CRITICAL: 10.0,
}


class Confidence(enum.IntEnum):
    """How sure a finding is: high (seen directly) > medium (inferred) > low (a heuristic guess).

    Ordered so ``--min-confidence`` compares; gates and the grade count high and
    medium by default.
    """

    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        """Lower-case name used in every output format."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        """Parse ``"medium"``/``"MEDIUM"``; raise ValueError naming the valid choices."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(c.label for c in cls)
            raise ValueError(f"unknown confidence {text!r} (choose from {choices})") from None


DEFAULT_MIN_CONFIDENCE = Confidence.MEDIUM


class Status(enum.StrEnum):
    """Outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class SkipKind(enum.StrEnum):
    """Why a check was skipped: the difference between "nothing here" and "did not look".

    A reader must never take a check that could not look (an offline dependency audit, a probe
    that did not run) for one that had nothing to judge, so reports list the first kinds by name
    and only count the last.
    """

    NOT_CHECKED = "not-checked"  # it could have found something but could not look: never a pass
    NOT_RUN = "not-run"  # left out by selection, configuration or --changed-since
    # Nothing in the targets for it to judge (no ADD instruction, no CI), or the repository's
    # profile makes it advice for someone else (its findings are then listed as suppressed).
    NOT_APPLICABLE = "not-applicable"


class Section(enum.Enum):
    """Checklist areas, in report order."""

    DEPLOYMENT = ("deployment", "Deployment")
    CONFIGURATION = ("configuration", "Configuration")
    DATA = ("data", "Data")
    DELIVERY = ("delivery", "Delivery")
    HARDENING = ("hardening", "Application hardening")
    SECURITY = ("security", "Security")
    OBSERVABILITY = ("observability", "Observability")
    OPERATIONS = ("operations", "Operations")
    COMPLIANCE = ("compliance", "Compliance & docs")

    @property
    def id(self) -> str:
        """Stable machine id (used in JSON, config and SARIF)."""
        return self.value[0]

    @property
    def title(self) -> str:
        """Human title used in reports."""
        return self.value[1]

    @property
    def order(self) -> int:
        """Position in the report."""
        return list(Section).index(self)

    @classmethod
    def parse(cls, text: str) -> Section:
        """Parse a section id or title, case-insensitively."""
        wanted = text.strip().lower()
        for section in cls:
            if wanted in (section.id, section.title.lower(), section.name.lower()):
                return section
        choices = ", ".join(s.id for s in cls)
        raise ValueError(f"unknown section {text!r} (choose from {choices})")


class Target(enum.StrEnum):
    """What a check judges: the repository or one live URL."""

    REPO = "repo"
    LIVE = "live"


@dataclass(frozen=True)
class Location:
    """Where a finding is: a repository path and line, or a URL.

    ``anchor_only`` marks findings about something absent from the whole
    repository (no runbook, no CI): path and line are only an anchor that
    machine formats (SARIF) need, and human reports say "repository" instead.
    """

    path: str | None = None
    line: int | None = None
    url: str | None = None
    anchor_only: bool = False

    def __str__(self) -> str:
        if self.anchor_only:
            return "repository"
        if self.url:
            return self.url
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or ""


@dataclass(frozen=True)
class Finding:
    """One concrete problem found by a check.

    ``key`` is a short, line-free identity chosen by the check (a service
    name, a header, an env var) so the fingerprint survives edits that move
    lines. ``evidence`` must already be redacted. ``severity`` overrides the
    check's declared severity for this finding only (for example a read-write
    Docker socket versus a read-only one). ``confidence`` likewise overrides the
    check's declared confidence (the runner fills in the check's default).
    ``related`` lists further instances of the same concept in the same file or
    service (every unpinned action of one workflow): one finding, many places.
    """

    message: str
    location: Location = field(default_factory=Location)
    key: str = ""
    evidence: str = ""
    severity: Severity | None = None
    check_id: str = ""
    confidence: Confidence | None = None
    related: tuple[Location, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Hash of (check id, path or url, key): no line number, so baselines survive edits."""
        where = self.location.url or self.location.path or ""
        raw = "\x1f".join((self.check_id, where, self.key or self.message))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class FixSnippet:
    """A remediation snippet for one stack (``dockerfile``, ``compose``, ``hono`` ...)."""

    stack: str
    language: str
    code: str


@dataclass(frozen=True)
class CheckDoc:
    """A check's user documentation, parsed from its docstring."""

    title: str
    what: str
    why: str
    fix: str
    snippets: tuple[FixSnippet, ...] = ()
    raw: str = ""

    def snippet_for(self, stacks: tuple[str, ...] | list[str]) -> FixSnippet | None:
        """The snippet matching the first detected stack that has one, else the first snippet."""
        by_stack = {s.stack: s for s in self.snippets}
        for stack in stacks:
            if stack in by_stack:
                return by_stack[stack]
        return self.snippets[0] if self.snippets else None


@dataclass(frozen=True)
class CheckMeta:
    """Static metadata of a check, as renderers need it."""

    id: str
    title: str
    severity: Severity
    section: Section
    target: Target
    doc: CheckDoc
    security: bool = False
    effort_hours: float = 1.0
    aliases: tuple[str, ...] = ()
    origin: str = "builtin"
    passed: str = ""  # how a pass reads as a strength ("Runs as a non-root user")
    confidence: Confidence = Confidence.HIGH  # default for this check's findings
    # Related checks one fix resolves are shown and planned as one issue titled ``group``;
    # ``group_rank`` orders the members (the repository-side check first, so its fix is shown).
    group: str | None = None
    group_rank: int = 0
    data_loss: bool = False  # its failure can lose data for good: first within its severity
    operator_side: bool = False  # a concern of whoever runs the software (info for a distribution or template)
    organisational: bool = False  # a process or document of the operators (advice, not a finding, there)
    adopter_side: bool = False  # repository governance a template's adopters replace with their own


@dataclass(frozen=True)
class CheckResult:
    """The outcome of running one check against one target."""

    meta: CheckMeta
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    target: str = ""
    suppressed: tuple[Finding, ...] = ()
    elapsed: float = 0.0  # seconds spent in the check (shown by ``-v``; not part of any report)
    skip_kind: SkipKind = SkipKind.NOT_APPLICABLE  # read only when ``status`` is SKIPPED

    @property
    def unexamined(self) -> bool:
        """Errored, or skipped without having had nothing to judge: what a report must name."""
        if self.status is Status.ERROR:
            return True
        return self.status is Status.SKIPPED and self.skip_kind is not SkipKind.NOT_APPLICABLE

    def confidence_of(self, finding: Finding) -> Confidence:
        """A finding's own confidence, else its check's declared one."""
        return finding.confidence if finding.confidence is not None else self.meta.confidence

    def counted(self, min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE) -> tuple[Finding, ...]:
        """The findings at or above ``min_confidence``: those gates and the grade count."""
        return tuple(f for f in self.findings if self.confidence_of(f) >= min_confidence)

    @property
    def worst_severity(self) -> Severity:
        """The highest severity among findings (declared severity when none override)."""
        if not self.findings:
            return self.meta.severity
        return max(f.severity if f.severity is not None else self.meta.severity for f in self.findings)


@dataclass(frozen=True)
class SectionScore:
    """Score of one checklist area."""

    section: Section
    score: float | None
    status: str
    passed: int
    failed: int
    errored: int
    skipped: int


@dataclass(frozen=True)
class TargetInfo:
    """One scanned target as the report lists it."""

    kind: str
    value: str
    tls_grade: str | None = None
    header_grade: str | None = None
    header_score: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file discovery or parsing left out, with the reason."""

    path: str
    reason: str


@dataclass(frozen=True)
class Report:
    """Everything renderers need; they see nothing else."""

    tool_version: str
    generated_at: str
    targets: tuple[TargetInfo, ...]
    results: tuple[CheckResult, ...]
    sections: tuple[SectionScore, ...]
    score: float | None
    grade: str
    risk: str
    complete: bool
    coverage: float
    stacks: tuple[str, ...] = ()
    scanned_files: tuple[str, ...] = ()
    skipped_files: tuple[SkippedFile, ...] = ()
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # "Since the last scan": set when the scan is recorded in a history (auditor.history), else None.
    since_last: SinceLast | None = None
    min_confidence: Confidence = DEFAULT_MIN_CONFIDENCE

    @property
    def failed(self) -> list[CheckResult]:
        """Failing results, worst first."""
        fails = [r for r in self.results if r.status is Status.FAIL]
        return sorted(fails, key=lambda r: (-r.worst_severity, r.meta.section.order, r.meta.id))

    @property
    def findings(self) -> list[Finding]:
        """All open findings, in the order of ``failed``."""
        return [f for r in self.failed for f in r.findings]

    def counts_by_severity(self) -> dict[Severity, int]:
        """Number of open findings per severity."""
        counts = {s: 0 for s in Severity}
        for result in self.failed:
            for finding in result.findings:
                counts[finding.severity if finding.severity is not None else result.meta.severity] += 1
        return counts
