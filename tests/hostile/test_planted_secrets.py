"""Planted secrets: distinct values in every place a scanned value can travel, grepped in every output.

Each secret is planted where prodcheck reads (Dockerfile, compose, env files,
source, CI workflow, a suppression reason, a PEM file), the scan runs through
the CLI in every format with the terminal summary on, and every output, stdout
and stderr is searched for each value and every 8-character piece of it.

The secret parts are fixed random strings (not real credentials). Kind
prefixes (``AKIA``, ``sk_live_``, ``ghp_``) are not secret and are kept out of
the searched values, since a 4-character hint of the kind is allowed.
Live places (headers, cookies, bodies, error pages) plug in through
``SCENARIOS``: a scenario builds its inputs and returns the extra CLI
arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.helpers import FORMATS, assert_no_secret, assert_no_traceback, run_cli


@dataclass(frozen=True)
class Planted:
    """One secret: the full value as written, and the part that must never show."""

    written: str
    secret: str


AWS = Planted("AKIAQ7ZK3MPL9XWV2RTB", "Q7ZK3MPL9XWV2RTB")
AWS_SECRET = Planted("wJalrXUtnF7Q9kEMI3Kd8mPxRfiCYzEXAMPLEKQZ", "wJalrXUtnF7Q9kEMI3Kd8mPxRfiCYzEXAMPLEKQZ")
STRIPE = Planted("sk_live_51Hq8ZtQmW4xNcR7vLp2YbKs9", "51Hq8ZtQmW4xNcR7vLp2YbKs9")
GITHUB = Planted("ghp_R8vN2qLx7KmZ4tYwP9sJcB3hFgD6aE1uQoTi", "R8vN2qLx7KmZ4tYwP9sJcB3hFgD6aE1uQoTi")
JWT = Planted("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkLXVzZXItOTEyIn0.Zk4mQ9tR2vX7pL1sN8wC3yH6bJ0dF5gK",
              "eyJzdWIiOiJwbGFudGVkLXVzZXItOTEyIn0.Zk4mQ9tR2vX7pL1sN8wC3yH6bJ0dF5gK")
URL_PASSWORD = Planted("Vq7!mZ2pRx9Lk", "Vq7!mZ2pRx9Lk")
COMPOSE_PASSWORD = Planted("Hx4pQ8rT2mWz6Kv", "Hx4pQ8rT2mWz6Kv")
ADD_PASSWORD = Planted("Tn5vB8qX3zLm", "Tn5vB8qX3zLm")
PEM_BODY = ("MIIEowIBAAKCAQEA7pLx9Qm2ZtR4vN8sK3wYcJ6bH1dF0gE5aU7iO9lPqXrTyWzV\n"
            "n3Mq8Rt2Lp5Zx7Kv9Wb4Yc6Jd1Hf0Ge3Aa5Ui7Oo9Pl2Qr4Ts6Uv8Xy0Zb3Nc5Md\n")
PEM = Planted(PEM_BODY, PEM_BODY.replace("\n", ""))
SUPPRESSION_TOKEN = Planted("ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c", "Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c")

ALL = (AWS, AWS_SECRET, STRIPE, GITHUB, JWT, URL_PASSWORD, COMPOSE_PASSWORD, ADD_PASSWORD, PEM, SUPPRESSION_TOKEN)


def plant_repository(root: Path) -> Path:
    """A repository with every planted secret in a place prodcheck reads."""
    repo = root / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "deploy").mkdir()
    (repo / "Dockerfile").write_text(
        f"# prodcheck: ignore[DOCKER-ROOT-USER] runs as root, see token {SUPPRESSION_TOKEN.written}\n"
        "FROM node:20\n"
        f"ENV AWS_ACCESS_KEY_ID={AWS.written}\n"
        f"ARG AWS_SECRET_ACCESS_KEY={AWS_SECRET.written}\n"
        f"ADD https://deploy:{ADD_PASSWORD.written}@downloads.example.com/app.tgz /app/\n"
        f"RUN curl -H 'Authorization: Bearer {JWT.written}' https://api.example.com/x\n"
        f"RUN echo {STRIPE.written} > /tmp/key\n"
        'CMD ["node", "server.js"]\n'
    )
    (repo / "docker-compose.yml").write_text(
        "services:\n"
        "  api:\n"
        "    build: .\n"
        "    environment:\n"
        f"      DATABASE_URL: ${{DATABASE_URL:-postgres://app:{URL_PASSWORD.written}@db:5432/app}}\n"
        f"      STRIPE_SECRET_KEY: {STRIPE.written}\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    environment:\n"
        f"      POSTGRES_PASSWORD: {COMPOSE_PASSWORD.written}\n"
        f"    # broken: [ {GITHUB.written}\n"
    )
    (repo / "compose.override.yaml").write_text(f"services:\n  api:\n    environment: [{GITHUB.written}\n  x: *nope\n")
    (repo / ".env").write_text(f"STRIPE_SECRET_KEY={STRIPE.written}\nGITHUB_TOKEN={GITHUB.written}\n"
                               f"DATABASE_URL=postgres://app:{URL_PASSWORD.written}@db/app\n")
    (repo / ".env.example").write_text(f"DATABASE_URL=postgres://app:{URL_PASSWORD.written}@localhost/app\n"
                                       f"JWT_SECRET={JWT.written}\nnot an assignment {GITHUB.written}\n")
    (repo / "src" / "server.js").write_text(
        f'const stripe = require("stripe")("{STRIPE.written}");\n'
        f'const token = process.env.GITHUB_TOKEN || "{GITHUB.written}";\n'
        'const app = require("express")();\n'
        'app.get("/", (req, res) => res.send("ok"));\n'
        "app.listen(3000);\n"
    )
    (repo / "src" / "settings.py").write_text(
        f'AWS_ACCESS_KEY_ID = "{AWS.written}"\nSECRET_KEY = "{AWS_SECRET.written}"\n'
        f'DATABASE_URL = "postgres://app:{URL_PASSWORD.written}@db/app"\n'
    )
    (repo / "deploy" / "id_rsa").write_text(f"-----BEGIN RSA PRIVATE KEY-----\n{PEM.written}-----END RSA PRIVATE KEY-----\n")
    (repo / "deploy" / "key.pem").write_text(f"-----BEGIN PRIVATE KEY-----\n{PEM.written}-----END PRIVATE KEY-----\n")
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push]\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        f"      GITHUB_TOKEN: {GITHUB.written}\n"
        f"      AWS_SECRET_ACCESS_KEY: {AWS_SECRET.written}\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - run: curl -u deploy:{URL_PASSWORD.written} https://ci.example.com/hook\n"
    )
    return repo


def repository_scenario(root: Path) -> tuple[list[str | Path], tuple[Planted, ...]]:
    """Secrets planted in the repository only."""
    return [plant_repository(root)], ALL


# Live cases (headers, cookies, bodies, error pages) add a scenario here that starts a server on
# 127.0.0.1 and returns ["--url", url, ...] with the values it planted.
SCENARIOS: dict[str, Callable[[Path], tuple[list[str | Path], tuple[Planted, ...]]]] = {
    "repository": repository_scenario,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_planted_secret_in_any_output(tmp_path: Path, name: str) -> None:
    args, planted = SCENARIOS[name](tmp_path)
    out_dir = tmp_path / "out"
    observations = tmp_path / "observations.json"
    outputs: dict[str, str | bytes] = {}
    for fmt in FORMATS:
        proc = run_cli("scan", *args, "--offline", "-f", fmt, "--output-dir", out_dir,
                       "--save-observations", observations)
        assert_no_traceback(proc)
        assert proc.returncode in (0, 1, 3), proc.stderr.decode("utf-8", "replace")[-2000:]
        outputs[f"{fmt} stdout"] = proc.stdout
        outputs[f"{fmt} stderr"] = proc.stderr
    summary = run_cli("scan", *args, "--offline", "--summary", "-f", "md")
    outputs["summary stdout"] = summary.stdout
    outputs["summary stderr"] = summary.stderr
    for written in sorted(out_dir.iterdir()):
        outputs[written.name] = written.read_bytes()
    assert {p.suffix for p in out_dir.iterdir()} >= {".md", ".json", ".sarif", ".html"}
    if observations.exists():
        outputs["observations"] = observations.read_bytes()
    # The scan must have seen the planted values, or the test proves nothing.
    report = (out_dir / "prodcheck-report.json").read_text(encoding="utf-8")
    assert '"check_id": "ENV-COMMITTED-SECRET"' in report or "ENV-" in report
    assert "DOCKER-SECRETS-IN-ENV" in report or "secret" in report.lower()
    assert_no_secret(outputs, [p.secret for p in planted])
