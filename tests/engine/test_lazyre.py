"""Patterns compiled on first use behave as compiled ones and cost nothing until used."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from auditor.lazyre import lazy

ROOT = Path(__file__).resolve().parents[2]


def test_lazy_pattern_matches_like_the_compiled_one() -> None:
    source, text = r"(?P<k>[a-z]+)=(\d+)", "a=1, bb=22; CCC=3"
    eager, deferred = re.compile(source, re.I), lazy(source, re.I)
    assert deferred._compiled is None  # nothing compiled before the first use
    assert deferred.search(text).group("k") == eager.search(text).group("k")  # type: ignore[union-attr]
    assert deferred.match(text).span() == eager.match(text).span()  # type: ignore[union-attr]
    assert deferred.fullmatch("x=1") is not None and deferred.fullmatch("x=1;") is None
    assert [m.span() for m in deferred.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert deferred.findall(text) == eager.findall(text)
    assert deferred.sub(lambda m: m.group(1).upper(), text) == eager.sub(lambda m: m.group(1).upper(), text)
    assert deferred.sub("-", text, 1) == eager.sub("-", text, 1)
    assert deferred.split(text, 1) == eager.split(text, 1)
    assert deferred.search(text, 5, 9) is not None and deferred.pattern == source
    assert deferred.compiled is deferred.compiled


def test_importing_the_converted_modules_compiles_none_of_their_patterns() -> None:
    code = ("import auditor.deploy.references, auditor.deploy.images, auditor.deps.lockfiles, auditor.textsafe; "
            "from auditor.lazyre import LazyPattern; import gc; "
            "print(sum(1 for o in gc.get_objects() if isinstance(o, LazyPattern) and o._compiled is not None))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"
