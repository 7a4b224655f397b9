"""Where the repository builds, pushes and starts its deployment files.

Read from CI workflows (``docker build -f ... --target``, ``docker/build-push-action``
``file:``/``target:``/``push:``, ``docker compose -f a -f b``), bake files,
package.json scripts, Makefiles, shell scripts and Markdown docs. Each hit is a
:class:`Reference` naming the files it uses, so roles and compose projects can
be decided from what people actually run.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace

from auditor.deploy.images import segments
from auditor.deploy.model import Reference
from auditor.lazyre import lazy
from auditor.parsing.dockerfile import shell_words
from auditor.parsing.workflow import Step, Workflow
from auditor.project import Project

_BUILD = lazy(r"\b(?:docker|podman)\s+(?:buildx\s+build|image\s+build|build)\b")
_COMPOSE = lazy(r"\b(?:docker[\s-]compose|podman[\s-]compose)\b")
_VALUE_FLAGS = frozenset({"-f", "--file", "--target", "-t", "--tag", "--build-arg", "--platform", "--label",
                          "--cache-from", "--cache-to", "--secret", "--ssh", "--output", "-o", "--progress",
                          "--network", "--build-context", "--iidfile", "--metadata-file", "--builder"})
_COMPOSE_VALUE_FLAGS = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                                  "--project-directory", "--ansi", "--parallel"})
_MATRIX = lazy(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
_SCRIPT_NAMES = lazy(r"(^|/)(Makefile|makefile|GNUmakefile|justfile|Justfile|Taskfile\.ya?ml|[^/]+\.(?:sh|bash))$")
_DOC = lazy(r"\.(md|mdx|rst|txt)$", re.IGNORECASE)


def find_references(project: Project) -> tuple[Reference, ...]:
    """Every build, push and compose reference in the repository, in file order."""
    out: list[Reference] = []
    for workflow in project.workflows:
        out.extend(_workflow_refs(project, workflow))
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if name == "package.json":
            out.extend(_package_refs(project, rel))
        elif _SCRIPT_NAMES.search(rel) and not rel.startswith(".github/"):
            out.extend(_text_refs(project, rel, project.read_text(rel) or "", posixpath.dirname(rel)))
        elif _DOC.search(name) and not _vendored(rel):
            text = project.read_text(rel) or ""
            if "docker" in text or "compose" in text:
                out.extend(_text_refs(project, rel, text, posixpath.dirname(rel), doc=True))
        elif name.startswith("docker-bake") and name.endswith((".hcl", ".json")):
            out.extend(_bake_refs(project, rel))
    return tuple(out)


def _vendored(rel: str) -> bool:
    return any(part in {"node_modules", "vendor", ".agents", ".claude"} for part in rel.split("/"))


# -- workflows ---------------------------------------------------------------------------------


def _workflow_refs(project: Project, workflow: Workflow) -> Iterator[Reference]:
    seen: set[Reference] = set()
    for step in workflow.steps:
        if step.uses and step.uses.split("@", 1)[0].lower() == "docker/build-push-action":
            # One reference per matrix combination the job runs, its values put in (`file:`, `images:`).
            for combo in workflow.matrices.get(step.job) or ({},):
                for ref in _build_push_refs(project, workflow, step, combo):
                    if ref not in seen:
                        seen.add(ref)
                        yield ref
        if step.run:
            base = step.working_directory or ""
            yield from _text_refs(project, workflow.path, step.run, base, line=step.run_line or step.line,
                                  matrix_text=workflow.text)


def _build_push_refs(project: Project, workflow: Workflow, step: Step, combo: dict[str, str]) -> Iterator[Reference]:
    """What one docker/build-push-action step builds, with one matrix combination's values put in."""
    def value(key: str, given: Step = step) -> str:
        return _with_matrix(given.with_.get(key) or "", combo)

    context = value("context") or "."
    if "${{" in context or context.startswith(("http", "git@")):
        context = "."
    file = value("file")
    # A matrix given by an expression is not expanded: its values are guessed from the workflow's text.
    files = _matrix_values(workflow.text, file) if "${{" in file else [file or posixpath.join(context, "Dockerfile")]
    pushed = value("push").strip().lower() not in {"false", "0", ""}
    target = value("target") or None
    image = _action_image(workflow, value("tags"), combo)
    for file in files:
        path = _existing(project, file, ("", posixpath.normpath(context)), project.dockerfile_paths)
        if path is not None:
            yield Reference(workflow.path, step.line, "build", (path,), target, pushed, context, image=image)


