"""What a migration file destroys, read the way a reviewer reads it (pure functions of file text).

A drop is data loss only when nothing keeps the data: the copy-then-drop table rebuild that SQLite
needs for most schema changes (create ``new_t``, copy, drop ``t``, rename ``new_t`` to ``t``), the
ClickHouse rename-swap (``t`` to ``t_old``, ``t_new`` to ``t``, drop ``t_old``), a materialised view
dropped and recreated, a table created and dropped in the same file, and the ``down``/``downgrade``
half of a reversible migration are all kept out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENT = r"[`\"\[]?[\w.]+[`\"\]]?"
_SQL_DROP = re.compile(
    rf"\bDROP\s+(TABLE|SCHEMA|DATABASE)\s+(?:IF\s+EXISTS\s+)?({_IDENT})|\bDROP\s+COLUMN\b|"
    rf"\bTRUNCATE\s+(?:TABLE\s+)?({_IDENT})?|\bDELETE\s+FROM\s+{_IDENT}\s*$", re.IGNORECASE)
_INSERT_SELECT = re.compile(rf"\bINSERT\s+INTO\s+({_IDENT}).*?\bSELECT\b.*?\bFROM\s+({_IDENT})",
                            re.IGNORECASE | re.DOTALL)
_ALTER_RENAME = re.compile(rf"\bALTER\s+TABLE\s+({_IDENT})\s+RENAME\s+TO\s+({_IDENT})", re.IGNORECASE)
_RENAME_TABLE = re.compile(r"\bRENAME\s+TABLE\s+(.+)", re.IGNORECASE | re.DOTALL)
_RENAME_PAIR = re.compile(rf"({_IDENT})\s+TO\s+({_IDENT})", re.IGNORECASE)
_CREATE = re.compile(rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|MATERIALIZED\s+VIEW|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
                     rf"({_IDENT})", re.IGNORECASE)
_CODE_DROP = re.compile(r"op\.drop_(table|column)\b|migrations\.(RemoveField|DeleteModel)\b|\.dropTable\(|"
                        r"\.dropColumn\(|\bDROP\s+(TABLE|COLUMN)\b", re.IGNORECASE)
# The rollback half of a reversible migration (alembic, TypeORM, knex, sequelize, Django has none).
_DOWN = re.compile(r"^\s*(def\s+downgrade\b|(public\s+)?(async\s+)?down\s*\(|exports\.down\b|down\s*:\s*(async\s*)?"
                   r"(function|\()|async\s+down\b)")
_UP = re.compile(r"^\s*(def\s+upgrade\b|(public\s+)?(async\s+)?up\s*\(|exports\.up\b|up\s*:\s*(async\s*)?"
                 r"(function|\()|async\s+up\b)")


@dataclass(frozen=True)
class Drop:
    """One destructive statement: where it is and what it says."""

    line: int
    what: str


def destructive_statements(path: str, text: str) -> list[Drop]:
    """The statements of one migration file that lose data (empty when none does)."""
    if path.lower().endswith(".sql"):
        return _sql_drops(text)
    return _code_drops(text)


def _name(raw: str | None) -> str:
    """A table name without quotes or schema prefix, lower-cased."""
    return (raw or "").strip("`\"[]").rsplit(".", 1)[-1].lower()


def _strip_sql_comments(text: str) -> str:
    """Comments blanked out with spaces, so offsets and line numbers stay the same."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))
    return re.sub(r"/\*.*?\*/|--[^\n]*", blank, text, flags=re.DOTALL)


def _sql_drops(text: str) -> list[Drop]:
    code = _strip_sql_comments(text)
    statements = [(m.start(), m.group(0)) for m in re.finditer(r"[^;]+", code)]
    copied_from: set[str] = set()
    renamed: dict[str, str] = {}        # old name -> new name
    created: set[str] = set()
    for _start, stmt in statements:
        for match in _INSERT_SELECT.finditer(stmt):
            copied_from.add(_name(match.group(2)))
        for match in _ALTER_RENAME.finditer(stmt):
            renamed[_name(match.group(1))] = _name(match.group(2))
        rename = _RENAME_TABLE.search(stmt)
        if rename:
            for pair in _RENAME_PAIR.finditer(rename.group(1)):
                renamed[_name(pair.group(1))] = _name(pair.group(2))
        for match in _CREATE.finditer(stmt):
            created.add(_name(match.group(2)))
    kept = copied_from | {new for old, new in renamed.items() if old in copied_from} | created
    out = []
    for start, stmt in statements:
        drop = _SQL_DROP.search(stmt)
        if not drop:
            continue
        table = _name(drop.group(2) or drop.group(3))
        if drop.group(1) and drop.group(1).upper() == "TABLE" and table in kept:
            continue  # the data was copied to another table first, or the table is recreated here
        line = code.count("\n", 0, start + drop.start()) + 1
        out.append(Drop(line, " ".join(drop.group(0).split())))
    return out


def _code_drops(text: str) -> list[Drop]:
    out = []
    in_down = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if _DOWN.search(line):
            in_down = True
        elif _UP.search(line):
            in_down = False
        if in_down or line.lstrip().startswith(("#", "//", "*", "--")):
            continue
        match = _CODE_DROP.search(line)
        if match:
            out.append(Drop(lineno, match.group(0).strip()))
    return out


def migration_set(path: str) -> str:
    """The folder a migration belongs to (``prisma/migrations``, ``hc/api/migrations``, ``alembic/versions``)."""
    parts = path.split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index].lower() in {"migrations", "versions", "drizzle", "migration"}:
            return "/".join(parts[:index + 1])
    return "/".join(parts[:-1])


def _natural(value: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", value.lower()))


_REVISION = re.compile(r"^\s*revision\s*(?::\s*str\s*)?=\s*['\"]([\w-]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^\s*down_revision\s*(?::[^=]+)?=\s*(.+)$", re.MULTILINE)


def newest(paths: list[str], texts: dict[str, str]) -> str | None:
    """The newest migration of one set: the alembic head, else the highest (natural) name."""
    if not paths:
        return None
    revisions = {}
    parents: set[str] = set()
    for rel in paths:
        text = texts.get(rel, "")
        rev = _REVISION.search(text)
        if rev:
            revisions[rev.group(1)] = rel
        down = _DOWN_REVISION.search(text)
        if down:
            parents.update(re.findall(r"['\"]([\w-]+)['\"]", down.group(1)))
    heads = [rel for rev, rel in revisions.items() if rev not in parents]
    if revisions and len(heads) == 1:
        return heads[0]
    base = migration_set(paths[0])
    return max(paths, key=lambda rel: _natural(rel[len(base):]))
