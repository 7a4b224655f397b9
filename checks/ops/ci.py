"""Continuous-integration checks: a pipeline exists, runs tests and audits, references real files, pins actions."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.ci_config import ci_config_files, workflows
from auditor.model import Finding, Location, Section, Severity
from auditor.parsing.yamlsafe import YamlError, load_yaml
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.repo_docs import anchor

_SHA = re.compile(r"@[0-9a-f]{40}$")
_TEST = re.compile(
    r"\b(npm|pnpm|yarn|bun)\s+(run\s+)?test\b|\bnpx\s+(vitest|jest|playwright)\b|\b(pytest|tox|nox|vitest|jest|"
    r"mocha|go\s+test|cargo\s+test|mvn\s+(-\S+\s+)*(test|verify)|gradle\w*\s+test|rspec|phpunit|make\s+test)\b"
    r"|\bpython3?\s+-m\s+(pytest|unittest)\b|\bmanage\.py\s+test\b|\b(coverage|uv|poetry|pipenv|hatch)\s+run\s+"
    r"(-m\s+)?(pytest|manage\.py\s+test)\b|\bbun\s+test\b|\bdeno\s+test\b|\bdotnet\s+test\b"
)
_AUDIT = re.compile(
    r"\b(npm|pnpm|yarn|bun)\s+audit\b|\bpip-audit\b|\bsafety\s+(check|scan)\b|\bosv-scanner\b|\bsnyk\s+test\b|"
    r"\btrivy\s+(fs|image|repo)\b|\bgrype\b|\bdependency-check\b|\bgovulncheck\b|\bcargo\s+audit\b|\bbundle[- ]audit\b"
)
_AUDIT_ACTIONS = ("actions/dependency-review-action", "snyk/actions", "aquasecurity/trivy-action",
                  "google/osv-scanner-action", "pypa/gh-action-pip-audit", "anchore/scan-action")


def _require_ci(project: Project) -> None:
    if not ci_config_files(project):
        raise NotApplicable("no CI configuration found (see CI-NO-WORKFLOW)")


@check(id="CI-NO-WORKFLOW", severity=Severity.MEDIUM, section=Section.OPERATIONS, effort_hours=4,
       passed="CI pipeline configured")
def no_workflow(project: Project) -> Iterator[Finding]:
    """No CI pipeline.

    ## What it checks
    The repository has a CI configuration: GitHub Actions workflows, GitLab CI,
    CircleCI, Jenkins, Azure Pipelines, Bitbucket, Woodpecker, Drone or Buildkite.

    ## Why it matters
    Without CI nothing builds, tests or audits a change before it ships; every
    deploy is whatever was on someone's laptop.

    ## How to fix
    Add a workflow that installs, tests, audits dependencies and builds the image.

    ```yaml github-actions
    # .github/workflows/ci.yml
    name: CI
    on: [push, pull_request]
    permissions: { contents: read }
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
          - run: npm ci && npm test && npm audit --audit-level=high
    ```
    """
    if not ci_config_files(project):
        yield Finding("no CI workflow found: changes ship untested", anchor(project), key="ci")


@check(id="CI-MISSING-FILE", severity=Severity.HIGH, section=Section.OPERATIONS, effort_hours=1,
       passed="CI steps reference only existing files")
def missing_file(project: Project) -> Iterator[Finding]:
    """CI references files that do not exist.

    ## What it checks
    Paths named by CI steps exist in the repository: `docker build -f FILE`,
    `working-directory`, scripts run as `./x.sh`, `bash x.sh`, `python x.py`,
    `node x.js`, and local actions or reusable workflows (`uses: ./...`).

    ## Why it matters
    A pipeline that points at a moved or deleted file fails on the next run,
    or worse, builds something else than what is deployed; teams then stop
    trusting (and reading) CI.

    ## How to fix
    Point the step at the file's current path, or restore the file.

    ```yaml github-actions
    - name: Build API image
      run: docker build -f Dockerfile -t api:${{ github.sha }} .
    ```
    """
    _require_ci(project)
    judged = 0
    for wf in workflows(project):
        for step in wf.steps:
            if step.uses and step.uses.startswith("./"):
                judged += 1
                target = step.uses.split("@", 1)[0]
                if not _exists_any(project, target, (target, f"{target}/action.yml", f"{target}/action.yaml")):
                    yield Finding(f"{wf.path}: local action or workflow '{target}' does not exist",
                                  Location(wf.path, step.line), key=target)
            base = (step.working_directory or "").strip().rstrip("/")
            judged += bool(base)
            if base and "${{" not in base and not project.exists(base):
                yield Finding(f"{wf.path}: working-directory '{base}' does not exist",
                              Location(wf.path, step.line), key=base)
                continue
            for ref in _referenced_paths(step.run or ""):
                judged += 1
                full = f"{base}/{ref}" if base else ref
                if not project.exists(full):
                    yield Finding(f"{wf.path}: step references '{full}', which does not exist",
                                  Location(wf.path, step.run_line or step.line), key=full)
    if not judged:
        raise NotApplicable("no CI step references a file, directory or local action")


def _exists_any(project: Project, _label: str, candidates: tuple[str, ...]) -> bool:
    return any(project.exists(c.removeprefix("./")) for c in candidates)


# Commands that run the rest of the line in a container or on another host.
_IN_CONTAINER = re.compile(r"\bdocker(?:-compose|\s+compose)?\b(?:\s+-\S+(?:\s+\S+)?)*?\s+(run|exec)\b|"
                           r"\b(kubectl|oc)\s+exec\b|\bpodman\s+(run|exec)\b|\bssh\s+\S")


def _referenced_paths(script: str) -> list[str]:
    """File paths a shell script clearly depends on (conservative, to avoid false alarms)."""
    paths: list[str] = []
    for line in script.splitlines():
        line = line.split(" #", 1)[0].strip()
        if _IN_CONTAINER.search(line):
            continue  # the path is resolved inside the container's file system, not the repository's
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        for i, word in enumerate(words):
            if "${{" in word or "$" in word or "*" in word:
                continue
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if word in {"-f", "--file"} and i > 0 and "build" in words[:i] and nxt and "$" not in nxt:
                paths.append(nxt.removeprefix("./"))
            elif word.startswith("--file="):
                paths.append(word.split("=", 1)[1].removeprefix("./"))
            elif re.match(r"^\./[\w./-]+\.(sh|py|js|mjs|ts|rb|pl)$", word):
                paths.append(word[2:])
            elif word in {"bash", "sh", "python", "python3", "node"} and re.match(r"^[\w./-]+\.(sh|py|js|mjs)$", nxt) \
                    and "/" in nxt:
                paths.append(nxt.removeprefix("./"))
    # An absolute path names the runner's (or an image's) file system, never a repository file.
    return [p for p in paths if "$" not in p and not p.startswith("/")]


@check(id="CI-UNPINNED-ACTION", severity=Severity.MEDIUM, section=Section.SECURITY, security=True, effort_hours=1,
       passed="CI actions pinned to commit SHAs or image digests")
def unpinned_action(project: Project) -> Iterator[Finding]:
    """CI actions on mutable references instead of commit SHAs.

    ## What it checks
    Every `uses: owner/repo@ref` in GitHub Actions workflows pins a full
    40-character commit SHA, and `docker://` images a digest. Third-party
    actions (and GitHub-owned ones on a branch) on a mutable reference are
    medium, or low when every job using them holds a read-only token and
    reads no secrets. GitHub-owned actions (`actions/*`, `github/*`,
    `dependabot/*`) on a version tag are not reported on their own: GitHub
    controls those tags (zizmor's `ref-pin` policy for them, its default
    until 1.20); they are listed in a workflow's finding when a third-party
    action there is unpinned. One finding per workflow file lists every
    instance. Local actions (`./...`) are exempt.

    ## Why it matters
    A tag or branch can be moved to malicious code (tj-actions/changed-files,
    2025); pinned SHAs make the pipeline run exactly what was reviewed, and
    matter most in workflows that hold registry credentials or write tokens.

    ## How to fix
    Pin to the SHA and keep the version as a comment; let Dependabot or
    Renovate bump it.

    ```yaml github-actions
    - uses: docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    ```
    """
    _require_ci(project)
    judged = owned_only = reported = False
    for wf in workflows(project):
        uses = [use for step in wf.steps if (use := _classify(step.uses, step.line, step.job)) is not None]
        judged = judged or any(step.uses and not step.uses.startswith("./") for step in wf.steps)
        risky = [use for use in uses if use.severity is Severity.MEDIUM]
        if not risky:
            owned_only = owned_only or bool(uses)
            continue
        contained = _contained(wf.text, {use.job for use in risky})
        shown = ", ".join(f"{use.ref} (line {use.line})" for use in risky[:6])
        more = f" and {len(risky) - 6} more" if len(risky) > 6 else ""
        owned = len(uses) - len(risky)
        tail = f"; {owned} GitHub-owned action(s) on version tags too" if owned else ""
        if contained:
            tail += "; the jobs using them hold a read-only token and read no secrets, so a moved tag reaches little"
        # Every other instance in this workflow is a related location of the one finding.
        related = tuple(Location(wf.path, use.line) for use in uses if use is not risky[0])
        yield Finding(f"{wf.path}: {len(risky)} action(s) on mutable references instead of commit SHAs: "
                      f"{shown}{more}{tail}", Location(wf.path, risky[0].line), key="unpinned-actions",
                      evidence=_listing(uses), severity=Severity.LOW if contained else None, related=related)
        reported = True
    if not judged:
        raise NotApplicable("no CI step uses a third-party action")
    if owned_only and not reported:
        # Passing would claim "pinned to commit SHAs", which GitHub-owned actions on tags are not.
        raise NotApplicable("no third-party action on a mutable reference; GitHub-owned actions on version "
                            "tags are not judged (GitHub controls those tags)")


_GITHUB_OWNERS = ("actions", "github", "dependabot")
_VERSION_TAG = re.compile(r"^v?\d+(\.\d+){0,2}$")


@dataclass(frozen=True)
class _Use:
    """One unpinned ``uses:`` reference and how much its mutability matters."""

    ref: str
    line: int | None
    severity: Severity
    job: str = ""


def _classify(uses: str | None, line: int | None, job: str = "") -> _Use | None:
    """None when the reference is local or pinned; else its severity under zizmor's default policy."""
    if not uses or uses.startswith("./"):
        return None
    if uses.startswith("docker://"):
        return None if "@sha256:" in uses else _Use(uses, line, Severity.MEDIUM, job)
    if _SHA.search(uses):
        return None
    name, _sep, ref = uses.partition("@")
    owner = name.split("/", 1)[0].lower()
    if owner in _GITHUB_OWNERS and _VERSION_TAG.match(ref):
        return _Use(uses, line, Severity.LOW, job)
    return _Use(uses, line, Severity.MEDIUM, job)


