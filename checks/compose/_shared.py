"""Thin re-exports of :mod:`auditor.deploy.compose` for code that still imports the old helper module.

Compose views (merged services per compose project, ports, mounts, labels,
healthchecks) live in ``auditor/deploy``; checks import them from there.
"""

from __future__ import annotations

from auditor.deploy.compose import (  # noqa: F401 - re-exports
    DATA_DIRS,
    DATA_IMAGES,
    PROXY_IMAGES,
    Group,
    Mount,
    Part,
    Port,
    ServiceView,
    all_groups,
    all_services,
    build_stage,
    falsy,
    groups,
    healthcheck_source,
    image_base,
    image_kind,
    is_proxy_routed,
    labels_of,
    mounts_of,
    networks_of,
    parse_mount,
    parse_port,
    ports_of,
    require_services,
    resolve_vars,
    split_colons,
    truthy,
)
