"""ENV-NOT-PROVIDED and ENV-WEAK-SECRET details the fixture harness cannot see (severity, template matching)."""

from __future__ import annotations

from pathlib import Path

from auditor.model import Severity, Status
from auditor.project import Project
from auditor.runner import run_repo_checks
from tests.harness import CHECK_CASES, ROOT, registry


def _run(check_id: str, root: Path) -> tuple[Status, list[tuple[str, Severity | None]]]:
    spec = registry().resolve(check_id)
    assert spec is not None
    result = run_repo_checks([spec], Project(root, excludes=("expect.yaml",)), frozenset())[0]
    return result.status, [(f.key, f.severity) for f in result.findings]


def test_seed_repos_report_the_variables_that_never_reach_the_container() -> None:
    status, found = _run("ENV-NOT-PROVIDED", ROOT / "fixtures" / "repos" / "nestjs-traefik")
    assert status is Status.FAIL and [k for k, _ in found] == ["api:JWT_REFRESH_SECRET"]
    status, found = _run("ENV-NOT-PROVIDED", ROOT / "fixtures" / "repos" / "heydev")
    assert [k for k, _ in found] == ["server:SESSION_SECRET"]


def test_absent_env_file_is_judged_by_its_own_template(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "package.json").write_text('{"dependencies": {"hono": "^4"}}')
    (tmp_path / "server" / "index.ts").write_text(
        "import { Hono } from 'hono'\nconst app = new Hono()\nconst s = process.env.TOKEN_SECRET\nexport default app\n")
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: .\n    env_file: .env.production\n")
    # The template of another env file does not count; the matching one does.
    (tmp_path / ".env.example").write_text("TOKEN_SECRET=\n")
    (tmp_path / ".env.production.example").write_text("OTHER=\n")
    status, found = _run("ENV-NOT-PROVIDED", tmp_path)
    assert status is Status.FAIL and [k for k, _ in found] == ["api:TOKEN_SECRET"]
    (tmp_path / ".env.production.example").write_text("OTHER=\nTOKEN_SECRET=\n")
    assert _run("ENV-NOT-PROVIDED", tmp_path)[0] is Status.PASS


def test_undocumented_absent_env_file_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"hono": "^4"}}')
    (tmp_path / "index.ts").write_text("import { Hono } from 'hono'\nconst s = process.env.TOKEN_SECRET\n")
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: .\n    env_file: [.env]\n")
    assert _run("ENV-NOT-PROVIDED", tmp_path)[0] is Status.SKIPPED


def test_weak_secret_is_medium_in_a_template_and_high_when_live() -> None:
    _status, found = _run("ENV-WEAK-SECRET", CHECK_CASES / "ENV-WEAK-SECRET" / "placeholders")
    by_key = dict(found)
    assert by_key["JWT_SECRET"] is Severity.MEDIUM  # .env.example
    assert by_key["DB_PASSWORD"] is None  # .env.production: the check's own high
    assert by_key["POSTGRES_PASSWORD"] is None  # compose default
