"""A config that excludes everything is reported and incomplete; credentials are masked as values only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.redact import mask_patterns, scrub
from auditor.source.js import parse_tree
from tests.hostile.helpers import assert_no_traceback, render_all, run_cli, scan


@pytest.mark.parametrize(("config", "who"), [
    ("exclude: ['**']\n", "'exclude' patterns of the config file"),
    ("max_file_kb: 1\n", "size cap"),
])
def test_config_that_excludes_everything_is_incomplete(tmp_path: Path, config: str, who: str) -> None:
    (tmp_path / ".prodcheck.yaml").write_text(config)
    (tmp_path / "Dockerfile").write_text("FROM node:20\n" + "RUN echo padding-to-pass-one-kib\n" * 60)
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    build: .\n" + "#\n" * 600)
    out = tmp_path / "report.json"
    proc = run_cli("scan", tmp_path, "--offline", "-f", "json", "-o", out)
    assert_no_traceback(proc)
    assert proc.returncode == 3, proc.stderr
    data = json.loads(out.read_text())
    assert data["grade"] == "incomplete" and data["complete"] is False
    notes = " ".join(data["notes"])
    assert who in notes and ".prodcheck.yaml" in notes and "not assessed" in notes
    parse = [r for r in data["results"] if r["check_id"] == "PARSE-ERROR"]
    assert parse and parse[0]["status"] == "skipped"
    markdown = render_all(scan(tmp_path, excludes=("**",)))["md"]
    assert "parse cleanly" not in markdown and "ready for production" not in markdown


def test_partial_exclusion_is_noted_but_still_judged(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM node:20\n")
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "Dockerfile").write_text("FROM node:20\n")
    report = scan(tmp_path, excludes=("legacy/",))
    assert any("1 director(ies) left out by the 'exclude' patterns" in n for n in report.notes)
    assert report.grade != "incomplete"


def test_weak_secret_is_masked_only_as_a_value() -> None:
    secrets = frozenset({"heydev"})
    assert scrub("src/heydev/migrations/0001.sql", secrets) == "src/heydev/migrations/0001.sql"
    assert scrub("service heydev has no healthcheck", secrets) == "service heydev has no healthcheck"
    assert scrub("POSTGRES_PASSWORD=heydev", secrets) == "POSTGRES_PASSWORD=********"
    assert scrub("password: heydev, user: x", secrets) == "password: ********, user: x"
    assert scrub("postgres://app:heydev@db/app", secrets) == "postgres://app:********@db/app"
    strong = frozenset({"Zq8!vR2#pL9m"})
    assert scrub("seen in path/Zq8!vR2#pL9m/x", strong) == "seen in path/Zq8!********/x"  # 4-char hint


def test_weak_password_equal_to_product_name_keeps_paths(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DB_PASSWORD=heydev\n")
    (tmp_path / "heydev").mkdir()
    (tmp_path / "heydev" / "Dockerfile").write_text("FROM node:20\n")
    report = scan(tmp_path)
    messages = " ".join(f.message for f in report.findings)
    assert "heydev/Dockerfile" in messages
    assert "********/Dockerfile" not in messages


@pytest.mark.parametrize(("text", "shown"), [
    ("DATABASE_URL=postgres://user:pa55w0rd@db:5432/app", "DATABASE_URL=postgres://user:********@db:5432/app"),
    ("redis://:s3cret@cache:6379/0", "redis://:********@cache:6379/0"),
    ("ADD https://u:p@ss@host/x.tgz /x", "ADD https://u:********@host/x.tgz /x"),
    ("key AKIAQ7ZK3MPL9XWV2RTB used", "key AKIA******** used"),
    ("token ghp_R8vN2qLx7KmZ4tYwP9sJcB3hFgD6aE1uQoTi!", "token ghp_********!"),
])
def test_credentials_in_text_are_masked(text: str, shown: str) -> None:
    assert mask_patterns(text) == shown
    assert mask_patterns(shown) == shown


def test_url_credentials_masked_in_env_compose_and_add(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text("DATABASE_URL=postgres://admin:Pl4nted0ne@db:5432/app\n")
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  api:\n    build: .\n    environment:\n"
        "      DATABASE_URL: ${DATABASE_URL:-postgres://admin:Pl4ntedTw0@db/app}\n")
    (tmp_path / "Dockerfile").write_text("FROM node:20\nADD https://bot:Pl4ntedThr33@files.example.com/a.tgz /a\n")
    outputs = render_all(scan(tmp_path))
    assert any("********@files.example.com" in text for text in outputs.values())
    for name, text in outputs.items():
        for planted in ("Pl4nted0ne", "Pl4ntedTw0", "Pl4ntedThr33"):
            assert planted not in text, name


def test_jsx_text_with_bare_ampersand_parses() -> None:
    source = b"export const A = () => <p>Tom & Jerry &amp; co &&& more <b>R&D</b></p>;\nconst b = x && y & z;\n"
    for path in ("a.tsx", "a.jsx", "a.js"):
        assert not parse_tree(path, source).root_node.has_error, path
    assert parse_tree("b.ts", b"const x = a & ;\n").root_node.has_error  # real syntax errors stay errors


def test_url_password_with_hash_or_question_mark_is_masked() -> None:
    # Found by the fuzz suite: '#' in an unencoded password ended the match and leaked the rest.
    assert mask_patterns("ADD https://user:Yk3#pW8vQz1L@files.example.com/0.tgz /app/") == \
        "ADD https://user:********@files.example.com/0.tgz /app/"
    assert mask_patterns("postgres://u:p?w@db") == "postgres://u:********@db"
    assert mask_patterns("https://host:8080/path?x=1#frag") == "https://host:8080/path?x=1#frag"


def test_suppression_reason_masks_a_known_secret_value(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DB_PASSWORD=plainweakpw\n")
    (tmp_path / "Dockerfile").write_text("# prodcheck: ignore[DOCKER-ROOT-USER] password=plainweakpw for now\n"
                                         "FROM node:20\n")
    report = scan(tmp_path)
    [record] = [r for r in report.extra["suppressions"] if r["check_id"] == "DOCKER-ROOT-USER"]
    assert record["reason"] == "password=******** for now"