def _with_matrix(text: str, combo: dict[str, str]) -> str:
    """``${{ matrix.key }}`` replaced by the combination's value (left as written when it has none)."""
    return _MATRIX.sub(lambda m: combo.get(m.group(1), m.group(0)), text) if combo else text


_STEP_OUTPUT = re.compile(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.tags\s*\}\}")


def _action_image(workflow: Workflow, tags: str, combo: dict[str, str]) -> str | None:
    """The image a build-push-action step pushes: its literal ``tags:``, or the ``images:`` of the
    docker/metadata-action step whose ``steps.<id>.outputs.tags`` it uses."""
    literal = [t.strip() for t in re.split(r"[\n,]", tags) if t.strip() and "${{" not in t]
    if literal:
        return _image_name(literal)
    match = _STEP_OUTPUT.search(tags)
    if not match:
        return None
    meta = next((s for s in workflow.steps if s.id == match.group(1) and s.uses
                 and s.uses.split("@", 1)[0].lower() == "docker/metadata-action"), None)
    if meta is None:
        return None
    # ``images:`` lists one image per line, optionally as ``name=ghcr.io/acme/api,enable=...``.
    # An expression left in a name (`ghcr.io/${{ github.repository_owner }}/api`) is an owner, not the name.
    images = [line.strip() for line in _with_matrix(meta.with_.get("images") or "", combo).splitlines()
              if line.strip() and not line.strip().endswith("}}")]
    names = [next((p.strip()[5:] for p in i.split(",") if p.strip().startswith("name=")), i.split(",")[0]).strip()
             for i in images]
    return _image_name(names)


def _matrix_values(text: str, value: str) -> list[str]:
    match = _MATRIX.search(value)
    if not match:
        return [value] if value else []
    key = re.escape(match.group(1))
    found = re.findall(rf"^\s*-?\s*{key}:\s*[\"']?([^\"'\s#]+)", text, re.MULTILINE)
    return [_MATRIX.sub(v, value) for v in dict.fromkeys(found)]


# -- scripts and docs --------------------------------------------------------------------------


def _package_refs(project: Project, rel: str) -> Iterator[Reference]:
    try:
        data = json.loads(project.read_text(rel) or "{}")
    except ValueError:
        return
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return
    lines = (project.read_text(rel) or "").splitlines()
    for name, command in scripts.items():
        line = next((i + 1 for i, text in enumerate(lines) if f'"{name}"' in text), None)
        for ref in _text_refs(project, rel, str(command), posixpath.dirname(rel), line=line):
            yield replace(ref, script=str(name))


def _text_refs(project: Project, rel: str, text: str, base: str, *, line: int | None = None,
               doc: bool = False, matrix_text: str = "") -> Iterator[Reference]:
    """Build and compose commands in a script, workflow ``run:`` or document."""
    variables = dict(re.findall(r"^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=[\"']?([^\"'\s]+)", text, re.MULTILINE))
    joined = text.replace("\\\n", " ")
    pushes = " ".join(re.findall(r"\b(?:docker|podman)\s+(?:image\s+)?push\s+\S+", joined))
    for index, raw in enumerate(joined.splitlines()):
        if "docker" not in raw and "podman" not in raw:
            continue
        here = (line + index) if line is not None else index + 1
        for segment in segments(raw):
            segment = re.sub(r"^[\s$>]+", "", segment).strip("`")
            if _BUILD.search(segment):
                ref = _build_ref(project, rel, here, segment, base, variables, pushes, matrix_text)
                if ref is not None:
                    yield ref
            elif _COMPOSE.search(segment):
                ref = _compose_ref(project, rel, here, segment, base, variables)
                if ref is not None:
                    yield ref
    if doc:
        return


def _expand_vars(word: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: variables.get(m.group(1), m.group(0)), word)


