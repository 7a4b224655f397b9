"""The start path: what runs when a container starts, followed as far as the repository shows.

CMD and ENTRYPOINT (or a compose service's ``command``/``entrypoint``) are
followed into entrypoint shell scripts (``exec``, ``sh -c``, ``&&`` chains,
sourced files), package.json script chains (``npm run``, ``npm-run-all``,
``run-s``, ``concurrently``, pre-hooks), uwsgi and supervisord configs,
s6-overlay ``cont-init.d`` and ``s6-rc.d`` scripts, and the release hooks of
``Procfile`` and ``fly.toml``. Along the way it notes privilege drops
(``USER``, ``gosu``, ``su-exec``, ``s6-setuidgid``, ``setpriv``, ``chpst``,
uwsgi ``uid``) and what runs as PID 1.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace

from auditor.deploy.compose import truthy
from auditor.deploy.hooks import startup_hooks
from auditor.deploy.images import chain, chain_instructions, last_of, segments, words
from auditor.deploy.model import StartPath, StartStep
from auditor.parsing.compose import Service
from auditor.parsing.dockerfile import Dockerfile, Instruction, Stage, exec_form
from auditor.project import Project

_SCRIPT_RUN = re.compile(r"\b(?:npm|pnpm|yarn|bun)\s+(?:--[\w-]+(?:=\S+)?\s+)*(?:run(?:-script)?\s+)?([A-Za-z0-9:_.-]+)")
_MULTI_RUN = re.compile(r"\b(?:npm-run-all2?|run-s|run-p|concurrently)\b([^\n&|;]*)")
_SCRIPT_FILE = re.compile(
    r"(?:^|[\s\"'=/:])((?:\./|/)?[\w./-]*?([\w.-]+\.(?:sh|bash|ini|conf|json|py|js|mjs|cjs|ts)))\b")
_PM2_CONFIG = re.compile(r"(^|/)(ecosystem\.config\.(js|cjs|mjs|json)|pm2\.json|process\.json)$")
_NOT_SCRIPTS = frozenset({"install", "ci", "i", "add", "exec", "dlx", "x", "prune", "audit", "config", "set",
                          "run", "--", "-c"})
_ENTRY_FILE = re.compile(r"(?:^|[\s\"'=/])([\w.-]+)\.(?:js|mjs|cjs|ts|mts|py)\b")
_SOURCE_SUFFIXES = (".ts", ".mts", ".js", ".mjs", ".cjs", ".py")
_BUILD_DIRS = frozenset({"dist", "build", "out", "node_modules", ".next", "coverage"})
_S6_DIRS = ("/cont-init.d/", "/s6-rc.d/", "/services.d/", "/cont-finish.d/")
_DROP = re.compile(
    r"\b(?:gosu|su-exec)\s+([\w.$:{}-]+)"
    r"|\bs6-setuidgid\s+([\w.$:{}-]+)"
    r"|\bsetpriv\b[^\n]*?--reuid[= ]([\w.$:{}-]+)"
    r"|\bchpst\b[^\n]*?-u\s*([\w.$:{}-]+)"
    r"|\brunuser\s+-u\s+([\w.$:{}-]+)"
    r"|\bsu\s+(?:-s\s+\S+\s+)?([\w.-]+)\s+-c\b"
    r"|^\s*uid\s*=\s*([\w.-]+)\s*$"
    r"|^\s*user\s*=\s*([\w.-]+)\s*$",
    re.MULTILINE,
)
_INITS = frozenset({"tini", "dumb-init", "/init", "init", "catatonit", "s6-svscan"})
_SUPERVISORS = frozenset({"supervisord", "uwsgi", "pm2-runtime", "s6-svscan", "runsvdir", "circusd", "honcho"})
_PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun", "npx", "pnpx", "corepack"})
_DROPPERS = frozenset({"gosu", "su-exec", "s6-setuidgid", "chpst", "setpriv", "runuser"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
# `trap handler TERM` (or SIGTERM, 15, after the handler): the script forwards the signal itself, as a
# hand-written supervisor of several processes does. `trap "" TERM` ignores it and `trap - TERM` resets it.
_TRAPS_TERM = re.compile(r"^trap\s+(?!(?:\"\"|''|-)\s)\S.*?\s(SIG)?(TERM|15)\b")


def compose_step_origin(service: str, key: str) -> str:
    """The origin of the start step a compose service's ``command`` or ``entrypoint`` gives."""
    return f"compose service {service} {key}"


