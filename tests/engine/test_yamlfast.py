"""The libyaml loader reads YAML exactly as ruamel.yaml's round-trip loader does (values and lines)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar

from auditor.parsing import yamlfast
from auditor.parsing.yamlsafe import YamlError, line_of, load_yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

pytestmark = pytest.mark.skipif(not yamlfast.AVAILABLE, reason="PyYAML without libyaml: ruamel is used")


def _plain(value: Any) -> Any:
    if isinstance(value, TaggedScalar):
        return str(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else float(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _lines(value: Any, path: str = "$") -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if isinstance(value, dict):
        out.append((path, line_of(value)))
        for key, child in value.items():
            out += [(f"{path}.{key}", line_of(value, key)), *_lines(child, f"{path}.{key}")]
    elif isinstance(value, list):
        out.append((path, line_of(value)))
        for index, child in enumerate(value):
            out += [(f"{path}[{index}]", line_of(value, index)), *_lines(child, f"{path}[{index}]")]
    return out


def _ruamel(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = list(yaml.load_all(text))
    return docs[0] if docs else None


def _same(text: str) -> None:
    fast = yamlfast.load_all(text)
    expected = _ruamel(text)
    got = fast[0] if fast else None
    assert _plain(got) == _plain(expected)
    assert _lines(got) == _lines(expected)


@pytest.mark.parametrize("text", [
    "on:\n  push:\n    branches: [main]\njobs: {}\n",                   # `on` is a string key (YAML 1.2)
    "ports:\n  - 22:22\n  - '80:80'\nmode: 0755\nhex: 0x1F\nbig: 1_000\no: 0o17\nb: 0b101\n",
    "a: yes\nb: off\nc: true\nd: ~\ne:\nf: .inf\ng: -.5\nh: 1e3\ni: 2026-01-02\n",
    "a: 1\nb: 3\na: 2\n",                                               # duplicate: the first wins
    "x: &x {p: 1, q: 2}\ny:\n  <<: *x\n  q: 3\nz:\n  <<: [{p: 1}, {p: 2, r: 5}]\n",  # merges
    "- a\n- &b {x: 1}\n- *b\n- [1, [2, 3]]\n",
    "a: !!str 12\nb: !Ref thing\nc: !custom {k: v}\n",
    "---\nfirst: 1\n---\nsecond: 2\n",
])
def test_same_values_and_lines_as_ruamel(text: str) -> None:
    _same(text)


def test_merged_keys_have_no_position_of_their_own() -> None:
    data = load_yaml("x: &x {p: 1}\ny:\n  <<: *x\n  q: 3\n")
    assert data["y"]["p"] == 1 and line_of(data["y"], "q") == 4
    assert line_of(data["y"], "p") == 3  # falls back to the mapping's own line, as with ruamel


def test_a_mapping_merged_into_itself_is_a_parse_error_with_a_line() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("services:\n  web: &self\n    <<: *self\n    image: nginx:1.27\n")
    assert caught.value.line in (2, 3)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the corpus and conformance samples live in ../shared")
def test_every_yaml_file_of_the_samples_corpus_and_conformance_reads_the_same() -> None:
    files = [p for base in (ROOT / "fixtures", SHARED / "realworld", SHARED / "conformance")
             for pattern in ("*.yml", "*.yaml") for p in base.rglob(pattern) if "node_modules" not in p.parts]
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            expected_error = None
            _ruamel(text)
        except Exception as exc:  # noqa: BLE001 - any ruamel failure: the fast loader must fail too
            expected_error = exc
        if expected_error is not None:
            with pytest.raises(Exception):  # noqa: B017 - both refuse it; the message may differ
                yamlfast.load_all(text)
            continue
        _same(text)
        compared += 1
    assert compared > 500


@pytest.mark.parametrize("text", [
    "services:\n  web: &self\n    <<: *self\n    image: nginx:1.27\n",   # merged into itself
    "services:\n  web:\n    image: [unclosed\n",                           # syntax error
    "x: !!timestamp 2026-13-45\n",                                          # constructor rejects the value
])
def test_the_ruamel_fallback_reports_the_same_kind_of_error(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(YamlError) as fast:
        load_yaml(text)
    monkeypatch.setattr(yamlfast, "AVAILABLE", False)
    with pytest.raises(YamlError) as slow:
        load_yaml(text)
    assert fast.value.reason.startswith("invalid YAML") and slow.value.reason.startswith("invalid YAML")
    assert fast.value.line is not None and slow.value.line is not None


def test_the_ruamel_fallback_reads_values_and_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "on:\n  push: {}\nports:\n  - 22:22\n"
    fast = load_yaml(text)
    monkeypatch.setattr(yamlfast, "AVAILABLE", False)
    slow = load_yaml(text)
    assert _plain(fast) == _plain(slow) == {"on": {"push": {}}, "ports": ["22:22"]}
    assert _lines(fast) == _lines(slow)
