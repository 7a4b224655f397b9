"""Orchestrator manifests in the repository: where Kubernetes-style probes tell liveness from readiness.

Docker's HEALTHCHECK and compose's ``healthcheck:`` know one probe; Kubernetes (plain manifests,
Helm charts, Kustomize overlays) routes on ``readinessProbe`` and restarts on ``livenessProbe``.
Advice that depends on that split applies only where such a manifest exists.
"""

from __future__ import annotations

import re

from auditor.lazyre import lazy
from auditor.project import Project

_PROBE_KEY = lazy(r"^\s*(readinessProbe|livenessProbe|startupProbe)\s*:", re.MULTILINE)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".tpl")  # Helm templates too


def probe_manifests(project: Project) -> tuple[str, ...]:
    """Paths of manifests (Kubernetes, Helm templates) that declare readiness, liveness or startup probes."""

    def build() -> tuple[str, ...]:
        out = []
        for rel in project.files:
            if not rel.lower().endswith(_MANIFEST_SUFFIXES):
                continue
            text = project.read_text(rel) or ""
            if "Probe" in text and _PROBE_KEY.search(text):
                out.append(rel)
        return tuple(out)

    return project.view(probe_manifests, build)