def dockerfile_start(project: Project, dockerfile: Dockerfile, stage: Stage,
                     service: Service | None = None, *, depth: int = 4) -> StartPath:
    """The start path of ``stage``, with a compose service's ``command``/``entrypoint`` applied."""
    instructions = chain_instructions(dockerfile, stage)
    entry = last_of(instructions, "ENTRYPOINT")
    cmd = last_of(instructions, "CMD")
    anchor = cmd or entry
    steps: list[StartStep] = []
    entry_words = _words_of(entry)
    cmd_words = _words_of(cmd)
    entry_shell = entry is not None and not entry.is_exec_form
    cmd_shell = cmd is not None and not cmd.is_exec_form
    entry_origin = f"{dockerfile.path} ENTRYPOINT"
    cmd_origin = f"{dockerfile.path} CMD"
    if service is not None and service.get("entrypoint") is not None:
        # A compose entrypoint replaces the image's ENTRYPOINT and drops its CMD.
        entry_words, entry_shell, cmd_words = _service_words(service.get("entrypoint")), False, []
        entry_origin = compose_step_origin(service.name, "entrypoint")
    if service is not None and service.get("command") is not None:
        cmd_words, cmd_shell = _service_words(service.get("command")), False
        cmd_origin = compose_step_origin(service.name, "command")
    if entry_words:
        steps.append(StartStep(entry_origin, " ".join(entry_words)))
    if cmd_words:
        steps.append(StartStep(cmd_origin, " ".join(cmd_words)))
    command = " ".join([*entry_words, *cmd_words])
    base = posixpath.dirname(dockerfile.path)
    steps.extend(_follow(project, base, [(s.origin, s.text) for s in steps], depth))
    steps.extend(_s6_steps(project, dockerfile, stage, command))
    steps.extend(_fly_release(project, base))
    steps.extend(_entry_sources(project, base, [s.text for s in steps]))
    steps.extend(startup_hooks(project, [(s.origin, s.text) for s in steps if s.kind == "source"]))
    shell_form = entry_shell if entry_words else cmd_shell
    # An exec-form ENTRYPOINT gets CMD as its arguments (`tini -- npm start`, `gosu app node x`).
    argv = [*entry_words, *cmd_words] if entry_words and not entry_shell else (entry_words or cmd_words)
    if service is not None and truthy(service.get("init")) and argv:
        argv, shell_form = ["tini", "--", *(["sh", "-c", " ".join(argv)] if shell_form else argv)], False
    pid1, pid1_reason = _pid1(project, base, argv, shell_form, steps)
    user, user_reason, drop = _user(dockerfile, stage, service, steps)
    return StartPath(tuple(_dedupe(steps)), dockerfile.path if anchor else None,
                     anchor.line if anchor else stage.line, pid1, pid1_reason, user, user_reason, drop)


def command_start(project: Project, base: str, origin: str, command: str, *, depth: int = 4) -> StartPath:
    """The start path of a bare command (a compose service with no Dockerfile in the repo)."""
    steps = [StartStep(origin, command)]
    steps.extend(_follow(project, base, [(origin, command)], depth))
    steps.extend(_entry_sources(project, base, [s.text for s in steps]))
    steps.extend(startup_hooks(project, [(s.origin, s.text) for s in steps if s.kind == "source"]))
    pid1, reason = _pid1(project, base, _split(command), False, steps)
    drop = _drop_in(steps)
    return StartPath(tuple(_dedupe(steps)), None, None, pid1, reason,
                     drop[0] if drop else None, drop[1] if drop else "", drop[0] if drop else None)


def _fly_release(project: Project, base: str) -> Iterator[StartStep]:
    """fly.toml beside a Dockerfile builds it, and its ``release_command`` runs before each deploy."""
    for step in release_hooks(project, base):
        if "fly.toml" in step.origin:
            yield step


