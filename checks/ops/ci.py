"""Continuous-integration checks: a pipeline exists, runs tests and audits, references real files, pins actions."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator

from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from checks.ops._facts import anchor, ci_config_files, workflows

_SHA = re.compile(r"@[0-9a-f]{40}$")
_TEST = re.compile(
    r"\b(npm|pnpm|yarn|bun)\s+(run\s+)?test\b|\bnpx\s+(vitest|jest|playwright)\b|\b(pytest|tox|nox|vitest|jest|"
    r"mocha|go\s+test|cargo\s+test|mvn\s+(-\S+\s+)*(test|verify)|gradle\w*\s+test|rspec|phpunit|make\s+test)\b"
    r"|\bpython3?\s+-m\s+(pytest|unittest)\b|\bmanage\.py\s+test\b|\b(uv|poetry|pdm|hatch)\s+run\s+(pytest|test)\b"
)
_AUDIT = re.compile(
    r"\b(npm|pnpm|yarn|bun)\s+audit\b|\bpip-audit\b|\bsafety\s+(check|scan)\b|\bosv-scanner\b|\bsnyk\s+test\b|"
    r"\btrivy\s+(fs|image|repo)\b|\bgrype\b|\bdependency-check\b|\bgovulncheck\b|\bcargo\s+audit\b|\bbundle[- ]audit\b"
)
_ELSEWHERE = re.compile(
    r"\bdocker(?:-compose|\s+compose)?\s+(?:\S+\s+)*?(?:run|exec)\b|\bkubectl\s+exec\b|\bssh\s|\bpodman\s+(?:run|exec)\b"
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
    CircleCI, Jenkins, Azure Pipelines, Bitbucket, Woodpecker, Drone, Buildkite,
    Travis CI or AppVeyor.

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


def _referenced_paths(script: str) -> list[str]:
    """File paths a shell script clearly depends on (conservative, to avoid false alarms)."""
    paths: list[str] = []
    for line in script.splitlines():
        line = line.split(" #", 1)[0].strip()
        # Paths after `docker compose run svc ...`, `docker exec`, `kubectl exec` or `ssh host`
        # live inside the container or on the remote host, not in the repository.
        inside = _ELSEWHERE.search(line)
        if inside:
            line = line[: inside.start()]
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
            elif word.startswith("/") or (nxt.startswith("/") and word in {"bash", "sh", "python", "python3", "node"}):
                continue  # absolute paths belong to the runner or the image, not to the repository
            elif re.match(r"^\./[\w./-]+\.(sh|py|js|mjs|ts|rb|pl)$", word):
                paths.append(word[2:])
            elif word in {"bash", "sh", "python", "python3", "node"} and re.match(r"^[\w./-]+\.(sh|py|js|mjs)$", nxt) \
                    and "/" in nxt:
                paths.append(nxt.removeprefix("./"))
    return [p for p in paths if "$" not in p]


@check(id="CI-UNPINNED-ACTION", severity=Severity.MEDIUM, section=Section.SECURITY, security=True, effort_hours=1,
       passed="CI actions pinned to commit SHAs or image digests")
def unpinned_action(project: Project) -> Iterator[Finding]:
    """Third-party CI actions not pinned to a commit SHA.

    ## What it checks
    Every `uses: owner/repo@ref` in GitHub Actions workflows pins a full
    40-character commit SHA. Local actions (`./...`) and `docker://` images
    with a digest are exempt. Following zizmor's default policy, third-party
    actions (and any action on a branch) not pinned to a SHA are medium, while
    GitHub-owned actions (`actions/*`, `github/*`) on a version tag are low:
    tags are mutable, but GitHub's own are a smaller risk. One finding per
    workflow file lists every loose reference as a related location.

    ## Why it matters
    A tag or branch can be moved to malicious code (tj-actions/changed-files,
    2025); pinned SHAs make the pipeline run exactly what was reviewed.

    ## How to fix
    Pin to the SHA and keep the version as a comment; let Dependabot or
    Renovate bump it.

    ```yaml github-actions
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    ```
    """
    _require_ci(project)
    judged = False
    for wf in workflows(project):
        loose: list[tuple[str, int | None, bool]] = []  # (uses, line, GitHub-owned on a version tag)
        for step in wf.steps:
            uses = step.uses
            if not uses or uses.startswith("./"):
                continue
            judged = True
            if uses.startswith("docker://"):
                if "@sha256:" not in uses:
                    loose.append((uses, step.line, False))
                continue
            if not _SHA.search(uses):
                loose.append((uses, step.line, _owned_on_tag(uses)))
        if loose:
            yield _unpinned_finding(wf.path, loose)
    if not judged:
        raise NotApplicable("no CI step uses a third-party action")


_GITHUB_OWNERS = ("actions/", "github/")
_VERSION_TAG = re.compile(r"@v?\d+(\.\d+){0,2}$")


def _owned_on_tag(uses: str) -> bool:
    """GitHub-owned actions on a version tag: zizmor's default policy accepts a ref pin for them."""
    return uses.startswith(_GITHUB_OWNERS) and bool(_VERSION_TAG.search(uses))


