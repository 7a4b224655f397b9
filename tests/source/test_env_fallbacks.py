"""A variable that falls back to another variable is recorded by name on both extractors.

``process.env.APP_SECRET || process.env.DATABASE_URL`` and ``os.getenv("SECRET_KEY", os.getenv("X"))``
are what APP-SECRET-FALLBACK judges as a secret derived from configuration; a literal fallback stays
an ``EnvDefault`` and is not also a fallback.
"""

from __future__ import annotations

import ast

from auditor.source import js, py
from auditor.source.facts import EnvFallback


def test_js_records_the_variable_read_in_place_of_an_unset_one() -> None:
    source = ("export const a = process.env.APP_SECRET || process.env.DATABASE_URL;\n"
              "export const b = process.env.JWT_SECRET ?? 'literal';\n"
              "export const c = process.env.PORT || process.env.PORT;\n")
    tree = js.parse_tree("src/a.ts", source.encode())
    facts = js.extract("src/a.ts", tree)
    assert facts.env_fallbacks == (EnvFallback("APP_SECRET", 1, "DATABASE_URL"),)
    assert [d.name for d in facts.env_defaults] == ["JWT_SECRET"]


def test_python_records_getenv_and_environ_defaults_that_read_another_variable() -> None:
    tree = ast.parse('import os\n'
                     'SECRET_KEY = os.getenv("SECRET_KEY", os.environ["SITE_ROOT"])\n'
                     'TOKEN = os.environ.get("API_TOKEN", default=os.getenv("HOSTNAME"))\n'
                     'PLAIN = os.getenv("PLAIN_SECRET", "literal")\n')
    facts = py.extract("app/settings.py", tree)
    assert facts.env_fallbacks == (EnvFallback("SECRET_KEY", 2, "SITE_ROOT"), EnvFallback("API_TOKEN", 3, "HOSTNAME"))
    assert [d.name for d in facts.env_defaults] == ["PLAIN_SECRET"]
