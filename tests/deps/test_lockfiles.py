"""Lockfile and manifest parsing for the dependency audit."""

from __future__ import annotations

import json

import pytest

from auditor.deps.lockfiles import LockfileError, parse_node_lockfile, parse_python_manifest


def names(packages: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(p.name, p.version) for p in packages}


def test_package_lock_v1_nested() -> None:
    text = json.dumps({"lockfileVersion": 1, "dependencies": {
        "lodash": {"version": "4.17.20"},
        "a": {"version": "1.0.0", "dependencies": {"minimist": {"version": "1.2.5"}}},
        "local": {"version": "file:../local"},
    }})
    assert names(parse_node_lockfile("package-lock.json", text)) == {("lodash", "4.17.20"), ("a", "1.0.0"),
                                                                     ("minimist", "1.2.5")}


@pytest.mark.parametrize("version", [2, 3])
def test_package_lock_v2_v3(version: int) -> None:
    text = json.dumps({"lockfileVersion": version, "packages": {
        "": {"name": "root", "version": "1.0.0"},
        "node_modules/lodash": {"version": "4.17.20"},
        "node_modules/a/node_modules/@scope/b": {"version": "2.0.0"},
        "node_modules/linked": {"link": True, "resolved": "packages/linked"},
    }})
    assert names(parse_node_lockfile("package-lock.json", text)) == {("lodash", "4.17.20"), ("@scope/b", "2.0.0")}


PNPM_V5 = "lockfileVersion: 5.4\npackages:\n  /lodash/4.17.20:\n    resolution: {integrity: x}\n  /@types/node/20.1.0:\n    dev: true\n"
PNPM_V6 = "lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.20:\n    resolution: {integrity: x}\n  /@hono/node-server@1.13.7(hono@4.6.12):\n    dependencies: {}\n"
PNPM_V9 = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies: {}\npackages:\n  lodash@4.17.20:\n    resolution: {integrity: x}\n  '@scope/pkg@2.0.0':\n    resolution: {integrity: y}\nsnapshots:\n  lodash@4.17.20: {}\n"


@pytest.mark.parametrize(("text", "expected"), [
    (PNPM_V5, {("lodash", "4.17.20"), ("@types/node", "20.1.0")}),
    (PNPM_V6, {("lodash", "4.17.20"), ("@hono/node-server", "1.13.7")}),
    (PNPM_V9, {("lodash", "4.17.20"), ("@scope/pkg", "2.0.0")}),
])
def test_pnpm_lock_versions(text: str, expected: set[tuple[str, str]]) -> None:
    assert names(parse_node_lockfile("pnpm-lock.yaml", text)) == expected


def test_yarn_classic_and_berry() -> None:
    classic = '# yarn lockfile v1\n\n"@babel/core@^7.0.0", "@babel/core@^7.1.0":\n  version "7.24.0"\n\nlodash@^4.17.0:\n  version "4.17.20"\n'
    berry = '__metadata:\n  version: 8\n\n"lodash@npm:^4.17.0":\n  version: 4.17.20\n  resolution: "lodash@npm:4.17.20"\n'
    assert names(parse_node_lockfile("yarn.lock", classic)) == {("@babel/core", "7.24.0"), ("lodash", "4.17.20")}
    assert names(parse_node_lockfile("yarn.lock", berry)) == {("lodash", "4.17.20")}


def test_broken_lockfiles_raise_clear_errors() -> None:
    with pytest.raises(LockfileError, match=r"package-lock\.json: invalid JSON"):
        parse_node_lockfile("package-lock.json", "{not json")
    with pytest.raises(LockfileError, match="not a pnpm lockfile"):
        parse_node_lockfile("pnpm-lock.yaml", "hello: world\n")


def test_python_manifests() -> None:
    pkgs, skipped = parse_python_manifest("requirements.txt", "# c\nJinja2==2.11.2\nrequests>=2\n-r other.txt\n")
    assert names(pkgs) == {("Jinja2", "2.11.2")}
    assert skipped == ["requests: not pinned to an exact version (requirements.txt:3)"]
    pyproject = '[project]\nname = "x"\ndependencies = ["fastapi==0.110.0", "pydantic>=2"]\n'
    pkgs, skipped = parse_python_manifest("pyproject.toml", pyproject)
    assert names(pkgs) == {("fastapi", "0.110.0")} and skipped[0].startswith("pydantic: not pinned")
    poetry = '[[package]]\nname = "django"\nversion = "4.2.1"\n\n[[package]]\nname = "app"\nversion = "0.1"\nsource = {editable = true}\n'
    pkgs, _ = parse_python_manifest("poetry.lock", poetry)
    assert names(pkgs) == {("django", "4.2.1")}
