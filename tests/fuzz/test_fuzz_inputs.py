"""Fuzzing: generated hostile inputs of every kind prodcheck reads, scanned and rendered in every format.

For every example: no exception escapes, no check errors, the work stays
within a generous CPU bound, every output is printable (no control or bidi
character) and no planted secret (nor any 8-character piece of it) appears.
Fixed seed and a few examples per input kind by default (the whole module
runs in well under a minute); ``PRODCHECK_FUZZ_EXAMPLES=2000`` for a long run.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from auditor.model import Status
from auditor.observation_file import ObservationFileError, check_observation_file
from auditor.settings import SettingsError, resolve_settings
from tests.fuzz import strategies as gen
from tests.hostile.helpers import assert_no_secret, assert_printable, render_all, scan

CPU_BOUND_S = 30.0  # a scan of these few small files takes well under a second
SECRETS = [*gen.PLANTED.values(), gen.URL_PASSWORD]


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))


def judge(files: dict[str, str], scan_root: Callable[[Path], object] | None = None) -> None:
    """Scan ``files`` as a repository and hold every fuzz invariant."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_files(root, files)
        start = time.process_time()
        report = scan_root(root) if scan_root else scan(root)
        outputs = render_all(report)  # type: ignore[arg-type]
        elapsed = time.process_time() - start
    assert elapsed < CPU_BOUND_S, f"scan and render took {elapsed:.1f} s of CPU"
    errors = [f"{r.meta.id}: {r.reason}" for r in report.results if r.status is Status.ERROR]  # type: ignore[attr-defined]
    assert not errors, errors
    for name, text in outputs.items():
        assert_printable(name, text)
    assert_no_secret(outputs, SECRETS)


@gen.FUZZ
@given(gen.dockerfiles)
def test_dockerfiles(text: str) -> None:
    judge({"Dockerfile": text, "api/Dockerfile.prod": text})


@gen.FUZZ
@given(gen.compose_files())
def test_compose_files(text: str) -> None:
    judge({"docker-compose.yml": text, "Dockerfile": "FROM node:20\n"})


@gen.FUZZ
@given(gen.env_files(), gen.env_files())
def test_env_files(real: str, template: str) -> None:
    judge({".env": real, ".env.example": template, ".env.production": real})


@gen.FUZZ
@given(gen.package_json(), gen.package_lock(), gen.requirements_txt(), gen.pyproject_toml())
def test_manifests_and_lockfiles(package: str, lock: str, requirements: str, pyproject: str) -> None:
    judge({"package.json": package, "package-lock.json": lock, "requirements.txt": requirements,
           "pyproject.toml": pyproject, "web/package.json": package})


@gen.FUZZ
@given(gen.workflow_files())
def test_workflows(text: str) -> None:
    judge({".github/workflows/ci.yml": text, ".gitlab-ci.yml": text})


@gen.FUZZ
@given(gen.js_sources, gen.py_sources)
def test_sources(js: str, py: str) -> None:
    judge({"package.json": '{"dependencies": {"express": "^4", "hono": "^4"}}', "src/server.ts": js,
           "src/App.tsx": js, "src/legacy.js": js, "app/main.py": py, "requirements.txt": "fastapi\n"})


@gen.FUZZ
@given(gen.config_files, gen.dockerfiles)
def test_config_files(config: str, dockerfile: str) -> None:
    def scan_with_config(root: Path) -> object:
        try:
            settings = resolve_settings(root=root, config_path=None, cli={}, environ={})
        except SettingsError as exc:
            assert str(exc).startswith(str(root)), str(exc)  # every config error names its file
            return scan(root)
        options = settings.scan_options(path=root, urls=())
        return scan(root, excludes=options.excludes, max_file_bytes=options.max_file_bytes,
                    ignores=options.ignores, disabled_checks=options.disabled_checks)

    judge({".prodcheck.yaml": config, "Dockerfile": dockerfile}, scan_with_config)


@gen.FUZZ
@given(gen.observation_files())
def test_observation_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "observations.json"
        path.write_text(text, encoding="utf-8")
        try:
            check_observation_file(path)
        except ObservationFileError as exc:
            assert str(exc), "an observation error says why"
            return
        start = time.process_time()
        report = scan(None, from_observations=path)
        outputs = render_all(report)
    assert time.process_time() - start < CPU_BOUND_S
    # An unreachable recorded target makes its checks errors by design ("target not scanned"); nothing else may.
    crashed = [r.reason for r in report.results if r.status is Status.ERROR
               and not r.reason.startswith("target not scanned")]
    assert not crashed, crashed
    for name, output in outputs.items():
        assert_printable(name, output)


@gen.FUZZ
@given(st.fixed_dictionaries({
    "Dockerfile": gen.dockerfiles, "compose.yaml": gen.compose_files(), ".env": gen.env_files(),
    "src/index.js": gen.js_sources, "main.py": gen.py_sources, ".github/workflows/ci.yml": gen.workflow_files(),
}))
def test_whole_repositories(files: dict[str, str]) -> None:
    judge(files)
