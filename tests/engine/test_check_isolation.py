"""A check is one module that judges: it imports the engine (auditor/), never another check module.

Shared parsing, resolution and accessors live in ``auditor/`` as typed views (DESIGN.md: parse once,
checks judge); a helper one check family shares between its checks would be a second engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

CHECKS = Path(__file__).resolve().parents[2] / "checks"


def _check_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "checks" or node.module.startswith("checks.")):
            found.append(f"{path.relative_to(CHECKS.parent)}:{node.lineno} from {node.module}")
        elif isinstance(node, ast.Import):
            found.extend(f"{path.relative_to(CHECKS.parent)}:{node.lineno} import {a.name}" for a in node.names
                         if a.name == "checks" or a.name.startswith("checks."))
    return found


def test_no_check_module_imports_another() -> None:
    modules = [p for p in CHECKS.rglob("*.py") if p.name != "__init__.py"]
    assert len(modules) > 100, "the checks folder moved or is empty"
    offenders = [line for path in modules for line in _check_imports(path)]
    assert offenders == []
