"""docs/scheduling.md: every YAML example parses and every prodcheck command uses real flags."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from auditor.cli import main
from auditor.parsing.yamlsafe import load_yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


def _blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if kind == lang]


def _commands() -> list[list[str]]:
    """Every ``prodcheck scan|history ...`` invocation in the doc: its words up to the end of the command."""
    text = DOC.read_text(encoding="utf-8").replace("\\\n", " ")
    text = re.sub(r">\n\s+", " ", text)  # YAML folded scalars
    text = re.sub(r"\n {10,}(?=-)", " ", text)  # a folded scalar continued on deeper-indented lines
    commands = []
    for match in re.finditer(r"prodcheck ((?:scan|history)\b[^\n&]*)", text):
        words = match.group(1).split(" 2>>")[0].split()
        if len(words) > 1 and (words[1].startswith("-") or words[1] == "prune"):  # else prose
            commands.append(words)
    return commands


def test_yaml_examples_parse() -> None:
    blocks = _blocks("yaml")
    assert len(blocks) >= 3
    docs = [load_yaml(b) for b in blocks]
    cronjob = next(d for d in docs if isinstance(d, dict) and d.get("kind") == "CronJob")
    assert cronjob["spec"]["schedule"] == "17 3 * * *"
    workflow = next(d for d in docs if isinstance(d, dict) and "jobs" in d)
    assert workflow["on"]["schedule"][0]["cron"] and workflow["jobs"]["scan"]["steps"]


def test_systemd_units_have_their_sections() -> None:
    ini = "\n".join(_blocks("ini"))
    for needed in ("[Service]", "Type=oneshot", "ExecStart=/usr/local/bin/prodcheck scan", "[Timer]", "OnCalendar="):
        assert needed in ini


def _options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in getattr(p, "opts", [])}


@pytest.mark.parametrize("argv", _commands(), ids=lambda a: " ".join(a)[:60])
def test_commands_use_real_flags(argv: list[str]) -> None:
    assert isinstance(main, click.Group)
    command: click.Command = main.commands[argv[0]]
    rest = argv[1:]
    if isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    known = _options(command)
    used = {a.split("=")[0] for a in rest if re.fullmatch(r"--?[a-z][\w-]*(=.*)?", a)}
    assert used and used <= known, used - known


def test_the_doc_shows_every_scheduler() -> None:
    assert len(_commands()) >= 8
    text = DOC.read_text(encoding="utf-8")
    for name in ("## cron", "## systemd timer", "## Kubernetes CronJob", "## Nightly GitHub workflow"):
        assert name in text


def test_the_many_sites_config_loads_and_names_its_targets(tmp_path: Path) -> None:
    """The `targets:` example is a valid --config file whose list is what a scan probes."""
    from auditor.settings import resolve_settings

    [example] = [b for b in _blocks("yaml") if b.startswith("# sites.yaml")]
    config = tmp_path / "sites.yaml"
    config.write_text(example, encoding="utf-8")
    settings = resolve_settings(root=None, config_path=config, cli={}, environ={})
    options = settings.scan_options(path=None, urls=())
    assert len(options.urls) == 3 and all(u.startswith("https://") for u in options.urls)
    assert options.live["target_timeout"] == 90


def test_the_shard_matrix_picks_one_config_per_shard() -> None:
    """Each matrix shard scans its own committed file and all shards write the one secret history URL."""
    docs = [load_yaml(b) for b in _blocks("yaml")]
    workflow = next(d for d in docs if isinstance(d, dict) and d.get("name") == "nightly-live-scan-shards")
    scan = workflow["jobs"]["scan"]
    assert scan["strategy"]["matrix"]["shard"] == [0, 1, 2]
    [step] = [s for s in scan["steps"] if "prodcheck scan" in str(s.get("run", ""))]
    assert "sites-${{ matrix.shard }}.yaml" in step["run"] and '--history "$HISTORY_URL"' in step["run"]
    assert step["env"]["HISTORY_URL"] == "${{ secrets.PRODCHECK_HISTORY_URL }}"