def _unpinned_finding(path: str, loose: list[tuple[str, int | None, bool]]) -> Finding:
    """One finding per workflow: the first loose reference, the others as related locations.

    Third-party actions (or any action on a branch) are medium; when every loose
    reference is a GitHub-owned action on a version tag the finding is low.
    """
    third = [u for u, _, owned in loose if not owned]
    owned = [u for u, _, is_owned in loose if is_owned]
    lead = next((item for item in loose if not item[2]), loose[0])
    parts = []
    if third:
        parts.append(f"{len(third)} third-party or branch-pinned ({', '.join(dict.fromkeys(third))})")
    if owned:
        parts.append(f"{len(owned)} GitHub-owned on version tags")
    related = tuple(Location(path, line) for _, line, _ in loose if line != lead[1])
    return Finding(
        f"{path}: {len(loose)} action reference(s) not pinned to a commit SHA: {'; '.join(parts)}",
        Location(path, lead[1]),
        key="unpinned-actions",
        severity=None if third else Severity.LOW,
        related=related,
    )


@check(id="CI-NO-TEST-STEP", severity=Severity.MEDIUM, section=Section.OPERATIONS, effort_hours=2,
       passed="CI runs the test suite")
def no_test_step(project: Project) -> Iterator[Finding]:
    """CI never runs the tests.

    ## What it checks
    At least one CI step runs a test command (`npm test`, `pnpm test`,
    `vitest`, `jest`, `pytest`, `python -m pytest`, `go test`, `cargo test`,
    `mvn verify`, `make test` ...), directly or in a repository shell script
    the step calls (`bash scripts/test.sh`, two levels deep). CI files other
    than GitHub workflows (GitLab, Travis, CircleCI ...) are read as text.

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
            if _TEST.search(_expanded(project, step.run or "", step.working_directory or "")):
                return
    parsed = {wf.path for wf in flows}
    for rel in ci_config_files(project):
        if rel not in parsed and _TEST.search(_expanded(project, project.read_text(rel) or "", "")):
            return  # GitLab, Travis, CircleCI ... read as text
    first = flows[0].path if flows else ci_config_files(project)[0]
    yield Finding(f"no CI step runs the test suite (searched {len(ci_config_files(project))} CI file(s) and the "
                  f"scripts they call)", Location(first, 1, anchor_only=True), key="tests")


_SCRIPT_CALL = re.compile(r"(?:\b(?:bash|sh|zsh)\s+|(?<![\w/.])\./)([\w./-]+\.sh)\b")


def _expanded(project: Project, script: str, base: str, depth: int = 0) -> str:
    """A CI script plus the text of repository shell scripts it calls (two levels), where tests often hide."""
    parts = [script]
    if depth >= 2:
        return script
    for name in _SCRIPT_CALL.findall(script):
        name = name.removeprefix("./")
        for candidate in (f"{base.strip('/')}/{name}" if base else name, name):
            text = project.read_text(candidate) if project.exists(candidate) else None
            if text is None:
                # a script named relative to a package folder (`cd backend && bash scripts/test.sh`)
                match = next((p for p in project.files if p.endswith("/" + name)), None)
                text = project.read_text(match) if match else None
                candidate = match or candidate
            if text:
                parts.append(_expanded(project, text, posixpath.dirname(posixpath.dirname(candidate)), depth + 1))
                break
    return "\n".join(parts)


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
    first = flows[0].path if flows else ci_config_files(project)[0]
    yield Finding(f"no dependency audit in CI ({first})", Location(first, 1), key="audit")
