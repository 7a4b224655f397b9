"""Infrastructure as code.

## What it checks
Whether the servers and cloud resources the service runs on are described as
code: Terraform/OpenTofu (`*.tf`), Pulumi (`Pulumi.yaml`), Ansible
(`playbook*.yml`, `ansible.cfg`, `roles/`), CloudFormation/SAM, CDK
(`cdk.json`), Kubernetes manifests with Helm/Kustomize. Informational: small
services can be production-ready without it. For a self-hosted distribution
or a template the infrastructure belongs to its operators, and the finding
says so.

## Why it matters
Hand-built servers cannot be rebuilt quickly after a disaster and drift from
what anyone remembers; code makes recovery and review possible.

## How to fix
Describe the host and its firewall in code, even minimally.

```hcl terraform
resource "hcloud_server" "app" {
  name        = "app"
  server_type = "cx22"
  image       = "debian-12"
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.model import Finding, Section, Severity
from auditor.project import Project
from auditor.registry import NotApplicable, check
from auditor.repo_docs import anchor

_IAC = re.compile(r"\.tf$|(^|/)Pulumi\.ya?ml$|(^|/)ansible\.cfg$|(^|/)playbooks?[^/]*\.ya?ml$|(^|/)cdk\.json$|"
                  r"(^|/)template\.ya?ml$|(^|/)kustomization\.ya?ml$|(^|/)Chart\.yaml$|(^|/)roles/[^/]+/tasks/")


@check(id="OPS-IAC", organisational=True, severity=Severity.INFO, section=Section.OPERATIONS, effort_hours=16,
       passed="Infrastructure described as code")
def infrastructure_as_code(project: Project) -> Iterator[Finding]:
    """Note when no infrastructure-as-code files exist for a deployable service."""
    if not (project.dockerfile_paths or project.compose_paths):
        raise NotApplicable("no deployable service found")
    if not any(_IAC.search(rel) for rel in project.files):
        yield Finding("no infrastructure as code (Terraform, Pulumi, Ansible ...) found", anchor(project),
                      key="iac")
