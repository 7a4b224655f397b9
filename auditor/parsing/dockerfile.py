"""Dockerfile parsing on top of dockerfile-parse.

dockerfile-parse handles continuation lines and comments; it does not know
BuildKit heredocs (``RUN <<EOF ... EOF``), so those bodies are folded back
into the instruction that opened them here. Unknown instructions outside a
heredoc are reported as parse problems.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from auditor.parsing import ParseProblem

KNOWN_INSTRUCTIONS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    }
)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")


@dataclass(frozen=True)
class Instruction:
    """One instruction: upper-case keyword, raw value, 1-based start and end lines."""

    keyword: str
    value: str
    line: int
    end_line: int
    original: str
    heredoc: str = ""

    @property
    def flags(self) -> dict[str, str]:
        """Leading ``--flag=value`` options (``--from``, ``--chown``, ``--mount`` ...)."""
        found: dict[str, str] = {}
        for token in self.value.split():
            if not token.startswith("--"):
                break
            name, _, val = token[2:].partition("=")
            found[name] = val
        return found

    @property
    def args(self) -> str:
        """The value without leading ``--flag`` options."""
        tokens = self.value.split()
        while tokens and tokens[0].startswith("--"):
            tokens.pop(0)
        return " ".join(tokens)

    @property
    def is_exec_form(self) -> bool:
        """True for the JSON-array form of CMD/ENTRYPOINT/RUN/SHELL."""
        return exec_form(self.args) is not None

    @property
    def command_text(self) -> str:
        """The command as a single shell string (exec form joined, heredoc body appended)."""
        parts = exec_form(self.args)
        text = " ".join(parts) if parts is not None else self.args
        return f"{text}\n{self.heredoc}" if self.heredoc else text


def exec_form(value: str) -> list[str] | None:
    """Parse a JSON-array instruction value; None for shell form."""
    text = value.strip()
    if not text.startswith("["):
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
        return parsed
    return None


@dataclass(frozen=True)
class Stage:
    """One build stage: its FROM line, base image reference and instructions."""

    index: int
    name: str | None
    image: str
    line: int
    instructions: tuple[Instruction, ...]
    platform: str | None = None

    @property
    def image_name(self) -> str:
        """Repository part of the base image (no tag or digest)."""
        return split_image(self.image)[0]

    @property
    def image_tag(self) -> str | None:
        """Tag of the base image, None when absent."""
        return split_image(self.image)[1]

    @property
    def image_digest(self) -> str | None:
        """Digest of the base image (``sha256:...``), None when absent."""
        return split_image(self.image)[2]

    def of(self, *keywords: str) -> list[Instruction]:
        """Instructions of the given keywords, in order."""
        wanted = {k.upper() for k in keywords}
        return [i for i in self.instructions if i.keyword in wanted]

    def last(self, keyword: str) -> Instruction | None:
        """The last instruction of a keyword (the one that takes effect)."""
        found = self.of(keyword)
        return found[-1] if found else None


def split_image(ref: str) -> tuple[str, str | None, str | None]:
    """Split ``registry:5000/name:tag@sha256:...`` into (name, tag, digest)."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        ref, tag = ref.rsplit(":", 1)
    return ref, tag, digest


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile."""

    path: str
    stages: tuple[Stage, ...]
    preamble: tuple[Instruction, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    lines: tuple[str, ...] = field(default=(), repr=False)

    @property
    def final_stage(self) -> Stage | None:
        """The stage that becomes the runtime image."""
        return self.stages[-1] if self.stages else None

    @property
    def stage_names(self) -> set[str]:
        """Names given with ``AS``."""
        return {s.name for s in self.stages if s.name}

    def is_stage_reference(self, image: str) -> bool:
        """True when a FROM names an earlier stage rather than an image."""
        return image.lower() in {n.lower() for n in self.stage_names}


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    """Parse Dockerfile text into stages; never raises on malformed input."""
    from dockerfile_parse import DockerfileParser

    problems: list[ParseProblem] = []
    runaway = _runaway_continuation(text)
    if runaway is not None:
        # dockerfile-parse joins continuation lines by repeated concatenation (quadratic): refuse the file.
        reason = f"an instruction continues over more than {MAX_CONTINUATION_LINES} lines; the file was not parsed"
        return Dockerfile(path, (), problems=(ParseProblem(path, runaway, reason),))
    try:
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
        structure = parser.structure
    except Exception as exc:  # noqa: BLE001 - the library may fail on odd input
        reason = f"could not parse Dockerfile: {type(exc).__name__}"
        return Dockerfile(path, (), problems=(ParseProblem(path, None, reason),))
    instructions = _fold(structure, path, problems)
    stages: list[Stage] = []
    preamble: list[Instruction] = []
    current: list[Instruction] = []
    header: Instruction | None = None
    for ins in instructions:
        if ins.keyword == "FROM":
            if header is not None:
                stages.append(_stage(len(stages), header, current))
            header, current = ins, []
        elif header is None:
            if ins.keyword not in {"ARG"}:
                problems.append(ParseProblem(path, ins.line, f"{ins.keyword} before the first FROM"))
            preamble.append(ins)
        else:
            current.append(ins)
    if header is not None:
        stages.append(_stage(len(stages), header, current))
    elif instructions:
        problems.append(ParseProblem(path, 1, "no FROM instruction"))
    return Dockerfile(path, tuple(stages), tuple(preamble), tuple(problems), tuple(text.splitlines()))


#: Longest instruction (in physical lines) prodcheck parses; real ones are a few hundred lines at most.
MAX_CONTINUATION_LINES = 5000


def _runaway_continuation(text: str) -> int | None:
    """The 1-based line where an instruction starts that continues over too many lines, else None."""
    run = 0
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith(("\\", "`")):
            if run == 0:
                start = number
            run += 1
            if run > MAX_CONTINUATION_LINES:
                return start
        else:
            run = 0
    return None


def _fold(structure: list[dict[str, object]], path: str, problems: list[ParseProblem]) -> list[Instruction]:
    """Turn dockerfile-parse's structure into Instructions, folding heredoc bodies."""
    out: list[Instruction] = []
    pending: list[str] = []  # heredoc terminators still open for the last instruction
    body: list[str] = []
    for item in structure:
        keyword = str(item["instruction"]).upper()
        start = int(str(item["startline"])) + 1
        end = int(str(item["endline"])) + 1
        content = str(item["content"])
        if pending:
            if content.strip() == pending[0]:
                pending.pop(0)
                if not pending:
                    last = out[-1]
                    out[-1] = Instruction(last.keyword, last.value, last.line, end, last.original,
                                          "".join(body))
                    body = []
            else:
                body.append(content)
            continue
        if keyword == "COMMENT":
            continue
        value = str(item["value"])
        if keyword not in KNOWN_INSTRUCTIONS:
            problems.append(ParseProblem(path, start, f"unknown instruction {keyword!r}"))
            continue
        out.append(Instruction(keyword, value, start, end, content))
        if keyword in {"RUN", "COPY", "ADD"}:
            pending = _HEREDOC.findall(value)
    if pending:
        problems.append(ParseProblem(path, out[-1].line if out else None,
                                     f"heredoc {pending[0]!r} is never closed"))
    return out


