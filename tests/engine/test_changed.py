"""``scan --changed-since REF``: the changed set from a real git repository, the families it runs, what it shows."""

from __future__ import annotations

import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.changed import ChangedSet, ChangedSinceError, Scope, changed_files, kind_of
from auditor.engine import scan
from auditor.model import CheckDoc, CheckMeta, CheckResult, Finding, Location, Section, Severity, Status, Target
from auditor.options import ScanOptions

ROOT = Path(__file__).resolve().parents[2]
HEYDEV = ROOT / "fixtures" / "repos" / "heydev"
TODAY = "2026-12-01"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def _repo(tmp_path: Path, source: Path = HEYDEV) -> Path:
    """A git repository holding a copy of ``source``, everything committed."""
    repo = tmp_path / "repo"
    shutil.copytree(source, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "initial")
    return repo


def _touch(repo: Path, rel: str) -> None:
    path = repo / rel
    comment = "//" if rel.endswith((".ts", ".js")) else "#"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{comment} edited\n", encoding="utf-8")


def _cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", "scan", str(repo), "--offline", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def _shown(report: object) -> set[tuple[str, str | None, int | None, str]]:
    return {(r.meta.id, f.location.path if not f.location.anchor_only else "(repository)", f.location.line,
             f.message)
            for r in report.results if r.status is Status.FAIL for f in r.findings}  # type: ignore[attr-defined]


def test_changed_set_is_the_diff_plus_untracked_not_ignored(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _touch(repo, "Dockerfile")  # unstaged
    _touch(repo, "docker-compose.yml")
    _git(repo, "add", "docker-compose.yml")  # staged
    (repo / "server" / "src" / "new.ts").write_text("export const x = 1\n")  # untracked
    (repo / "dist").mkdir()
    (repo / "dist" / "bundle.js").write_text("ignored\n")  # ignored by .gitignore
    (repo / "package.json").unlink()  # deleted: listed, but nothing to judge there
    changed = changed_files(repo, "HEAD")
    assert changed.ref == "HEAD"
    assert changed.files == {"Dockerfile", "docker-compose.yml", "server/src/new.ts", "package.json"}
    # Committed changes count too: against the previous commit, everything above once committed.
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "second")
    assert changed_files(repo, "HEAD~1").files == {"Dockerfile", "docker-compose.yml", "server/src/new.ts",
                                                   "package.json"}
    assert changed_files(repo, "HEAD").files == frozenset()


def test_a_first_commit_changes_every_staged_and_untracked_file(tmp_path: Path) -> None:
    """Before the first commit HEAD is unborn: the hook's `--changed-since HEAD` judges everything, not exit 2."""
    repo = tmp_path / "repo"
    shutil.copytree(HEYDEV, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "Dockerfile", "docker-compose.yml")
    (repo / ".gitignore").write_text("node_modules/\nignored.txt\n", encoding="utf-8")
    (repo / "ignored.txt").write_text("x\n", encoding="utf-8")
    files = changed_files(repo, "HEAD").files
    assert {"Dockerfile", "docker-compose.yml", ".gitignore", "server/src/index.ts"} <= files
    assert "ignored.txt" not in files
    result = _cli(repo, "--changed-since", "HEAD", "--fail-on", "high")
    assert result.returncode == 1, result.stderr  # heydev's high findings are all in changed files
    assert "unknown git revision" not in result.stderr
    # A branch name that does not exist is still a usage error, first commit or not.
    with pytest.raises(ChangedSinceError):
        changed_files(repo, "main~1")


def test_paths_are_relative_to_a_scanned_sub_directory(tmp_path: Path) -> None:
    top = tmp_path / "top"
    shutil.copytree(HEYDEV, top / "app")
    (top / "other.txt").write_text("outside the scanned directory\n")
    _git(top, "init", "-q")
    _git(top, "add", "-A")
    _git(top, "commit", "-q", "-m", "initial")
    _touch(top / "app", "Dockerfile")
    (top / "other.txt").write_text("changed outside\n")
    (top / "app" / "new.md").write_text("# new\n")
    assert changed_files(top / "app", "HEAD").files == {"Dockerfile", "new.md"}


