"""Evidence that requests reach the application through a proxy or a platform router."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.deploy.proxies import request_front
from auditor.project import Project
from tests.harness import write_tree


@pytest.mark.parametrize(("files", "expected"), [
    ({"deploy/nginx.conf": "server {\n  listen 80;\n  location / { proxy_pass http://api:3000; }\n}\n"},
     ("deploy/nginx.conf", 3, "nginx proxy_pass")),
    ({"Caddyfile": "example.com {\n\treverse_proxy api:3000\n}\n"}, ("Caddyfile", 2, "Caddy reverse_proxy")),
    ({"compose.yml": "services:\n  api:\n    labels:\n      - traefik.http.routers.api.rule=Host(`x`)\n"},
     ("compose.yml", 4, "Traefik routers")),
    ({"Procfile": "release: npm run migrate\nweb: node server.js\n"},
     ("Procfile", 2, "Heroku's router (Procfile web process)")),
    ({"fly.toml": "app = 'x'\n"}, ("fly.toml", 1, "Fly.io's proxy (fly.toml)")),
    ({"app.yaml": "runtime: nodejs20\n"}, ("app.yaml", 1, "App Engine's front end (app.yaml)")),
    ({"k8s/api.yaml": "apiVersion: v1\nkind: Service\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\n"},
     ("k8s/api.yaml", 5, "a Kubernetes Ingress")),
    ({"docs/deploy.md": "# Deploy\n\n```nginx\nserver {\n  location / {\n    proxy_pass http://127.0.0.1:3000;\n"
                        "  }\n}\n```\n"}, ("docs/deploy.md", 6, "nginx proxy_pass")),
])
def test_each_kind_of_front(tmp_path: Path, files: dict[str, str], expected: tuple[str, int, str]) -> None:
    front = request_front(Project(write_tree(tmp_path, files)))
    assert front is not None
    assert (front.path, front.line, front.what) == expected


@pytest.mark.parametrize("files", [
    # Development and test proxies, a Procfile with no web process, a static nginx and a worker-only app.yaml.
    {"dev/nginx.conf": "server {\n  location / { proxy_pass http://api:3000; }\n}\n"},
    {"tests/e2e/Caddyfile": "localhost {\n  reverse_proxy api:3000\n}\n"},
    {"Procfile": "worker: node worker.js\n"},
    {"nginx.conf": "server {\n  location / { root /usr/share/nginx/html; }\n}\n"},
    {"app.yaml": "name: a GitHub app manifest\n"},
])
def test_no_front(tmp_path: Path, files: dict[str, str]) -> None:
    assert request_front(Project(write_tree(tmp_path, files))) is None


@pytest.mark.parametrize(("conf", "loopback"), [
    ("server {\n  location / { proxy_pass http://127.0.0.1:8000; }\n}\n", True),
    ("server {\n  location / { proxy_pass http://web:8000; }\n}\n", False),
    ("upstream app {\n  server 127.0.0.1:8000;\n}\nserver {\n  location / { proxy_pass http://app; }\n}\n", True),
    ("upstream app {\n  server api-1:8000;\n  server api-2:8000;\n}\nserver {\n  location / { proxy_pass http://app; }\n}\n",
     False),
    ("server {\n  location / { proxy_pass http://unix:/run/gunicorn.sock; }\n}\n", True),
])
def test_nginx_front_over_loopback(tmp_path: Path, conf: str, loopback: bool) -> None:
    project = Project(write_tree(tmp_path, {"deploy/site.conf": conf}))
    front = request_front(project)
    assert front is not None and front.loopback is loopback
    assert (request_front(project, remote_only=True) is None) is loopback


def test_caddy_front_over_loopback(tmp_path: Path) -> None:
    front = request_front(Project(write_tree(tmp_path, {"Caddyfile": "a.example {\n\treverse_proxy localhost:3000\n}\n"})))
    assert front is not None and front.loopback
