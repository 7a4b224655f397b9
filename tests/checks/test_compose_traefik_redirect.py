"""COMPOSE-TRAEFIK-NO-HTTPS-REDIRECT: entrypoints from flags, environment and mounted config files."""

from __future__ import annotations

from pathlib import Path

from auditor.deploy.compose import all_services
from auditor.project import Project
from checks.compose.traefik_redirect import entrypoints


def _points(tmp_path: Path, compose: str) -> tuple[str | None, str | None, bool]:
    (tmp_path / "compose.yaml").write_text(compose)
    project = Project(tmp_path)
    view = next(s for s in all_services(project) if s.name == "traefik")
    found = entrypoints(project, view)
    return found.http, found.https, found.redirects


def test_environment_configuration(tmp_path: Path) -> None:
    compose = """services:
  traefik:
    image: traefik:v3.1
    environment:
      TRAEFIK_ENTRYPOINTS_HTTP_ADDRESS: ":80"
      TRAEFIK_ENTRYPOINTS_HTTPS_ADDRESS: ":443"
      TRAEFIK_ENTRYPOINTS_HTTP_HTTP_REDIRECTIONS_ENTRYPOINT_TO: https
"""
    assert _points(tmp_path, compose) == ("http", "https", True)


def test_static_file_with_redirections(tmp_path: Path) -> None:
    (tmp_path / "traefik.yml").write_text(
        "entryPoints:\n  web:\n    address: ':80'\n    http:\n      redirections:\n        entryPoint:\n"
        "          to: websecure\n  websecure:\n    address: ':443'\n")
    compose = """services:
  traefik:
    image: traefik:v3.1
    volumes:
      - ./traefik.yml:/etc/traefik/traefik.yml:ro
"""
    assert _points(tmp_path, compose) == ("web", "websecure", True)


def test_flags_without_redirect(tmp_path: Path) -> None:
    compose = """services:
  traefik:
    image: traefik:v3.1
    command: ["--entryPoints.web.address=:80", "--entryPoints.websecure.address=:443"]
"""
    assert _points(tmp_path, compose) == ("web", "websecure", False)
