"""The pre-commit hook manifest, validated by pre-commit's own schema."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.gating.helpers import ONLY_CONFIG, ROOT, run_cli, write_repo


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    hook = next(h for h in hooks if h["id"] == "prodcheck")
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    argv = shlex.split(hook["entry"])
    assert argv[:3] == ["prodcheck", "scan", "."]
    assert "--offline" in argv
    assert argv[argv.index("--fail-on") + 1] == "high"


def test_each_hook_validates_with_cfgv() -> None:
    import cfgv
    from pre_commit.clientlib import MANIFEST_HOOK_DICT
    from ruamel.yaml import YAML

    for hook in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        cfgv.validate(hook, MANIFEST_HOOK_DICT)


def test_hook_entry_runs(tmp_path: Path) -> None:
    """The entry is a real command line: run it from the repository root, as pre-commit does."""
    from pre_commit.clientlib import load_manifest

    write_repo(tmp_path, {".prodcheck.yaml": ONLY_CONFIG, "Dockerfile": "FROM x\n"})
    hook = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))[0]
    argv = shlex.split(hook["entry"])
    proc = run_cli(*argv[1:], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    write_repo(tmp_path, {".prodcheck.yaml": ONLY_CONFIG + "severity:\n  PARSE-ERROR: high\n", "Dockerfile": "FOO x\n"})
    assert run_cli(*argv[1:], cwd=tmp_path).returncode == 1  # a high finding blocks the commit
