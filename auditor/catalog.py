"""A committed catalog of the built-in checks, so listing them imports none of them.

``prodcheck checks list`` used to import all ~100 check modules (and, through them,
tree-sitter, the source index, httpx/ssl for the live family) only to print one line
each. ``checks/catalog.json`` holds those lines plus the module defining each check,
keyed by a hash of every check module's source (and of the code that turns a
docstring into metadata). Reading it costs a few milliseconds; when any of those
files changed since it was written (an edited check, a new module) the catalog is
*stale* and callers fall back to importing the checks, so a stale catalog is slower,
never wrong. ``tests/engine/test_catalog.py`` fails while the committed catalog is
stale; regenerate with ``python -m auditor.catalog``.

Each row also carries the check's ``needs`` and the rest of its metadata (documentation,
confidence, group ...), so a scan can build its registry from the catalog and import a
check's module only when the check runs (``auditor.registry.scan_registry``): a family whose
inputs are absent, or unchanged in a ``--changed-since`` scan, is never imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.model import CheckMeta

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "checks"
CATALOG = ROOT / PACKAGE / "catalog.json"
# The code that turns a check module into its metadata (and this module, which writes and reads
# the rows): a change there changes the catalog too.
_DERIVERS = ("auditor/registry.py", "auditor/docs.py", "auditor/model.py", "auditor/catalog.py")


@dataclass(frozen=True)
class Entry:
    """One built-in check as ``checks list`` shows it, and where it is defined."""

    id: str
    title: str
    severity: str
    section: str
    section_title: str
    target: str
    module: str
    aliases: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    # The rest of the CheckMeta (doc, confidence, group ...), as written by ``_meta_row``.
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


def source_files(package_dir: Path | None = None) -> list[Path]:
    """Every check module (and package ``__init__``) below the checks package, sorted."""
    base = package_dir or ROOT / PACKAGE
    return sorted(base.rglob("*.py"))


def fingerprint(package_dir: Path | None = None) -> str:
    """SHA-256 over the relative path and bytes of every check module and of the metadata code."""
    digest = hashlib.sha256()
    paths = [*source_files(package_dir), *(ROOT / name for name in _DERIVERS)]
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


def build() -> dict[str, Any]:
    """The catalog of the current checks (imports every check module)."""
    from auditor.registry import load_registry

    registry = load_registry(plugins=False)
    rows = [
        {
            "id": spec.id,
            "title": spec.meta.title,
            "severity": spec.meta.severity.label,
            "section": spec.meta.section.id,
            "section_title": spec.meta.section.title,
            "target": spec.meta.target.value,
            "module": spec.func.__module__,
            "aliases": list(spec.meta.aliases),
            "needs": list(spec.needs),
            "details": _meta_row(spec.meta),
        }
        for spec in registry  # registry order: section, then id
    ]
    return {"fingerprint": fingerprint(), "checks": rows}


def _meta_row(meta: CheckMeta) -> dict[str, Any]:
    """The CheckMeta fields the listing columns do not hold, as JSON values."""
    doc = meta.doc
    return {
        "doc": {"title": doc.title, "what": doc.what, "why": doc.why, "fix": doc.fix, "raw": doc.raw,
                "snippets": [[s.stack, s.language, s.code] for s in doc.snippets]},
        "security": meta.security, "effort_hours": meta.effort_hours, "passed": meta.passed,
        "confidence": meta.confidence.label, "group": meta.group, "group_rank": meta.group_rank,
        "data_loss": meta.data_loss, "operator_side": meta.operator_side,
        "organisational": meta.organisational, "adopter_side": meta.adopter_side,
    }


def meta_of(entry: Entry) -> CheckMeta:
    """The check's full metadata rebuilt from its catalog row (equal to what importing it gives)."""
    from auditor.model import CheckDoc, CheckMeta, Confidence, FixSnippet, Section, Severity, Target

    d = entry.details
    doc = d["doc"]
    return CheckMeta(
        id=entry.id, title=entry.title, severity=Severity.parse(entry.severity),
        section=Section.parse(entry.section), target=Target(entry.target),
        doc=CheckDoc(title=doc["title"], what=doc["what"], why=doc["why"], fix=doc["fix"], raw=doc["raw"],
                     snippets=tuple(FixSnippet(stack, language, code) for stack, language, code in doc["snippets"])),
        # Values as declared (JSON keeps 2 and 2.0 apart, so renderers print them as before).
        security=d["security"], effort_hours=d["effort_hours"], aliases=entry.aliases,
        passed=d["passed"], confidence=Confidence.parse(d["confidence"]), group=d["group"],
        group_rank=d["group_rank"], data_loss=d["data_loss"], operator_side=d["operator_side"],
        organisational=d["organisational"], adopter_side=d["adopter_side"],
    )


def write(path: Path = CATALOG) -> Path:
    """Regenerate the committed catalog."""
    path.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(path: Path = CATALOG) -> list[Entry] | None:
    """The catalog's entries in registry order, or None when it is missing, unreadable or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("fingerprint") != fingerprint():
            return None
        return [Entry(**{**row, "aliases": tuple(row.get("aliases") or ()), "needs": tuple(row.get("needs") or ()),
                         "details": row.get("details") or {}}) for row in data["checks"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def module_of(check_id: str, entries: list[Entry]) -> str | None:
    """The module defining ``check_id`` (or one of its aliases), case-insensitively."""
    wanted = check_id.strip().upper()
    for entry in entries:
        if wanted == entry.id or wanted in entry.aliases:
            return entry.module
    return None


if __name__ == "__main__":
    print(f"wrote {write()}")
