"""Compose and env checks on hostile or odd input: clear results, never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from tests.harness import registry

ODD_COMPOSE = {
    "services-list": "services:\n  - api\n  - db\n",
    "service-scalar": "services:\n  api: nginx\n  db:\n",
    "wrong-types": (
        "version: 3\n"
        "services:\n"
        "  api:\n"
        "    image: 42\n"
        "    ports: 8080\n"
        "    volumes: {a: b}\n"
        "    depends_on: 7\n"
        "    environment: [1, {a: b}, null]\n"
        "    logging: json-file\n"
        "    deploy: [1]\n"
        "    healthcheck: yes\n"
        "    networks: 5\n"
        "    labels: [null]\n"
        "    cap_add: CAP_SYS_ADMIN\n"
        "    build: {context: 'https://github.com/x/y.git'}\n"
        "  db:\n"
        "    image: postgres\n"
        "    ports: [null, true, {}, '[::1', '::::']\n"
        "    volumes: [null, 5, {type: bind}]\n"
        "    command: {a: b}\n"
        "networks: [a]\n"
    ),
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    ),
    "not-yaml": "services:\n  api:\n    image: [unclosed\n",
    "empty": "",
}


def _compose_and_env_specs() -> list:  # type: ignore[type-arg]
    return [s for s in registry() if s.id.startswith(("COMPOSE-", "ENV-"))]


@pytest.mark.parametrize("name", sorted(ODD_COMPOSE))
def test_odd_compose_never_errors(tmp_path: Path, name: str) -> None:
    (tmp_path / "compose.yaml").write_text(ODD_COMPOSE[name], encoding="utf-8")
    (tmp_path / ".env.example").write_text("=broken\nexport A='unterminated\nB=${C}\n", encoding="utf-8")
    (tmp_path / ".env").write_bytes(b"\xff\xfeK=\x00\x01")
    results = run_repo_checks(_compose_and_env_specs(), Project(tmp_path), frozenset())
    errors = [(r.meta.id, r.reason) for r in results if r.status is Status.ERROR]
    assert not errors


def test_no_compose_is_skipped_not_passed(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello\n", encoding="utf-8")
    results = run_repo_checks(_compose_and_env_specs(), Project(tmp_path), frozenset())
    assert results and all(r.status is Status.SKIPPED for r in results), [(r.meta.id, r.status) for r in results]


def test_secret_values_never_reach_messages(tmp_path: Path) -> None:
    secret = "sk-proj-" + "Zx81Kq0Lm3Vb7Nc2Wd5Ye9Rf4Tg6Uh"
    (tmp_path / ".env.example").write_text(f"OPENAI_API_KEY={secret}\nJWT_SECRET=change-me\n", encoding="utf-8")
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={secret}\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    image: ghcr.io/acme/api:1.0.0\n    env_file: .env\n"
        f"    environment:\n      OPENAI_API_KEY: {secret}\n      DB: postgres://u:{secret}@db/x\n",
        encoding="utf-8",
    )
    results = run_repo_checks(_compose_and_env_specs(), Project(tmp_path), frozenset())
    texts = [f.message + f.evidence + f.key for r in results for f in r.findings]
    assert texts, "expected findings"
    assert not [t for t in texts if secret in t or secret[4:16] in t]
