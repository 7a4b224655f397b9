"""Parsers: Dockerfile stages and heredocs, compose anchors and merges, env quoting, hostile YAML."""

from __future__ import annotations

import pytest

from auditor.parsing.compose import parse_compose
from auditor.parsing.dockerfile import parse_dockerfile, split_image
from auditor.parsing.envfile import parse_env
from auditor.parsing.yamlsafe import YamlError, load_yaml

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG NODE=20
FROM --platform=linux/amd64 node:${NODE}-alpine AS build
RUN apk add --no-cache \\
    git
COPY <<EOF /app/run.sh
echo hi
EOF
FROM build AS test
RUN npm test
FROM gcr.io/distroless/nodejs20-debian12:nonroot@sha256:abc
USER nonroot
CMD ["server.js"]
"""


def test_dockerfile_stages_lines_and_heredocs() -> None:
    df = parse_dockerfile("Dockerfile", DOCKERFILE)
    assert df.problems == ()
    assert [(s.name, s.line) for s in df.stages] == [("build", 3), ("test", 9), (None, 11)]
    build = df.stages[0]
    assert build.platform == "linux/amd64"
    run, copy = build.instructions
    assert (run.keyword, run.line, run.end_line) == ("RUN", 4, 5)
    assert (copy.keyword, copy.line, copy.end_line, copy.heredoc) == ("COPY", 6, 8, "echo hi\n")
    assert df.is_stage_reference("build")
    final = df.final_stage
    assert final is not None and final.image_digest == "sha256:abc" and final.image_tag == "nonroot"
    cmd = final.last("CMD")
    assert cmd is not None and cmd.is_exec_form and cmd.command_text == "server.js"


def test_split_image_with_registry_port() -> None:
    assert split_image("registry:5000/team/app:1.2@sha256:ff") == ("registry:5000/team/app", "1.2", "sha256:ff")
    assert split_image("redis") == ("redis", None, None)


def test_malformed_dockerfile_gives_problems_not_exceptions() -> None:
    df = parse_dockerfile("Dockerfile", "RUN echo before from\nFROBNICATE x\n\x00\x01")
    reasons = [p.reason for p in df.problems]
    assert "unknown instruction 'FROBNICATE'" in reasons
    assert "no FROM instruction" in reasons


COMPOSE = """\
x-base: &base
  restart: always
  logging:
    driver: json-file
services:
  web:
    <<: *base
    image: nginx:1.27
    environment:
      API_URL: ${API_URL:-http://localhost:8080}
      TOKEN: ${TOKEN}
  worker:
    image: app
    environment:
      - MODE=worker
      - EMPTY
"""


def test_compose_merge_keys_lines_and_var_refs() -> None:
    compose = parse_compose("compose.yaml", COMPOSE)
    web = compose.service("web")
    assert web is not None and web.line == 6
    assert web.get("restart") == "always"
    assert web.line_of("image") == 8
    assert web.environment() == [("API_URL", "${API_URL:-http://localhost:8080}", 10), ("TOKEN", "${TOKEN}", 11)]
    worker = compose.service("worker")
    assert worker is not None and worker.environment() == [("MODE", "worker", 15), ("EMPTY", None, 16)]
    refs = {(r.name, r.default, r.line) for r in compose.var_refs()}
    assert refs == {("API_URL", "http://localhost:8080", 10), ("TOKEN", None, 11)}


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (billion_laughs(), "alias bomb"),
        ("[" * 5000 + "]" * 5000, "nesting deeper"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)), "nesting deeper"),
        ("services: {web: [}", "invalid YAML"),
    ],
)
def test_hostile_yaml_is_refused(text: str, reason: str) -> None:
    with pytest.raises(YamlError, match=reason):
        load_yaml(text)


def test_hostile_compose_becomes_problem() -> None:
    compose = parse_compose("docker-compose.yml", billion_laughs())
    assert compose.services == ()
    assert "alias bomb" in compose.problems[0].reason


def test_yaml_tags_are_not_executed() -> None:
    data = load_yaml("a: !!python/object/apply:os.system ['echo pwned']\n")
    assert list(data["a"]) == ["echo pwned"]  # a plain sequence, never a call


def test_env_file_forms() -> None:
    env = parse_env(
        ".env.example",
        "# comment\nexport A=1\nB='two words' # not a comment inside quotes\nC=x # inline\n"
        "# D=documented\nnot an assignment\nE=\"q\"\n",
        template=True,
    )
    assert [(e.key, e.value, e.line, e.commented_out) for e in env.entries] == [
        ("A", "1", 2, False), ("B", "two words", 3, False), ("C", "x", 4, False),
        ("D", "documented", 5, True), ("E", "q", 7, False),
    ]
    assert [(p.line, p.reason) for p in env.problems] == [(6, "line is not KEY=value")]