def release_hooks(project: Project, base: str) -> Iterator[StartStep]:
    """``release:`` of a Procfile and ``release_command`` of fly.toml beside the build (or at the root)."""
    for folder in dict.fromkeys((base, "")):
        procfile = posixpath.join(folder, "Procfile") if folder else "Procfile"
        text = project.read_text(procfile) if procfile in project.file_set else None
        for line in (text or "").splitlines():
            if line.startswith("release:"):
                yield StartStep(f"{procfile} release", line.split(":", 1)[1].strip(), "release")
        fly = posixpath.join(folder, "fly.toml") if folder else "fly.toml"
        text = project.read_text(fly) if fly in project.file_set else None
        match = re.search(r"^\s*release_command\s*=\s*[\"'](.+?)[\"']", text or "", re.MULTILINE)
        if match:
            yield StartStep(f"{fly} release_command", match.group(1), "release")


# -- following ---------------------------------------------------------------------------------


def _follow(project: Project, base: str, texts: list[tuple[str, str]], depth: int) -> Iterator[StartStep]:
    """Scripts and package scripts the (origin, text) pairs run, breadth first, a few levels deep.

    Each step records the origin that ran it (``via``), so the path can be shown as a tree.
    """
    seen: set[str] = set()
    frontier = list(texts)
    package = package_scripts(project, base)
    for _ in range(depth):
        found: list[tuple[str, str]] = []
        for origin, text in frontier:
            for step in _expand(project, base, text, package):
                if step.origin in seen:
                    continue
                seen.add(step.origin)
                found.append((step.origin, step.text))
                yield replace(step, via=origin)
        frontier = found


def _expand(project: Project, base: str, text: str, package: dict[str, str]) -> Iterator[StartStep]:
    names: list[str] = []
    for match in _SCRIPT_RUN.finditer(text):
        names.append(match.group(1))
    for match in _MULTI_RUN.finditer(text):
        names.extend(w.strip("\"'") for w in match.group(1).split() if not w.startswith("-"))
    for name in names:
        if name in _NOT_SCRIPTS:
            continue
        for script in (f"pre{name}", name):
            if script in package:
                yield StartStep(f"package.json script {script}", package[script], "package-script")
    if re.search(r"(^|[\s/\"'])supervisord(\s|$|[\"'])", text) and not re.search(r"supervisord[^\n]*\s-c\s", text):
        # supervisord without -c reads supervisord.conf (and the conf.d it includes): follow the repo's copy.
        for name in ("supervisord.conf", "supervisor.conf"):
            path = find_repo_file(project, base, name)
            body = project.read_text(path) if path else None
            if path and body is not None and _is_supervisor_config(body):
                yield StartStep(path, strip_comments(body), "supervisor")
                break
    for match in _SCRIPT_FILE.finditer(text):
        candidate = match.group(1).lstrip("/")
        pm2 = bool(_PM2_CONFIG.search(candidate))
        if candidate.endswith(".json") and not pm2:
            continue
        if candidate.endswith((".js", ".mjs", ".cjs", ".ts", ".py")) and not pm2:
            continue  # application entry files are source: see _entry_sources
        path = find_repo_file(project, base, candidate)
        if path is None:
            continue
        body = project.read_text(path)
        if body is None:
            continue
        kind = "supervisor" if path.endswith((".ini", ".conf")) or pm2 else "script"
        if kind == "supervisor" and not pm2 and not _is_supervisor_config(body):
            continue
        yield StartStep(path, strip_comments(body), kind)


def _is_supervisor_config(text: str) -> bool:
    return bool(re.search(r"^\s*\[(uwsgi|program:[^\]]+|supervisord)\]", text, re.MULTILINE))


def _s6_steps(project: Project, dockerfile: Dockerfile, stage: Stage, command: str) -> Iterator[StartStep]:
    """s6-overlay init and oneshot scripts the image copies in (only when the image runs s6)."""
    text = "\n".join(ins.original for s in chain(dockerfile, stage) for ins in s.instructions)
    images = " ".join(s.image for s in chain(dockerfile, stage)).lower()
    uses_s6 = ("s6-overlay" in text or "s6" in images or "linuxserver" in images
               or command.strip().split(" ")[:1] == ["/init"])
    if not uses_s6:
        return
    here = posixpath.dirname(dockerfile.path)
    for rel in project.files:
        if here and not rel.startswith(here + "/"):
            continue
        if not any(marker in "/" + rel for marker in _S6_DIRS):
            continue
        name = rel.rsplit("/", 1)[-1]
        if name in {"type", "dependencies", "contents"} or "/dependencies.d/" in rel or "/contents.d/" in rel:
            continue
        body = project.read_text(rel)
        if body is not None:
            yield StartStep(rel, strip_comments(body), "supervisor", via="s6-overlay /init")
            for step in _expand(project, here, body, {}):
                yield replace(step, via=rel)


