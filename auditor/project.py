"""The repository as facts: discovered once, parsed on demand, cached.

Checks receive a :class:`Project` and read its parsed views; they never open
files themselves. Modules that build richer views (source analysis, CI
workflows ...) memoise them on the project with :meth:`Project.memo`, so a new
kind of fact needs no edit here.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import subprocess
from collections.abc import Callable, Hashable
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.discovery import DEFAULT_MAX_FILE_BYTES, Discovery, ReadRefused, discover, load_ignore_spec, read_inside
from auditor.model import SkippedFile
from auditor.parsing import ParseProblem
from auditor.parsing.compose import ComposeFile, parse_compose
from auditor.parsing.dockerfile import Dockerfile, parse_dockerfile
from auditor.parsing.envfile import EnvFile, parse_env
from auditor.parsing.workflow import Workflow, parse_github_workflow, parse_gitlab_ci

if TYPE_CHECKING:
    from auditor.deploy.build import DeployConfig
    from auditor.deploy.model import DeploymentModel
    from auditor.deps.model import DepsObservation

T = TypeVar("T")

#: Suffixes of documentation files (``Project.doc_files``).
DOC_SUFFIXES = (".md", ".mdx", ".rst", ".txt", ".adoc")

_COMPOSE_NAME = re.compile(r"^(docker-|podman-|container-)?compose([.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_ENV_TEMPLATE = re.compile(r"^\.env(\.[\w-]+)*\.(example|sample|template|dist|defaults)$|^\.env\.(example|sample|template)(\.[\w-]+)*$", re.IGNORECASE)
_ENV_REAL = re.compile(r"^\.env(\.[\w-]+)?$")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")
_FROM_LINE = re.compile(r"^\s*FROM\s+\S+", re.IGNORECASE | re.MULTILINE)


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Dockerfile.prod``, ``api.Dockerfile``, ``Containerfile`` ..."""
    lower = name.lower()
    return (
        lower in {"dockerfile", "containerfile"}
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith((".dockerfile", ".containerfile"))
    )


def is_compose_name(name: str) -> bool:
    """``compose.yaml``, ``docker-compose.prod.yml``, ``podman-compose.yml`` (podman-compose's own default) ..."""
    return bool(_COMPOSE_NAME.match(name))


def is_podman_compose_name(name: str) -> bool:
    """``podman-compose.yml``, ``container-compose.yaml``: a file for podman-compose, not Docker Compose."""
    return name.lower().startswith(("podman-compose", "container-compose")) and is_compose_name(name)


def is_env_template_name(name: str) -> bool:
    """``.env.example``, ``.env.sample``, ``.env.production.example``, ``.env.template`` ..."""
    return bool(_ENV_TEMPLATE.match(name))


def is_env_file_name(name: str) -> bool:
    """A real env file: ``.env``, ``.env.production``, ``.env.local`` (not a template)."""
    return bool(_ENV_REAL.match(name)) and not is_env_template_name(name)