def _contained(text: str, jobs: set[str]) -> bool:
    """True when every job in ``jobs`` holds a read-only token and reads no secrets (a small blast radius).

    A job's permissions are its own ``permissions:`` or else the workflow's; with neither, the token's
    scope depends on repository settings, so the job is not taken as contained.
    """
    try:
        data = load_yaml(text)
    except YamlError:
        return False
    if not isinstance(data, dict) or re.search(r"pull_request_target|workflow_run", text):
        return False
    found = data.get("jobs")
    all_jobs: dict[object, object] = found if isinstance(found, dict) else {}
    top = data.get("permissions")
    for name in jobs:
        job = all_jobs.get(name)
        if not isinstance(job, dict):
            return False
        permissions = job.get("permissions", top)
        if permissions is None or not _read_only(permissions):
            return False
        if re.search(r"secrets\.(?!GITHUB_TOKEN\b)\w+|secrets:\s*inherit", json.dumps(job, default=str)):
            return False
    return True


def _read_only(permissions: object) -> bool:
    """True for ``read-all``, ``{}`` or a mapping whose scopes are all ``read`` or ``none``."""
    if isinstance(permissions, str):
        return permissions == "read-all"
    if isinstance(permissions, dict):
        return all(str(value) in {"read", "none"} for value in permissions.values())
    return False


