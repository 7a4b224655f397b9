"""Precision rules of the operations checks: profiles, action severities, release history, table rebuilds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.deploy.migrations import destructive_statements
from auditor.deploy.release_history import added_since_release
from auditor.model import Severity, Status
from auditor.project import Project
from tests.harness import CHECK_CASES, registry, run_case


def _run(check_id: str, case: Path):  # type: ignore[no-untyped-def]
    spec = registry().resolve(check_id)
    assert spec is not None
    return run_case(spec, case)


def test_operator_concerns_fail_in_the_check_whatever_the_profile(tmp_path: Path) -> None:
    # The check judges the repository only; the engine's profile (auditor/profile.py) decides
    # later whether the failure is a finding or advice for a repository others operate.
    (tmp_path / "README.md").write_text("# Acme API boilerplate\n\nStart your service from here.\n")
    (tmp_path / "Dockerfile").write_text('FROM python:3.12-slim\nCMD ["python", "-m", "app"]\n')
    for check_id in ("DOCS-INCIDENT-RESPONSE", "DOCS-DISASTER-RECOVERY", "OPS-IAC"):
        result = _run(check_id, tmp_path)
        assert result.status is Status.FAIL
        assert result.findings[0].severity is None and "advice" not in result.findings[0].message


def test_unpinned_actions_severity_follows_ownership_and_blast_radius() -> None:
    result = _run("CI-UNPINNED-ACTION", CHECK_CASES / "CI-UNPINNED-ACTION" / "github-owned")
    by_key = {f.key: f for f in result.findings}
    assert set(by_key) == {"unpinned-actions"}  # lint.yml and codeql.yml hold only GitHub-owned tags
    risky = by_key["unpinned-actions"]
    assert risky.severity is None  # the check's medium
    assert "actions/checkout@main" in risky.message and "acme/registry-login@v2" in risky.message
    assert "acme/build-and-push" not in risky.message  # SHA-pinned


def test_third_party_action_in_a_read_only_secretless_workflow_is_low(tmp_path: Path) -> None:
    flows = tmp_path / ".github" / "workflows"
    flows.mkdir(parents=True)
    (flows / "ci.yml").write_text("on: [push]\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                  "    steps:\n      - uses: pnpm/action-setup@v4\n      - run: pnpm test\n")
    finding = _run("CI-UNPINNED-ACTION", tmp_path).findings[0]
    assert finding.severity is Severity.LOW and "read-only token" in finding.message
    (flows / "ci.yml").write_text((flows / "ci.yml").read_text() + "  publish:\n    runs-on: ubuntu-latest\n"
                                  "    permissions: {packages: write}\n    steps:\n      - run: echo publish\n")
    assert _run("CI-UNPINNED-ACTION", tmp_path).findings[0].severity is Severity.LOW  # another job writes
    (flows / "ci.yml").write_text((flows / "ci.yml").read_text().replace(
        "      - run: pnpm test\n", "      - run: pnpm test\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"))
    assert _run("CI-UNPINNED-ACTION", tmp_path).findings[0].severity is None  # the job reads a secret: medium


def test_sqlite_rebuild_and_rename_swap_are_not_data_loss() -> None:
    rebuild = ('CREATE TABLE "new_t" ("id" TEXT);\nINSERT INTO "new_t" ("id") SELECT "id" FROM "t";\n'
               'DROP TABLE "t";\nALTER TABLE "new_t" RENAME TO "t";\n')
    assert destructive_statements("m/migration.sql", rebuild) == []
    plain = 'CREATE TABLE "new_t" ("id" TEXT);\nDROP TABLE "t";\n'
    assert [d.line for d in destructive_statements("m/migration.sql", plain)] == [2]
    assert destructive_statements("x.sql", "-- DROP TABLE t;\n/* TRUNCATE t; */\nSELECT 1;\n") == []
    assert destructive_statements("x.sql", "DELETE FROM audit_log;\n")[0].line == 1


def test_down_half_of_a_migration_is_a_rollback() -> None:
    text = "def upgrade():\n    op.add_column('a', c)\n\n\ndef downgrade():\n    op.drop_column('a', 'c')\n"
    assert destructive_statements("alembic/versions/x.py", text) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_history_limits_destructive_migrations_to_the_unreleased(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org",
                        "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args], check=True,
                       capture_output=True)

    migrations = tmp_path / "drizzle"
    migrations.mkdir()
    (migrations / "0001_init.sql").write_text("CREATE TABLE note (id int, body text);\n")
    (migrations / "0002_drop_body.sql").write_text("ALTER TABLE note DROP COLUMN body;\n")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first release")
    git("tag", "v1.0.0")
    (migrations / "0003_add_title.sql").write_text("ALTER TABLE note ADD COLUMN title text;\n")
    (migrations / "0004_drop_note.sql").write_text("DROP TABLE note;\n")
    (migrations / "0005_index.sql").write_text("CREATE INDEX note_title ON note (title);\n")
    git("add", "-A")
    git("commit", "-qm", "next")
    history = added_since_release(Project(tmp_path))
    assert history is not None and history.since == "v1.0.0"
    assert "drizzle/0004_drop_note.sql" in history.added and "drizzle/0002_drop_body.sql" not in history.added
    result = _run("OPS-DESTRUCTIVE-MIGRATION", tmp_path)
    # The released 0002 drop is not reported; the unreleased 0004 is, although it is not the newest file.
    assert [(f.location.path, f.severity) for f in result.findings] == [("drizzle/0004_drop_note.sql", None)]
    assert "since v1.0.0" in result.findings[0].message


def test_without_git_metadata_history_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# x\n")
    assert added_since_release(Project(tmp_path)) is None