_ENTRY_PATH = re.compile(r"(?:^|[\s\"'=])((?:\.{0,2}/)?[\w./-]*?[\w.-]+\.(?:js|mjs|cjs|ts|mts|py))\b")


_ASGI_APP = re.compile(r"\b(?:uvicorn|gunicorn|hypercorn|daphne|granian)\b[^\n;&|]*?\s([A-Za-z_][\w.]*):[A-Za-z_]\w*")


def _entry_sources(project: Project, base: str, texts: list[str]) -> Iterator[StartStep]:
    """Source files of the application entry points the path runs (``dist/index.js`` -> ``src/index.ts``).

    Files that match the path itself (build folder mapped back to ``src``) come first, then files
    with the same stem, nearest the build folder: the first one is the service's entry point.
    """
    stems = {m.group(1) for text in texts for m in _ENTRY_FILE.finditer(text)}
    stems -= {"manage", "setup", "conftest"}
    wanted = {_source_guess(m.group(1)) for text in texts for m in _ENTRY_PATH.finditer(text)}
    for text in texts:
        for match in _ASGI_APP.finditer(text):
            module = match.group(1).replace(".", "/")
            wanted.add(module)
            stems.add(module.rsplit("/", 1)[-1])
    by_stem = _source_files_by_stem(project)
    found = {rel for stem in stems for rel in by_stem.get(stem, ())}
    found = {rel for rel in found
             if not (_BUILD_DIRS & set(rel.split("/")[:-1])) and (not base or rel.startswith(base + "/"))}

    def rank(rel: str) -> tuple[int, int, str]:
        stem = rel.rsplit(".", 1)[0]
        exact = any(stem == w or stem.endswith("/" + w) for w in wanted if w)
        return (0 if exact else 1, rel.count("/"), rel)

    for rel in sorted(found, key=rank):
        body = project.read_text(rel)
        if body is not None:
            yield StartStep(rel, body, "source")


# Runtime flags whose value is the next word (``ts-node -r tsconfig-paths/register src/main.ts``): the
# value is a module to preload or a setting, never the program.
_VALUE_FLAGS = r"(?:-r|--require|--import|--loader|--experimental-loader|-P|--project|--env-file|-W|-X)"
_RUNTIME_CALL = re.compile(
    r"\b(?:node|nodejs|bun|tsx|ts-node|deno\s+run|python3?|pypy3?)\s+"
    rf"(?:{_VALUE_FLAGS}\s+[^\s-]\S*\s+|--?[\w-]+(?:=\S+)?\s+)*"
    r"([\w./-]+\.(?:js|mjs|cjs|ts|mts|py)|[\w./-]*/[\w.-]+)")


def entry_point(project: Project, base: str, steps: tuple[StartStep, ...]) -> str | None:
    """The application the start path finally runs: its source file when the repo has it, else the command.

    The last runtime invocation wins (``npm-run-all check-db start-server`` runs the server last);
    a built path is mapped back to its source (``node dist/main`` -> ``src/main.ts``).
    """
    commands = [s for s in steps if s.kind not in {"source", "hook"}]
    for step in reversed(commands):
        configured = _configured_app(project, step)
        if configured:
            return configured
        asgi = list(_ASGI_APP.finditer(step.text))
        if asgi:
            module = asgi[-1].group(1).replace(".", "/") + ".py"
            hits = sorted((r for r in project.files if r == module or r.endswith("/" + module)), key=len)
            return hits[0] if hits else asgi[-1].group(0).strip()
        nest = _nest_entry(project, base, step.text)
        if nest:
            return nest
        # A program under node_modules/ is a dependency's CLI (``ts-node ./node_modules/typeorm/cli.js``
        # in a migration script), not the application.
        calls = [c for c in _RUNTIME_CALL.finditer(step.text) if "node_modules/" not in c.group(1)]
        if not calls:
            continue
        target = calls[-1].group(1)
        guess = _source_guess(target)
        for suffix in (".ts", ".mts", ".js", ".mjs", ".cjs", ".py"):
            for candidate in (f"{base}/{guess}{suffix}" if base else f"{guess}{suffix}", f"{guess}{suffix}"):
                if candidate in project.file_set:
                    return candidate
        name = guess.rsplit("/", 1)[-1]
        matches = sorted((r for suffix in _SOURCE_SUFFIXES for r in project.files_named(name + suffix)
                          if not _BUILD_DIRS & set(r.split("/")[:-1]) and (not base or r.startswith(base + "/"))),
                         key=lambda r: (r.count("/"), r))
        if (matches and name not in {"index", "main", "server", "app"}) or len(matches) == 1:
            return matches[0]
        return calls[-1].group(0).strip()
    last = commands[-1].summary(120) if commands else None
    return None if last is None or last.startswith("-") else last