def _listing(uses: list[_Use]) -> str:
    return ", ".join(f"line {use.line}: {use.ref}" for use in uses)


@check(id="CI-NO-TEST-STEP", severity=Severity.MEDIUM, section=Section.OPERATIONS, effort_hours=2,
       passed="CI runs the test suite")
def no_test_step(project: Project) -> Iterator[Finding]:
    """CI never runs the tests.

    ## What it checks
    At least one CI step runs a test command (`npm test`, `pnpm test`,
    `vitest`, `jest`, `pytest`, `python -m pytest`, `go test`, `cargo test`,
    `mvn verify`, `make test` ...).

    ## Why it matters
    A pipeline that only builds proves that the code compiles, not that it
    works; regressions reach production unnoticed.

    ## How to fix
    Add a test step before the build/deploy steps.

    ```yaml npm
    - run: npm ci
    - run: npm test
    ```
    ```yaml pnpm
    - run: corepack enable   # pnpm at the version package.json's packageManager names
    - run: pnpm install --frozen-lockfile
    - run: pnpm test
    ```
    ```yaml yarn
    - run: corepack enable
    - run: yarn install --immutable
    - run: yarn test
    ```
    ```yaml python
    - run: pip install -r requirements.txt pytest
    - run: python -m pytest -q
    ```
    """
    _require_ci(project)
    flows = workflows(project)
    for wf in flows:
        for step in wf.steps:
            if _TEST.search(step.run or "") or _runs_test_script(project, step.run or "", step.working_directory):
                return
    unread = _unread_ci(project)
    if unread:
        raise NotApplicable(f"CI is also configured in {', '.join(unread)}, which prodcheck does not read")
    first = flows[0].path if flows else ci_config_files(project)[0]
    yield Finding(f"no CI step runs the test suite ({first})", Location(first, 1), key="tests")


