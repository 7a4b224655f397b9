"""What checks judge: Dockerfiles and start paths of the roles the configuration asks for.

By default only production files are judged; ``--roles all`` (config ``roles: all``)
judges every role. A check that finds nothing to judge says so (NotApplicable with
the reason), so a repository whose only Dockerfile is a test image is not "passed".
"""

from __future__ import annotations

from dataclasses import replace

from auditor.deploy.images import runtime_stage
from auditor.deploy.model import DeployService, Role, StartPath
from auditor.deploy.startpath import dockerfile_start
from auditor.parsing.dockerfile import Dockerfile, Stage
from auditor.project import Project


def dockerfiles(project: Project) -> list[Dockerfile]:
    """Parsed, judged Dockerfiles with at least one stage; NotApplicable when none."""
    from auditor.registry import NotApplicable

    found = [d for d in project.dockerfiles if d.stages]
    if not found:
        raise NotApplicable("no parseable Dockerfile")
    model = project.deployment
    judged = [d for d in found if model.judged(d.path)]
    if not judged:
        roles = sorted({(model.role_of(d.path) or "?").__str__() for d in found})
        raise NotApplicable(f"no production Dockerfile (roles found: {', '.join(roles)}; "
                            "other roles are judged with --roles all)")
    return judged


def start_path(project: Project, dockerfile: Dockerfile, stage: Stage | None = None) -> StartPath:
    """The start path of a Dockerfile's shipped stage plus the commands judged compose services give it."""
    chosen = stage or runtime_stage(project, dockerfile)

    def build() -> StartPath:
        own = dockerfile_start(project, dockerfile, chosen)
        model = project.deployment
        steps = list(own.steps)
        for service in model.services_built_from(dockerfile.path):
            if service.kind == "compose" and (model.judge_all or service.role is Role.PRODUCTION):
                steps.extend(s for s in service.start.steps if s not in steps)
        return replace(own, steps=tuple(steps))

    return project.view(start_path, build, dockerfile.path, chosen.index)


def judged_services(project: Project) -> list[DeployService]:
    """Services (compose, released images, Procfile) of judged roles."""
    model = project.deployment
    return [s for s in model.services if model.judge_all or s.role is Role.PRODUCTION]