_UWSGI_APP = re.compile(r"^\s*(?:module|wsgi-file|wsgi)\s*=\s*(\S+)", re.MULTILINE)
_PM2_SCRIPT = re.compile(r"[\"']?script[\"']?\s*:\s*[\"']([^\"']+)[\"']")


def _configured_app(project: Project, step: StartStep) -> str | None:
    """The app a supervisor config names: uwsgi ``module =``, a pm2 ecosystem ``script:``."""
    if step.kind != "supervisor":
        return None
    match = _UWSGI_APP.search(step.text)
    if match:
        module = match.group(1).split(":", 1)[0]
        path = module if module.endswith(".py") else module.replace(".", "/") + ".py"
        hits = [r for r in project.files if r == path or r.endswith("/" + path)]
        return min(hits, key=len) if hits else match.group(1)
    match = _PM2_SCRIPT.search(step.text)
    if match:
        target = match.group(1).lstrip("./")
        return target if target in project.file_set else match.group(1)
    return None


_NEST_START = re.compile(r"\bnest\s+start\b")


def _nest_entry(project: Project, base: str, command: str) -> str | None:
    """``nest start`` runs the Nest CLI's entry file: nest-cli.json ``sourceRoot``/``entryFile`` (src/main)."""
    if not _NEST_START.search(command):
        return None
    config_path = f"{base}/nest-cli.json" if base else "nest-cli.json"
    source_root, entry_file = "src", "main"
    text = project.read_text(config_path)
    if text:
        try:
            config = json.loads(text)
        except ValueError:
            config = None
        if isinstance(config, dict):
            source_root = str(config.get("sourceRoot") or source_root).strip("./") or source_root
            entry_file = str(config.get("entryFile") or entry_file)
    stem = f"{base}/{source_root}/{entry_file}" if base else f"{source_root}/{entry_file}"
    for suffix in (".ts", ".js"):
        if stem + suffix in project.file_set:
            return stem + suffix
    return None


def _source_guess(path: str) -> str:
    """``/app/apps/api/dist/index.js`` -> ``apps/api/src/index`` (a container path mapped to its source)."""
    path = re.sub(r"^(\./|/app/|/usr/src/app/|/opt/app/|/srv/|/code/|/)", "", path)
    parts = ["src" if p in {"dist", "build", "out", "lib"} else p for p in path.split("/")]
    return "/".join(parts).rsplit(".", 1)[0]


def _source_files_by_stem(project: Project) -> dict[str, list[str]]:
    def build() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for rel in project.files:
            stem, dot, suffix = posixpath.basename(rel).rpartition(".")
            if dot and f".{suffix}" in _SOURCE_SUFFIXES:
                index.setdefault(stem, []).append(rel)
        return index

    return project.view(_source_files_by_stem, build)


def find_repo_file(project: Project, base: str, candidate: str) -> str | None:
    """The repo file a container path most likely came from.

    Same basename; then the most trailing folders in common with the container path
    (``/app/deploy/env.sh`` is ``deploy/env.sh`` before ``web/env.sh``), nearest ``base``, shallowest.
    """
    name = posixpath.basename(candidate)
    if not name or "$" in name:
        return None
    matches = project.files_named(name)
    if not matches:
        return None
    wanted = [part for part in candidate.split("/")[:-1] if part not in {"", "."}]

    def shared(rel: str) -> int:
        folders = rel.split("/")[:-1]
        count = 0
        while count < min(len(folders), len(wanted)) and folders[-1 - count] == wanted[-1 - count]:
            count += 1
        return count

    matches.sort(key=lambda f: (-shared(f), not f.startswith(base + "/") if base else False, f.count("/"), f))
    return matches[0]


