"""What a migration file destroys, read the way a reviewer reads it (pure functions of file text).

A drop is data loss only when nothing keeps the data: the copy-then-drop table rebuild that SQLite
needs for most schema changes (create ``new_t``, copy, drop ``t``, rename ``new_t`` to ``t``), the
ClickHouse rename-swap (``t`` to ``t_old``, ``t_new`` to ``t``, drop ``t_old``), a materialised view
dropped and recreated, a table created and dropped in the same file, and the ``down``/``downgrade``
half of a reversible migration are all kept out.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.project import Project

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


# -- where migrations live ------------------------------------------------------------------------

# A migration tool's config names its folder: drizzle's `out`, knex's `migrations.directory`, TypeORM's
# `migrations` globs, sequelize's `migrations-path`, alembic's `script_location`. Bounded patterns:
# config files are small, but they are scanned text.
_DRIZZLE_OUT = re.compile(r"""\bout\s*:\s*["'`]([^"'`\n]{1,200})["'`]""")
_KNEX_DIR = re.compile(r"""\bmigrations\s*:\s*\{[^}]{0,500}?\bdirectory\s*:\s*["'`]([^"'`\n]{1,200})["'`]""")
_TYPEORM_GLOB = re.compile(r"""\bmigrations\s*:\s*\[\s*(?:__dirname\s*\+\s*)?["'`]([^"'`\n]{1,200})["'`]""")
_SEQUELIZE_PATH = re.compile(r"""["']migrations-path["']\s*:\s*(?:path\.(?:resolve|join)\(([^)]{1,200})\)|["']([^"'\n]{1,200})["'])""")
_ALEMBIC_LOCATION = re.compile(r"^script_location\s*=\s*(\S{1,200})", re.MULTILINE)
_CONFIG_NAMES = re.compile(r"(^|/)(drizzle\.config\.[cm]?[jt]s|drizzle\.config\.json|knexfile\.[cm]?[jt]s|\.sequelizerc|"
                           r"alembic\.ini|(data-?source|ormconfig|typeorm\.config|database\.config)\.[cm]?[jt]s)$",
                           re.IGNORECASE)


def migration_dirs(project: Project) -> list[str]:
    """Folders that hold migrations, repo-relative: by the tools' conventions and by their configs.

    Conventions: drizzle ``drizzle/*.sql`` or ``meta/_journal.json``, ``prisma/migrations``,
    ``migrations/`` folders of SQL/JS/TS files or Django ``0001_*.py``, alembic ``versions``,
    ``db/migrate``. Configs: whatever folder the migration tool is told to use.
    """

    def build() -> list[str]:
        dirs: set[str] = set()
        for rel in project.files:
            parts = rel.split("/")
            name = parts[-1]
            parent = "/".join(parts[:-1])
            if len(parts) >= 2 and parts[-2] == "drizzle" and name.endswith(".sql"):
                dirs.add(parent)
            elif name == "_journal.json" and len(parts) >= 2 and parts[-2] == "meta":
                dirs.add("/".join(parts[:-2]))
            elif "migrations" in parts[:-1]:
                index = len(parts) - 2 - parts[:-1][::-1].index("migrations")
                base = "/".join(parts[: index + 1])
                if "prisma" in parts[:index] or name.endswith((".sql", ".js", ".ts", ".mjs", ".cjs")) or (
                    re.match(r"^0\d+.*\.py$", name)
                ):
                    dirs.add(base)
            elif len(parts) >= 3 and parts[-3] == "alembic" and parts[-2] == "versions" and name.endswith(".py"):
                dirs.add(parent)
            elif len(parts) >= 3 and parts[-3] == "db" and parts[-2] == "migrate" and name.endswith(".rb"):
                dirs.add(parent)
            if _CONFIG_NAMES.search(rel):
                dirs.update(_configured_dirs(project, rel))
        return sorted(dirs)

    return project.view(migration_dirs, build)


def _configured_dirs(project: Project, config: str) -> set[str]:
    """The migration folders one tool config names, when they exist in the repository."""
    text = project.read_text(config) or ""
    here = posixpath.dirname(config)
    named: list[str] = []
    name = posixpath.basename(config).lower()
    if name.startswith("drizzle.config"):
        named += _DRIZZLE_OUT.findall(text)
    elif name.startswith("knexfile"):
        named += _KNEX_DIR.findall(text)
    elif name == ".sequelizerc":
        for call_args, plain in _SEQUELIZE_PATH.findall(text):
            named.append(plain or "/".join(re.findall(r"""["']([^"']+)["']""", call_args)))
    elif name == "alembic.ini":
        named += [f"{loc.replace('%(here)s/', '').rstrip('/')}/versions" for loc in _ALEMBIC_LOCATION.findall(text)]
    else:
        # TypeORM: the folder part of the glob before its first wildcard.
        named += [re.split(r"[*{]", glob, maxsplit=1)[0].rstrip("/") for glob in _TYPEORM_GLOB.findall(text)]
    out: set[str] = set()
    for folder in named:
        folder = folder.strip()
        while folder.startswith("./"):
            folder = folder[2:]
        folder = folder.lstrip("/")
        if not folder or ".." in folder.split("/"):
            continue
        candidates = [posixpath.normpath(posixpath.join(here, folder))]
        if here:  # `__dirname + '/migrations'` in src/data-source.ts, or a path from the repository root
            candidates.append(posixpath.normpath(folder))
        for candidate in candidates:
            prefix = candidate + "/"
            # A folder with only its scaffold (alembic's README and env.py, a .gitkeep) holds no migration.
            if any(rel.startswith(prefix) and is_migration_name(rel) for rel in project.files):
                out.add(candidate)
                break
    return out


_MIGRATION_SUFFIXES = (".sql", ".py", ".js", ".ts", ".mjs", ".cjs", ".rb")
_SCAFFOLD_NAMES = frozenset({"__init__.py", "env.py", "script.py.mako", "index.ts", "index.js"})


def is_migration_name(rel: str) -> bool:
    """A file that can be a migration: source or SQL, not a tool's scaffold or a folder's index."""
    name = rel.rsplit("/", 1)[-1].lower()
    return name.endswith(_MIGRATION_SUFFIXES) and name not in _SCAFFOLD_NAMES and "/meta/" not in rel
