"""Work on scanned text is linear: the worst inputs found (1 MB lines) finish far inside generous bounds.

Before the fix a 1 MB line of suppression openers cost 88 s of CPU and a 1 MB
RUN line 16 s; the bounds below are 30-100x what the linear code needs on a
loaded machine, and far below the quadratic cost.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import pytest

from auditor.parsing.dockerfile import parse_dockerfile, shell_words
from auditor.suppress import parse_suppressions
from tests.hostile.helpers import scan

MB = 1_000_000
SUPPRESSION_LINES = {
    "openers-no-bracket": "#prodcheck:ignore[" * (MB // 18),
    "block-openers": "/*" * (MB // 2) + "prodcheck: ignore[X]",
    "marks-after-spaces": " " * MB + "prodcheck:" * 1000,
    "hashes-after-id": "# prodcheck: ignore[X] reason " + "#" * MB,
    "many-marks": "prodcheck: " * (MB // 11),
}


def cpu_seconds(func: object, *args: object) -> float:
    start = time.process_time()
    func(*args)  # type: ignore[operator]
    return time.process_time() - start


@pytest.mark.parametrize("name", sorted(SUPPRESSION_LINES))
def test_suppression_scan_is_linear(name: str) -> None:
    assert cpu_seconds(parse_suppressions, "app.py", SUPPRESSION_LINES[name]) < 3.0


def test_suppression_still_parses() -> None:
    [found] = parse_suppressions("Dockerfile", "RUN x  # prodcheck: ignore[a, b] -- why not\n")
    assert (found.check_ids, found.reason, found.own_line) == (("A", "B"), "why not", False)
    [block] = parse_suppressions("a.ts", "/** prodcheck: ignore[X] because */\nfoo()\n")
    assert (block.check_ids, block.reason, block.own_line) == (("X",), "because", True)
    assert parse_suppressions("a.ts", "# prodcheck: ignore[X] hash is not a TS comment\n") == []
    assert parse_suppressions("a.ts", "const s = 'prodcheck: ignore[X]'\n") == []


@pytest.mark.parametrize("command", [
    "echo " + "a" * MB,
    "echo " + '"a b ' * (MB // 4),
    "x 'y" * (MB // 4),
    "\\ " * (MB // 2),
    "a" + " b" * (MB // 2),
])
def test_shell_words_is_linear(command: str) -> None:
    assert cpu_seconds(shell_words, command) < 3.0


@pytest.mark.parametrize("command", [
    "apt-get install -y curl", "echo 'a b' \"c d\" e\\ f", 'echo "x\\"y" \'\\n\'', "a'b'\"c\"d", "echo 'open",
    'say "unterminated', "trailing\\", "", "  spaced   out  ", 'mix "a\\\\b" \'c\\\\d\'',
])
def test_shell_words_matches_shlex(command: str) -> None:
    try:
        expected = shlex.split(command, comments=False, posix=True)
    except ValueError:
        expected = command.split()
    assert shell_words(command) == expected


def test_one_megabyte_run_line_parses_quickly() -> None:
    text = "FROM alpine:3.20\nRUN " + "x " * (MB // 2) + "\n"
    assert cpu_seconds(parse_dockerfile, "Dockerfile", text) < 10.0


def test_whole_scan_of_megabyte_lines_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN " + "echo a " * (MB // 7) + "\n"
                                         + "#prodcheck:ignore[" * 20000 + "\n")
    (tmp_path / "app.py").write_text("#prodcheck:ignore[" * (MB // 18) + "\n")
    (tmp_path / ".env.example").write_text("KEY=" + "v" * MB + "\n")
    start = time.process_time()
    report = scan(tmp_path)
    assert time.process_time() - start < 60.0
    assert report.results


def test_runaway_continuation_is_a_parse_problem_not_minutes() -> None:
    text = "FROM alpine:3.20\nHEALTHCHECK CMD " + "\\\n" * (MB // 2)
    assert cpu_seconds(parse_dockerfile, "Dockerfile", text) < 3.0
    parsed = parse_dockerfile("Dockerfile", text)
    assert [(p.line, "continues over more than" in p.reason) for p in parsed.problems] == [(2, True)]
    normal = parse_dockerfile("Dockerfile", "FROM alpine:3.20\nRUN a \\\n  b \\\n  c\n")
    assert not normal.problems and normal.stages[0].instructions[0].value.split() == ["a", "b", "c"]


# Shapes that would make a nested or line-spanning quantifier backtrack: long whitespace runs before a
# directive that never comes, an unclosed comment, and a megabyte of blank lines before a name.
USE_CLIENT_TEXTS = {
    "spaces": " " * MB + "x",
    "newlines": "\n" * MB + "x",
    "unclosed-comment": "/*" + " " * MB,
    "comment-openers": "//\n" * (MB // 3) + "x",
}


@pytest.mark.parametrize("name", sorted(USE_CLIENT_TEXTS))
def test_use_client_directive_test_is_linear(name: str) -> None:
    from auditor.source.index import _skip_reason

    text = USE_CLIENT_TEXTS[name]
    assert cpu_seconds(_skip_reason, "src/a.tsx", len(text), text) < 3.0


def test_start_hook_lookup_is_linear() -> None:
    from auditor.deploy.hooks import _definition, _imported_from
    from auditor.project import Project

    text = "\n" * MB + "export const x = 1\n"
    assert cpu_seconds(_definition, text, "x") < 3.0
    assert cpu_seconds(_definition, "\n" * MB + "async def lifespan(app):\n    yield\n", "lifespan") < 3.0
    project = Project(Path("."))
    assert cpu_seconds(_imported_from, project, "app/main.py", "\n" * MB + "from .events import lifespan\n",
                       "lifespan") < 3.0


def test_proxy_and_hook_patterns_are_linear() -> None:
    # Openers that never close, repeated a megabyte's worth: each must not rescan the rest of the text.
    from auditor.deploy import hooks, proxies

    assert cpu_seconds(proxies._is_loopback, "http://app", "upstream app {" * (MB // 14)) < 3.0
    assert cpu_seconds(proxies._FORWARDED_TRUST.search, "daphne " * (MB // 7)) < 3.0
    assert cpu_seconds(hooks._JS_IMPORT.search, "import {" * (MB // 8)) < 3.0
    assert cpu_seconds(hooks._definition, "x(" * (MB // 2), "x") < 3.0
    assert cpu_seconds(proxies._FORWARDS["traefik"].search, "\n" * MB + "x") < 3.0
