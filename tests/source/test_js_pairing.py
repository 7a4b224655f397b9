"""The JS/TS extractor pairs the parts of one construct structurally, never by capture order.

A function's name goes with its own body, a catch parameter with its own block, a destructuring
pattern with its own right-hand side. These three used to be paired by zipping two capture lists
of one query, which the binding does not keep aligned: nested declarators took each other's
bodies, and ``const { C } = config.values`` was read as an environment variable while the next
``process.env`` pattern was lost.
"""

from __future__ import annotations

from auditor.source import js
from auditor.source.facts import SourceFile


def _facts(source: str, path: str = "src/a.ts") -> SourceFile:
    tree = js.parse_tree(path, source.encode())
    assert not tree.root_node.has_error
    return js.extract(path, tree)


def test_each_function_keeps_its_own_body() -> None:
    facts = _facts(
        "const outer = () => {\n"
        "  const inner = () => helper();\n"
        "  return inner();\n"
        "};\n"
        "const second = function () { return other(); };\n"
        "function third() { const fourth = async () => { await last(); }; }\n"
    )
    bodies = {f.name: (f.line, f.body.line, f.body.calls) for f in facts.functions}
    assert bodies["outer"] == (1, 1, ("helper", "inner"))
    assert bodies["inner"] == (2, 2, ("helper",))
    assert bodies["second"] == (5, 5, ("other",))
    assert bodies["third"] == (6, 6, ("last",))
    assert bodies["fourth"] == (6, 6, ("last",))


def test_destructured_env_reads_come_only_from_process_env() -> None:
    facts = _facts(
        'const { A = "1", B } = process.env;\n'
        "function load() { const { C } = config.values; const { D } = process.env; }\n"
        "const { E } = process.env;\n"
    )
    assert [(r.name, r.line, r.has_default) for r in facts.env_reads] == [
        ("A", 1, True), ("B", 1, False), ("D", 2, False), ("E", 3, False)]


def test_catch_parameter_goes_with_its_own_block() -> None:
    # A catch without a parameter first, then catches whose blocks use another clause's name.
    facts = _facts(
        "async function handler(req, res) {\n"
        "  try { await work(); } catch { res.status(500).send('failed'); }\n"
        "  try { await work(); } catch (outer) {\n"
        "    try { await retry(); } catch (inner) { res.send('retry failed'); }\n"
        "    res.json({ error: outer.message });\n"
        "  }\n"
        "  try { await work(); } catch (first) { log(first); }\n"
        "  try { await work(); } catch (second) { res.send(String(second)); }\n"
        "}\n"
        "const g = () => { try { b(); } catch (e) { res.json({ stack: e.stack }); } };\n"
    )
    assert [(leak.line, leak.expression) for leak in facts.leaks] == [
        (5, "outer.message"), (8, "String(second)"), (10, "e.stack")]


def test_chained_calls_in_evaluation_order() -> None:
    # `a()` runs before `a().b()`: of two calls starting at one place the inner comes first.
    facts = _facts("const v = read().trim().toLowerCase();\n")
    assert [c.callee for c in facts.calls] == ["read", "read().trim", "read().trim().toLowerCase"]
    assert [c.name for c in facts.calls] == ["read", "trim", "toLowerCase"]