def strip_comments(text: str) -> str:
    """Drop full-line shell comments (``# ...``) so commented-out commands do not count."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", ";")))


def package_scripts(project: Project, base: str) -> dict[str, str]:
    """``scripts`` of the package.json in ``base`` (else the root)."""
    for candidate in dict.fromkeys((posixpath.join(base, "package.json") if base else "package.json",
                                    "package.json")):
        if candidate in project.file_set:
            try:
                data = json.loads(project.read_text(candidate) or "{}")
            except ValueError:
                continue
            scripts = data.get("scripts") if isinstance(data, dict) else None
            if isinstance(scripts, dict):
                return {str(k): str(v) for k, v in scripts.items()}
    return {}


# -- PID 1 and user ----------------------------------------------------------------------------


_SEPARATOR = re.compile(r"&&|\|\||;|\||&|\n")
_COMPOUND_WORDS = frozenset({"fi", "done", "esac", "}", ")", "then", "do", "else"})


def _bash_execs_last(inner: str) -> bool:
    """Whether bash execs the last command of this ``-c`` string itself, keeping no shell as PID 1.

    bash 5.1 and later do so for a simple command after ``;`` or a newline (checked: 5.2 runs
    ``bash -c 'while ...; done; uwsgi ...'`` with uwsgi in the shell's pid), but not after ``&&``,
    ``||`` or ``|``, inside a compound command, or when a trap is set. dash and busybox keep forking.
    """
    if re.search(r"\btrap\b", inner):
        return False
    text = inner.rstrip()
    separator = next(reversed(list(_SEPARATOR.finditer(text))), None)
    if separator is None or separator.group(0) not in {";", "\n"}:
        return False
    last = text[separator.end():].strip()
    first = last.split(None, 1)[0] if last else ""
    return bool(first) and first not in _COMPOUND_WORDS and not re.search(r"[<>]\(|\$\(|`", first)


def _pid1(project: Project, base: str, argv: list[str], shell_form: bool,
          steps: list[StartStep]) -> tuple[str, str]:
    """What runs as PID 1 and why."""
    if not argv:
        return "unknown", "no start command in the repository"
    if argv[0].startswith("-"):
        return "image default", "the command only passes flags to the image's own entrypoint"
    if shell_form:
        first = argv[0] if argv else ""
        if first == "exec":
            return _program_kind(argv[1:], project, base, steps)
        return "shell", "shell-form command runs under /bin/sh -c"
    return _program_kind(argv, project, base, steps)


_SHELL_C_FLAGS = frozenset({"-c", "-ec", "-ce", "-lc", "-xc", "-exc"})


def _shell_c_kind(program: str, inner: str, project: Project, base: str,
                  steps: list[StartStep]) -> tuple[str, str]:
    """PID 1 of ``sh -c '<inner>'``: the program an ``exec`` (or a lone command) hands over to, else the shell."""
    parts = segments(inner.strip())
    last = parts[-1] if parts else ""
    if last.startswith("exec "):
        return _program_kind(_split(last)[1:], project, base, steps)
    if len(parts) == 1:
        return _program_kind(_split(last), project, base, steps)
    if program == "bash" and _bash_execs_last(inner):
        kind, reason = _program_kind(_split(last), project, base, steps)
        return kind, f"{reason}; bash 5.1 and later runs the last command of `bash -c` in its own place"
    return "shell", f"`{program} -c` runs a command chain without exec"


def _program_kind(argv: list[str], project: Project, base: str, steps: list[StartStep]) -> tuple[str, str]:
    if not argv:
        return "unknown", "empty command"
    program = posixpath.basename(argv[0])
    if program in _DROPPERS:
        # The first word that is not an option is the user (setpriv takes it as --reuid=, so there it is
        # the command already); everything after it is the command, its own flags included.
        first = next((i for i, a in enumerate(argv[1:], 1) if not a.startswith("-")), len(argv))
        rest = argv[first:] if program == "setpriv" else argv[first + 1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        if not rest or rest[0] in {'"$@"', "$@"}:
            return "runtime", f"{program} drops privileges and execs the image's command, which becomes PID 1"
        kind, reason = _program_kind(rest, project, base, steps)
        return kind, f"{program} execs {rest[0]}: {reason}"
    if program in _INITS or argv[0] in _INITS:
        if program == "tini" and "-g" not in argv[1:]:
            # tini signals only its direct child (no -g): a package manager or a shell script under it
            # still stands between the signal and the app. dumb-init signals the whole group by default.
            inner = argv[argv.index("--") + 1:] if "--" in argv else [a for a in argv[1:] if not a.startswith("-")]
            if inner:
                kind, reason = _program_kind(inner, project, base, steps)
                if kind in {"package manager", "shell script", "shell"}:
                    return kind, f"{program} signals only its child {posixpath.basename(inner[0])}: {reason}"
        return "init", f"{argv[0]} is an init that forwards signals"
    if program in _SUPERVISORS:
        return "supervisor", f"{program} supervises the application and handles signals"
    if program in _PACKAGE_MANAGERS:
        return "package manager", f"`{' '.join(argv[:3])}`: {program} runs the app as a child process"
    if program in _SHELLS and len(argv) >= 3 and argv[1] in _SHELL_C_FLAGS:
        return _shell_c_kind(program, argv[2], project, base, steps)
    if program in _SHELLS:
        script = next((a for a in argv[1:] if not a.startswith("-")), None)
        if script is None:
            return "shell", f"{program} without a script"
        argv, program = [script], posixpath.basename(script)
    if program.endswith((".sh", ".bash")) or "entrypoint" in program:
        path = find_repo_file(project, base, program)
        body = project.read_text(path) if path else None
        if body is None:
            return "unknown", f"{program} is not in the repository"
        lines = [ln.strip() for ln in strip_comments(body).splitlines() if ln.strip()]
        execs = [ln for ln in lines if ln.startswith("exec ")]
        if execs:
            target = _split(execs[-1])[1:]
            if target and target[0] in {'"$@"', "$@"}:
                return "script exec", f"{path} ends with exec \"$@\": the command it is given becomes PID 1"
            if target and not target[0].startswith("$"):
                kind, reason = _program_kind(target, project, base, [])
                return kind, f"{path} execs {target[0]}: {reason}"
            return "script exec", f"{path} execs its command"
        if any(_TRAPS_TERM.match(ln) for ln in lines):
            return "supervisor", f"{path} traps TERM and passes it on to the processes it started"
        return "shell script", f"{path} runs the application without exec, so the shell stays PID 1"
    return "runtime", f"{program} runs directly as PID 1"


def _user(dockerfile: Dockerfile, stage: Stage, service: Service | None,
          steps: list[StartStep]) -> tuple[str | None, str, str | None]:
    """The user the application runs as: compose ``user:``, a privilege drop on the path, or USER."""
    if service is not None and service.get("user") is not None:
        value = str(service.get("user"))
        return value, f"compose service {service.name} sets user: {value}", f"user: {value}"
    drop = _drop_in(steps)
    if drop:
        return drop[0], drop[1], drop[0]
    user = last_of(chain_instructions(dockerfile, stage), "USER")
    if user is not None:
        value = user.args.strip()
        return value, f"USER {value} at {dockerfile.path}:{user.line}", f"USER {value}"
    return None, "no USER, no privilege drop on the start path", None


def _drop_in(steps: list[StartStep]) -> tuple[str, str] | None:
    for step in steps:
        if step.kind in {"source", "hook", "call"}:
            continue  # application code does not drop the container's privileges
        for match in _DROP.finditer(step.text):
            name = next(g for g in match.groups() if g)
            if name in {"root", "0"}:
                continue
            tool = match.group(0).strip().split()[0].rstrip("=")
            return name, f"{tool} drops to {name} in {step.origin}"
    return None


# -- small helpers -----------------------------------------------------------------------------


def _words_of(ins: Instruction | None) -> list[str]:
    if ins is None:
        return []
    parts = exec_form(ins.args)
    return parts if parts is not None else _split(ins.command_text)


def _service_words(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return _split(str(value)) if value is not None else []


def _split(text: str) -> list[str]:
    return words(text) if text.strip() else []


def _dedupe(steps: list[StartStep]) -> list[StartStep]:
    seen: set[tuple[str, str]] = set()
    out = []
    for step in steps:
        key = (step.origin, step.text)
        if key not in seen:
            seen.add(key)
            out.append(step)
    return out
