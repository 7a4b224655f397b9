"""Framework start-up hooks in the application's entry files (the source-level end of the start path).

Code that runs when the application boots, before it serves traffic: Starlette/FastAPI ``lifespan``
and ``on_event("startup")``, Django ``AppConfig.ready``, NestJS ``onModuleInit`` /
``onApplicationBootstrap``, Flask ``before_first_request``. Only the entry files the start path
reaches are read; the hooks are reported as start steps so checks can look inside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from auditor.deploy.model import StartStep

# (name, a word every match contains, pattern): the word is a substring test that rules most files out
# before the regular expression runs.
HOOKS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("lifespan", "lifespan", re.compile(r"\blifespan\s*=|@asynccontextmanager\s*\n\s*async\s+def\s+lifespan\b")),
    ("startup event", "startup", re.compile(r"\bon_event\(\s*[\"']startup[\"']\s*\)|\bon_startup\s*=")),
    ("AppConfig.ready", "ready", re.compile(r"\bdef\s+ready\s*\(\s*self\s*\)")),
    ("onModuleInit", "onModuleInit", re.compile(r"\bonModuleInit\s*\(")),
    ("onApplicationBootstrap", "onApplicationBootstrap", re.compile(r"\bonApplicationBootstrap\s*\(")),
    ("before_first_request", "before_first_request", re.compile(r"\bbefore_first_request\b")),
)


def startup_hooks(sources: Iterable[tuple[str, str]]) -> Iterator[StartStep]:
    """A ``hook`` step per start-up hook found in the given (path, text) entry files."""
    for path, text in sources:
        for name, word, pattern in HOOKS:
            match = pattern.search(text) if word in text else None
            if match:
                line = text.count("\n", 0, match.start()) + 1
                # The hook's body: from the match to the next blank-line-separated block, bounded.
                body = text[match.start(): match.start() + 2000]
                yield StartStep(f"{path}:{line} {name}", body, "hook")
