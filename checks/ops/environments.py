"""Environment and release checks: staging/production separation and a rollback path."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.ci_config import all_commands, is_ci_config, workflows
from auditor.deploy.data import deployed_compose
from auditor.deploy.model import Reference, Role
from auditor.model import Finding, Location, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.repo_docs import docs_mention

_ENV_WORDS = {"prod": "production", "production": "production", "staging": "staging", "stage": "staging",
              "dev": "development", "development": "development", "preview": "preview", "qa": "qa", "test": "test",
              "local": "development", "uat": "staging"}
_NAME_PARTS = re.compile(r"[.\-_/]")
_ENV_LITERAL = re.compile(r"['\"](prod|production|staging|stage|uat)['\"]", re.IGNORECASE)
_SUBSTITUTION_TOKEN = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_TESTISH = re.compile(r"(^|/)(tests?|__tests__|spec|e2e)/|\.(test|spec)\.[jt]s$|(^|/)test_[^/]*$")


def _token_only_env_files(project: Project) -> set[str]:
    """Env files whose every value is a `KANEO_API_URL`-style token an entrypoint replaces at start-up.

    Such a file (`.env.production` of a frontend build) is a build-time template for whatever host it is
    deployed to, not the configuration of an environment.
    """
    out: set[str] = set()
    for env in (*project.env_templates, *project.env_files):
        values = [e.value.strip().strip("'\"") for e in env.entries if not e.commented_out]
        if values and all(_SUBSTITUTION_TOKEN.match(v) for v in values):
            out.add(env.path)
    return out


def environments_seen(project: Project) -> dict[str, str]:
    """Environment name -> first file that configures it (env templates, compose overlays, config dirs, k8s)."""
    seen: dict[str, str] = {}
    tokens_only = _token_only_env_files(project)
    candidates = [rel for rel in (*project.env_template_paths, *project.env_file_paths) if rel not in tokens_only]
    candidates += project.compose_paths
    candidates += [rel for rel in project.files
                   if re.search(r"(^|/)(config|deploy|k8s|kubernetes|overlays|environments|helm)/", rel)]
    for rel in candidates:
        for part in _NAME_PARTS.split(rel.lower()):
            env = _ENV_WORDS.get(part)
            if env and env not in seen:
                seen[env] = rel
    # Settings code that names its environments (an enum or choice list with "staging" and "production").
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1].lower()
        if rel.endswith((".py", ".ts", ".js")) and re.search(r"config|settings", name) and not _TESTISH.search(rel):
            text = project.read_text(rel) or ""
            named = {_ENV_WORDS[m.group(1).lower()] for m in _ENV_LITERAL.finditer(text)}
            if {"staging", "production"} <= named:
                for env in ("staging", "production"):
                    seen.setdefault(env, rel)
    for wf in workflows(project):
        for match in re.finditer(r"^\s*environment:\s*['\"]?(\w+)", wf.text, re.MULTILINE):
            env = _ENV_WORDS.get(match.group(1).lower())
            if env and env not in seen:
                seen[env] = wf.path
    return seen


@check(id="OPS-SINGLE-ENVIRONMENT", organisational=True, severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=8,
       passed="Multiple deployable environments configured")
def single_environment(project: Project) -> Iterator[Finding]:
    """Only one environment is configured.

    ## What it checks
    The repository configures at least two deployable environments (for
    example staging and production): env templates such as
    `.env.staging.example`, compose overlays such as `docker-compose.prod.yml`,
    config/deploy/k8s overlay directories, CI `environment:` names, or a
    settings module that names both staging and production (an environment
    enum or choice list).
    Development-only configuration does not count as a second environment,
    and an env file whose every value is a token an entrypoint replaces at
    start-up (`VITE_API_URL="APP_API_URL"`) configures no environment. When
    the repository names only development and test environments (a
    boilerplate's dev, test and CI stacks), it deploys nowhere itself, so
    there is nothing to separate and the check is skipped.
    For a self-hosted distribution or a template, environments are the
    operators' choice: the failure is advice to them, not a finding.

    ## Why it matters
    Without a staging environment every change is first exercised by real
    users; migrations and config changes get no rehearsal.

    ## How to fix
    Add a staging environment that mirrors production, with its own env
    template and deploy job.

    ```yaml compose
    # docker-compose.staging.yml (overlay on the base compose file)
    services:
      app:
        environment:
          PUBLIC_URL: https://staging.example.org
    ```
    """
    if not (project.dockerfile_paths or project.compose_paths or project.env_template_paths):
        raise NotApplicable("no deployment configuration found")
    seen = environments_seen(project)
    deployable = {env: rel for env, rel in seen.items() if env not in {"development", "test"}}
    if len(deployable) >= 2:
        return
    if seen and not deployable:
        # Dev/test/CI stacks only: the repository configures no deployed environment of its own.
        raise NotApplicable("only development and test environments are configured; none is deployed from here")
    where = next(iter(deployable.values()), None) or next(iter(seen.values()), None) or \
        (project.compose_paths or project.dockerfile_paths or project.env_template_paths)[0]
    names = ", ".join(sorted(deployable)) or "none named"
    yield Finding(f"only one deployable environment is configured ({names}); no staging/production separation",
                  Location(where, 1, anchor_only=True), key="environments")


def _versioned_release(project: Project) -> bool:
    """Whether releases are versioned: SHA/version tags pushed by CI or a release script, or pinned builds."""
    # An image tag taken from the commit, the git tag or a version output: `:${{ github.sha }}`,
    # `:${{ steps.latest_tag.outputs.tag }}`, `:${{ needs.release.outputs.version }}`, `:$VERSION`.
    versioned = re.compile(r":\$\{\{\s*[^}]*\b(sha|ref_name|tag|tag_name|version|release)\w*\s*\}\}|"
                           r":\$\{?(GITHUB_SHA|CI_COMMIT_SHA|CI_COMMIT_TAG|GIT_SHA|VERSION|TAG|RELEASE)|"
                           r"docker/metadata-action|type=(semver|sha|ref)\b", re.IGNORECASE)
    # A versioned tag only helps when the image is pushed somewhere it can be redeployed from.
    pushed = re.compile(r"docker\s+(image\s+)?push\b|push:\s*true|docker/build-push-action")
    for wf in workflows(project):
        if versioned.search(wf.text) and pushed.search(wf.text):
            return True
    if any(versioned.search(cmd) and pushed.search(cmd) for _p, _l, cmd in all_commands(project)):
        return True
    # Release scripts outside CI (scripts/release.sh, a Makefile target) count the same.
    for rel in project.files:
        if rel.endswith((".sh", ".bash")) or rel.rsplit("/", 1)[-1] in {"Makefile", "justfile", "Taskfile.yml"}:
            text = project.read_text(rel) or ""
            if versioned.search(text) and pushed.search(text):
                return True
    for compose in project.compose_files:
        for service in compose.services:
            image = service.image or ""
            tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
            if service.get("build") is not None and re.match(r"^v?\d+\.\d+", tag):
                return True
    return False


@check(id="OPS-NO-ROLLBACK", severity=Severity.LOW, section=Section.OPERATIONS, effort_hours=4,
       passed="Rollback path: versioned images or documented procedure")
def no_rollback(project: Project) -> Iterator[Finding]:
    """No rollback path.

    ## What it checks
    Releases are versioned so the previous one can be redeployed: images
    tagged with a version or commit SHA and pushed, in CI (`:${{ github.sha }}`,
    `:$CI_COMMIT_SHA`, a tag or version output of an earlier step, semver
    tags from `docker/metadata-action`, also through reusable workflows) or
    by a release script, compose images pinned to a version, or a
    documented rollback procedure. Only `:latest` or locally built, untagged
    images give no way back.

    ## Why it matters
    When a release breaks production, the fastest fix is to redeploy the last
    good version; without immutable versions there is nothing to go back to.

    ## How to fix
    Tag every image with the commit SHA (and the release tag), deploy by tag,
    and write the rollback command in the runbook.

    ```yaml github-actions
    - run: |
        docker build -t ghcr.io/acme/api:${GITHUB_SHA} .
        docker push ghcr.io/acme/api:${GITHUB_SHA}
    ```
    """
    if not (project.dockerfile_paths or project.compose_paths):
        raise NotApplicable("no container deployment found")
    if _versioned_release(project):
        return
    if docs_mention(project, r"\broll\s?back\b"):
        return
    pipeline = release_pipeline(project)
    if pipeline is None:
        raise NotApplicable("no CI pipeline builds or deploys the production files: releases are made by hand "
                            "(OPS-ROLLBACK-PROCEDURE judges that)")
    where = (deployed_compose(project) or project.compose_paths or project.dockerfile_paths)[0]
    yield Finding(f"releases are not versioned and pushed: {pipeline.where} builds or deploys without SHA/version "
                  "image tags, and no rollback is documented", Location(where, 1, anchor_only=True), key="rollback")


def release_pipeline(project: Project) -> Reference | None:
    """The first CI step that builds, pushes or starts a production deployment file, if any."""
    model = project.deployment
    for ref in model.references:
        if not is_ci_config(ref.source):
            continue
        if any(model.role_of(path) is Role.PRODUCTION for path in ref.files):
            return ref
    return None


@check(id="OPS-ROLLBACK-PROCEDURE", organisational=True, severity=Severity.LOW, section=Section.OPERATIONS,
       effort_hours=2, passed="Rollback path for hand-made releases")
def rollback_procedure(project: Project) -> Iterator[Finding]:
    """No rollback procedure for releases made by hand.

    ## What it checks
    A repository whose production files no CI pipeline builds or deploys
    is released by hand (`docker compose up -d --build` on the server, a
    `docker:prod` script). Its way back is then a procedure of whoever
    deploys it: images tagged with a version or commit and kept, compose
    images pinned to a version, or a documented rollback. When neither
    exists, this fails. For a template or a distribution it is advice to
    the teams that deploy it, not a finding. A repository with a CI release
    pipeline is judged by OPS-NO-ROLLBACK instead.

    ## Why it matters
    When a release breaks production, the fastest fix is to redeploy the
    last good version; a hand-made release built from the checkout leaves
    nothing to go back to but a rebuild of an older commit.

    ## How to fix
    Tag each release and keep the previous image, and write the rollback
    down next to the deploy command.

    ```markdown
    ## Roll back
    docker tag app:current app:previous    # before each deploy
    docker compose down && APP_TAG=previous docker compose up -d
    ```
    """
    if not (project.dockerfile_paths or project.compose_paths):
        raise NotApplicable("no container deployment found")
    if release_pipeline(project) is not None:
        raise NotApplicable("a CI pipeline releases the production files (OPS-NO-ROLLBACK judges it)")
    if _versioned_release(project) or docs_mention(project, r"\broll\s?back\b"):
        return
    where = (deployed_compose(project) or project.compose_paths or project.dockerfile_paths)[0]
    yield Finding("releases are made by hand (no CI pipeline builds or deploys the production files) and "
                  "nothing keeps the previous version: no version image tags, no documented rollback",
                  Location(where, 1, anchor_only=True), key="rollback")