def _unread_ci(project: Project) -> list[str]:
    """CI configuration files that prodcheck recognises but does not parse into steps."""
    parsed = {wf.path for wf in workflows(project)}
    return [rel for rel in ci_config_files(project) if rel not in parsed]


def _runs_test_script(project: Project, command: str, working_directory: str | None, depth: int = 3) -> bool:
    """True when a step runs a repository script (``bash scripts/tests-start.sh``) that runs the tests.

    Scripts calling scripts are followed a few levels deep, from the same working directory.
    """
    base = (working_directory or "").strip().rstrip("/")
    for ref in _referenced_paths(command):
        full = f"{base}/{ref}" if base else ref
        text = project.read_text(full) if project.exists(full) else None
        if not text:
            continue
        if _TEST.search(text) or (depth > 1 and _runs_test_script(project, text, working_directory, depth - 1)):
            return True
    return False


@check(id="CI-NO-DEPENDENCY-AUDIT", severity=Severity.MEDIUM, section=Section.SECURITY, security=True,
       effort_hours=1, passed="Dependencies audited in CI or by Dependabot/Renovate")
def no_dependency_audit(project: Project) -> Iterator[Finding]:
    """CI does not audit dependencies for known vulnerabilities.

    ## What it checks
    A CI step audits dependencies (`npm audit`, `pnpm audit`, `yarn audit`,
    `pip-audit`, `safety`, `osv-scanner`, `snyk test`, `trivy`, `grype`,
    `govulncheck`, `cargo audit`), or a known audit action runs, or
    Dependabot/Renovate is configured (`.github/dependabot.yml`, `renovate.json`).

    ## Why it matters
    Most production compromises of small services come through known-vulnerable
    packages; an audit step turns a published CVE into a failing build.

    ## How to fix
    Add an audit step that fails on high severity.

    ```yaml npm
    - run: npm audit --audit-level=high
    ```
    ```yaml pnpm
    - run: pnpm audit --audit-level high
    ```
    ```yaml yarn
    - run: yarn npm audit --severity high   # Yarn Berry; Yarn 1: yarn audit --level high
    ```
    ```yaml python
    - run: pip install pip-audit && pip-audit -r requirements.txt
    ```
    """
    _require_ci(project)
    if any(project.exists(p) for p in (".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json",
                                          ".github/renovate.json", "renovate.json5", ".renovaterc")):
        return
    flows = workflows(project)
    for wf in flows:
        for step in wf.steps:
            if _AUDIT.search(step.run or "") or (step.uses and step.uses.startswith(_AUDIT_ACTIONS)):
                return
    unread = _unread_ci(project)
    if unread:
        raise NotApplicable(f"CI is also configured in {', '.join(unread)}, which prodcheck does not read")
    first = flows[0].path if flows else ci_config_files(project)[0]
    yield Finding(f"no dependency audit in CI ({first})", Location(first, 1), key="audit")
