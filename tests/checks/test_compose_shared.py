"""Unit tests for the compose checks' shared parsing of ports, volumes, images and variables."""

from __future__ import annotations

import pytest

from auditor.deploy.compose import image_kind, parse_mount, parse_port, resolve_vars
from auditor.env_values import find_placeholders


@pytest.mark.parametrize(
    ("item", "host_ip", "published", "target", "all_interfaces"),
    [
        ("5432:5432", "", "5432", "5432", True),
        ("5432", "", "", "5432", True),
        (5432, "", "", "5432", True),
        ("127.0.0.1:5432:5432", "127.0.0.1", "5432", "5432", False),
        ("127.0.0.1::5432", "127.0.0.1", "", "5432", False),
        ("0.0.0.0:6379:6379/tcp", "0.0.0.0", "6379", "6379", True),
        ("[::1]:5432:5432", "::1", "5432", "5432", False),
        ("[::]:5432:5432", "::", "5432", "5432", True),
        ("${BIND:-127.0.0.1}:5432:5432", "127.0.0.1", "5432", "5432", False),
        ({"target": 6379, "published": 6379}, "", "6379", "6379", True),
        ({"target": 6379, "published": 6379, "host_ip": "127.0.0.1"}, "127.0.0.1", "6379", "6379", False),
        ({"target": 8000, "published": "127.0.0.1:8080"}, "127.0.0.1", "8080", "8000", False),
    ],
)
def test_parse_port(item: object, host_ip: str, published: str, target: str, all_interfaces: bool) -> None:
    port = parse_port(item, 3)
    assert port is not None
    assert (port.host_ip, port.published, port.target) == (host_ip, published, target)
    assert port.all_interfaces is all_interfaces
    assert port.line == 3


def test_parse_port_rejects_junk() -> None:
    assert parse_port(None, 1) is None
    assert parse_port(True, 1) is None


@pytest.mark.parametrize(
    ("item", "kind", "source", "target", "read_only"),
    [
        ("/var/lib/mysql", "anonymous", "", "/var/lib/mysql", False),
        ("db-data:/var/lib/postgresql/data", "volume", "db-data", "/var/lib/postgresql/data", False),
        ("./data:/data:ro", "bind", "./data", "/data", True),
        ("/var/run/docker.sock:/var/run/docker.sock:ro,z", "bind", "/var/run/docker.sock", "/var/run/docker.sock", True),
        ("${DATA_DIR:-./data}:/data", "bind", "${DATA_DIR:-./data}", "/data", False),
        ({"type": "volume", "target": "/data"}, "anonymous", "", "/data", False),
        ({"type": "bind", "source": "/srv", "target": "/srv", "read_only": True}, "bind", "/srv", "/srv", True),
        ({"type": "tmpfs", "target": "/data/db"}, "tmpfs", "", "/data/db", False),
    ],
)
def test_parse_mount(item: object, kind: str, source: str, target: str, read_only: bool) -> None:
    mount = parse_mount(item, 7)
    assert mount is not None
    assert (mount.type, mount.source, mount.target, mount.read_only) == (kind, source, target, read_only)


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("postgres:16", "postgres"),
        ("docker.io/library/postgres:16-alpine", "postgres"),
        ("bitnami/postgresql:16", "postgres"),
        ("redis", "redis"),
        ("valkey/valkey:8", "valkey"),
        ("docker.elastic.co/elasticsearch/elasticsearch:8.15.0", "elasticsearch"),
        ("mongo-express:1", None),
        ("rediscommander/redis-commander", None),
        ("ghcr.io/acme/api:1.0", None),
        ("${DB_IMAGE:-mysql:8}", "mysql"),
        (None, None),
    ],
)
def test_image_kind(image: str | None, kind: str | None) -> None:
    assert image_kind(image) == kind


def test_resolve_vars_prefers_defaults() -> None:
    assert resolve_vars("${A:-x}/${B}/$C/${D-y}") == "x/B/C/y"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("--certificatesresolvers.le.acme.email=your-email@domain.com", ["your-email@domain.com"]),
        ("traefik.http.routers.api.rule=Host(`api.yourdomain.com`)", ["api.yourdomain.com"]),
        ("https://app.example.org/callback", ["app.example.org"]),
        ("ADMIN_PASSWORD=changeme", ["changeme"]),
        ("<your-api-key>", ["<your-api-key>"]),
        ("REPLACE_ME", ["REPLACE_ME"]),
        ("TODO: set me", ["TODO"]),
        ("a todo list app", []),
        ("https://api.acme.io", []),
        ("admin@acme.io", []),
        ("counterexample.community", []),
    ],
)
def test_find_placeholders(text: str, found: list[str]) -> None:
    assert find_placeholders(text) == found


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"image": "postgres:16"}, "postgres"),
        ({"image": "postgres:16", "command": ["postgres", "-c", "max_connections=200"]}, "postgres"),
        ({"image": "redis:7", "command": "redis-server --appendonly yes"}, "redis"),
        ({"image": "redis:7", "command": ["--maxmemory", "256mb"]}, "redis"),
        ({"image": "redis:7", "command": ["sh", "-c", "exec redis-server --requirepass \"$$PW\""]}, "redis"),
        ({"image": "postgres:16", "entrypoint": ["/scripts/backup.sh"]}, None),
        ({"image": "postgres:16", "command": "pg_dump -h db app"}, None),
    ],
)
def test_service_kind_ignores_clients(body: dict[str, object], kind: str | None) -> None:
    from auditor.deploy.compose import Part, ServiceView
    from auditor.parsing.compose import Service

    view = ServiceView("svc", (Part(None, Service("svc", body, 1)),))  # type: ignore[arg-type]
    assert view.kind == kind