def _stage(index: int, header: Instruction, instructions: list[Instruction]) -> Stage:
    tokens = header.value.split()
    platform = None
    while tokens and tokens[0].startswith("--"):
        flag = tokens.pop(0)
        if flag.startswith("--platform="):
            platform = flag.split("=", 1)[1]
    image = tokens[0] if tokens else ""
    name = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
    return Stage(index, name, image, header.line, tuple(instructions), platform)


def shell_words(command: str) -> list[str]:
    """Split a shell command into words like ``shlex.split`` (POSIX), tolerating unbalanced quotes.

    Hand-written because ``shlex`` grows each token by string concatenation,
    which is quadratic: a 1 MB ``RUN`` line took seconds. This is one pass.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    index, size = 0, len(command)
    while index < size:
        char = command[index]
        if char == "'":
            end = command.find("'", index + 1)
            if end == -1:
                return command.split()
            word.append(command[index + 1 : end])
            in_word, index = True, end + 1
        elif char == '"':
            index = _double_quoted(command, index + 1, word)
            if index < 0:
                return command.split()
            in_word = True
        elif char == "\\":
            if index + 1 >= size:
                return command.split()
            word.append(command[index + 1])
            in_word, index = True, index + 2
        elif char.isspace() and char in _SHLEX_SPACE:
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            index += 1
        else:
            start = index
            while index < size and command[index] not in _WORD_STOP:
                index += 1
            word.append(command[start:index])
            in_word = True
    if in_word:
        words.append("".join(word))
    return words


_SHLEX_SPACE = frozenset(" \t\r\n")
_WORD_STOP = frozenset("'\"\\ \t\r\n")


def _double_quoted(command: str, index: int, word: list[str]) -> int:
    """Append a double-quoted part (after its opening quote) to ``word``; the index after it, or -1."""
    size = len(command)
    while index < size:
        char = command[index]
        if char == '"':
            return index + 1
        if char == "\\" and index + 1 < size and command[index + 1] in '"\\':
            word.append(command[index + 1])
            index += 2
            continue
        start = index
        index += 1
        while index < size and command[index] not in '"\\':
            index += 1
        word.append(command[start:index])
    return -1


# OS images whose codename tags (``debian:bookworm``, ``ubuntu:noble``) name one release.
_CODENAME_IMAGES = frozenset({"debian", "ubuntu"})


def floating_tag(name: str, tag: str) -> bool:
    """A tag with no version number (``node:alpine``, ``python:slim``, ``node:lts``): it moves across majors.

    An OS image's codename (``debian:bookworm``, ``ubuntu:noble``) names one release and is not floating.
    """
    if any(ch.isdigit() for ch in tag):
        return False
    base = name.lower().rsplit("/", 1)[-1]
    return base not in _CODENAME_IMAGES