class Project:
    """A repository discovered once, with lazily parsed views."""

    def __init__(
        self,
        root: Path,
        *,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        excludes: tuple[str, ...] = (),
        deploy: DeployConfig | None = None,
        profile: str | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.root = root.resolve()
        # The date time-dependent judgements use (end-of-life dates): the scan's --today in tests and
        # reproducible reports, else the real date.
        self.today = today or dt.date.today()
        self.deploy_config = deploy
        # ``profile:`` from the configuration (service | distribution); None lets checks guess.
        self.profile_override = profile
        self.max_file_bytes = max_file_bytes
        self.excludes = excludes
        self._texts: dict[str, str | None] = {}
        self._memo: dict[tuple[Hashable, ...], Any] = {}
        self.read_skips: list[SkippedFile] = []
        # What the dependency probe (network I/O) observed, per ecosystem, before checks run;
        # None when it did not run (--offline, no lockfile): the DEPS-* checks then skip.
        self.dependency_observations: dict[str, DepsObservation] | None = None

    # -- discovery -------------------------------------------------------

    @cached_property
    def discovery(self) -> Discovery:
        """Files kept and skipped by the single walk of the tree."""
        return discover(self.root, max_file_bytes=self.max_file_bytes, excludes=self.excludes)

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Relative POSIX paths of every readable file."""
        return tuple(f.rel for f in self.discovery.files)

    @cached_property
    def file_set(self) -> frozenset[str]:
        """``files`` as a set, for membership tests."""
        return frozenset(self.files)

    @property
    def skipped(self) -> list[SkippedFile]:
        """Everything left out, with reasons (discovery plus unreadable/binary files)."""
        return [*self.discovery.skipped, *self.read_skips]

    def glob(self, *patterns: str) -> list[str]:
        """Files whose relative path or basename matches any fnmatch pattern (cached per pattern set)."""
        return list(self.view(Project._glob, lambda: self._glob(patterns), *patterns))

    def _glob(self, patterns: tuple[str, ...]) -> tuple[str, ...]:
        if all(not any(ch in p for ch in "*?[/") for p in patterns):
            # Plain basenames (the common case): a dictionary lookup, not a scan of every file.
            return tuple(sorted((rel for p in patterns for rel in self.files_named(p)), key=self._order.__getitem__))
        regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
        return tuple(rel for rel in self.files if regex.match(rel) or regex.match(rel.rsplit("/", 1)[-1]))

    @cached_property
    def _order(self) -> dict[str, int]:
        return {rel: index for index, rel in enumerate(self.files)}

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for rel in self.files:
            index.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return index

    def files_named(self, name: str) -> list[str]:
        """Files with exactly this basename, in discovery order."""
        return list(self._by_name.get(name, ()))

    def exists(self, rel: str) -> bool:
        """True when a discovered file or any path (file or dir) exists under the root."""
        rel = rel.strip().lstrip("./") if rel.startswith("./") else rel.strip()
        if rel in self.file_set:
            return True
        try:
            candidate = (self.root / rel).resolve()
        except (OSError, RuntimeError):
            return False
        return candidate.is_relative_to(self.root) and candidate.exists()

    @cached_property
    def open_source_license(self) -> str | None:
        """``"MIT (LICENSE)"`` when a root licence file is an open-source licence, else None."""
        from auditor.license import LICENSE_FILES, open_source_license

        for name in LICENSE_FILES:
            if name in self.file_set and (found := open_source_license(self.read_text(name) or "")):
                return f"{found} ({name})"
        return None

    # -- reading ---------------------------------------------------------

    def read_text(self, rel: str) -> str | None:
        """Text of a file inside the root, or None (outside, binary, unreadable; the skip is recorded).

        Every read of scanned content goes through here (and so through
        :func:`auditor.discovery.read_inside`): whatever path a caller builds,
        nothing outside the scan root is read.
        """
        if rel in self._texts:
            return self._texts[rel]
        text: str | None = None
        try:
            data = read_inside(self.root, rel, self.max_file_bytes)
        except ReadRefused as exc:
            self.read_skips.append(SkippedFile(rel, exc.reason))
        else:
            if b"\x00" in data[:8192]:
                self.read_skips.append(SkippedFile(rel, "binary file"))
            else:
                text = data.decode("utf-8", errors="replace")
        self._texts[rel] = text
        return text

    def view(self, of: Callable[..., T], factory: Callable[[], T], *params: Hashable) -> T:
        """A derived view, built once per project by ``factory``.

        ``of`` is the public function that serves the view (``workflows``, ``source_index`` ...), with
        the ``params`` it was asked for: the key is that function object, never a string two modules
        could both pick, and the factory must return what the function is declared to return.
        """
        key = (of, *params)
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]  # type: ignore[no-any-return]

    def built(self, of: Callable[..., Any], *params: Hashable) -> Any:
        """A view :meth:`view` has already built, else None (never builds one)."""
        return self._memo.get((of, *params))

    # -- classified files ------------------------------------------------

    @cached_property
    def dockerfile_paths(self) -> tuple[str, ...]:
        """Dockerfiles by name, plus files named like ``*dockerfile*`` whose content starts with FROM."""
        out = []
        for rel in self.files:
            name = rel.rsplit("/", 1)[-1]
            if is_dockerfile_name(name):
                out.append(rel)
            elif "dockerfile" in name.lower() and not name.lower().endswith((".md", ".txt", ".json")):
                text = self.read_text(rel)
                if text and _FROM_LINE.search(text[:4096]):
                    out.append(rel)
        return tuple(out)

    @cached_property
    def compose_paths(self) -> tuple[str, ...]:
        """Compose files by their conventional names."""
        return tuple(r for r in self.files if is_compose_name(r.rsplit("/", 1)[-1]))

    @cached_property
    def env_template_paths(self) -> tuple[str, ...]:
        """Env templates (committed examples)."""
        return tuple(r for r in self.files if is_env_template_name(r.rsplit("/", 1)[-1]))

    @cached_property
    def env_file_paths(self) -> tuple[str, ...]:
        """Real env files (``.env``, ``.env.production`` ...)."""
        return tuple(r for r in self.files if is_env_file_name(r.rsplit("/", 1)[-1]))

    # -- parsed views ----------------------------------------------------

    @cached_property
    def dockerfiles(self) -> tuple[Dockerfile, ...]:
        """Every Dockerfile, parsed."""
        out = []
        for rel in self.dockerfile_paths:
            text = self.read_text(rel)
            if text is not None:
                out.append(parse_dockerfile(rel, text))
        return tuple(out)

    @cached_property
    def compose_files(self) -> tuple[ComposeFile, ...]:
        """Every compose file, parsed."""
        out = []
        for rel in self.compose_paths:
            text = self.read_text(rel)
            if text is not None:
                out.append(parse_compose(rel, text))
        return tuple(out)

    @cached_property
    def env_templates(self) -> tuple[EnvFile, ...]:
        """Every env template, parsed."""
        return self._envs(self.env_template_paths, template=True)

    @cached_property
    def env_files(self) -> tuple[EnvFile, ...]:
        """Every real env file, parsed (values are secrets: never print them)."""
        return self._envs(self.env_file_paths, template=False)

    def _envs(self, paths: tuple[str, ...], *, template: bool) -> tuple[EnvFile, ...]:
        out = []
        for rel in paths:
            text = self.read_text(rel)
            if text is not None:
                out.append(parse_env(rel, text, template=template))
        return tuple(out)

    @cached_property
    def doc_files(self) -> tuple[str, ...]:
        """Documentation files (Markdown, MDX, reStructuredText, AsciiDoc, text), in discovery order."""
        return tuple(rel for rel in self.files if rel.lower().endswith(DOC_SUFFIXES))

    @cached_property
    def workflows(self) -> tuple[Workflow, ...]:
        """GitHub Actions workflows and GitLab CI, parsed."""
        out = []
        for rel in self.files:
            if re.match(r"^\.github/workflows/[^/]+\.ya?ml$", rel):
                out.append(parse_github_workflow(rel, self.read_text(rel) or ""))
            elif rel == ".gitlab-ci.yml":
                out.append(parse_gitlab_ci(rel, self.read_text(rel) or ""))
        return tuple(out)

    @cached_property
    def deployment(self) -> DeploymentModel:
        """The deployment model: file roles, compose projects, services and start paths (built once)."""
        from auditor.deploy.build import build_model

        return build_model(self, self.deploy_config)

    @property
    def parse_problems(self) -> list[ParseProblem]:
        """Every problem met while parsing the views built so far."""
        problems: list[ParseProblem] = []
        for group in (self.dockerfiles, self.compose_files, self.env_templates, self.env_files):
            for item in group:
                problems.extend(item.problems)
        problems.extend(self.manifest_problems)
        return problems

    @cached_property
    def manifest_problems(self) -> tuple[ParseProblem, ...]:
        """``pyproject.toml`` files that are not valid TOML (a broken one never stops the scan)."""
        import tomllib

        out = []
        for rel in self.files_named("pyproject.toml"):
            text = self.read_text(rel)
            if text is None:
                continue
            try:
                tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                found = _TOML_LINE.search(str(exc))
                reason = _TOML_LINE.sub("", str(exc)).strip() or "syntax error"
                out.append(ParseProblem(rel, int(found.group(1)) if found else None, f"invalid TOML: {reason}"))
        return tuple(out)

    # -- git -------------------------------------------------------------

    @cached_property
    def git_tracked(self) -> frozenset[str] | None:
        """Files tracked by git (None when the root is not a git work tree)."""
        if not (self.root / ".git").exists():
            return None
        try:
            # fsmonitor/hooks in a scanned repo's config could run commands: disable them.
            proc = subprocess.run(
                ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
                 "--no-optional-locks", "ls-files", "-z"],
                cwd=self.root, capture_output=True, timeout=20, check=False,
                env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if proc.returncode != 0:
            return None
        return frozenset(p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p)

    def _ignore_spec(self, spec_rel: str) -> Any:
        """The compiled rules of one ``.gitignore`` (None when there is none), read once per scan."""
        return self.view(Project._ignore_spec, lambda: load_ignore_spec(self.root, spec_rel)[0], spec_rel)

    def is_git_ignored(self, rel: str) -> bool:
        """True when the root or a nested ``.gitignore`` ignores ``rel``."""
        parts = PurePosixPath(rel).parts
        for depth in range(len(parts)):
            base = "/".join(parts[:depth])
            spec_rel = f"{base}/.gitignore" if base else ".gitignore"
            spec = self._ignore_spec(spec_rel)
            if spec is not None and spec.match_file("/".join(parts[depth:])):
                return True
        return False

    # -- applicability ---------------------------------------------------

    def has(self, need: str) -> bool:
        """Whether the facts a check ``needs`` exist in this project."""
        providers: dict[str, Callable[[], object]] = {
            "dockerfiles": lambda: self.dockerfiles,
            "compose": lambda: [c for c in self.compose_files if c.services],
            "env_templates": lambda: self.env_templates,
            "env_files": lambda: self.env_files,
            "env": lambda: self.env_templates or self.env_files,
            "container_files": lambda: self.dockerfiles or [c for c in self.compose_files if c.services],
        }
        provider = providers.get(need)
        if provider is None:
            return True  # unknown needs are the check's own business (NotApplicable)
        return bool(provider())
