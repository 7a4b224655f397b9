"""The one-pass scrubber gives exactly what the per-secret loop gave, and never leaks."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest

from auditor.model import Target
from auditor.project import Project
from auditor.redact import mask, scrub
from auditor.runner import run_repo_checks
from auditor.scrubber import scrubber, trie_pattern
from auditor.secrets import collect_secret_values
from tests.harness import FIXTURES, registry

REPOS = sorted(p for p in (FIXTURES / "repos").iterdir() if p.is_dir())


def _words(rng: random.Random, count: int) -> frozenset[str]:
    alphabet = string.ascii_letters + string.digits + "_-./+="
    return frozenset("".join(rng.choice(alphabet) for _ in range(rng.randint(6, 40))) for _ in range(count))


def _loop_longest_first(text: str, secrets: frozenset[str]) -> str:
    """``redact.scrub``'s loop in its one leak-free order: where a value contains another, the set's
    hash order decided which was replaced first, and the shorter first left the longer one's tail."""
    for secret in sorted(secrets, key=lambda s: (-len(s), s)):
        if secret and secret in text:
            text = text.replace(secret, mask(secret))
    return text


def _contains_another(values: frozenset[str]) -> bool:
    return any(a != b and a in b for a in values for b in values)


def test_random_texts_match_the_loop() -> None:
    rng = random.Random(14)
    for round_ in range(30):
        secrets = _words(rng, rng.randint(2, 60))
        if _contains_another(secrets):
            continue
        pool = sorted(secrets)
        for _ in range(40):
            parts = [rng.choice(pool) if rng.random() < 0.3 else "".join(rng.choice(string.printable) for _ in range(9))
                     for _ in range(rng.randint(0, 8))]
            text = " ".join(parts)
            assert scrubber(secrets)(text) == scrub(text, secrets), (round_, text)


def test_xss_sample_nested_secret_is_masked_whole() -> None:
    """The xss sample's two values nest; the loop's result depended on PYTHONHASHSEED, this one does not."""
    secrets = frozenset({'><img src=x onerror="window.__pwned=1">', "><img src=x onerror="})
    text = """service '"><img src=x onerror="window.__pwned=1">' is not a mapping"""
    assert scrubber(secrets)(text) == """service '"><im********' is not a mapping"""


def test_nested_values_mask_the_longest_and_leak_nothing() -> None:
    secrets = frozenset({"abcdefgh", "abcdefghijklmnop", "efghijkl"})
    out = scrubber(secrets)("x=abcdefghijklmnop y=abcdefgh z=efghijkl")
    assert out == f"x={mask('abcdefghijklmnop')} y={mask('abcdefgh')} z={mask('efghijkl')}"
    for value in secrets:
        assert value not in out


def test_long_and_special_values() -> None:
    pem = "-----BEGIN KEY-----\n" + "A" * 5000 + "\n-----END KEY-----"
    secrets = frozenset({pem, "p(a)ss[w]ord*+?", "x" * 12})
    text = f"key {pem} and p(a)ss[w]ord*+? and {'x' * 30}"
    out = scrubber(secrets)(text)
    assert out == scrub(text, secrets)
    assert pem not in out and "p(a)ss[w]ord*+?" not in out


def test_empty_and_single() -> None:
    assert scrubber(frozenset())("anything") == "anything"
    assert scrubber(frozenset({""}))("anything") == "anything"
    assert scrubber(frozenset({"sk_live_abcdefgh"}))("k=sk_live_abcdefgh") == "k=sk_l********"


def test_trie_pattern_prefers_longer_values() -> None:
    pattern = re.compile(trie_pattern(["abc", "abcdef", "abd"]))
    assert [m.group() for m in pattern.finditer("abcdefabdabc")] == ["abcdef", "abd", "abc"]


@pytest.mark.parametrize("repo", REPOS, ids=[p.name for p in REPOS])
def test_sample_repos_scrub_exactly_as_before(repo: Path) -> None:
    """Every finding text and file line of a sample repo, with its own secrets and with its words as secrets."""
    project = Project(repo)
    specs = [spec for spec in registry() if spec.meta.target is Target.REPO]
    results = run_repo_checks(specs, project, frozenset())
    texts = [text for result in results for f in result.findings for text in (f.message, f.evidence) if text]
    # Plus every line of the repo's files: the clean samples (hardened) have no findings to scrub.
    texts += [line for path in sorted(repo.rglob("*")) if path.is_file()
              for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    own = collect_secret_values(project)
    # Maximal word tokens of the texts themselves, as if they were secret values: many hits per text.
    # (Tokens neither contain nor overlap one another, where the old loop's result depended on set order.)
    words = frozenset(re.findall(r"\w{10,}", "\n".join(texts)))
    words = frozenset(w for w in words if not any(w != o and w in o for o in words))
    for secrets in (own, words):
        new = scrubber(secrets)
        reference = _loop_longest_first if _contains_another(secrets) else scrub
        for text in texts:
            assert new(text) == reference(text, secrets)
    scrubbed_new = [r.findings for r in run_repo_checks(specs, Project(repo), own)]
    assert [f.message for fs in scrubbed_new for f in fs] == [_loop_longest_first(f.message, own) for r in results
                                                               for f in r.findings]