def test_bad_revision_or_no_repository_is_a_usage_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    for ref in ("no-such-branch", "--output=/tmp/x", ""):
        with pytest.raises(ChangedSinceError):
            changed_files(repo, ref)
    bad = _cli(repo, "--changed-since", "no-such-branch")
    assert bad.returncode == 2
    assert "unknown git revision 'no-such-branch'" in bad.stderr
    plain = tmp_path / "plain"
    shutil.copytree(HEYDEV, plain)
    outside = _cli(plain, "--changed-since", "HEAD")
    assert outside.returncode == 2
    assert "--changed-since needs a git work tree" in outside.stderr


def test_the_scanned_repository_git_config_runs_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    marker = tmp_path / "pwned"
    # A hostile checkout: fsmonitor and diff drivers that would run a command.
    _git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    _git(repo, "config", "diff.external", f"touch {marker}")
    _git(repo, "config", "diff.evil.textconv", f"touch {marker}; cat")
    (repo / ".gitattributes").write_text("* diff=evil\n")
    _touch(repo, "Dockerfile")
    assert "Dockerfile" in changed_files(repo, "HEAD").files
    assert not marker.exists()


def test_a_dockerfile_change_shows_exactly_the_full_scans_dockerfile_findings(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    full = scan(ScanOptions(path=repo, offline=True, today=TODAY))
    _touch(repo, "Dockerfile")
    partial = scan(ScanOptions(path=repo, offline=True, today=TODAY, changed=changed_files(repo, "HEAD")))
    wanted = {f for f in _shown(full) if f[1] == "Dockerfile"}
    assert wanted and _shown(partial) == wanted
    ran = {r.meta.id.split("-")[0] for r in partial.results if r.status in (Status.PASS, Status.FAIL)}
    assert ran <= {"DOCKER", "PARSE", "SUPPRESSION"}, ran
    skipped = {r.reason for r in partial.results if r.status is Status.SKIPPED}
    assert "no file it judges changed since HEAD" in skipped
    assert any(n.startswith("partial scan: 1 changed file since HEAD") for n in partial.notes)


def test_a_source_change_shows_its_findings_and_repository_level_ones(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    full = scan(ScanOptions(path=repo, offline=True, today=TODAY))
    _touch(repo, "server/src/routes/events.ts")
    partial = scan(ScanOptions(path=repo, offline=True, today=TODAY, changed=changed_files(repo, "HEAD")))
    in_file = {f for f in _shown(full) if f[1] == "server/src/routes/events.ts"}
    assert in_file and in_file <= _shown(partial)
    # Besides those only repository-level findings of the families that ran (docs, CI ...), none elsewhere.
    assert {f[1] for f in _shown(partial)} == {"server/src/routes/events.ts", "(repository)"}
    assert _shown(partial) <= _shown(full)
    # A check that found things only in unchanged files is not reported as passing.
    emptied = [r for r in partial.results if r.reason == "findings only in files unchanged since HEAD"]
    assert emptied and all(r.status is Status.SKIPPED for r in emptied)


def test_gates_apply_to_what_is_shown(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert _cli(repo, "-q", "--fail-on", "high").returncode == 1  # the whole repository has high findings
    _touch(repo, "widget/src/widget.ts")
    quiet = _cli(repo, "--changed-since", "HEAD", "--fail-on", "high")
    assert quiet.returncode == 0, quiet.stderr
    assert "partial scan: 1 changed file since HEAD" in quiet.stderr
    _touch(repo, "Dockerfile")
    out = tmp_path / "report.json"
    loud = _cli(repo, "-q", "--changed-since", "HEAD", "--fail-on", "high", "-f", "json", "-o", str(out))
    assert loud.returncode == 1
    assert "gate failed" in loud.stderr
    report = json.loads(out.read_text())
    assert any(str(note).startswith("partial scan: 2 changed files since HEAD") for note in report["notes"])


def test_a_dockerfile_change_imports_no_other_check_family(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _touch(repo, "Dockerfile")
    code = ("import sys; from pathlib import Path; from auditor.changed import changed_files; "
            "from auditor.engine import scan; from auditor.options import ScanOptions; "
            f"p = Path({str(repo)!r}); scan(ScanOptions(path=p, offline=True, changed=changed_files(p, 'HEAD'))); "
            "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('checks.')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert ast.literal_eval(out.strip()) == ["core", "docker"]


def test_changed_since_needs_a_path() -> None:
    proc = subprocess.run([sys.executable, "-m", "auditor", "scan", "--url", "https://127.0.0.1:1",
                           "--changed-since", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "--changed-since needs a repository PATH" in proc.stderr


@pytest.mark.parametrize(("rel", "kind"), [
    ("Dockerfile", "docker"), ("api/Dockerfile.prod", "docker"), ("docker-compose.yml", "compose"),
    (".env.example", "env"), (".github/workflows/ci.yml", "ci"), (".gitlab-ci.yml", "ci"),
    ("apps/web/package.json", "manifest"), ("requirements-dev.txt", "manifest"), ("pnpm-lock.yaml", "manifest"),
    ("src/index.ts", "other"), ("README.md", "other"), ("migrations/0001.sql", "other"),
])
def test_kinds(rel: str, kind: str) -> None:
    assert kind_of(rel) == kind


def _result(*findings: Finding, status: Status = Status.FAIL) -> CheckResult:
    meta = CheckMeta(id="X-ONE", title="t", severity=Severity.LOW, section=Section.DEPLOYMENT, target=Target.REPO,
                     doc=CheckDoc("t", "", "", ""))
    return CheckResult(meta, status, findings, target="repo")


def test_limit_keeps_changed_related_and_repository_level_findings() -> None:
    scope = Scope(ref="main", files=frozenset({"a.ts"}), kinds=frozenset({"other"}))
    in_changed = Finding("in a", Location("a.ts", 3))
    related = Finding("in b, also a", Location("b.ts", 1), related=(Location("a.ts", 9),))
    anchored = Finding("no runbook", Location("README.md", 1, anchor_only=True))
    nowhere = Finding("repository-wide")
    elsewhere = Finding("in b", Location("b.ts", 2))
    kept = scope.limit([_result(in_changed, related, anchored, nowhere, elsewhere)])
    assert kept[0].status is Status.FAIL
    assert kept[0].findings == (in_changed, related, anchored, nowhere)
    emptied = scope.limit([_result(elsewhere)])[0]
    assert (emptied.status, emptied.findings, emptied.reason) == (
        Status.SKIPPED, (), "findings only in files unchanged since main")
    passed = _result(status=Status.PASS)
    assert scope.limit([passed]) == [passed]


def test_changed_files_outside_the_scan_drop_out() -> None:
    from auditor.changed import scope

    limited = scope(ChangedSet("HEAD", frozenset({"Dockerfile", "gone.ts"})), frozenset({"Dockerfile", "a.ts"}))
    assert limited.files == {"Dockerfile"} and limited.kinds == {"docker"}
    assert limited.note().startswith("partial scan: 1 changed file since HEAD")


def test_the_pre_commit_hook_gates_the_staged_change(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = [h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml")) if h["id"] == "prodcheck-changed"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    program, *args = shlex.split(hook["entry"])
    assert program == "prodcheck" and args[:2] == ["scan", "."] and "--changed-since" in args
    repo = _repo(tmp_path)

    def run() -> subprocess.CompletedProcess[str]:
        # pre-commit runs the entry in the repository's top directory.
        return subprocess.run([sys.executable, "-m", "auditor", *args], cwd=repo, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})

    _touch(repo, "widget/src/widget.ts")
    _git(repo, "add", "-A")
    assert run().returncode == 0
    _touch(repo, "Dockerfile")  # the sample's Dockerfile runs as root: a high finding
    _git(repo, "add", "-A")
    failed = run()
    assert failed.returncode == 1 and "DOCKER-ROOT-USER" in failed.stdout


def test_a_partial_scan_is_never_recorded_in_the_history(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _touch(repo, "Dockerfile")
    db = tmp_path / "history.sqlite"
    asked = _cli(repo, "--changed-since", "HEAD", "--history", str(db))
    assert asked.returncode == 2
    assert "--changed-since is a partial scan: it cannot be used with --history" in asked.stderr
    configured = subprocess.run([sys.executable, "-m", "auditor", "scan", str(repo), "--offline", "-q",
                                 "--changed-since", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "PRODCHECK_HISTORY": str(db)})
    assert configured.returncode == 0, configured.stderr
    assert "not recorded in the history" in configured.stderr
    assert not db.exists()