def _build_ref(project: Project, rel: str, line: int, segment: str, base: str, variables: dict[str, str],
               pushes: str, matrix_text: str) -> Reference | None:
    match = _BUILD.search(segment)
    assert match is not None
    tokens = shell_words(segment[match.end():])
    file = target = None
    tags: list[str] = []
    context = None
    pushed = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        flag, eq, inline = token.partition("=")
        if token == "--push" or token.startswith("--output=type=registry"):
            pushed = True
        elif flag in _VALUE_FLAGS:
            value = inline if eq else (tokens[index + 1] if index + 1 < len(tokens) else "")
            index += 0 if eq else 1
            if flag in {"-f", "--file"}:
                file = value
            elif flag == "--target":
                target = value
            elif flag in {"-t", "--tag"}:
                tags.append(value)
        elif not token.startswith("-"):
            context = token
            break
        index += 1
    context = _expand_vars(context or ".", variables)
    file = _expand_vars(file, variables) if file else posixpath.join(context, "Dockerfile")
    candidates = _matrix_values(matrix_text, file) if matrix_text else [file]
    for candidate in candidates:
        path = _existing(project, candidate, (base, ""), project.dockerfile_paths)
        if path is not None:
            pushed = pushed or any(tag.split(":", 1)[0] in pushes for tag in tags if tag)
            return Reference(rel, line, "build", (path,), target, pushed, context, image=_image_name(tags))
    return None


def _image_name(tags: list[str]) -> str | None:
    """The image repository's last path component from the first ``-t`` tag (``ghcr.io/acme/api:1`` -> api)."""
    for tag in tags:
        name = tag.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
        if name and "$" not in name and "{" not in name:
            return name
    return None


def _compose_ref(project: Project, rel: str, line: int, segment: str, base: str,
                 variables: dict[str, str]) -> Reference | None:
    match = _COMPOSE.search(segment)
    assert match is not None
    tokens = shell_words(segment[match.end():])
    files: list[str] = []
    env_file = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        flag, eq, inline = token.partition("=")
        if flag in _COMPOSE_VALUE_FLAGS:
            value = inline if eq else (tokens[index + 1] if index + 1 < len(tokens) else "")
            index += 0 if eq else 1
            if flag in {"-f", "--file"}:
                files.append(_expand_vars(value, variables))
            elif flag == "--env-file":
                env_file = value
        elif not token.startswith("-"):
            break
        index += 1
    if not files:
        return None
    paths = [_existing(project, f, (base, ""), project.compose_paths) for f in files]
    if any(p is None for p in paths):
        return None
    service, run = _run_command(tokens[index:])
    return Reference(rel, line, "compose", tuple(p for p in paths if p is not None), context=env_file,
                     service=service, run=run)


_RUN_VALUE_FLAGS = frozenset({"-e", "--env", "--entrypoint", "-u", "--user", "-w", "--workdir", "--name",
                              "-l", "--label", "-v", "--volume", "-p", "--publish", "--index"})


def _run_command(tokens: list[str]) -> tuple[str | None, str | None]:
    """(service, command) of ``run|exec [options] SERVICE COMMAND...``; (None, None) otherwise."""
    if not tokens or tokens[0] not in {"run", "exec"}:
        return None, None
    index = 1
    while index < len(tokens) and tokens[index].startswith("-"):
        flag = tokens[index].split("=", 1)[0]
        index += 2 if flag in _RUN_VALUE_FLAGS and "=" not in tokens[index] else 1
    if index >= len(tokens):
        return None, None
    rest = tokens[index + 1:]
    return tokens[index], " ".join(rest) if rest else None


def _existing(project: Project, value: str, bases: tuple[str, ...], known: tuple[str, ...]) -> str | None:
    """A referenced path resolved against each base in turn, if it names a known deployment file."""
    value = value.strip().strip("\"'")
    if not value or "$" in value or value.startswith("/"):
        return None
    for folder in dict.fromkeys(bases):
        path = posixpath.normpath(posixpath.join(folder, value)) if folder else posixpath.normpath(value)
        if path in known:
            return path
    return None


# -- bake --------------------------------------------------------------------------------------


def _bake_refs(project: Project, rel: str) -> Iterator[Reference]:
    """``docker buildx bake`` targets: each block's dockerfile, context and target stage."""
    text = project.read_text(rel) or ""
    base = posixpath.dirname(rel)
    for block in re.finditer(r"target\s+\"([^\"]+)\"\s*\{(.*?)\n\}", text, re.DOTALL):
        body = block.group(2)
        dockerfile = re.search(r"dockerfile\s*=\s*\"([^\"]+)\"", body)
        context = re.search(r"context\s*=\s*\"([^\"]+)\"", body)
        target = re.search(r"\btarget\s*=\s*\"([^\"]+)\"", body)
        ctx = context.group(1) if context else "."
        file = posixpath.join(ctx, dockerfile.group(1) if dockerfile else "Dockerfile")
        path = _existing(project, file, (base, ""), project.dockerfile_paths)
        if path is not None:
            line = text[: block.start()].count("\n") + 1
            yield Reference(rel, line, "build", (path,), target.group(1) if target else None, True, ctx)
